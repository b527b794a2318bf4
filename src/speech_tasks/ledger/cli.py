"""`speech-tasks track …`: follow meetings' tasks, unit by unit, in a SQLite ledger until 销号.

    track import SHEET.json|DIR… [--follows MEETING] [--series NAME]
    track list [filters] [--format table|json|csv]     tasks with their 三色预警
    track show ID                                      a task, its units (分办), their 进展
    track history ID [--format table|json|csv]         every change, oldest first (local time)
    track units [filters]                              per-unit summary
    track sign|report|complete|request-extension|approve-extension|reject-extension|review|send-back|close|reopen
          ID --unit NAME | ID/N   [--note TEXT] [--evidence FILE] [--due DATE] [--version N]
    track edit ID [--text T] [--due DATE] [--add-unit NAME[:ROLE]] [--remove-unit NAME] [--role NAME:ROLE]
          [--note T] [--status S | --derive]
    track export [-o ledger.xlsx] [--force]           the 台账 staff edit
    track import-xlsx ledger.xlsx                      take their edits back
    track remind -o 催办.docx|.xlsx                    overdue or unsigned assignments per unit
    track account NAME --role office|unit|viewer [--unit NAME]

Exit codes: 0 done, 1 an error (or rows of an xlsx refused), 2 usage, 3 import-xlsx conflicts.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import getpass
import io
import json
import os
import sys
from pathlib import Path

from ..cli import add_subcommand, iso_date
from ..export import SheetError, read_sheet
from ..export.csv import cell as csv_cell
from ..export.xlsx_style import text_width
from . import remind, xlsx
from .alerts import LEVELS
from .db import DEFAULT_DB, FIELD_LABELS, ROLE_LABELS, Filters, Ledger, LedgerError
from .model import local_text
from .view import check_warnings, reminders, select, unit_summary, warning_counts

FORMATS = ("table", "json", "csv")
CONFLICTS_EXIT = 3
_COLOURS = {"红": "\x1b[41;97m", "黄": "\x1b[43;30m", "蓝": "\x1b[44;97m"}
_MAX_CELL = 40  # display width a table cell is cut to
ACTIONS = {  # subcommand: (Ledger method, help, takes --due, example arguments)
    "sign": ("sign", "签收 an assignment", False, "T3d2f60588f --unit 住建局 --by 住建局张三"),
    "report": ("report", "报送进展 (--note, optional --evidence files)", False,
               "T3d2f60588f/2 --note 已排查企业12家 --evidence 排查台账.xlsx"),
    "complete": ("report", "报送完成 (--note)", False, "T3d2f60588f/2 --note 整改全部完成"),
    "request-extension": ("request_extension", "申请延期 (--due DATE --note REASON)", True,
                          "T3d2f60588f/2 --due 2024-09-30 --note 汛期施工停工"),
    "approve-extension": ("approve_extension", "批准延期 (office)", False, "T3d2f60588f/2 --by 王科长"),
    "reject-extension": ("reject_extension", "驳回延期 (office, --note)", False, "T3d2f60588f/2 --note 时限不变"),
    "review": ("review", "审核通过 a completed assignment (office)", False, "T3d2f60588f/2 --by 王科长"),
    "send-back": ("send_back", "退回 a completed assignment (office, --note)", False, "T3d2f60588f/2 --note 缺整改照片"),
    "close": ("close", "销号 an assignment, or a task whose units are all reviewed (office)", False,
              "T3d2f60588f --by 王科长"),
    "reopen": ("reopen", "reopen a closed assignment (office, --note)", False, "T3d2f60588f/2 --note 复查发现反弹"),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = "Exit codes: 0 done, 1 error or refused rows, 2 usage, 3 import-xlsx conflicts."
    parser.add_argument("--db", default=DEFAULT_DB, metavar="FILE", help=f"ledger file (default: {DEFAULT_DB})")
    parser.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS",
                        help="how long to wait while another process writes (default: 10)")
    common = argparse.ArgumentParser(add_help=False)  # the same options after the subcommand
    common.add_argument("--db", default=argparse.SUPPRESS, metavar="FILE", help="ledger file")
    common.add_argument("--timeout", type=float, default=argparse.SUPPRESS, metavar="SECONDS", help=argparse.SUPPRESS)
    by = argparse.ArgumentParser(add_help=False)
    by.add_argument("--by", metavar="ACCOUNT", help="who makes the change (default: your login name)")
    view = argparse.ArgumentParser(add_help=False)
    view.add_argument("--today", type=iso_date, default=None, metavar="DATE", help="warnings as of DATE (default: today)")
    view.add_argument("--unit", action="append", default=[], metavar="NAME", help="tasks of a unit whose name contains NAME")
    view.add_argument("--status", action="append", default=[], metavar="STATUS", help="tasks in STATUS (repeatable)")
    view.add_argument("--warning", action="append", default=[], metavar="COLOUR", help="tasks with a unit flagged 红, 黄 or 蓝")
    view.add_argument("--overdue", action="store_true", help="only tasks with a unit past its due date (红)")
    view.add_argument("--due-before", type=iso_date, metavar="DATE", help="tasks due before DATE")
    view.add_argument("--meeting", metavar="ID", help="one meeting: its id (or a prefix) or part of its name")
    view.add_argument("--removed", action="store_true", help="include tasks no longer in their meeting's latest sheet")
    view.add_argument("--dropped", action="store_true", help="only tasks a later meeting did not deploy again")
    fmt = argparse.ArgumentParser(add_help=False)
    fmt.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")

    sub = parser.add_subparsers(dest="track_command", metavar="SUBCOMMAND", required=True)

    def command(name: str, help_text: str, *examples: str, parents=(common,)) -> argparse.ArgumentParser:
        lines = tuple(f"speech-tasks track {name} {e}".rstrip() for e in examples)
        return add_subcommand(sub, name, help_text, lines, parents=list(parents))

    task_id = "task id, as `track list` shows it (T3d2f60588f)"
    p = command("import", "add task sheets (JSON) to the ledger",
                "outputs/                        # every sheet `extract` wrote there",
                "outputs/2024-07-安委会.json --follows 2024-06-安委会_635ad7d80ec46cb0", parents=(common, by))
    p.add_argument("sheets", nargs="+", metavar="SHEET", help="sheet JSON files from `extract`, or folders of them")
    p.add_argument("--follows", metavar="MEETING", help="id of the earlier meeting these continue (carry-over), as `track import` printed it")
    p.add_argument("--series", metavar="NAME", help="put the meetings in this series (default: from the meeting name)")
    command("list", "tasks with their 三色预警", "--overdue", "--unit 住建 --status 未签收 --format csv > 住建.csv",
            parents=(common, view, fmt))
    p = command("show", "a task with its units and their 进展", "T3d2f60588f", parents=(common, view))
    p.add_argument("task", metavar="ID", help=task_id)
    p = command("history", "every change to a task", "T3d2f60588f --format csv", parents=(common, fmt))
    p.add_argument("task", metavar="ID", help=task_id)
    command("units", "per-unit summary", "", "--meeting 2024-06-安委会 --format json", parents=(common, view, fmt))
    for name, (_, help_text, takes_due, example) in ACTIONS.items():
        p = command(name, help_text, example, parents=(common, by))
        p.add_argument("target", metavar="ID", help="task id with --unit, or TASK/N as `track show` lists")
        p.add_argument("--unit", metavar="NAME", help="the unit's assignment (its name or part of it)")
        p.add_argument("--note", default="", help="进展, reason or remark")
        p.add_argument("--version", type=int, metavar="N", help="refuse if the assignment changed since version N")
        if name in ("report", "complete"):
            p.add_argument("--evidence", action="append", default=[], metavar="FILE", help="a file to keep with the report")
        if takes_due:
            p.add_argument("--due", type=iso_date, required=True, metavar="DATE", help="the date asked for")
    p = command("edit", "office edit of a task: wording, due date, units, status",
                "T3d2f60588f --due 2024-08-31 --add-unit 应急管理局:lead --reason 会议决定",
                "T3d2f60588f --derive", parents=(common, by))
    p.add_argument("task", metavar="ID", help=task_id)
    p.add_argument("--text", help="new wording (工作任务)")
    p.add_argument("--due", type=iso_date, metavar="DATE", help="new due date (截止日期)")
    p.add_argument("--note", help="office note (进展情况 of the task)")
    p.add_argument("--add-unit", action="append", default=[], metavar="NAME[:ROLE]", help="ROLE lead/owner/assist (default owner)")
    p.add_argument("--remove-unit", action="append", default=[], metavar="NAME")
    p.add_argument("--role", action="append", default=[], metavar="NAME:ROLE", help="change a unit's role")
    p.add_argument("--status", help="override the task's status")
    p.add_argument("--derive", action="store_true", help="drop the override: status from the units again")
    p.add_argument("--reason", default="", help="why (kept in the history)")
    p.add_argument("--version", type=int, metavar="N", help="refuse if the task changed since version N")
    p = command("export", "write the 台账 workbook (xlsx) that staff edit and send back",
                "-o 台账.xlsx", "--unit 住建 -o 住建局台账.xlsx", parents=(common, view))
    p.add_argument("-o", "--output", default="outputs/ledger.xlsx", metavar="FILE", help="default: outputs/ledger.xlsx")
    p.add_argument("--force", action="store_true", help="overwrite a 台账 holding edits not yet imported (keeps a backup)")
    p = command("import-xlsx", "take back the edits made in an exported 台账", "台账.xlsx --by 王科长",
                parents=(common, by))
    p.add_argument("workbook", metavar="FILE", help="a 台账 written by `track export`, with the staff's edits")
    p = command("remind", "催办 list: overdue or unsigned assignments per unit", "-o 催办.docx",
                "--today 2024-07-01 -o 催办.xlsx", parents=(common, view))
    p.add_argument("-o", "--output", required=True, metavar="FILE", help=".docx or .xlsx")
    p = command("account", "add or change an account (office, unit, viewer); without NAME, list them",
                "王科长 --role office", "住建局张三 --role unit --unit 住建局 --by 王科长", "",
                parents=(common, by))
    p.add_argument("name", metavar="NAME", nargs="?", help="without: list the accounts")
    p.add_argument("--role", choices=("office", "unit", "viewer"))
    p.add_argument("--unit", metavar="NAME", help="the unit a unit account acts for")


def _user(args: argparse.Namespace) -> str:
    if getattr(args, "by", None):
        return args.by
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def _complain(problem: object) -> None:
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


def _emit(fmt: str, records: list[dict], headers: list[str], rows: list[list], flag_column: int | None = None) -> None:
    """Print as a table, JSON (records), or CSV: UTF-8 with BOM, Chinese headers, every cell inert."""
    if fmt == "json":
        print(json.dumps(records, ensure_ascii=False, indent=2, default=str))
    elif fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(headers)
        w.writerows([csv_cell(v) for v in row] for row in rows)
        sys.stdout.write("\ufeff" + buf.getvalue())
    else:
        print(_table(headers, [[str(v) if v is not None else "" for v in row] for row in rows], flag_column))


# ---- subcommands ----------------------------------------------------------------------------


def _sheet_files(paths: list[str]) -> tuple[list[tuple[Path, str]], list[str]]:
    """(sheet file, its relative path without suffix) for every sheet named; errors as lines."""
    files: list[tuple[Path, str]] = []
    errors: list[str] = []
    cwd = Path.cwd().resolve()

    def relative(f: Path) -> str:
        full = f.resolve().with_suffix("")
        return full.relative_to(cwd).as_posix() if full.is_relative_to(cwd) else full.as_posix()

    for raw in paths:
        p = Path(raw)
        if p.is_dir():  # as `extract -o DIR` left it: sub-folders too, minus its hidden cache
            found = sorted(f for f in p.rglob("*.json") if not any(part.startswith(".") for part in f.relative_to(p).parts))
            files.extend((f, relative(f)) for f in found)
            if not found:
                errors.append(f"{p}: no .json task sheets in this folder")
        elif p.is_file():
            files.append((p, relative(p)))
        else:
            errors.append(f"{p}: no such file or folder")
    return files, errors


def _titles(items: list[tuple[str, str]], limit: int = 6) -> str:
    shown = "、".join(f"{tid}「{_cut(title, 24)}」" for tid, title in items[:limit])
    return shown + (f" …（共 {len(items)} 项）" if len(items) > limit else "")


def _cmd_import(args: argparse.Namespace) -> int:
    files, errors = _sheet_files(args.sheets)
    sheets = []
    for f, rel in files:
        try:
            sheets.append((f, rel, read_sheet(f)))
        except SheetError as e:
            errors.append(str(e))
    # in meeting order, so that each meeting finds the earlier one of its series already there
    sheets.sort(key=lambda x: (x[2].meeting.date is None, x[2].meeting.date or dt.date.min, x[1]))
    if sheets:
        with _open(args, create=True) as ledger:
            by = _user(args)
            for f, rel, sheet in sheets:
                try:
                    r = ledger.import_sheet(sheet, by, path=rel, follows=args.follows, series=args.series)
                except LedgerError as e:
                    errors.append(f"{f}: {e}")
                    continue
                head = f"{f}: meeting {r.meeting}" + (f" (continues {r.follows})" if r.follows else "")
                if not r.changes:
                    print(f"{head}: no change ({r.unchanged} tasks)")
                else:
                    counts = [f"{len(v)} {k}" for k, v in (("new", r.added), ("changed", r.changed), ("carried over", r.carried),
                                                             ("left the sheet", r.left), ("back in sheet", r.restored),
                                                             ("not deployed again", r.dropped)) if v]
                    print(f"{head}: {', '.join(counts)}, {r.unchanged} unchanged")
                    for label, items in (("new", r.added), ("changed", r.changed), ("carried over", r.carried),
                                         ("left the sheet", r.left), ("back in sheet", r.restored),
                                         (f"{r.follows} 本次会议未再部署", r.dropped)):
                        if items:
                            print(f"  {label}: {_titles(items)}")
                for k in r.kept_edits:
                    print(f"  kept the office's edit of {k} (the sheet says otherwise)")
    for e in errors:
        _complain(e)
    return 1 if errors else 0


def _filters(args: argparse.Namespace, ledger: Ledger) -> Filters:
    for s in args.status:
        if s not in ledger.rules.statuses:
            raise LedgerError(f"unknown status {s!r} (one of {'/'.join(ledger.rules.statuses)})")
    try:
        check_warnings(tuple(args.warning))
    except ValueError as e:
        raise LedgerError(str(e)) from None
    return Filters(units=tuple(args.unit), statuses=tuple(args.status), meeting=args.meeting, due_before=args.due_before,
                   removed=args.removed, dropped_only=args.dropped)


def _selection(args: argparse.Namespace, ledger: Ledger):
    today = args.today or dt.date.today()
    rows = select(ledger, _filters(args, ledger), today, tuple(args.warning), args.overdue)
    return rows, today


def _units_of(t) -> str:
    return "、".join(f"{a.unit}({a.status})" for a in t.active)


def _counts(rows) -> str:
    return ", ".join(f"{k} {v}" for k, v in warning_counts(rows).items())


def _cmd_list(args: argparse.Namespace) -> int:
    with _open(args) as ledger:
        rows, today = _selection(args, ledger)
    headers = ["任务编号", "会议", "序号", "工作任务", "单位（状态）", "截止日期", "状态", "预警", "版本"]
    table = [[r.task.id, r.meeting.id, r.task.number, r.mark + r.task.label, _units_of(r.task), r.task.due, r.task.status,
              r.warning or "", r.task.version] for r in rows]
    if args.format == "csv":
        table = [[r.task.id, r.meeting.label, r.task.number, r.mark + r.task.text, _units_of(r.task), r.task.due,
                  r.task.status, r.warning or "", r.task.version] for r in rows]
    records = [{
        "id": r.task.id, "meeting": r.meeting.id, "meeting_name": r.meeting.name, "number": r.task.number,
        "title": r.task.title, "text": r.task.text, "due": r.task.due, "status": r.task.status, "warning": r.warning,
        "version": r.task.version, "removed_from_sheet": r.task.removed_from_sheet, "dropped": r.task.dropped,
        "sources": list(r.task.sources),
        "assignments": [{"id": a.id, "unit": a.unit, "role": a.role, "status": a.status, "due": a.due,
                         "requested_due": a.requested_due, "warning": r.warnings.get(a.id), "version": a.version,
                         "note": a.last_note} for a in r.task.active],
    } for r in rows]
    _emit(args.format, records, headers, table, flag_column=7)
    if args.format == "table":
        print(f"{len(rows)} tasks; {_counts(rows)} (as of {today})")
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    with _open(args) as ledger:
        t = ledger.task(args.task)
        m = ledger.meeting(t.meeting)
        rows = select(ledger, Filters(removed=True), args.today or dt.date.today())
    warnings = next((r.warnings for r in rows if r.task.id == t.id), {})
    print(f"{t.id}  {m.label}  {t.number}  状态 {t.status}{'（办公室认定）' if t.override else ''}  截止 {t.due or '—'}"
          f"  版本 {t.version}")
    print(f"  会议：{' → '.join(t.sources)}" + (f"  【本次会议未再部署：{t.dropped}】" if t.dropped else ""))
    print(f"  {t.text}")
    if t.note:
        print(f"  办公室备注：{t.note}")
    for a in t.active:
        extra = f"  申请延期至 {a.requested_due}（{a.request_reason}）" if a.requested_due else ""
        flag = f"  {warnings.get(a.id)}" if warnings.get(a.id) else ""
        unknown = "（不在单位名录中）" if not a.known else ""
        print(f"  {t.id}/{a.id}  {ROLE_LABELS.get(a.role, a.role)} {a.unit}{unknown}  {a.status}  截止 {a.due or '—'}"
              f"  版本 {a.version}{extra}{flag}")
        for f in a.feedback:
            files = f"  [{', '.join(f.evidence)}]" if f.evidence else ""
            print(f"      {local_text(f.at)}  {f.by}：{f.text}{files}")
    return 0


def _cmd_history(args: argparse.Namespace) -> int:
    with _open(args) as ledger:
        entries = ledger.history(args.task)
    headers = ["时间", "任务编号", "单位", "事项", "原值", "新值", "说明", "操作人", "版本"]
    rows = [[local_text(h.at), h.task, h.unit or "", FIELD_LABELS.get(h.field, h.field), h.old or "", h.new or "", h.note,
             h.by, h.version] for h in entries]
    records = [{"at": h.at, "task": h.task, "assignment": h.assignment, "unit": h.unit, "by": h.by, "field": h.field,
                "old": h.old, "new": h.new, "note": h.note, "version": h.version} for h in entries]
    if args.format == "table" and not entries:
        print(f"{args.task}: no changes yet")
        return 0
    _emit(args.format, records, headers, rows)
    return 0


def _cmd_units(args: argparse.Namespace) -> int:
    with _open(args) as ledger:
        rows, today = _selection(args, ledger)
        statuses = ledger.rules.statuses
    summary = unit_summary(rows, statuses, tuple(args.unit))
    table = [[s.unit, s.assignments, *(s.statuses.get(x, 0) for x in statuses), *(s.warnings[w] for w in LEVELS)] for s in summary]
    _emit(args.format, [s.as_dict() for s in summary], ["单位", "分办数", *statuses, *LEVELS], table)
    if args.format == "table":
        print(f"{len(summary)} units, {len(rows)} tasks (as of {today})")
    return 0


def _target(ledger: Ledger, args: argparse.Namespace):
    """The assignment a lifecycle subcommand names (ID/N, or ID --unit NAME); None: the whole task."""
    if "/" in args.target:
        task, _, number = args.target.partition("/")
        try:
            a = ledger.assignment(int(number))
        except ValueError:
            raise LedgerError(f"{args.target}: not TASK/N (see: speech-tasks track show {task})") from None
        if a.task != task:
            raise LedgerError(f"{args.target}: assignment {number} belongs to task {a.task}")
        return a
    if args.unit:
        return ledger.find_assignment(args.target, args.unit)
    t = ledger.task(args.target)
    if len(t.active) == 1:
        return t.active[0]
    return None


def _cmd_action(args: argparse.Namespace) -> int:
    method = ACTIONS[args.track_command][0]
    by = _user(args)
    with _open(args) as ledger:
        a = _target(ledger, args)
        if a is None:
            if args.track_command != "close":
                names = "、".join(x.unit for x in ledger.task(args.target).active)
                raise LedgerError(f"{args.target}: several units ({names}); name one with --unit")
            t = ledger.close_task(args.target, by, args.version, args.note)
            print(f"{t.id}: {t.status} (version {t.version})")
            return 0
        call = getattr(ledger, method)
        if args.track_command in ("report", "complete"):
            new = call(a.id, by, args.version, args.note, evidence=args.evidence, done=args.track_command == "complete")
        elif args.track_command == "request-extension":
            new = call(a.id, by, args.version, args.due, args.note)
        else:
            new = call(a.id, by, args.version, args.note)
        extra = f", 申请延期至 {new.requested_due}" if new.requested_due else ""
        print(f"{new.task}/{new.id} {new.unit}: {a.status} → {new.status}{extra}, 截止 {new.due or '—'} (version {new.version})")
    return 0


def _unit_role(value: str, default: str = "owner") -> tuple[str, str]:
    name, _, role = value.partition(":")
    role = role or default
    roles = {**{r: r for r in ROLE_LABELS}, **{v: k for k, v in ROLE_LABELS.items()}}
    if role not in roles:
        raise LedgerError(f"{value}: role must be lead/owner/assist (牵头/责任/配合)")
    return name.strip(), roles[role]


def _cmd_edit(args: argparse.Namespace) -> int:
    by = _user(args)
    if not any((args.text, args.due, args.note is not None, args.add_unit, args.remove_unit, args.role, args.status, args.derive)):
        raise LedgerError("nothing to edit: give --text, --due, --note, --add-unit, --remove-unit, --role, --status or --derive")
    with _open(args) as ledger, ledger.write():
        version = args.version
        t = ledger.task(args.task)
        if args.text or args.due or args.note is not None:
            t = ledger.edit_task(args.task, by, version, text=args.text, due=args.due, note=args.note, reason=args.reason)
            version = t.version if version is not None else None
        if args.add_unit or args.remove_unit or args.role:
            t = ledger.edit_units(args.task, by, version, add=[_unit_role(u) for u in args.add_unit], remove=args.remove_unit,
                                  roles=dict(_unit_role(r) for r in args.role), reason=args.reason)
            version = t.version if version is not None else None
        if args.status or args.derive:
            t = ledger.override_status(args.task, None if args.derive else args.status, by, version, args.reason)
        for a in t.active:
            if not a.known:
                _complain(f"{t.id}: unit {a.unit!r} is not in the gazetteer (rules/units.yaml); kept as written")
    print(f"{t.id}: {t.status}; {_units_of(t)}; 截止 {t.due or '—'} (version {t.version})")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    with _open(args) as ledger:
        rows, today = _selection(args, ledger)
        history = ledger.history()
        statuses = ledger.rules.statuses
        backup = xlsx.export(ledger, args.output, rows, history, unit_summary(rows, statuses, tuple(args.unit)), today,
                             force=args.force)
    exported = {r.task.id for r in rows}
    n_history = sum(h.task in exported for h in history)
    if backup:
        print(f"{args.output}: the earlier file (with edits not imported) kept as {backup}")
    units = sum(len(r.task.active) for r in rows)
    print(f"{args.output}: {len(rows)} tasks, {units} unit rows, {n_history} history rows; {_counts(rows)} (as of {today})")
    return 0


def _cmd_import_xlsx(args: argparse.Namespace) -> int:
    by = _user(args)
    with _open(args) as ledger:
        result = xlsx.import_edits(ledger, args.workbook, by)
    for row, key, what in result.applied:
        print(f"row {row} {key}: {what}")
    for c in result.conflicts:
        _complain(c)
    for e in result.errors:
        _complain(e)
    print(f"{args.workbook}: {len(result.applied)} rows applied, {result.unchanged} unchanged, "
          f"{len(result.conflicts)} conflicts, {len(result.errors)} refused")
    if result.errors:
        return 1
    return CONFLICTS_EXIT if result.conflicts else 0


def _cmd_remind(args: argparse.Namespace) -> int:
    with _open(args) as ledger:
        rows, today = _selection(args, ledger)
        items = reminders(rows, ledger, today)
    remind.write(args.output, items, today)
    print(f"{args.output}: {sum(len(v) for v in items.values())} assignments of {len(items)} units (as of {today})")
    return 0


def _cmd_account(args: argparse.Namespace) -> int:
    with _open(args, create=True) as ledger:
        if args.name is None:
            _emit("table", [], ["账号", "角色", "单位"], [[a.name, a.role, a.unit or ""] for a in ledger.accounts()])
            return 0
        if args.role is None:
            raise LedgerError("give --role office, unit or viewer")
        a = ledger.set_account(args.name, args.role, args.unit, _user(args))
    print(f"{a.name}: {a.role}" + (f" for {a.unit}" if a.unit else ""))
    return 0


_COMMANDS = {
    "import": _cmd_import, "list": _cmd_list, "show": _cmd_show, "history": _cmd_history, "units": _cmd_units,
    "edit": _cmd_edit, "export": _cmd_export, "import-xlsx": _cmd_import_xlsx, "remind": _cmd_remind,
    "account": _cmd_account, **dict.fromkeys(ACTIONS, _cmd_action),
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
