"""任务分解表 as an Excel workbook: the task sheet plus a 说明 sheet about its source.

The task tree shows in the 序号 and 工作任务 indentation; parent tasks are bold. The sheet
is styled by :mod:`xlsx_style` (shared with the ledger's `track export`).
"""
from __future__ import annotations

from pathlib import Path

from ..fsutil import atomic_path
from ..models import TaskSheet
from . import columns as C
from . import xlsx_style as xs
from .cells import clean
from .frame import Row, table, title

MAX_INDENT = 6


def info_rows(sheet: TaskSheet) -> list[tuple[str, object]]:
    """The 说明 sheet: where the tasks came from and how to read the marks in the sheet."""
    from .. import __version__

    return [
        ("会议名称", sheet.meeting.name or ""),
        ("会议日期", sheet.meeting.date),
        ("来源文件", sheet.source.file),
        ("原文字数", sheet.source.chars),
        ("SHA-256", sheet.source.sha256),
        ("任务数", len(sheet.tasks)),
        ("生成工具", f"speech-tasks {__version__}（提取规则 {sheet.tool_version}）"),
        ("单位标注", f"“单位（原文称谓）”：原文称谓与规范名称不同；“{C.INHERITED_MARK}”：单位在引导语或上级任务中提出"),
        ("原文位置", "按字符计，第1字为讲话全文的第一个字"),
        ("状态", "、".join(C.STATUSES)),
        *(("提示", w) for w in sheet.warnings),
    ]


def build(sheet: TaskSheet, rows: list[Row] | None = None):
    """The workbook (an openpyxl ``Workbook``), not yet saved."""
    from openpyxl import Workbook

    rows = table(sheet) if rows is None else rows
    wb = Workbook()
    ws = wb.active
    ws.title = C.SHEET_TITLE
    ws.append(C.COLUMNS)
    xs.append_rows(ws, (row.values for row in rows))
    tree_columns = (C.column_index("序号"), C.column_index("工作任务"))
    for r, row in enumerate(rows, start=2):
        if row.depth:
            for col in tree_columns:
                xs.indent(ws.cell(row=r, column=col), min(row.depth, MAX_INDENT))
    xs.style_table(
        ws,
        widths=C.XLSX_WIDTHS,
        status_column=C.column_index("状态"),
        date_columns=[C.column_index("截止日期")],
        centered_columns=[C.column_index(c) for c in C.CENTERED],
    )
    bold = xs.bold_font()
    for r, row in enumerate(rows, start=2):
        if row.has_children:
            for col in tree_columns:
                ws.cell(row=r, column=col).font = bold
    doc_title = clean(title(sheet))
    ws.oddHeader.center.text = doc_title
    ws.oddHeader.center.size = 14
    ws.oddHeader.center.font = f"{xs.FONT_NAME},Bold"
    wb.properties.title = doc_title
    wb.properties.creator = "speech-tasks"

    info = wb.create_sheet(C.INFO_TITLE)
    info.append(("项目", "内容"))
    xs.append_rows(info, info_rows(sheet))
    xs.style_table(info, widths=(12, 90), date_columns=[2])
    return wb


def write(sheet: TaskSheet, path: Path, rows: list[Row] | None = None) -> Path:
    """Write the workbook to *path* atomically."""
    wb = build(sheet, rows)
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return Path(path)
