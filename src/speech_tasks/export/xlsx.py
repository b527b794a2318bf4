"""任务分解表 as an Excel workbook an office can send and print as it is.

Sheet 任务分解表: the title and a line about the source above the table, the printed columns
(序号 … 备注) with each section of the speech as a group row, the task tree shown by the 序号
and the indented, bold-for-parents 重点任务; the internal columns (任务编号, 所属部分, 截止日期,
行业领域, 原文位置) sit at the right, hidden and outside the print area. Printed on A4
landscape at 100 % with the header row on every page and 第 X 页 共 Y 页 below. Sheet 说明: where
the tasks came from. The look is :mod:`xlsx_style`'s (shared with the ledger's `track export`).

Written with XlsxWriter, not openpyxl: an archive writes one workbook per speech, and building
and saving a styled openpyxl workbook cost about five times as much (openpyxl stays for the
ledger, which reads workbooks back). Every text is written as a string, never a formula.
"""
from __future__ import annotations

import io
from pathlib import Path

from ..fsutil import write_atomic
from ..models import TaskSheet
from . import columns as C
from . import xlsx_style as xs
from .cells import clean
from .frame import Row, subtitle, table, title, with_sections

MAX_INDENT = 3
HEADER_ROW = 3  # 1-based: below the title (row 1) and the source line (row 2)
TITLE_PT = 16
SUBTITLE_PT = 11
INFO_WIDTHS = (12, 90)
FOOTER = '&C&"{font}"&10第 &P 页  共 &N 页'


def info_rows(sheet: TaskSheet) -> list[tuple[str, object]]:
    """The 说明 sheet: where the tasks came from and how to read the marks in the sheet."""
    from .. import __version__

    internal = [c.name for c in C.SHEET_COLUMNS if c.internal]
    first, last = (_letter(C.column_index(name) - 1) for name in (internal[0], internal[-1]))
    return [
        ("会议名称", sheet.meeting.name or ""),
        ("会议日期", sheet.meeting.date),
        ("来源文件", sheet.source.file),
        ("原文字数", sheet.source.chars),
        ("SHA-256", sheet.source.sha256),
        ("任务数", len(sheet.tasks)),
        ("生成工具", f"speech-tasks {__version__}（提取规则 {sheet.tool_version}）"),
        ("单位标注", f"“单位（原文称谓）”：原文称谓与规范名称不同；“{C.INHERITED_MARK}”：单位在引导语或上级任务中提出"),
        ("隐藏列", f"{first}–{last} 列（{'、'.join(internal)}）供核对和台账使用，不打印；点击列标上方的“+”展开"),
        ("原文位置", "按字符计，第1字为讲话全文的第一个字"),
        *(("提示", w) for w in sheet.warnings),
    ]


def _letter(index: int) -> str:
    """Column letter of 0-based *index* (the sheet has fewer than 27 columns)."""
    return chr(ord("A") + index)


_BASE_FORMAT = {
    "font_name": xs.FONT_NAME, "font_size": xs.FONT_SIZE, "text_wrap": True,
    "valign": "top", "border": 1, "border_color": "#" + xs.BORDER_COLOR,
}
# The formats the sheets use, by name: their properties are data, the same in every workbook.
_FORMATS = {
    "body": {},
    "centered": {"align": "center"},
    "header": {"font_name": xs.HEADER_FONT, "bold": True, "bg_color": "#" + xs.HEADER_FILL,
               "font_color": "#" + xs.HEADER_FONT_COLOR, "align": "center", "valign": "vcenter"},
    "title": {"font_name": xs.TITLE_FONT, "font_size": TITLE_PT, "border": 0, "align": "center", "valign": "vcenter"},
    "subtitle": {"font_name": xs.FONT_NAME, "font_size": SUBTITLE_PT, "border": 0, "align": "center",
                 "valign": "vcenter"},
    "group": {"font_name": xs.HEADER_FONT, "bold": True, "bg_color": "#" + xs.GROUP_FILL, "valign": "vcenter"},
    "date": {"num_format": xs.DATE_FORMAT, "align": "center"},
    "date_left": {"num_format": xs.DATE_FORMAT, "align": "left"},
    "bold": {"bold": True},
    "centered_bold": {"align": "center", "bold": True},
    **{f"indent{n}": {"indent": n} for n in range(1, MAX_INDENT + 1)},
    **{f"bold_indent{n}": {"indent": n, "bold": True} for n in range(1, MAX_INDENT + 1)},
}


class _Formats:
    """A workbook's cell formats by name (see :data:`_FORMATS`), each added to the workbook on its
    first use: XlsxWriter formats belong to one workbook, and one that no cell uses costs time."""

    def __init__(self, wb) -> None:
        self.wb = wb
        self.made: dict[str, object] = {}

    def __getitem__(self, name: str):
        fmt = self.made.get(name)
        if fmt is None:
            fmt = self.made[name] = self.wb.add_format({**_BASE_FORMAT, **_FORMATS[name]})
        return fmt


