"""What `track list`, `track units`, `track export` and the 催办 list show: tasks filtered with
their 三色预警, and per-unit summaries counted over assignments."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .alerts import LEVELS, assignment_warning, task_warning
from .db import Filters, Ledger
from .model import Assignment, Meeting, Task, local_time

REMOVED_MARK = "【已移出任务表】"  # shown before the text of a task its meeting's latest sheet no longer has
DROPPED_MARK = "【本次会议未再部署】"


@dataclass(frozen=True)
class Row:
    task: Task
    meeting: Meeting
    warning: str | None  # the most urgent of its assignments'
    warnings: dict[int, str | None]  # per assignment id

    @property
    def mark(self) -> str:
        return (REMOVED_MARK if self.task.removed_from_sheet else "") + (DROPPED_MARK if self.task.dropped else "")


def check_warnings(levels: tuple[str, ...]) -> None:
    for w in levels:
        if w not in LEVELS:
            raise ValueError(f"unknown warning {w!r} (one of {'/'.join(LEVELS)})")


def select(ledger: Ledger, filters: Filters, today: dt.date, warnings: tuple[str, ...] = (),
           overdue: bool = False) -> list[Row]:
    """The tasks *filters* select, with their colours as of *today*; *warnings*/*overdue* keep
    only tasks with an assignment in one of those colours (红 for overdue)."""
    check_warnings(warnings)
    with ledger.snapshot():
        tasks, meetings = ledger.tasks(filters), {m.id: m for m in ledger.meetings()}
    wanted = set(warnings) | ({"红"} if overdue else set())
    rows = []
    for t in tasks:
        per = {a.id: assignment_warning(a, today, ledger.rules) for a in t.active}
        row = Row(t, meetings[t.meeting], task_warning(t, today, ledger.rules), per)
        if wanted and not wanted & set(per.values()):
            continue
        rows.append(row)
    return rows


@dataclass
class UnitSummary:
    unit: str
    assignments: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    warnings: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))

    def as_dict(self) -> dict:
        return {"unit": self.unit, "assignments": self.assignments, **self.statuses, **self.warnings}


def unit_summary(rows: list[Row], statuses: list[str], only: tuple[str, ...] = ()) -> list[UnitSummary]:
    """Per unit: how many assignments, in which status, with which colour (most red first).
    *only*: just the units whose name contains one of these."""
    units: dict[str, UnitSummary] = {}
    for r in rows:
        for a in r.task.active:
            if only and not any(u in a.unit for u in only):
                continue
            s = units.setdefault(a.unit, UnitSummary(a.unit, statuses=dict.fromkeys(statuses, 0)))
            s.assignments += 1
            s.statuses[a.status] = s.statuses.get(a.status, 0) + 1
            if r.warnings.get(a.id):
                s.warnings[r.warnings[a.id]] += 1
    return sorted(units.values(), key=lambda s: (-s.warnings["红"], -s.warnings["黄"], -s.assignments, s.unit))


def warning_counts(rows: list[Row]) -> dict[str, int]:
    counts = dict.fromkeys(LEVELS, 0)
    for r in rows:
        if r.warning:
            counts[r.warning] += 1
    return counts


def reminders(rows: list[Row], ledger: Ledger, today: dt.date) -> dict[str, list[tuple[Row, Assignment, str]]]:
    """催办: per unit, its overdue (红) assignments and those left unsigned for
    ``warning_days.unsigned`` days, with the reason, earliest due first."""
    out: dict[str, list[tuple[Row, Assignment, str]]] = {}
    for r in rows:
        for a in r.task.active:
            overdue = r.warnings.get(a.id) == "红"
            since = local_time(a.created_at)
            unsigned = a.status == ledger.rules.initial and since is not None and \
                (today - since.date()).days >= ledger.rules.warning_days.unsigned
            if overdue or unsigned:
                why = "逾期未完成" if overdue else "未签收"
                if overdue and unsigned:
                    why = "逾期且未签收"
                out.setdefault(a.unit, []).append((r, a, why))
    for items in out.values():
        items.sort(key=lambda x: (x[1].due or dt.date.max, x[0].task.id))
    return dict(sorted(out.items(), key=lambda kv: (-len(kv[1]), kv[0])))
