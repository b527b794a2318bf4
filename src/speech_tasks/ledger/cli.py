"""`speech-tasks track …`: follow meetings' tasks in a SQLite ledger until they are closed (销号).

    track import SHEET.json|DIR…            add meetings and tasks; re-import keeps status and history
    track set ID --status S [--note TEXT] [--due DATE --reason TEXT] [--reopen]
    track history ID                        every change to a task, oldest first
    track list [filters] [--format table|json|csv]
    track units [filters]                   per-unit summary
    track export [-o ledger.xlsx]           the workbook staff edit
    track import-xlsx ledger.xlsx           take their edits back; conflicts are reported, not applied

Exit codes: 0 done, 1 an error (or rows of an xlsx refused), 2 usage, 3 import-xlsx conflicts.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import getpass
import json
import os
import sys
from pathlib import Path

from ..cli import iso_date
from ..export import SheetError, read_sheet
from ..export.xlsx_style import text_width
from ..models import STATUSES
from . import xlsx
from .alerts import LEVELS
from .db import DEFAULT_DB, FIELD_LABELS, Ledger, LedgerError
from .lifecycle import Edit
from .view import REMOVED_MARK, Filters, check_filters, select, unit_summary, warning_counts

FORMATS = ("table", "json", "csv")
CONFLICTS_EXIT = 3
_COLOURS = {"红": "\x1b[41;97m", "黄": "\x1b[43;30m", "蓝": "\x1b[44;97m"}
_MAX_CELL = 40  # display width a table cell is cut to


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = "Exit codes: 0 done, 1 error or refused rows, 2 usage, 3 import-xlsx conflicts."
    parser.add_argument("--db", default=DEFAULT_DB, metavar="FILE", help=f"ledger file (default: {DEFAULT_DB})")
    parser.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS",
                        help="how long to wait while another process writes (default: 10)")
    # the same options after the subcommand override those before it
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=argparse.SUPPRESS, metavar="FILE", help="ledger file")
    common.add_argument("--timeout", type=float, default=argparse.SUPPRESS, metavar="SECONDS", help=argparse.SUPPRESS)
    by = argparse.ArgumentParser(add_help=False)
    by.add_argument("--by", metavar="NAME", help="who makes the change (default: your login name)")
    view = argparse.ArgumentParser(add_help=False)
    view.add_argument("--today", type=iso_date, default=None, metavar="DATE", help="warnings as of DATE (default: today)")
    view.add_argument("--unit", action="append", default=[], metavar="NAME", help="tasks of a unit whose name contains NAME")
    view.add_argument("--status", action="append", default=[], metavar="STATUS", help="tasks in STATUS (repeatable)")
    view.add_argument("--warning", action="append", default=[], metavar="COLOUR", help="tasks flagged 红, 黄 or 蓝")
    view.add_argument("--overdue", action="store_true", help="only tasks past their due date (红)")
    view.add_argument("--due-before", type=iso_date, metavar="DATE", help="tasks due before DATE")
    view.add_argument("--meeting", metavar="ID", help="one meeting: its id (or a prefix) or part of its name")
    view.add_argument("--removed", action="store_true", help="include tasks no longer in their meeting's latest sheet")
    fmt = argparse.ArgumentParser(add_help=False)
    fmt.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")

    sub = parser.add_subparsers(dest="track_command", metavar="SUBCOMMAND", required=True)
    p = sub.add_parser("import", parents=[common, by], help="add task sheets (JSON) to the ledger")
    p.add_argument("sheets", nargs="+", metavar="SHEET", help="sheet JSON files from `extract`, or folders of them")
    p = sub.add_parser("set", parents=[common, by], help="change a task's status or note")
    p.add_argument("task", metavar="ID")
    p.add_argument("--status", help="/".join(STATUSES))
    p.add_argument("--note", help="progress note (进展情况)")
    p.add_argument("--due", type=iso_date, metavar="DATE", help="new due date, with --status 延期")
    p.add_argument("--reason", help="why it is postponed, with --status 延期")
    p.add_argument("--reopen", action="store_true", help="allow leaving 已销号")
    p = sub.add_parser("history", parents=[common, fmt], help="every change to a task")
    p.add_argument("task", metavar="ID")
    sub.add_parser("list", parents=[common, view, fmt], help="tasks with their 三色预警")
    sub.add_parser("units", parents=[common, view, fmt], help="per-unit summary")
    p = sub.add_parser("export", parents=[common, view], help="write the ledger workbook (xlsx)")
    p.add_argument("-o", "--output", default="outputs/ledger.xlsx", metavar="FILE",
                   help="where to write (default: outputs/ledger.xlsx)")
    p = sub.add_parser("import-xlsx", parents=[common, by], help="take back statuses and notes edited in an export")
    p.add_argument("workbook", metavar="FILE")


def _user(args: argparse.Namespace) -> str:
    if args.by:
        return args.by
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def _complain(problem: object) -> None:
    """One line on stderr: an error, a refused row or a conflict."""
    print(f"speech-tasks track: {problem}", file=sys.stderr)


def _open(args: argparse.Namespace, create: bool = False) -> Ledger:
    return Ledger(args.db, timeout=args.timeout, create=create)


# ---- plain output ---------------------------------------------------------------------------


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    if text_width(text) <= width:
        return text
    out, used = [], 1
    for ch in text:
        used += text_width(ch)
        if used > width:
            break
        out.append(ch)
    return "".join(out) + "…"


def _table(headers: list[str], rows: list[list[str]], flag_column: int | None = None) -> str:
    """An aligned text table (CJK-aware); on a terminal, the flag column is coloured."""
    cells = [[_cut(str(c), _MAX_CELL) for c in row] for row in [headers, *rows]]
    widths = [max(text_width(r[i]) for r in cells) for i in range(len(headers))]
    colour = sys.stdout.isatty()
    lines = []
    for n, row in enumerate(cells):
        parts = []
        for i, c in enumerate(row):
            padded = c + " " * (widths[i] - text_width(c))
            if colour and n and i == flag_column and c in _COLOURS:
                padded = f"{_COLOURS[c]}{padded}\x1b[0m"
            parts.append(padded)
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def _emit(fmt: str, records: list[dict], headers: list[str], rows: list[list[str]], flag_column: int | None = None) -> None:
    if fmt == "json":
        print(json.dumps(records, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        if records:
            w = csv.DictWriter(sys.stdout, fieldnames=list(records[0]), lineterminator="\n")
            w.writeheader()
            w.writerows(records)
    else:
        print(_table(headers, rows, flag_column))


# ---- subcommands ----------------------------------------------------------------------------


def _sheet_files(paths: list[str]) -> tuple[list[Path], list[str]]:
    files: list[Path] = []
    errors: list[str] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():  # as `extract -o DIR` left it: sub-folders too, minus its hidden cache
            found = sorted(f for f in p.rglob("*.json") if not any(part.startswith(".") for part in f.relative_to(p).parts))
            files.extend(found)
            if not found:
                errors.append(f"{p}: no .json task sheets in this folder")
        elif p.is_file():
            files.append(p)
        else:
            errors.append(f"{p}: no such file or folder")
    return files, errors


def _cmd_import(args: argparse.Namespace) -> int:
    files, errors = _sheet_files(args.sheets)
    sheets = []
    for f in files:
        try:
            sheets.append((f, read_sheet(f)))
        except SheetError as e:
            errors.append(str(e))
    if sheets:
        with _open(args, create=True) as ledger:
            by = _user(args)
            for f, sheet in sheets:
                try:
                    s = ledger.import_sheet(sheet, by)
                    carried = ledger.link_carried_over(s.meeting, by)
                except LedgerError as e:
                    errors.append(str(e))
                    continue
                parts = [f"{n} {what}" for n, what in ((s.added, "new"), (s.updated, "updated"), (s.removed, "removed from sheet"), (s.restored, "back in sheet")) if n]
                what = ", ".join(parts) + f", {s.unchanged} unchanged" if parts else f"no change ({s.unchanged} tasks)"
                links = f"; {carried} carried-over links to other meetings" if carried else ""
                print(f"{f}: meeting {s.meeting}: {what}{links}")
    for e in errors:
        _complain(e)
    return 1 if errors else 0


def _describe(field: str, old: str | None, new: str | None) -> str:
    return f"{FIELD_LABELS.get(field, field)} {old or '（空）'} → {new or '（空）'}"


def _cmd_set(args: argparse.Namespace) -> int:
    if args.status is None and args.note is None and args.due is None and args.reason is None:
        raise LedgerError("nothing to set: give --status, --note, or --due with --reason")
    edit = Edit(status=args.status, note=args.note, due=args.due, reason=args.reason, reopen=args.reopen)
    with _open(args) as ledger:
        applied = ledger.update(args.task, edit, _user(args))
        if not applied.changes:
            t = ledger.task(args.task)
            print(f"{args.task}: nothing changed (still {t.status}, version {t.version})")
        else:
            changes = "; ".join(_describe(c.field, c.old, c.new) for c in applied.changes)
            print(f"{args.task}: {changes} (version {applied.version})")
    return 0


def _cmd_history(args: argparse.Namespace) -> int:
    with _open(args) as ledger:
        entries = ledger.history(args.task, carried=True)  # with the earlier meetings' tasks it carries over
    records = [
        {"task": h.task, "at": h.at, "by": h.by, "field": h.field, "old": h.old, "new": h.new, "note": h.note,
         "version": h.version}
        for h in entries
    ]
    if args.format == "table" and not entries:
        print(f"{args.task}: no changes yet")
        return 0
    rows = [[h.task, h.at, h.by, FIELD_LABELS.get(h.field, h.field), h.old or "", h.new or "", h.note, str(h.version)] for h in entries]
    _emit(args.format, records, ["任务编号", "时间（UTC）", "操作人", "事项", "原值", "新值", "说明", "版本"], rows)
    return 0


def _selection(args: argparse.Namespace, ledger: Ledger, include_history: bool = False):
    filters = Filters(
        units=tuple(args.unit), statuses=tuple(args.status), warnings=tuple(args.warning), overdue=args.overdue,
        due_before=args.due_before, meeting=args.meeting, removed=args.removed,
    )
    try:
        check_filters(filters)
    except ValueError as e:
        raise LedgerError(str(e)) from None
    today = args.today or dt.date.today()
    with ledger.snapshot():
        tasks, meetings = ledger.tasks(), ledger.meetings()
        history = ledger.history() if include_history else []
    return select(tasks, meetings, filters, today, ledger.rules), history, today


def _record(r) -> dict:
    t = r.task
    return {
        "id": t.id, "meeting": t.meeting, "meeting_name": r.meeting.name, "number": t.number, "title": t.title,
        "text": t.text, "lead": t.lead, "owner": t.owner, "assist": t.assist, "deadline": t.deadline,
        "due": t.effective_due.isoformat() if t.effective_due else None,
        "status": t.status, "note": t.note, "delay_reason": t.delay_reason, "warning": r.warning,
        "version": t.version, "updated_at": t.updated_at, "removed_from_sheet": t.removed_from_sheet,
    }


def _counts(rows) -> str:
    return ", ".join(f"{k} {v}" for k, v in warning_counts(rows).items())


def _cmd_list(args: argparse.Namespace) -> int:
    with _open(args) as ledger:
        rows, _, today = _selection(args, ledger)
    table = [
        [r.task.id, r.meeting.id, r.task.number, (REMOVED_MARK if r.task.removed_from_sheet else "") + r.task.label, "、".join(filter(None, (r.task.lead, r.task.owner))),
         str(r.task.effective_due or ""), r.task.status, r.warning or ""]
        for r in rows
    ]
    _emit(args.format, [_record(r) for r in rows], ["任务编号", "会议", "序号", "工作任务", "责任单位", "截止日期", "状态", "预警"], table, flag_column=7)
    if args.format == "table":
        print(f"{len(rows)} tasks; {_counts(rows)} (as of {today})")
    return 0


def _cmd_units(args: argparse.Namespace) -> int:
    with _open(args) as ledger:
        rows, _, today = _selection(args, ledger)
    summary = unit_summary(rows, tuple(args.unit))
    table = [[s.unit, str(s.tasks), *(str(v) for v in s.statuses.values()), *(str(s.warnings[w]) for w in LEVELS)] for s in summary]
    _emit(args.format, [s.as_dict() for s in summary], ["单位", "任务", *STATUSES, *LEVELS], table)
    if args.format == "table":
        print(f"{len(summary)} units, {len(rows)} tasks (as of {today})")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    with _open(args) as ledger:
        rows, history, today = _selection(args, ledger, include_history=True)
    exported = {r.task.id for r in rows}
    try:
        xlsx.export(args.output, rows, history, unit_summary(rows, tuple(args.unit)), today)
    except OSError as e:
        raise LedgerError(f"{args.output}: cannot write ({e.strerror or e})") from None
    n_history = sum(h.task in exported for h in history)
    print(f"{args.output}: {len(rows)} tasks, {n_history} history rows; {_counts(rows)} (as of {today})")
    return 0


def _cmd_import_xlsx(args: argparse.Namespace) -> int:
    by = f"{_user(args)} via {Path(args.workbook).name}"
    with _open(args) as ledger:
        result = xlsx.import_edits(ledger, args.workbook, by)
    for row, a in result.applied:
        print(f"row {row} {a.task}: " + "; ".join(_describe(c.field, c.old, c.new) for c in a.changes) + f" (version {a.version})")
    for c in result.conflicts:
        _complain(c)
    for e in result.errors:
        _complain(e)
    print(
        f"{args.workbook}: {len(result.applied)} rows applied, {result.unchanged} unchanged, "
        f"{len(result.conflicts)} conflicts, {len(result.errors)} refused"
    )
    if result.errors:
        return 1
    return CONFLICTS_EXIT if result.conflicts else 0


_COMMANDS = {
    "import": _cmd_import,
    "set": _cmd_set,
    "history": _cmd_history,
    "list": _cmd_list,
    "units": _cmd_units,
    "export": _cmd_export,
    "import-xlsx": _cmd_import_xlsx,
}


def run(args: argparse.Namespace) -> int:
    try:
        return _COMMANDS[args.track_command](args)
    except LedgerError as e:
        _complain(e)
        return 1
    except BrokenPipeError:  # `track list | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
