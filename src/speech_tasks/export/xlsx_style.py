"""Shared look of every workbook speech-tasks writes (任务分解表, `track export` ledger sheets).

One place for the house style, so a sheet exported from a speech and one exported from the
ledger look alike: a 黑体 header row on a light fill that stays frozen and repeats on every
printed page, wrapped 宋体 body text in thin borders, real date cells, a 状态 dropdown (ledger),
landscape A4 fitted to the page width with page numbers, and the 三色预警 fills (蓝/黄/红) the
ledger marks rows with. The constants (fonts, colours, line height) and :func:`line_count` are
shared with the writers that do not use openpyxl (:mod:`.xlsx`, the corpus summary's XlsxWriter).

The helpers take an openpyxl worksheet (or workbook) and mutate it; openpyxl is imported
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
from . import cells

# Colours are ARGB-less hex strings, as openpyxl takes them.
HEADER_FILL = "D9E2F3"
HEADER_FONT_COLOR = "000000"
GROUP_FILL = "F2F2F2"  # section group rows
BORDER_COLOR = "A6A6A6"
# The fonts of Chinese office documents, by the names Windows gives them (SimSun, SimHei);
# LibreOffice and WPS substitute their own Song and Hei faces where these are missing.
FONT_NAME = "宋体"
HEADER_FONT = "黑体"
TITLE_FONT = "黑体"
FONT_SIZE = 10.5
# the default font, which column widths are measured in (see _base_font)
BASE_FONT = "Arial"
BASE_SIZE = 10
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
def _wide_runs() -> re.Pattern[str]:
    """Runs of East Asian wide and full-width characters (CJK, kana, hangul, full-width forms):
    Chinese text is mostly such runs, so matching runs rather than characters is ~4x faster."""
    return re.compile(
        "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
        "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd]+"
    )


def text_width(text: str) -> int:
    """Display width of *text* in Excel column units (CJK and full-width characters count 2)."""
    if text.isascii():
        return len(text)
    return len(text) + sum(map(len, _wide_runs().findall(text)))


def append_rows(ws, rows: Iterable[Sequence[Any]], font=None) -> None:
    """Append *rows* of values below the sheet's last row (of a normal or a write-only sheet).

    Every value goes through :mod:`.cells`: empty strings become empty cells, control characters
    go, and text is always text: a value such as ``=SUM(A1)`` (openpyxl would store it as a
    formula) is kept as the string the speech wrote. *font*, if given, is set on every cell
    (write-only sheets only: a header row).
    """
    from openpyxl.cell import WriteOnlyCell

    write_only = not hasattr(ws, "max_row")
    for values in rows:
        values = [cells.xlsx_value(v) for v in values]
        if write_only:
            row = []
            for v in values:
                cell = WriteOnlyCell(ws, value=v)
                cells.mark_text(cell)
                if font is not None:
                    cell.font = font
                row.append(cell)
            ws.append(row)
            continue
        ws.append(values)
        for cell in ws[ws.max_row]:
            cells.mark_text(cell)


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)


def _border():
    from openpyxl.styles import Border, Side

    side = Side(style="thin", color=BORDER_COLOR)
    return Border(left=side, right=side, top=side, bottom=side)


def _base_font(wb) -> None:
    """Make :data:`BASE_FONT` the workbook's default (Normal) font.

    Column widths count characters of the default font. openpyxl's Calibri is missing on
    Linux, where LibreOffice measures with a wider face and shrinks the printed sheet to about
    80 %; Arial is on every Windows and has a metric twin (Liberation Sans) everywhere else.
    openpyxl offers no setter for the default font, hence the two private attributes.
    """
    from openpyxl.styles import Font

    base = Font(name=BASE_FONT, size=BASE_SIZE)
    wb._fonts[0] = base
    wb._fonts.clean = False  # re-index on next lookup
    wb._named_styles["Normal"].font = base


def named_styles(wb) -> None:
    """Register the house cell styles on workbook *wb* (once; later calls do nothing).

    Cells take them by name (``cell.style = BODY_STYLE``), which is ~50x faster in openpyxl
    than setting font, border and alignment per cell, and shows them in Excel's style gallery.
    """
    from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill

    if HEADER_STYLE in wb.style_names:
        return
    _base_font(wb)
    header = NamedStyle(name=HEADER_STYLE)
    header.font = Font(name=HEADER_FONT, size=FONT_SIZE, bold=True, color=HEADER_FONT_COLOR)
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


def line_count(value: Any, width: float, indent: int = 0) -> int:
    """Lines *value* wraps to in a column *width* Excel units wide (with *indent* steps)."""
    if value is None:
        return 1
    if isinstance(value, (dt.date, dt.datetime)):
        return 1
    usable = int(max(1.0, width - 1 - 2 * indent))
    text = value if isinstance(value, str) else str(value)
    if "\n" not in text:
        # a text of n characters is at most 2n units wide: most cells fit one line unmeasured
        return 1 if 2 * len(text) <= usable else max(1, -(-text_width(text) // usable))
    return sum(max(1, -(-text_width(line) // usable)) for line in text.split("\n"))


def row_height(lines: int) -> float:
    """Row height in points for *lines* wrapped lines of body text, within Excel's limit."""
    return min(MAX_ROW_HEIGHT, lines * ROW_LINE_HEIGHT + 3)


def fit_row_heights(ws, first_row: int = 2) -> None:
    """Give each row from *first_row* the height its wrapped text needs.

    Excel does not re-measure rows written by openpyxl, so wrapped cells would otherwise
    show a single line. The estimate uses the column widths already set.
    """
    widths = {}
    for c in range(1, ws.max_column + 1):
        dim = ws.column_dimensions[_letter(c)]
        if not dim.hidden:  # a hidden column neither prints nor shows: it needs no height
            widths[c] = dim.width or 8.43
    for row in ws.iter_rows(min_row=first_row, max_row=ws.max_row):
        lines = 1
        for cell in row:
            if cell.value is None or cell.column not in widths:
                continue
            lines = max(lines, line_count(cell.value, widths[cell.column], int(cell.alignment.indent or 0)))
        ws.row_dimensions[row[0].row].height = row_height(lines)


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


def setup_print(ws, header_row: int = 1) -> None:
    """A4 print setup: landscape, the header row repeated on each page, all columns on one page
    width (any number of pages tall), 第 X 页 共 Y 页 in the footer."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = 0.6
    ws.page_margins.bottom = 0.9  # room for the footer line (LibreOffice clips a tighter one)
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.oddFooter.center.text = "第 &P 页  共 &N 页"
    ws.oddFooter.center.font = FONT_NAME
    ws.oddFooter.center.size = 10


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
    setup_print(ws, header_row)

