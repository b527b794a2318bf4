"""The 台账 workbook staff edit in Excel, and reading their edits back.

`track export` writes sheet 台账 — per task a task row (工作任务, 牵头/责任/配合单位, 完成时限,
截止日期, status, office note) followed by one row per unit (its status, latest 进展, due date,
延期 request) — plus 历史, 单位汇总 and a hidden sheet ``_ledger`` holding, per row, the version
and the values as exported. 三色 is conditional formatting against TODAY(), so it stays true
after the file is saved and reopened another day.

`track import-xlsx` compares each row with that base: rows nobody edited are skipped; an edited
row is applied (through the :class:`Ledger` API, so permissions, lifecycle and history hold) if
its task or assignment is still at the exported version, else it is a conflict, reported and
left; an edit the ledger cannot take is reported, never dropped silently. Rows are matched by
编号, so sorting, filtering or deleting rows is harmless; a cell covered by a merge keeps its
exported value.

`track export` refuses to overwrite a 台账 holding edits not yet imported (`--force` keeps a
backup copy). Every cell is written through :func:`export.xlsx_style.append_rows`: text stays text.
"""
from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..cli import DATE_FORMS, parse_date
from ..export import xlsx_style as style
from ..fsutil import atomic_path
from .alerts import LEVELS
from .db import FIELD_LABELS, ROLE_LABELS, Ledger, LedgerError, canonical_unit
from .model import Assignment, HistoryEntry, Task, iso, local_text, local_time, utc_now
from .view import Row, UnitSummary

MAIN, HISTORY, UNITS, BASE = "台账", "历史", "单位汇总", "_ledger"
KEY = "编号"  # task row: the task id; unit row: TASK/ASSIGNMENT
COLUMNS = [
    (KEY, 15), ("会议", 16), ("序号", 7), ("工作任务", 46), ("牵头单位", 14), ("责任单位", 16), ("配合单位", 14),
    ("完成时限", 12), ("分办单位", 16), ("截止日期", 11), ("状态", 9), ("进展情况", 30), ("申请延期至", 11),
    ("延期原因", 16), ("更新时间", 16),
]
TASK_EDITABLE = ("工作任务", "牵头单位", "责任单位", "配合单位", "截止日期", "状态", "进展情况")
UNIT_EDITABLE = ("截止日期", "状态", "进展情况", "申请延期至", "延期原因")
BASE_COLUMNS = (KEY, "version", "values")
ROLE_COLUMNS = {"牵头单位": "lead", "责任单位": "owner", "配合单位": "assist"}
HINT = "可在此修改，用 speech-tasks track import-xlsx 读回台账"


def _col(name: str) -> int:
    return [c for c, _ in COLUMNS].index(name) + 1


def _letter(name: str) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(_col(name))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").strip()


def _cells(values: dict[str, str]) -> dict[str, str]:
    """Values as the cells hold them (the writer drops control characters)."""
    return {k: style.strip_controls(v).strip() for k, v in values.items()}


def _task_values(t: Task) -> dict[str, str]:
    return _cells({"工作任务": t.text, "牵头单位": t.lead, "责任单位": t.owner, "配合单位": t.assist,
                   "截止日期": iso(t.due) or "", "状态": t.status, "进展情况": t.note})


def _unit_values(a: Assignment) -> dict[str, str]:
    return _cells({"截止日期": iso(a.due) or "", "状态": a.status, "进展情况": a.last_note,
                   "申请延期至": iso(a.requested_due) or "", "延期原因": a.request_reason if a.requested_due else ""})


def _unit_key(a: Assignment) -> str:
    return f"{a.task}/{a.id}"


# ---- writing ----------------------------------------------------------------------------------


def _shown(line: list) -> dict[str, str]:
    """A row's cells as text, by column (the key and update time aside): the base that tells
    which cells staff changed, editable or not."""
    return _cells({c: _text(v) for (c, _), v in zip(COLUMNS, line) if c not in (KEY, "更新时间")})


