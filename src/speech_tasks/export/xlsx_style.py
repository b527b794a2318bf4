"""Shared look of every workbook speech-tasks writes (任务分解表, `track export` ledger sheets).

One place for the house style, so a sheet exported from a speech and one exported from the
ledger look alike: a dark header row that stays frozen and repeats on every printed page,
wrapped body text in thin borders, real date cells, a 状态 dropdown, landscape A4 fitted to
the page width, and the 三色预警 fills (蓝/黄/红) the ledger marks rows with.

Every helper takes an openpyxl worksheet (or workbook) and mutates it; openpyxl is imported
inside the helpers so importing this module costs nothing. Columns are 1-based indices, as in
openpyxl. Typical use, after the rows are written::

    style_table(ws, widths=[6, 12, 40], status_column=3, date_columns=[2])
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Sequence
from typing import Any

from ..models import STATUSES

# Colours are ARGB-less hex strings, as openpyxl takes them.
HEADER_FILL = "1F4E79"
HEADER_FONT_COLOR = "FFFFFF"
BORDER_COLOR = "A6A6A6"
FONT_NAME = "等线"  # Office's default CJK font; falls back gracefully elsewhere
FONT_SIZE = 10.5
# names of the cell styles registered by named_styles()
HEADER_STYLE = "speech-tasks 表头"
BODY_STYLE = "speech-tasks 正文"
CENTERED_STYLE = "speech-tasks 正文居中"

# 三色预警: 蓝 = due soon, 黄 = due today or slightly overdue, 红 = seriously overdue.
# What "soon" and "seriously" mean is the ledger's policy; these are only the colours.
FILL_BLUE = "DDEBF7"
FILL_YELLOW = "FFEB9C"
FILL_RED = "FFC7CE"
WARNING_FILLS = {"蓝": FILL_BLUE, "黄": FILL_YELLOW, "红": FILL_RED}

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"

# Excel column width is measured in "0" characters; a CJK character is about two of them.
ROW_LINE_HEIGHT = 15.0  # points per wrapped line at FONT_SIZE
MAX_ROW_HEIGHT = 409.0  # Excel's limit, in points


@functools.cache
def _wide_chars() -> re.Pattern[str]:
    """East Asian wide and full-width characters (CJK, kana, hangul, full-width forms)."""
    return re.compile(
        "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
        "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd]"
    )


def text_width(text: str) -> int:
    """Display width of *text* in Excel column units (CJK and full-width characters count 2)."""
    return len(text) + len(_wide_chars().findall(text))


_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip_controls(text: str) -> str:
    """*text* without control characters (form feeds, NULs …), which xlsx cannot hold."""
    return _CONTROLS.sub("", text)


def append_rows(ws, rows: Iterable[Sequence[Any]]) -> None:
    """Append *rows* of values below the sheet's last row.

    Empty strings become empty cells, control characters are dropped, and text is always text: a value such as ``=SUM(A1)``
    (openpyxl would store it as a formula) is kept as the string the speech wrote.
    """
    for values in rows:
        ws.append([None if v == "" else strip_controls(v) if isinstance(v, str) else v for v in values])
        for cell in ws[ws.max_row]:
            if cell.data_type == "f":
                cell.data_type = "s"


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)


def _border():
    from openpyxl.styles import Border, Side

    side = Side(style="thin", color=BORDER_COLOR)
    return Border(left=side, right=side, top=side, bottom=side)


def named_styles(wb) -> None:
    """Register the house cell styles on workbook *wb* (once; later calls do nothing).

    Cells take them by name (``cell.style = BODY_STYLE``), which is ~50x faster in openpyxl
    than setting font, border and alignment per cell, and shows them in Excel's style gallery.
    """
    from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill

    if HEADER_STYLE in wb.style_names:
        return
    header = NamedStyle(name=HEADER_STYLE)
    header.font = Font(name=FONT_NAME, size=FONT_SIZE, bold=True, color=HEADER_FONT_COLOR)
    header.fill = PatternFill("solid", fgColor=HEADER_FILL)
    header.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    header.border = _border()
    body = NamedStyle(name=BODY_STYLE)
    body.font = Font(name=FONT_NAME, size=FONT_SIZE)
    body.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
    body.border = _border()
    centered = NamedStyle(name=CENTERED_STYLE)
    centered.font = Font(name=FONT_NAME, size=FONT_SIZE)
    centered.alignment = Alignment(horizontal="center", vertical="top", wrap_text=True)
    centered.border = _border()
    for style in (header, body, centered):
        wb.add_named_style(style)


def style_header(ws, row: int = 1) -> None:
    """Bold white text on the dark header fill, centred and wrapped, for every cell in *row*."""
    named_styles(ws.parent)
    for cell in ws[row]:
        cell.style = HEADER_STYLE
    ws.row_dimensions[row].height = 2 * ROW_LINE_HEIGHT


def style_body(ws, first_row: int = 2, centered_columns: Iterable[int] = ()) -> None:
    """Wrapped, top-aligned, bordered body cells from *first_row* down.

    *centered_columns* (short codes such as 序号, 状态, dates) are centred horizontally.
    Indents already set with :func:`indent` are kept; number formats are not (format dates
    afterwards, with :func:`format_dates`).
    """
    named_styles(ws.parent)
    centered = set(centered_columns)
    for row in ws.iter_rows(min_row=first_row, max_row=ws.max_row):
        for cell in row:
            level = cell.alignment.indent
            cell.style = CENTERED_STYLE if cell.column in centered else BODY_STYLE
            if level:
                indent(cell, int(level))


def bold_font():
    """The body font in bold, for cells that stand out after :func:`style_body` (parent tasks)."""
    from openpyxl.styles import Font

    return Font(name=FONT_NAME, size=FONT_SIZE, bold=True)


def indent(cell, level: int) -> None:
    """Indent *cell*'s text by *level* steps (keeps wrap and alignment), to show a task tree."""
    from openpyxl.styles import Alignment

    a = cell.alignment
    cell.alignment = Alignment(
        horizontal="left", vertical=a.vertical or "top", wrap_text=True, indent=max(0, level)
    )


