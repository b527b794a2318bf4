"""三色预警: the colour an assignment (one unit's part of a task) is flagged with on a given day.

红 past its due date; 黄 an extension is pending, it is due within ``warning_days.yellow`` days,
or it has stayed unsigned (未签收) for ``warning_days.unsigned`` days; 蓝 due within
``warning_days.blue`` days. Assignments the unit has finished (``done``) carry none. A task shows
the most urgent colour of its assignments. The thresholds live in ``rules/ledger.yaml``; the
xlsx export states the same rule as conditional formatting against TODAY().
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .lifecycle import LedgerPolicy
from .model import Assignment, Task, local_time

LEVELS = ("红", "黄", "蓝")  # most urgent first


def warning(status: str, due: dt.date | None, today: dt.date, rules_: LedgerPolicy, *,
            pending_extension: bool = False, unsigned_since: dt.date | None = None) -> str | None:
    """"红", "黄", "蓝" or None for an assignment in *status* due on *due*, seen on *today*."""
    if status in rules_.done:
        return None
    days = (due - today).days if due is not None else None
    if days is not None and days < 0:
        return "红"
    late_signing = (status == rules_.initial and unsigned_since is not None
                    and (today - unsigned_since).days >= rules_.warning_days.unsigned)
    if pending_extension or late_signing or (days is not None and days <= rules_.warning_days.yellow):
        return "黄"
    if days is not None and days <= rules_.warning_days.blue:
        return "蓝"
    return None


def assignment_warning(a: Assignment, today: dt.date, rules_: LedgerPolicy) -> str | None:
    created = local_time(a.created_at)
    return warning(a.status, a.due, today, rules_, pending_extension=a.requested_due is not None,
                   unsigned_since=created.date() if created else None)


def most_urgent(levels: Iterable[str | None]) -> str | None:
    found = [lv for lv in levels if lv]
    return min(found, key=LEVELS.index) if found else None


def task_warning(t: Task, today: dt.date, rules_: LedgerPolicy) -> str | None:
    """The most urgent colour among the task's active assignments (none once the task is done)."""
    if t.status in rules_.done:
        return None
    return most_urgent(assignment_warning(a, today, rules_) for a in t.active)