def _main_sheet(wb, rows: list[Row], statuses: list[str], rules) -> list[tuple[str, int, dict]]:
    """Fill 台账; returns the base (key, version, values) of every row."""
    from openpyxl.comments import Comment

    ws = wb.active
    ws.title = MAIN
    base: list[tuple[str, int, dict]] = []
    lines: list[list] = [[c for c, _ in COLUMNS]]
    levels: list[int] = []
    for r in rows:
        t = r.task
        v = _task_values(t)
        line = [t.id, r.meeting.label, t.number, r.mark + t.text, t.lead, t.owner, t.assist, t.deadline, "",
                t.due, t.status, t.note, None, "", local_time(t.updated_at)]
        lines.append(line)
        levels.append(t.number.count("."))
        base.append((t.id, t.version, {**_shown(line), **v}))
        for a in t.active:
            u = _unit_values(a)
            line = [_unit_key(a), "", "", "", "", "", "", "", f"{ROLE_LABELS.get(a.role, a.role)}：{a.unit}",
                    a.due, a.status, a.last_note, a.requested_due, u["延期原因"], local_time(a.updated_at)]
            lines.append(line)
            levels.append(-1)
            base.append((_unit_key(a), a.version, {**_shown(line), **u}))
    style.append_rows(ws, lines)
    bold = style.bold_font()
    for i, level in enumerate(levels, start=2):
        if level >= 0:
            style.indent(ws.cell(i, _col("工作任务")), level)
            ws.cell(i, _col(KEY)).font = bold
    style.style_table(
        ws, widths=[w for _, w in COLUMNS],
        date_columns=[_col("截止日期"), _col("申请延期至"), _col("更新时间")],
        centered_columns=[_col(c) for c in ("序号", "截止日期", "状态", "申请延期至")],
    )
    _status_dropdown(ws, statuses)
    _three_colours(ws, rules)
    for name in sorted(set(TASK_EDITABLE) | set(UNIT_EDITABLE)):
        ws.cell(1, _col(name)).comment = Comment(HINT, "speech-tasks")
    return base


def _status_dropdown(ws, statuses: list[str]) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    column = _letter("状态")
    dv = DataValidation(type="list", formula1='"' + ",".join(statuses) + '"', allow_blank=True, showErrorMessage=True,
                        errorTitle="状态", error="请选择：" + "/".join(statuses))
    dv.add(f"{column}2:{column}{ws.max_row + 1000}")
    ws.add_data_validation(dv)


def _three_colours(ws, rules) -> None:
    """三色 as conditional formatting against TODAY(): 红 overdue, 黄 due within the yellow days or
    a 延期 pending, 蓝 due within the blue days; rows whose status is done carry none."""
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import PatternFill

    due, status, asked = (f"${_letter(c)}2" for c in ("截止日期", "状态", "申请延期至"))
    open_ = "AND(" + ",".join(f'{status}<>"{s}"' for s in rules.done) + ")"
    has_due = f'ISNUMBER({due})'
    conditions = {
        "红": f"AND({open_},{has_due},{due}<TODAY())",
        "黄": f'AND({open_},OR(AND({has_due},{due}-TODAY()<={rules.warning_days.yellow}),ISNUMBER({asked})))',
        "蓝": f"AND({open_},{has_due},{due}-TODAY()<={rules.warning_days.blue})",
    }
    area = f"A2:{_letter(COLUMNS[-1][0])}{max(ws.max_row, 2)}"
    for level in LEVELS:
        fill = PatternFill("solid", fgColor=style.WARNING_FILLS[level], bgColor=style.WARNING_FILLS[level])
        ws.conditional_formatting.add(area, FormulaRule(formula=[conditions[level]], fill=fill, stopIfTrue=True))


