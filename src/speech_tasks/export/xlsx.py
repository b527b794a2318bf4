"""任务分解表 as an Excel workbook an office can send and print as it is.

Sheet 任务分解表: the title and a line about the source above the table, the printed columns
(序号 … 备注) with each section of the speech as a group row, the task tree shown by the 序号
and the indented, bold-for-parents 重点任务; the internal columns (任务编号, 所属部分, 截止日期,
行业领域, 原文位置) sit at the right, hidden and outside the print area. Printed on A4
landscape at 100 % with the header row on every page and 第 X 页 共 Y 页 below. Sheet 说明: where
the tasks came from. Styled by :mod:`xlsx_style` (shared with the ledger's `track export`).
"""
from __future__ import annotations

import functools
from pathlib import Path

from ..fsutil import atomic_path
from ..models import TaskSheet
from . import columns as C
from . import xlsx_style as xs
from .frame import Row, subtitle, table, title, with_sections

MAX_INDENT = 3
HEADER_ROW = 3  # below the title (row 1) and the source line (row 2)
TITLE_PT = 16
SUBTITLE_PT = 11


def info_rows(sheet: TaskSheet) -> list[tuple[str, object]]:
    """The 说明 sheet: where the tasks came from and how to read the marks in the sheet."""
    from .. import __version__
    from openpyxl.utils import get_column_letter

    first, last = (get_column_letter(C.column_index(c.name)) for c in (C.SHEET_COLUMNS[len(C.PRINTED)], C.SHEET_COLUMNS[-1]))
    internal = "、".join(c.name for c in C.SHEET_COLUMNS if c.internal)
    return [
        ("会议名称", sheet.meeting.name or ""),
        ("会议日期", sheet.meeting.date),
        ("来源文件", sheet.source.file),
        ("原文字数", sheet.source.chars),
        ("SHA-256", sheet.source.sha256),
        ("任务数", len(sheet.tasks)),
        ("生成工具", f"speech-tasks {__version__}（提取规则 {sheet.tool_version}）"),
        ("单位标注", f"“单位（原文称谓）”：原文称谓与规范名称不同；“{C.INHERITED_MARK}”：单位在引导语或上级任务中提出"),
        ("隐藏列", f"{first}–{last} 列（{internal}）供核对和台账使用，不打印；点击列标上方的“+”展开"),
        ("原文位置", "按字符计，第1字为讲话全文的第一个字"),
    ]


@functools.cache
def _looks():
    """Fonts, fills and alignments of the title, source line and group rows (built once per process)."""
    from openpyxl.styles import Alignment, Font, PatternFill

    return {
        "title": (Font(name=xs.TITLE_FONT, size=TITLE_PT), Alignment(horizontal="center", vertical="center", wrap_text=True)),
        "subtitle": (Font(name=xs.FONT_NAME, size=SUBTITLE_PT), Alignment(horizontal="center", vertical="center", wrap_text=True)),
        "group": (Font(name=xs.HEADER_FONT, size=xs.FONT_SIZE), Alignment(horizontal="left", vertical="center", wrap_text=True)),
        "group_fill": PatternFill("solid", fgColor=xs.GROUP_FILL),
    }


def _banner(ws, row: int, text: str, look: str, height: float, last_column: int) -> None:
    font, alignment = _looks()[look]
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_column)
    cell = ws.cell(row=row, column=1)
    cell.value = text
    cell.font, cell.alignment = font, alignment
    ws.row_dimensions[row].height = height


def build(sheet: TaskSheet, rows: list[Row] | None = None):
    """The workbook (an openpyxl ``Workbook``), not yet saved."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    rows = table(sheet) if rows is None else rows
    printed = len(C.PRINTED)
    wb = Workbook()
    ws = wb.active
    ws.title = C.SHEET_TITLE
    ws.append([None])
    ws.append([None])
    ws.append(C.COLUMNS)
    groups: list[int] = []
    tasks: list[tuple[int, Row]] = []
    body = []
    for r, item in enumerate(with_sections(sheet, rows), start=HEADER_ROW + 1):
        if isinstance(item, str):
            groups.append(r)
            body.append((item,))
        else:
            tasks.append((r, item))
            body.append(item.values)
    xs.append_rows(ws, body)
    key = C.column_index("重点任务")
    for r, row in tasks:
        if row.depth:
            xs.indent(ws.cell(row=r, column=key), min(row.depth, MAX_INDENT))
    for column in C.SHEET_COLUMNS:
        if column.internal:
            dim = ws.column_dimensions[get_column_letter(C.column_index(column.name))]
            dim.hidden, dim.outlineLevel = True, 1
    xs.style_table(
        ws,
        widths=[c.xlsx_width for c in C.SHEET_COLUMNS],
        date_columns=[C.column_index("截止日期")],
        centered_columns=[C.column_index(c.name) for c in C.SHEET_COLUMNS if c.centered],
        header_row=HEADER_ROW,
    )
    bold = xs.bold_font()
    for r, row in tasks:
        if row.has_children:
            ws.cell(row=r, column=1).font = bold
            ws.cell(row=r, column=key).font = bold
    looks = _looks()
    for r in groups:
        label = ws.cell(row=r, column=1).value
        for column in range(1, printed + 1):
            ws.cell(row=r, column=column).fill = looks["group_fill"]
        _banner(ws, r, label, "group", xs.ROW_LINE_HEIGHT + 5, printed)
    doc_title = title(sheet)
    _banner(ws, 1, doc_title, "title", 2.2 * TITLE_PT, printed)
    _banner(ws, 2, subtitle(sheet, rows), "subtitle", 1.8 * SUBTITLE_PT, printed)
    ws.print_area = f"A1:{get_column_letter(printed)}{ws.max_row}"
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
