"""The ledger as a workbook staff edit in Excel, and reading their edits back.

`track export` writes sheets 台账 (one row per task, 三色预警 fills, 状态 dropdown), 历史 and
单位汇总, plus a hidden sheet ``_ledger`` recording, per task id, the ledger version and the
tracked values as exported. `track import-xlsx` compares each row with that base: rows staff did
not edit are skipped; an edited row is applied if the task's ledger version still equals the
exported one, else it is a conflict, reported and left for a person to resolve; the newer ledger
change is never overwritten. Rows are matched by 任务编号 (the task id), so sorting, filtering or
deleting rows in Excel is harmless.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..export import xlsx_style as style
from ..fsutil import atomic_path
from ..models import STATUSES
from .alerts import LEVELS
from .db import FIELD_LABELS, Applied, HistoryEntry, Ledger, LedgerError, utc_now
from .lifecycle import Edit, LedgerPolicy, State
from .view import REMOVED_MARK, Row, UnitSummary

MAIN, HISTORY, UNITS, BASE = "台账", "历史", "单位汇总", "_ledger"
ID = "任务编号"  # the column rows are matched by
# (header, width), headers as in the 任务分解表 (export.columns) where they coincide;
# the EDITABLE ones are read back by import-xlsx
COLUMNS = [
    (ID, 13), ("会议", 18), ("序号", 7), ("工作任务", 52), ("牵头单位", 14), ("责任单位", 16),
    ("配合单位", 14), ("完成时限", 14), ("截止日期", 11), ("状态", 9), ("延期至", 11),
    ("延期原因", 18), ("进展情况", 30), ("预警", 6), ("更新时间", 17),
]
EDITABLE = ("状态", "延期至", "延期原因", "进展情况")
BASE_COLUMNS = (ID, "version", "状态", "延期至", "延期原因", "进展情况")


def _col(name: str) -> int:
    return [c for c, _ in COLUMNS].index(name) + 1


def _when(iso: str) -> dt.datetime:
    """A stored UTC timestamp in local time, naive, as Excel (which has no time zones) wants it."""
    return dt.datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone().replace(tzinfo=None)


def _main_sheet(wb, rows: list[Row]) -> None:
    from openpyxl.comments import Comment

    ws = wb.active
    ws.title = MAIN
    ws.append([c for c, _ in COLUMNS])
    for r in rows:
        t = r.task
        text = (REMOVED_MARK if t.removed_from_sheet else "") + t.text
        ws.append([
            t.id, r.meeting.name or r.meeting.id, t.number, text, t.lead, t.owner, t.assist, t.deadline,
            t.effective_due, t.status, t.extended_due, t.delay_reason, t.note, r.warning or "", _when(t.updated_at),
        ])
        style.indent(ws.cell(ws.max_row, _col("工作任务")), t.number.count("."))
    style.style_table(
        ws,
        widths=[w for _, w in COLUMNS],
        status_column=_col("状态"),
        date_columns=[_col("截止日期"), _col("延期至"), _col("更新时间")],
        centered_columns=[_col(c) for c in ("序号", "截止日期", "状态", "延期至", "预警")],
    )
    for name in EDITABLE:
        ws.cell(1, _col(name)).comment = Comment("可在此修改，用 speech-tasks track import-xlsx 读回台账", "speech-tasks")
    for i, r in enumerate(rows, start=2):
        if r.warning:
            style.fill_row(ws, i, style.WARNING_FILLS[r.warning])


def _history_sheet(wb, history: list[HistoryEntry], numbers: dict[str, str]) -> None:
    ws = wb.create_sheet(HISTORY)
    ws.append(["时间", ID, "序号", "事项", "原值", "新值", "说明", "操作人", "版本"])
    for h in history:
        ws.append([_when(h.at), h.task, numbers.get(h.task, ""), FIELD_LABELS.get(h.field, h.field),
                   h.old or "", h.new or "", h.note, h.by, h.version])
    style.style_table(ws, widths=[17, 13, 7, 10, 20, 20, 30, 14, 6], date_columns=[1], centered_columns=[3, 4, 9])


def _units_sheet(wb, summary: list[UnitSummary]) -> None:
    ws = wb.create_sheet(UNITS)
    header = ["单位", "任务数", *STATUSES, *LEVELS]
    ws.append(header)
    for s in summary:
        ws.append([s.unit, s.tasks, *s.statuses.values(), *s.warnings.values()])
    style.style_table(ws, widths=[24] + [8] * (len(header) - 1), centered_columns=range(2, len(header) + 1))
    dark = style.bold_font()  # dark text on the colour columns' light headers
    for column, level in enumerate(LEVELS, start=len(header) - len(LEVELS) + 1):
        ws.cell(1, column).fill = style.warning_fill(level)
        ws.cell(1, column).font = dark


def _base_sheet(wb, rows: list[Row]) -> None:
    ws = wb.create_sheet(BASE)
    ws.sheet_state = "hidden"
    ws.append(list(BASE_COLUMNS))
    for r in rows:
        t = r.task
        ws.append([t.id, t.version, t.status, t.extended_due, t.delay_reason, t.note])


def export(path: str | Path, rows: list[Row], history: list[HistoryEntry], summary: list[UnitSummary], today: dt.date) -> None:
    """Write the ledger workbook to *path* atomically (history: of the exported tasks)."""
    from openpyxl import Workbook

    wb = Workbook()
    _main_sheet(wb, rows)
    exported = {r.task.id: r.task.number for r in rows}
    _history_sheet(wb, [h for h in history if h.task in exported], exported)
    _units_sheet(wb, summary)
    _base_sheet(wb, rows)
    wb.properties.title = "任务台账"
    wb.properties.description = f"speech-tasks ledger export at {utc_now()}; warnings as of {today.isoformat()}"
    with atomic_path(path) as tmp:
        wb.save(tmp)


# ---- reading edits back ---------------------------------------------------------------------

_DATE = re.compile(r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*")


def _text(value) -> str:
    if value is None:
        return ""
    return str(value).replace("\r\n", "\n").strip()


def _day(value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    m = _DATE.fullmatch(str(value))
    if m:
        try:
            return dt.date(*map(int, m.groups()))
        except ValueError:
            pass
    raise ValueError(f"not a date: {value!r}")


@dataclass(frozen=True)
class FileRow:
    """One edited-or-not row of 台账: where it is, the base it was exported with, what it says now."""

    row: int
    task: str
    version: int
    base: State
    file: State


@dataclass(frozen=True)
class Conflict:
    row: int
    task: str
    fields: list[tuple[str, str, str]]  # (column, ledger value, file value)
    exported_version: int
    ledger_version: int
    last_change: str  # who changed the task last, and when

    def __str__(self) -> str:
        diffs = "; ".join(f"{f}: ledger {lv or '（空）'} ≠ file {fv or '（空）'}" for f, lv, fv in self.fields)
        return (
            f"conflict: row {self.row} {self.task}: {diffs} (ledger changed since export, version "
            f"{self.exported_version} → {self.ledger_version}, {self.last_change}); not applied"
        )


@dataclass
class XlsxImport:
    applied: list[tuple[int, Applied]] = field(default_factory=list)  # (row, what changed)
    conflicts: list[Conflict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    unchanged: int = 0


def _state_values(s: State) -> dict[str, str]:
    return {
        "状态": s.status,
        "延期至": s.extended_due.isoformat() if s.extended_due else "",
        "延期原因": s.delay_reason,
        "进展情况": s.note,
    }


def _open(path: Path):
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise LedgerError(f"{path}: no such file") from None
    except Exception as e:  # zipfile.BadZipFile, openpyxl's InvalidFileException, KeyError on a broken package
        raise LedgerError(f"{path}: not a readable xlsx workbook ({type(e).__name__}: {e})") from None


def read_rows(path: Path) -> tuple[list[FileRow], list[tuple[int, str]]]:
    """The 台账 rows of an exported workbook with their base, and (row, error line) per bad row."""
    wb = _open(path)
    try:
        if MAIN not in wb.sheetnames or BASE not in wb.sheetnames:
            raise LedgerError(f"{path}: not a ledger export (needs sheets {MAIN} and {BASE}; write one with: speech-tasks track export)")
        base_rows = list(wb[BASE].iter_rows(values_only=True))
        if not base_rows or tuple(base_rows[0][: len(BASE_COLUMNS)]) != BASE_COLUMNS:
            raise LedgerError(f"{path}: hidden sheet {BASE} was modified; export again")
        bases: dict[str, tuple[int, State]] = {}
        for values in base_rows[1:]:
            task, version, status, due, reason, note = values[: len(BASE_COLUMNS)]
            if task:
                bases[str(task)] = (int(version), State(_text(status), _text(note), _day(due), _text(reason)))
        main = list(wb[MAIN].iter_rows(values_only=True))
    finally:
        wb.close()
    header = [_text(h) for h in main[0]] if main else []
    missing = [c for c in (ID, *EDITABLE) if c not in header]
    if missing:
        raise LedgerError(f"{path}: sheet {MAIN} has no column {'/'.join(missing)}")
    at = {name: header.index(name) for name in (ID, *EDITABLE)}
    rows: list[FileRow] = []
    errors: list[tuple[int, str]] = []
    for number, values in enumerate(main[1:], start=2):
        values = list(values) + [None] * (len(header) - len(values))
        task = _text(values[at[ID]])
        where = f"{path} row {number}"
        if not task:
            if any(v not in (None, "") for v in values):
                errors.append((number, f"{where}: no {ID}; row skipped"))
            continue
        where += f" ({task})"
        if task not in bases:
            errors.append((number, f"{where}: {ID} not in this export; row skipped"))
            continue
        version, base = bases[task]
        status = _text(values[at["状态"]])
        if status not in STATUSES:
            errors.append((number, f"{where}: 状态 {status!r} is not one of {'/'.join(STATUSES)}; row skipped"))
            continue
        try:
            due = _day(values[at["延期至"]])
        except ValueError as e:
            errors.append((number, f"{where}: 延期至 {e} (use YYYY-MM-DD); row skipped"))
            continue
        if due is None and base.extended_due is not None:
            errors.append((number, f"{where}: 延期至 cannot be cleared (it was {base.extended_due}); row skipped"))
            continue
        file = State(status, _text(values[at["进展情况"]]), due, _text(values[at["延期原因"]]))
        rows.append(FileRow(number, task, version, base, file))
    return rows, errors


def _edit(base: State, file: State, rules_: LedgerPolicy) -> Edit:
    """The change staff made to a row, as `track set` would take it."""
    status = file.status if file.status != base.status else None
    note = file.note if file.note != base.note else None
    due = file.extended_due if file.extended_due != base.extended_due else None
    reason = file.delay_reason if file.delay_reason != base.delay_reason else None
    if file.status in rules_.needs_due and (status or due):
        reason = file.delay_reason  # the reason shown in the row goes with a new postponement
    return Edit(status=status, note=note, due=due, reason=reason)


def import_edits(ledger: Ledger, path: str | Path, by: str) -> XlsxImport:
    """Apply the rows staff edited in an exported workbook, in one transaction."""
    path = Path(path)
    rows, errors = read_rows(path)
    result = XlsxImport()
    with ledger.write():
        now = utc_now()
        for r in rows:
            where = f"{path} row {r.row}"
            try:
                task = ledger.task(r.task)
            except LedgerError as e:
                errors.append((r.row, f"{where}: {e}"))
                continue
            ledger_values, file_values, base_values = (_state_values(s) for s in (task.state, r.file, r.base))
            pending = [  # what staff changed that the ledger does not say yet
                (k, ledger_values[k], file_values[k])
                for k in file_values
                if file_values[k] != base_values[k] and file_values[k] != ledger_values[k]
            ]
            if not pending:
                result.unchanged += 1
                continue
            if task.version != r.version:
                last = ledger.history(task.id)[-1]
                result.conflicts.append(
                    Conflict(r.row, task.id, pending, r.version, task.version, f"last by {last.by} at {last.at}")
                )
                continue
            try:
                result.applied.append((r.row, ledger.apply(task, _edit(r.base, r.file, ledger.rules), by, now)))
            except LedgerError as e:
                errors.append((r.row, f"{where}: {e}"))
    result.errors = [message for _, message in sorted(errors)]
    return result