def _history_sheet(wb, history: list[HistoryEntry], numbers: dict[str, str]) -> None:
    ws = wb.create_sheet(HISTORY)
    style.append_rows(ws, [["时间", "任务编号", "序号", "单位", "事项", "原值", "新值", "说明", "操作人", "版本"]] + [
        [local_time(h.at), h.task, numbers.get(h.task, ""), h.unit or "", FIELD_LABELS.get(h.field, h.field),
         h.old or "", h.new or "", h.note, h.by, h.version]
        for h in history
    ])
    style.style_table(ws, widths=[16, 13, 7, 14, 10, 20, 20, 30, 14, 6], date_columns=[1], centered_columns=[3, 5, 10])


def _units_sheet(wb, summary: list[UnitSummary], statuses: list[str]) -> None:
    ws = wb.create_sheet(UNITS)
    header = ["单位", "分办数", *statuses, *LEVELS]
    style.append_rows(ws, [header] + [[s.unit, s.assignments, *(s.statuses.get(x, 0) for x in statuses),
                                       *s.warnings.values()] for s in summary])
    style.style_table(ws, widths=[24] + [8] * (len(header) - 1), centered_columns=range(2, len(header) + 1))
    dark = style.bold_font()
    for column, level in enumerate(LEVELS, start=len(header) - len(LEVELS) + 1):
        ws.cell(1, column).fill = style.warning_fill(level)
        ws.cell(1, column).font = dark


def _base_sheet(wb, base: list[tuple[str, int, dict]]) -> None:
    ws = wb.create_sheet(BASE)
    ws.sheet_state = "hidden"
    style.append_rows(ws, [list(BASE_COLUMNS)] + [[k, v, json.dumps(vals, ensure_ascii=False)] for k, v, vals in base])


def export(ledger: Ledger, path: str | Path, rows: list[Row], history: list[HistoryEntry], summary: list[UnitSummary],
           today: dt.date, force: bool = False) -> Path | None:
    """Write the 台账 workbook to *path* atomically; returns the backup made of an edited file
    overwritten with *force*. Refuses (LedgerError) to overwrite a 台账 with edits not yet imported."""
    from openpyxl import Workbook

    path = Path(path)
    backup = _guard(ledger, path, force)
    statuses = ledger.rules.statuses
    wb = Workbook()
    base = _main_sheet(wb, rows, statuses, ledger.rules)
    numbers = {r.task.id: r.task.number for r in rows}
    _history_sheet(wb, [h for h in history if h.task in numbers], numbers)
    _units_sheet(wb, summary, statuses)
    _base_sheet(wb, base)
    wb.properties.title = "任务台账"
    wb.properties.description = f"speech-tasks ledger export at {utc_now()}; colours against TODAY()"
    try:
        with atomic_path(path) as tmp:
            wb.save(tmp)
    except OSError as e:
        raise LedgerError(f"{path}: cannot write ({e.strerror or e})") from None
    return backup


def _guard(ledger: Ledger, path: Path, force: bool) -> Path | None:
    """Refuse to overwrite a workbook that holds edits not yet imported (or is not a 台账);
    with *force*, copy it aside first and return the copy's path."""
    if not path.exists():
        return None
    try:
        edited = pending(ledger, path)
        problem = f"holds {len(edited)} edited rows not yet imported (rows {', '.join(str(r.row) for r in edited[:8])}" \
                  f"{' …' if len(edited) > 8 else ''})" if edited else ""
    except LedgerError as e:
        problem = f"is not a 台账 this ledger can read back ({str(e).split(': ', 1)[-1]})"
    if not problem:
        return None
    if not force:
        raise LedgerError(
            f"{path}: {problem}; import them first (speech-tasks track import-xlsx {path}) "
            f"or overwrite with --force (keeps a backup copy)"
        )
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.stem}.backup-{stamp}{path.suffix}")
    shutil.copy2(path, backup)
    return backup


# ---- reading edits back -----------------------------------------------------------------------


