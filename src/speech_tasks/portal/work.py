"""What an account may see and do in the ledger, shared by the pages and the JSON API.

The ledger itself checks every change against rules/ledger.yaml with the account as ``by``
(role, own unit, status, version). The portal checks again before it reads or acts: a unit
account reaches only tasks that have an assignment of its unit, and only those assignments;
anything else is 403 whatever the id. Ledger refusals become HTTP answers: NotAllowed 403,
ConflictError 409 ("changed by X at T, reload"), any other LedgerError 400.
"""
from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from pathlib import Path

from ..ledger import ConflictError, Filters, LedgerError, Mark, NotAllowed
from ..ledger.alerts import assignment_warning, task_warning
from ..ledger.model import Assignment, Task, local_text
from ..ledger.view import Row, select
from .accounts import User
from .app import PortalError, db, ledger, today

# actions a form or an API call may ask for, and what each needs besides the version
NEEDS_DUE = {"request_extension"}
TAKES_FILES = {"report", "complete"}


def sees_task(user: User, task: Task) -> bool:
    return user.role != "unit" or any(a.unit == user.unit for a in task.active)


def sees_assignment(user: User, a: Assignment) -> bool:
    return user.role != "unit" or a.unit == user.unit


def task_for(user: User, task_id: str) -> Task:
    """The task, if *user* may see it: 404 when there is none, 403 when it is another unit's."""
    try:
        task = ledger().task(task_id)
    except LedgerError:
        raise PortalError(404, "任务不存在") from None
    if not sees_task(user, task):
        raise PortalError(403, "此任务不属于您的单位")
    return task


def assignment_for(user: User, assignment_id: int) -> Assignment:
    try:
        a = ledger().assignment(assignment_id)
    except LedgerError:
        raise PortalError(404, "分办记录不存在") from None
    if not sees_assignment(user, a):
        raise PortalError(403, "此分办记录不属于您的单位")
    if a.removed:
        raise PortalError(404, "此分办记录已移除")
    return a


@dataclass
class _Selection:
    """view.select over the whole ledger as of a ledger state (see :func:`_selected`)."""

    day: dt.date  # the colours are as of this day
    mark: Mark
    rows: list[Row]


_REFRESH_AT_MOST = 200  # more changed tasks than this: select everything again
_selections: dict[tuple, _Selection] = {}
_selections_lock = threading.Lock()


def _row(task: Task, meetings: dict, rules) -> Row:
    """A task's row as view.select makes it (its colour and those of its assignments)."""
    per = {a.id: assignment_warning(a, today(), rules) for a in task.active}
    return Row(task, meetings[task.meeting], task_warning(task, today(), rules), per)


def _selected(filters: Filters) -> list[Row]:
    """view.select, kept between requests and brought up to date incrementally.

    Only the tasks the ledger reports changed since the last request are read again
    (:meth:`Ledger.changed_since`). An import (new tasks, meetings or sources) or a new day
    selects everything again. Only the unfiltered selection is kept incrementally; a filtered
    one is kept until anything changes.
    """
    led = ledger()
    key = (str(led.path), filters)
    with led.snapshot():
        day, mark = today(), led.mark()
        with _selections_lock:
            cached = _selections.get(key)
        if cached is not None and (cached.day, cached.mark) == (day, mark):
            return cached.rows
        rows = None
        if cached is not None and cached.day == day and cached.mark.imports == mark.imports and filters == Filters():
            changed = led.changed_since(cached.mark)
            if len(changed) <= _REFRESH_AT_MOST:
                meetings = {m.id: m for m in led.meetings()}
                fresh = {tid: _row(led.task(tid), meetings, led.rules) for tid in changed}
                rows = [fresh.get(r.task.id, r) for r in cached.rows]
                rows = [r for r in rows if not r.task.removed_from_sheet]
        if rows is None:
            rows = select(led, filters, day)
        with _selections_lock:
            if len(_selections) >= 16:  # rare filter combinations
                _selections.clear()
            _selections[key] = _Selection(day, mark, rows)
    return rows


def rows_for(user: User, filters: Filters | None = None) -> list[Row]:
    """The tasks *user* may see, with their 三色 as of today (a unit: only its own tasks)."""
    rows = _selected(filters or Filters())
    if user.role == "unit":
        rows = [r for r in rows if sees_task(user, r.task)]
    return rows


