"""A new meeting before it enters the ledger: the uploaded speech, its extracted task sheet and
the office's corrections.

Extraction errors are cheapest to fix here, before any unit sees a task: the office checks each
task's units, due date and wording against the highlighted passage, corrects them, and confirms
the sheet into the ledger. Every correction is logged with the account that made it, and each
carries the draft's version: a correction made on a page that someone else has since changed is
refused with who changed it and when (nothing is overwritten).
"""
from __future__ import annotations

import datetime as dt
import re
import secrets
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ..export.frame import children_map, earliest_due
from ..ledger.db import canonical_unit
from ..models import Deadline, Task, TaskSheet, Unit
from .store import audit, transaction, utc_now
from .uploads import StoredFile

ROLES = ("lead", "owner", "assist")
MANUAL_DEADLINE = "办公室确定：{due}"  # the text of a due date the office set (its span is empty)
_NAME_SPLIT = re.compile(r"[、,，;；\s]+")


class DraftError(ValueError):
    """A draft cannot be read or changed as asked; one line for the page."""


class Conflict(DraftError):
    """The draft changed since the page was loaded."""


def check_open(draft: Draft, version: int, closed: str = "", retry: str = "请刷新后再确认") -> None:
    """Refuse to act on *draft* when it is confirmed or discarded (DraftError, *closed* appended)
    or changed since *version* was read (Conflict, saying what to do: *retry*)."""
    if draft.state != "draft":
        raise DraftError(f"该会议已确认或已放弃{closed}")
    if draft.version != version:
        raise Conflict(f"草稿已被 {draft.updated_by} 于 {draft.updated_at} 修改，{retry}")


@dataclass(frozen=True)
class Draft:
    id: str
    file: str
    file_name: str
    state: str
    sheet: TaskSheet
    source_text: str
    meeting: str | None
    import_json: str | None
    created_by: str
    created_at: str
    updated_by: str
    updated_at: str
    version: int

    def task(self, task_id: str) -> Task:
        for t in self.sheet.tasks:
            if t.id == task_id:
                return t
        raise DraftError(f"草稿中没有任务 {task_id}")

    def has_children(self, task_id: str) -> bool:
        return bool(children_map(self.sheet).get(task_id))


def extract(path: Path, name: str, meeting_date: dt.date | None) -> tuple[TaskSheet, str]:
    """The task sheet of the speech stored at *path*, known by its uploaded *name* (which the
    task ids and the ledger's meeting id derive from), and its decoded text.

    Raises ingest.IngestError when the file is not a readable speech.
    """
    from ..ingest import read_file
    from ..pipeline import extract_doc

    doc = read_file(path)
    doc.name = name
    return extract_doc(doc, meeting_date), doc.source


def create(conn: sqlite3.Connection, folder: Path, stored: StoredFile, meeting_date: dt.date | None, by: str) -> Draft:
    sheet, text = extract(stored.path(folder), stored.original_name, meeting_date)
    draft_id, now = secrets.token_hex(8), utc_now()
    with transaction(conn):
        conn.execute(
            "INSERT INTO portal_drafts (id, file, state, sheet_json, source_text, created_by, created_at, updated_by, updated_at)"
            " VALUES (?, ?, 'draft', ?, ?, ?, ?, ?, ?)",
            (draft_id, stored.id, sheet.model_dump_json(), text, by, now, by, now),
        )
        audit(conn, by, "draft.create", draft_id, f"{stored.original_name}: {len(sheet.tasks)} tasks")
    return get(conn, draft_id)


def _from_row(row: sqlite3.Row) -> Draft:
    d = dict(row)
    d["sheet"] = TaskSheet.model_validate_json(d.pop("sheet_json"))
    return Draft(**d)


_SELECT = "SELECT d.*, f.original_name AS file_name FROM portal_drafts d JOIN portal_files f ON f.id = d.file"


def get(conn: sqlite3.Connection, draft_id: str) -> Draft:
    row = conn.execute(f"{_SELECT} WHERE d.id = ?", (draft_id,)).fetchone()
    if row is None:
        raise DraftError(f"没有草稿 {draft_id}")
    return _from_row(row)


def listing(conn: sqlite3.Connection, state: str) -> list[Draft]:
    rows = conn.execute(f"{_SELECT} WHERE d.state = ? ORDER BY d.updated_at DESC", (state,)).fetchall()
    return [_from_row(r) for r in rows]


def for_meeting(conn: sqlite3.Connection, meeting: str) -> Draft | None:
    """The latest confirmed draft of ledger meeting *meeting*: its sheet and speech text."""
    row = conn.execute(
        f"{_SELECT} WHERE d.meeting = ? AND d.state = 'confirmed' ORDER BY d.updated_at DESC, d.rowid DESC LIMIT 1", (meeting,)
    ).fetchone()
    return _from_row(row) if row else None


