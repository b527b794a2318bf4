"""What `track list`, `track units` and `track export` show: filtered tasks with their 三色预警,
and the per-unit summary."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..export.columns import NO_UNIT
from ..models import STATUSES
from .alerts import LEVELS, warning
from .db import LedgerMeeting, LedgerTask
from .lifecycle import LedgerPolicy, check_status

REMOVED_MARK = "【已移出任务表】"  # shown before the text of a task its meeting's latest sheet no longer has


@dataclass(frozen=True)
class Filters:
    """Which tasks to show; every given criterion must hold."""

    units: tuple[str, ...] = ()  # a unit name containing any of these
    statuses: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    overdue: bool = False
    due_before: dt.date | None = None
    meeting: str | None = None  # meeting id or its prefix, or part of the meeting's name
    removed: bool = False  # include tasks no longer in their meeting's latest sheet


@dataclass(frozen=True)
class Row:
    task: LedgerTask
    meeting: LedgerMeeting
    warning: str | None


def check_filters(filters: Filters) -> None:
    """Raise ValueError naming the first unknown status or warning level."""
    for s in filters.statuses:
        check_status(s)
    for w in filters.warnings:
        if w not in LEVELS:
            raise ValueError(f"unknown warning {w!r} (one of {'/'.join(LEVELS)})")


def _meeting_matches(m: LedgerMeeting, wanted: str) -> bool:
    return m.id.startswith(wanted) or (m.name is not None and wanted in m.name)


def select(
    tasks: list[LedgerTask], meetings: list[LedgerMeeting], filters: Filters, today: dt.date, rules_: LedgerPolicy
) -> list[Row]:
    by_id = {m.id: m for m in meetings}
    out = []
    for t in tasks:
        m = by_id[t.meeting]
        w = warning(t.status, t.effective_due, today, rules_)
        due = t.effective_due
        if (
            (t.removed_from_sheet and not filters.removed)
            or (filters.units and not any(u in name for name in t.unit_names for u in filters.units))
            or (filters.statuses and t.status not in filters.statuses)
            or (filters.warnings and w not in filters.warnings)
            or (filters.overdue and w != "红")
            or (filters.due_before and (due is None or due >= filters.due_before))
            or (filters.meeting and not _meeting_matches(m, filters.meeting))
        ):
            continue
        out.append(Row(t, m, w))
    return out


@dataclass
class UnitSummary:
    unit: str
    tasks: int = 0
    statuses: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    warnings: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))

    def as_dict(self) -> dict:
        return {"unit": self.unit, "tasks": self.tasks, **self.statuses, **self.warnings}


def unit_summary(rows: list[Row], only: tuple[str, ...] = ()) -> list[UnitSummary]:
    """Per unit named by a task in any role: how many tasks, in which status, with which warning.

    *only*: just the units whose name contains one of these. Most red first, then most tasks;
    tasks naming no unit are counted under NO_UNIT.
    """
    units: dict[str, UnitSummary] = {}
    for r in rows:
        for name in r.task.unit_names or [NO_UNIT]:
            if only and not any(u in name for u in only):
                continue
            s = units.setdefault(name, UnitSummary(name))
            s.tasks += 1
            s.statuses[r.task.status] += 1
            if r.warning:
                s.warnings[r.warning] += 1
    return sorted(units.values(), key=lambda s: (-s.warnings["红"], -s.warnings["黄"], -s.tasks, s.unit))


def warning_counts(rows: list[Row]) -> dict[str, int]:
    counts = dict.fromkeys(LEVELS, 0)
    for r in rows:
        if r.warning:
            counts[r.warning] += 1
    return counts
