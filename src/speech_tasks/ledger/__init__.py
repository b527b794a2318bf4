"""The tracking ledger (督查督办台账): a SQLite file following each meeting's tasks, unit by unit,
until the office closes them (销号).

A *task* (督办事项) comes from a meeting's task sheet; each unit it names gets an *assignment*
with its own status (未签收 → 已签收 → 推进中 → 已完成 → 审核通过 → 已销号), 进展 feedback,
due date and 延期 request. Every change is kept in an append-only history; every change takes
the version the caller last saw and is refused ("changed by X at T") when it is stale.

>>> from speech_tasks.ledger import Ledger, Filters                      # doctest: +SKIP
>>> with Ledger("outputs/ledger.sqlite", create=True) as led:
...     led.import_sheet(read_sheet("outputs/a.json"), by="王科长")
...     t = led.tasks(Filters(units=("交通",)))[0]
...     a = led.find_assignment(t.id, "市交通运输局")
...     led.report(a.id, by="交通局张三", version=a.version, text="已完成排查 35 处")
...     led.frame()                                                      # pandas, one row per assignment

Modules: db.py (schema, migrations, the :class:`Ledger` API), identity.py (which rows a sheet's
tasks are), lifecycle.py (rules/ledger.yaml), alerts.py (三色), xlsx.py (the 台账 workbook round
trip), remind.py (催办 lists), cli.py (`speech-tasks track`).
"""
from .db import DEFAULT_DB, ConflictError, Filters, Ledger, LedgerError, Mark, NotAllowed
from .model import Account, Assignment, Feedback, HistoryEntry, ImportResult, Meeting, Task

__all__ = [
    "DEFAULT_DB", "Account", "Assignment", "ConflictError", "Feedback", "Filters", "HistoryEntry", "ImportResult",
    "Ledger", "LedgerError", "Mark", "Meeting", "NotAllowed", "Task",
]