def _names(value: str) -> list[str]:
    return list(dict.fromkeys(n for n in _NAME_SPLIT.split(value.strip()) if n))


def _unit(name: str, role: str, keep: dict[str, Unit], at: int) -> Unit:
    """*name* as a unit of the task: the extracted one if the task had it, else canonicalised
    against the gazetteer with an empty span at the task's start (it is not in the text)."""
    old = keep.get(name)
    if old is not None:
        return old.model_copy(update={"role": role})
    canonical, known, generic = canonical_unit(name)
    return Unit(text=name, name=canonical, role=role, generic=generic, known=known, span=(at, at))


def _with_due(task: Task, due: dt.date | None) -> list[Deadline]:
    """The task's deadlines with *due* as its due date: extracted dates are kept as text, and a
    due date the office set is one more deadline saying so."""
    if due == earliest_due(task):
        return task.deadlines
    kept = [d.model_copy(update={"due": None}) for d in task.deadlines if not d.text.startswith(MANUAL_DEADLINE[:5])]
    if due is None:
        return kept
    start = task.span[0]
    return [*kept, Deadline(text=MANUAL_DEADLINE.format(due=due.isoformat()), kind="date", due=due, span=(start, start))]


def _label(units: list[Unit], role: str) -> str:
    return "、".join(dict.fromkeys(u.name for u in units if u.role == role))


def correct(
    conn: sqlite3.Connection,
    draft_id: str,
    task_id: str,
    version: int,
    by: str,
    *,
    title: str,
    text: str | None,
    units: dict[str, str],
    due: dt.date | None,
) -> list[str]:
    """Apply the office's correction of one task; the changes made, as lines for the page.

    *units* maps each role (lead/owner/assist) to names separated by 、 or commas. *text* None
    leaves the wording alone (a task with sub-tasks: its text holds theirs).
    """
    with transaction(conn):
        draft = get(conn, draft_id)
        check_open(draft, version, "，不能再修改", "请刷新后再改（您的修改未保存）")
        task = draft.task(task_id)
        if text is not None and draft.has_children(task_id) and text.strip() != task.text.strip():
            raise DraftError("含子任务的任务只能修改标题，请分别修改各子任务")
        keep = {u.name: u for u in task.units} | {u.text: u for u in task.units}
        new_units: list[Unit] = []
        for role in ROLES:
            for name in _names(units.get(role, "")):
                new_units.append(_unit(name, role, keep, task.span[0]))
        changes: list[str] = []
        updates: dict = {}
        title = title.strip() or None
        if title != task.title:
            updates["title"] = title
            changes.append(f"标题：{task.title or '（无）'} → {title or '（无）'}")
        if text is not None and text.strip() and text.strip() != task.text.strip():
            updates["text"] = text.strip()
            changes.append("任务内容已修改")
        for role, label in zip(ROLES, ("牵头单位", "责任单位", "配合单位")):
            old, new = _label(task.units, role), _label(new_units, role)
            if old != new:
                changes.append(f"{label}：{old or '（无）'} → {new or '（无）'}")
                updates["units"] = new_units
        if due != earliest_due(task):
            updates["deadlines"] = _with_due(task, due)
            changes.append(f"截止日期：{earliest_due(task) or '（无）'} → {due or '（无）'}")
        if not changes:
            return []
        tasks = [t.model_copy(update=updates) if t.id == task_id else t for t in draft.sheet.tasks]
        sheet = draft.sheet.model_copy(update={"tasks": tasks})
        conn.execute(
            "UPDATE portal_drafts SET sheet_json = ?, updated_by = ?, updated_at = ?, version = version + 1 WHERE id = ?",
            (sheet.model_dump_json(), by, utc_now(), draft_id),
        )
        for line in changes:
            audit(conn, by, "draft.correct", f"{draft_id}/{task_id}", line)
    return changes


def edits(conn: sqlite3.Connection, draft_id: str) -> list[sqlite3.Row]:
    """The corrections made to a draft, oldest first."""
    return conn.execute(
        "SELECT at, by, target, detail FROM portal_audit WHERE action = 'draft.correct' AND target LIKE ? ORDER BY id",
        (f"{draft_id}/%",),
    ).fetchall()


def mark(conn: sqlite3.Connection, draft_id: str, version: int, state: str, by: str, meeting: str | None = None,
         imported: str | None = None) -> None:
    """Move a draft to *state*: confirmed (with its ledger meeting id and what the import did, as
    JSON), or discarded."""
    with transaction(conn):
        draft = get(conn, draft_id)
        check_open(draft, version)
        conn.execute(
            "UPDATE portal_drafts SET state = ?, meeting = ?, import_json = ?, updated_by = ?, updated_at = ?,"
            " version = version + 1 WHERE id = ?",
            (state, meeting, imported, by, utc_now(), draft_id),
        )
        audit(conn, by, f"draft.{state}", draft_id, meeting or "")