@dataclass(frozen=True)
class FileRow:
    """One row of 台账 with the base it was exported with and what it says now."""

    row: int
    key: str
    version: int
    base: dict[str, str]
    file: dict[str, str]

    @property
    def task(self) -> str:
        return self.key.split("/", 1)[0]

    @property
    def assignment(self) -> int | None:
        return int(self.key.split("/", 1)[1]) if "/" in self.key else None

    @property
    def edits(self) -> dict[str, tuple[str, str]]:
        """{column: (exported value, value now)} for the cells staff changed."""
        return {k: (self.base.get(k, ""), v) for k, v in self.file.items() if v != self.base.get(k, "")}

    @property
    def changed(self) -> bool:
        return bool(self.edits)


def _open(path: Path):
    from openpyxl import load_workbook

    try:
        return load_workbook(path, data_only=True)
    except FileNotFoundError:
        raise LedgerError(f"{path}: no such file") from None
    except Exception as e:  # zipfile.BadZipFile, openpyxl's InvalidFileException, KeyError on a broken package
        raise LedgerError(f"{path}: not a readable xlsx workbook ({type(e).__name__}: {e})") from None


def _bases(path: Path, ws) -> dict[str, tuple[int, dict]]:
    rows = list(ws.iter_rows(values_only=True))
    mangled = f"{path}: hidden sheet {BASE} was modified; export again (speech-tasks track export)"
    if not rows or tuple(rows[0][: len(BASE_COLUMNS)]) != BASE_COLUMNS:
        raise LedgerError(mangled)
    out: dict[str, tuple[int, dict]] = {}
    for values in rows[1:]:
        values = tuple(values) + (None,) * 3
        key, version, data = values[:3]
        if key is None:
            continue
        try:
            base = json.loads(data)
            task, _, number = str(key).partition("/")
            if not isinstance(base, dict) or not task or (number and not number.isdigit()):
                raise ValueError
            out[str(key)] = (int(version), {k: str(v) for k, v in base.items()})
        except (TypeError, ValueError):
            raise LedgerError(mangled) from None
    return out