def set_widths(ws, widths: Sequence[float]) -> None:
    """Set column widths (Excel units) for columns 1..len(widths)."""
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[_letter(i)].width = w


def _lines(value: Any) -> list[str]:
    if isinstance(value, (dt.date, dt.datetime)):
        return ["0000-00-00"]
    return str(value).split("\n")


def fit_row_heights(ws, first_row: int = 2) -> None:
    """Give each row from *first_row* the height its wrapped text needs.

    Excel does not re-measure rows written by openpyxl, so wrapped cells would otherwise
    show a single line. The estimate uses the column widths already set.
    """
    widths = {
        c: (ws.column_dimensions[_letter(c)].width or 8.43) for c in range(1, ws.max_column + 1)
    }
    for row in ws.iter_rows(min_row=first_row, max_row=ws.max_row):
        lines = 1
        for cell in row:
            if cell.value is None:
                continue
            usable = max(1.0, widths[cell.column] - 1 - 2 * (cell.alignment.indent or 0))
            n = sum(max(1, -(-text_width(line) // int(usable))) for line in _lines(cell.value))
            lines = max(lines, n)
        ws.row_dimensions[row[0].row].height = min(MAX_ROW_HEIGHT, lines * ROW_LINE_HEIGHT + 3)


def freeze_header(ws, rows: int = 1) -> None:
    """Keep the first *rows* rows in view while scrolling."""
    ws.freeze_panes = f"A{rows + 1}"


def add_status_dropdown(ws, column: int, first_row: int = 2) -> None:
    """A list validation on *column* offering :data:`models.STATUSES`.

    It reaches 1000 rows past the data, so rows a user appends get it too. Entries outside the
    list are refused with a message naming the allowed values.
    """
    from openpyxl.worksheet.datavalidation import DataValidation

    last = max(ws.max_row, first_row) + 1000
    allowed = "/".join(STATUSES)
    dv = DataValidation(
        type="list",
        formula1='"' + ",".join(STATUSES) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="状态",
        error=f"请选择：{allowed}",
        promptTitle="状态",
        prompt=allowed,
    )
    dv.add(f"{_letter(column)}{first_row}:{_letter(column)}{last}")
    ws.add_data_validation(dv)


def format_dates(ws, columns: Iterable[int], first_row: int = 2) -> None:
    """Give date cells in *columns* the :data:`DATE_FORMAT` number format (datetimes get
    :data:`DATETIME_FORMAT`). Write ``datetime.date`` values, not strings, so they sort and
    filter as dates."""
    for column in columns:
        for (cell,) in ws.iter_rows(min_row=first_row, min_col=column, max_col=column):
            if isinstance(cell.value, dt.datetime):
                cell.number_format = DATETIME_FORMAT
            elif isinstance(cell.value, dt.date):
                cell.number_format = DATE_FORMAT


def warning_fill(level: str):
    """The PatternFill for a 三色预警 *level*: "蓝", "黄" or "红" (KeyError otherwise)."""
    from openpyxl.styles import PatternFill

    return PatternFill("solid", fgColor=WARNING_FILLS[level])


def fill_row(ws, row: int, color: str) -> None:
    """Paint one row's cells with *color* (a hex string such as :data:`FILL_RED`)."""
    from openpyxl.styles import PatternFill

    fill = PatternFill("solid", fgColor=color)
    for column in range(1, ws.max_column + 1):
        ws.cell(row=row, column=column).fill = fill


def setup_print(ws, title_rows: int = 1) -> None:
    """A4 print setup: landscape, header rows repeated on each page, all columns on one page
    width (any number of pages tall), page numbers in the footer."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = f"1:{title_rows}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def autofilter(ws, header_row: int = 1) -> None:
    """Filter buttons on the header row over all the data."""
    ws.auto_filter.ref = f"A{header_row}:{_letter(ws.max_column)}{max(ws.max_row, header_row)}"


def style_table(
    ws,
    widths: Sequence[float],
    status_column: int | None = None,
    date_columns: Iterable[int] = (),
    centered_columns: Iterable[int] = (),
    header_row: int = 1,
) -> None:
    """The whole house style on a sheet whose header is *header_row* and data follows it.

    Styles header and body, sets the column *widths* (Excel units), formats *date_columns*,
    adds the 状态 dropdown on *status_column*, sizes rows, freezes the header, adds filter
    buttons and the print setup. Set indents (:func:`indent`) before, so row
    heights account for them; apply fills afterwards.
    """
    style_header(ws, header_row)
    style_body(ws, header_row + 1, centered_columns)
    set_widths(ws, widths)
    format_dates(ws, date_columns, header_row + 1)
    if status_column is not None:
        add_status_dropdown(ws, status_column, header_row + 1)
    fit_row_heights(ws, header_row + 1)
    freeze_header(ws, header_row)
    autofilter(ws, header_row)
    setup_print(ws, title_rows=header_row)