def _key_format(indent: int, has_children: bool) -> str:
    """Name of the 重点任务 cell's format: indented by the task's depth, bold for a parent."""
    if not indent:
        return "bold" if has_children else "body"
    return f"{'bold_' if has_children else ''}indent{indent}"


def _task_sheet(wb, f: _Formats, sheet: TaskSheet, rows: list[Row]) -> None:
    ws = wb.add_worksheet(C.SHEET_TITLE)
    printed = len(C.PRINTED)
    for i, column in enumerate(C.SHEET_COLUMNS):
        options = {"hidden": True, "level": 1} if column.internal else None
        ws.set_column(i, i, column.xlsx_width, None, options)
    ws.merge_range(0, 0, 0, printed - 1, clean(title(sheet)), f["title"])
    ws.set_row(0, 2.2 * TITLE_PT)
    ws.merge_range(1, 0, 1, printed - 1, clean(subtitle(sheet, rows)), f["subtitle"])
    ws.set_row(1, 1.8 * SUBTITLE_PT)
    header = HEADER_ROW - 1
    ws.write_row(header, 0, C.COLUMNS, f["header"])
    ws.set_row(header, 2 * xs.ROW_LINE_HEIGHT)

    key = C.COLUMNS.index("重点任务")
    # (column, its format, its width for the row height or 0 when it is not printed)
    layout = [
        (i, f["centered" if c.centered else "body"], 0 if c.internal else c.xlsx_width)
        for i, c in enumerate(C.SHEET_COLUMNS)
    ]
    number_bold = "centered_bold" if C.SHEET_COLUMNS[0].centered else "bold"  # 序号 of a parent task
    date_fmt = f["date"]
    write_cell, line_count = xs.write_cell, xs.line_count
    r = header
    for item in with_sections(sheet, rows):
        r += 1
        if isinstance(item, str):
            ws.merge_range(r, 0, r, printed - 1, item, f["group"])
            ws.set_row(r, xs.ROW_LINE_HEIGHT + 5)
            continue
        indent = min(item.depth, MAX_INDENT)
        lines = 1
        for (i, fmt, width), value in zip(layout, item.values):
            if i == key:
                fmt = f[_key_format(indent, item.has_children)]
            elif i == 0 and item.has_children:
                fmt = f[number_bold]
            write_cell(ws, r, i, value, fmt, date_fmt)
            if width and value:
                lines = max(lines, line_count(value, width, indent if i == key else 0))
        ws.set_row(r, xs.row_height(lines))

    ws.freeze_panes(HEADER_ROW, 0)
    ws.autofilter(header, 0, max(r, header), len(C.COLUMNS) - 1)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)  # never wider than the page; at these widths that is 100 %
    ws.repeat_rows(header)
    ws.print_area(0, 0, max(r, header), printed - 1)
    ws.center_horizontally()
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.9)
    ws.set_footer(FOOTER.format(font=xs.FONT_NAME), {"margin": 0.3})


def _info_sheet(wb, f: _Formats, sheet: TaskSheet) -> None:
    ws = wb.add_worksheet(C.INFO_TITLE)
    for i, width in enumerate(INFO_WIDTHS):
        ws.set_column(i, i, width)
    ws.write_row(0, 0, ("项目", "内容"), f["header"])
    body, date_fmt = f["body"], f["date_left"]
    for r, (label, value) in enumerate(info_rows(sheet), start=1):
        ws.write_string(r, 0, label, body)
        xs.write_cell(ws, r, 1, value, body, date_fmt)
        ws.set_row(r, xs.row_height(xs.line_count(value, INFO_WIDTHS[1])))
    ws.set_landscape()
    ws.set_paper(9)
    ws.set_footer(FOOTER.format(font=xs.FONT_NAME), {"margin": 0.3})


def write(sheet: TaskSheet, path: Path, rows: list[Row] | None = None) -> Path:
    """Write the workbook to *path* atomically."""
    import xlsxwriter

    rows = table(sheet) if rows is None else rows
    buffer = io.BytesIO()  # the zip is built in memory and written at once: no temporary files, no seeks
    wb = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,  # text is data, never a formula
            # column widths count characters of the default font: see xlsx_style._base_font
            "default_format_properties": {"font_name": xs.BASE_FONT, "font_size": xs.BASE_SIZE},
        },
    )
    wb.set_properties({"title": title(sheet), "author": "speech-tasks"})
    f = _Formats(wb)
    _task_sheet(wb, f, sheet, rows)
    _info_sheet(wb, f, sheet)
    wb.close()
    write_atomic(path, buffer.getbuffer())
    return Path(path)