def my_assignments(user: User, row: Row) -> list[Assignment]:
    """The assignments of *row* that *user* works on (a unit: its own; others: all active)."""
    return [a for a in row.task.active if sees_assignment(user, a)]


@dataclass(frozen=True)
class Offer:
    """An action *user* can take on an assignment now, for a button or form."""

    name: str
    label: str
    note_required: bool
    needs_due: bool
    takes_files: bool


def offers(user: User, a: Assignment) -> list[Offer]:
    """The actions rules/ledger.yaml lets *user* take on *a* in its status (the ledger re-checks)."""
    if user.role == "viewer" or not sees_assignment(user, a):
        return []
    out = []
    for name, action in ledger().rules.actions.items():
        if user.role not in action.roles or a.status not in action.from_:
            continue
        pending = a.requested_due is not None
        if name in ("approve_extension", "reject_extension") and not pending:
            continue
        if name == "request_extension" and pending:
            continue
        out.append(Offer(name, action.label, action.note == "required", name in NEEDS_DUE, name in TAKES_FILES))
    return out


def act(user: User, assignment_id: int, action: str, version: int | None, note: str = "",
        due: dt.date | None = None, evidence: list[Path] = ()) -> Assignment:
    """Take *action* on the assignment as *user*; the ledger checks and records it."""
    assignment_for(user, assignment_id)
    led, by = ledger(), user.name
    rule = led.rules.actions.get(action)
    if rule is None:
        raise PortalError(400, f"未知操作 {action}")
    if user.role not in rule.roles:
        raise PortalError(403, f"{rule.label}：{user.role_label}账号无此权限")
    try:
        if action in ("report", "complete"):
            return led.report(assignment_id, by, version, note, evidence=evidence, done=action == "complete")
        if action == "request_extension":
            if due is None:
                raise PortalError(400, "申请延期需要填写新的截止日期")
            return led.request_extension(assignment_id, by, version, due, note)
        method = {"sign": led.sign, "approve_extension": led.approve_extension, "reject_extension": led.reject_extension,
                  "review": led.review, "send_back": led.send_back, "close": led.close, "reopen": led.reopen}[action]
        return method(assignment_id, by, version, note)
    except ConflictError as e:
        raise PortalError(409, conflict_message(e)) from None
    except NotAllowed as e:
        raise PortalError(403, f"无权操作：{e}") from None
    except LedgerError as e:
        raise PortalError(400, str(e)) from None


def conflict_message(e: ConflictError) -> str:
    """The ledger's "changed by X at T" in Chinese, with T in local time."""
    import re

    text = str(e)
    m = re.search(r"changed by (.+?) at (\S+Z)", text)
    if m:
        return f"此记录已被 {m.group(1)} 于 {local_text(m.group(2))} 修改，请刷新页面后再操作（您的修改未保存）"
    return "此记录已被他人修改，请刷新页面后再操作（您的修改未保存）"


def evidence_names(paths) -> dict[str, str]:
    """Display names of stored evidence files (``<assignment>/<id>.pdf`` → the uploaded name)."""
    ids = {Path(p).stem: p for p in paths}
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = db().execute(f"SELECT id, original_name FROM portal_files WHERE id IN ({marks})", tuple(ids)).fetchall()
    names = {r["id"]: r["original_name"] for r in rows}
    return {p: names.get(stem, Path(p).name) for stem, p in ids.items()}


def edit_task(user: User, task_id: str, version: int, *, fields: dict, add: list[tuple[str, str]],
              remove: list[str], reason: str) -> Task:
    """The office's edit of a task after it entered the ledger: wording, due date, 完成时限, note
    (only the *fields* given), and its units (*add* (name, role) pairs, *remove* names: this is
    how a generic addressee is split into named units). The ledger checks role and version."""
    task_for(user, task_id)
    if user.role != "office":
        raise PortalError(403, "只有安委办账号可以修改任务")
    led = ledger()
    try:
        task = led.edit_task(task_id, user.name, version, reason=reason, **fields) if fields else led.task(task_id)
        if add or remove:
            task = led.edit_units(task_id, user.name, task.version if fields else version, add=add, remove=remove,
                                  reason=reason)
        return task
    except ConflictError as e:
        raise PortalError(409, conflict_message(e)) from None
    except NotAllowed as e:
        raise PortalError(403, f"无权操作：{e}") from None
    except LedgerError as e:
        raise PortalError(400, str(e)) from None
