"""三色预警: the colour a ledger task is flagged with on a given day.

红 past its due date; 黄 behind (a status in ``behind``, i.e. 延期) or due within
``warning_days.yellow`` days; 蓝 due within ``warning_days.blue`` days. Finished tasks (``done``)
and tasks without a due date (other than 黄 for being behind) carry none. The thresholds live in
``rules/ledger.yaml``.
"""
from __future__ import annotations

import datetime as dt

from .lifecycle import LedgerPolicy

LEVELS = ("红", "黄", "蓝")  # most urgent first


def warning(status: str, due: dt.date | None, today: dt.date, rules_: LedgerPolicy) -> str | None:
    """"红", "黄", "蓝" or None for a task in *status* due on *due*, seen on *today*."""
    if status in rules_.done:
        return None
    days = (due - today).days if due is not None else None
    if days is not None and days < 0:
        return "红"
    if status in rules_.behind or (days is not None and days <= rules_.warning_days.yellow):
        return "黄"
    if days is not None and days <= rules_.warning_days.blue:
        return "蓝"
    return None