def read_rows(path: str | Path) -> tuple[list[FileRow], list[tuple[int, str]]]:
    """The 台账 rows of an exported workbook with their base, and (row, error line) per bad row."""
    path = Path(path)
    wb = _open(path)
    try:
        if MAIN not in wb.sheetnames or BASE not in wb.sheetnames:
            raise LedgerError(f"{path}: not a ledger export (needs sheets {MAIN} and {BASE}; write one with: speech-tasks track export)")
        bases = _bases(path, wb[BASE])
        ws = wb[MAIN]
        covered = {(r, c) for rng in ws.merged_cells.ranges
                   for r in range(rng.min_row, rng.max_row + 1) for c in range(rng.min_col, rng.max_col + 1)
                   if (r, c) != (rng.min_row, rng.min_col)}
        main = [list(r) for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    header = [_text(h) for h in main[0]] if main else []
    missing = [c for c in (KEY, *TASK_EDITABLE, *UNIT_EDITABLE) if c not in header]
    if missing:
        raise LedgerError(f"{path}: sheet {MAIN} has no column {'/'.join(dict.fromkeys(missing))}")
    at = {name: header.index(name) for name in header if name}
    rows: list[FileRow] = []
    errors: list[tuple[int, str]] = []
    for number, values in enumerate(main[1:], start=2):
        values = values + [None] * (len(header) - len(values))
        key = _text(values[at[KEY]])
        if not key:
            if any(v not in (None, "") for i, v in enumerate(values) if (number, i + 1) not in covered):
                errors.append((number, f"{path} row {number}: no {KEY}; row skipped"))
            continue
        if key not in bases:
            errors.append((number, f"{path} row {number} ({key}): {KEY} not in this export; row skipped"))
            continue
        version, base = bases[key]
        editable = UNIT_EDITABLE if "/" in key else TASK_EDITABLE
        file = {}
        for name in editable:
            if (number, at[name] + 1) in covered:  # under a merged cell: Excel shows the top cell's value
                file[name] = base.get(name, "")
            else:
                file[name] = _text(values[at[name]])
        ignored = [c for c in base if c not in editable and c in at and (number, at[c] + 1) not in covered
                   and _text(values[at[c]]) != base[c]]
        if ignored:
            errors.append((number, f"{path} row {number} ({key}): {'、'.join(ignored)} not read back (a unit row takes "
                                   f"{'/'.join(UNIT_EDITABLE)}; a task row {'/'.join(TASK_EDITABLE)})"))
        for name in ("截止日期", "申请延期至"):  # 2024/7/15 and 2024年7月15日 are the date they name
            if file.get(name):
                try:
                    file[name] = parse_date(file[name]).isoformat()
                except ValueError:
                    pass  # reported when applied
        known = {n for c in ROLE_COLUMNS for n in _names(base.get(c, ""))}
        for name in ROLE_COLUMNS:  # names typed anew as the gazetteer spells them
            if name in file and file[name] != base.get(name, ""):
                file[name] = "、".join(n if n in known else canonical_unit(n)[0] for n in _names(file[name]))
        if "工作任务" in file:
            for mark in ("【已移出任务表】", "【本次会议未再部署】"):
                file["工作任务"] = file["工作任务"].removeprefix(mark)
        rows.append(FileRow(number, key, version, {k: base.get(k, "") for k in editable}, file))
    return rows, errors


def _current(ledger: Ledger, r: FileRow) -> dict[str, str] | None:
    """The ledger's values now for a 台账 row (None: its task or assignment is gone)."""
    try:
        return _unit_values(ledger.assignment(r.assignment)) if r.assignment else _task_values(ledger.task(r.task))
    except LedgerError:
        return None


def pending(ledger: Ledger, path: str | Path) -> list[FileRow]:
    """Rows of a 台账 holding an edit the ledger does not have yet (not imported, or refused)."""
    out = []
    for r in read_rows(path)[0]:
        if not r.changed:
            continue
        now = _current(ledger, r)
        if now is None or any(now.get(k, "") != new for k, (_, new) in r.edits.items()):
            out.append(r)
    return out


@dataclass
class XlsxImport:
    applied: list[tuple[int, str, str]] = field(default_factory=list)  # (row, key, what changed)
    conflicts: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    unchanged: int = 0


def _day(value: str, column: str) -> dt.date | None:
    if not value:
        return None
    try:
        return parse_date(value)
    except ValueError:
        raise LedgerError(f"{column} {value!r} is not a date ({DATE_FORMS})") from None


def _names(value: str) -> list[str]:
    return [n.strip() for n in value.replace("，", "、").replace(",", "、").replace("；", "、").split("、") if n.strip()]


def _apply_task_row(ledger: Ledger, r: FileRow, by: str) -> list[str]:
    edits = r.edits
    done: list[str] = []
    version = r.version
    if any(c in edits for c in ("工作任务", "截止日期", "进展情况")):
        due = _day(edits["截止日期"][1], "截止日期") if "截止日期" in edits else None
        if "截止日期" in edits and due is None:
            raise LedgerError("截止日期 cannot be cleared")
        t = ledger.edit_task(r.task, by, version, text=edits.get("工作任务", (None, None))[1], due=due,
                             note=edits.get("进展情况", (None, None))[1], reason="台账修改")
        version = t.version
        done += [c for c in ("工作任务", "截止日期", "进展情况") if c in edits]
    role_edits = {c: edits[c] for c in ROLE_COLUMNS if c in edits}
    if role_edits:
        before = {n: ROLE_COLUMNS[c] for c in ROLE_COLUMNS for n in _names(r.base.get(c, ""))}
        after = {n: ROLE_COLUMNS[c] for c in ROLE_COLUMNS for n in _names(edits.get(c, (None, r.base.get(c, "")))[1])}
        t = ledger.edit_units(
            r.task, by, version, add=[(n, role) for n, role in after.items() if n not in before],
            remove=[n for n in before if n not in after],
            roles={n: role for n, role in after.items() if n in before and before[n] != role}, reason="台账修改",
        )
        version = t.version
        done += list(role_edits)
    if "状态" in edits:
        status = edits["状态"][1]
        t = ledger.task(r.task)
        derived = ledger.rules.task_status([a.status for a in t.active])
        ledger.override_status(r.task, None if status == derived else status, by, version, reason="台账修改")
        done.append("状态")
    return done


# status typed in a unit row → the lifecycle action it asks for, by the status it leaves
_STATUS_ACTIONS = {"已签收": ("sign",), "推进中": ("report", "send_back", "reopen"), "已完成": ("complete",),
                   "审核通过": ("review",), "已销号": ("close",)}


def _apply_unit_row(ledger: Ledger, r: FileRow, by: str) -> list[str]:
    edits = r.edits
    aid = r.assignment
    a = ledger.assignment(aid)
    version = a.version
    done: list[str] = []
    note = edits["进展情况"][1] if "进展情况" in edits else ""
    if "截止日期" in edits:
        raise LedgerError("a unit's 截止日期 changes by an approved 延期 (申请延期至 + 延期原因), or edit the task row's 截止日期")
    if "申请延期至" in edits or "延期原因" in edits:
        asked = _day(r.file["申请延期至"], "申请延期至")
        if asked is None:
            raise LedgerError("申请延期至 cannot be cleared here (the office rejects a request with: track reject-extension)")
        version = ledger.request_extension(aid, by, version, asked, r.file["延期原因"]).version
        done += [c for c in ("申请延期至", "延期原因") if c in edits]
    if "状态" in edits:
        status = edits["状态"][1]
        actions = [x for x in _STATUS_ACTIONS.get(status, ()) if a.status in ledger.rules.actions[x].from_]
        if not actions:
            raise LedgerError(f"状态 {a.status} → {status} is not a step of the lifecycle")
        action = actions[0]
        if action in ("report", "complete"):
            version = ledger.report(aid, by, version, note, done=action == "complete").version
        else:
            version = getattr(ledger, action)(aid, by, version, note).version
        if note:
            done.append("进展情况")
            note = ""
        done.append("状态")
    if note:
        ledger.report(aid, by, version, note)
        done.append("进展情况")
    return done


def import_edits(ledger: Ledger, path: str | Path, by: str) -> XlsxImport:
    """Apply the rows staff edited in an exported workbook; conflicts and refusals are reported."""
    path = Path(path)
    rows, errors = read_rows(path)
    result = XlsxImport()
    with ledger.write():  # one transaction; each row a savepoint, applied whole or not at all
        _import_rows(ledger, path, rows, by, result, errors)
    result.errors = [message for _, message in sorted(errors)]
    return result


def _import_rows(ledger: Ledger, path: Path, rows: list[FileRow], by: str, result: XlsxImport,
                 errors: list[tuple[int, str]]) -> None:
    for r in rows:
        where = f"{path} row {r.row} ({r.key})"
        if not r.changed:
            result.unchanged += 1
            continue
        try:
            current = ledger.assignment(r.assignment).version if r.assignment else ledger.task(r.task).version
        except LedgerError as e:
            errors.append((r.row, f"{where}: {e}"))
            continue
        if current != r.version:
            now = _current(ledger, r) or {}
            differing = {c: v for c, v in r.edits.items() if now.get(c, "") != v[1]}
            if not differing:  # the ledger already says what the row says (imported before)
                result.unchanged += 1
                continue
            last = [h for h in ledger.history(r.task) if h.assignment == r.assignment]
            who = f"changed by {last[-1].by} at {local_text(last[-1].at)}" if last else "changed"
            diffs = "; ".join(f"{c}: {old or '（空）'} → {new or '（空）'}" for c, (old, new) in differing.items())
            result.conflicts.append(f"conflict: {where}: {diffs} — the ledger was {who} since the export; not applied")
            continue
        try:
            with ledger.write():
                done = _apply_task_row(ledger, r, by) if r.assignment is None else _apply_unit_row(ledger, r, by)
            result.applied.append((r.row, r.key, "、".join(dict.fromkeys(done))))
        except LedgerError as e:
            errors.append((r.row, f"{where}: {str(e).split(': ', 1)[-1] if str(e).startswith(r.task) else e}; not applied"))
