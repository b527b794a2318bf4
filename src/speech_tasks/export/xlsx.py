"""任务分解表 as an Excel workbook an office can send and print as it is.

Sheet 任务分解表: the title and a line about the source above the table, the printed columns
(序号 … 备注) with each section of the speech as a group row, the task tree shown by the 序号
and the indented, bold-for-parents 重点任务; the internal columns (任务编号, 所属部分, 截止日期,
行业领域, 原文位置) sit at the right, hidden and outside the print area; a 具体要求 longer than
:data:`ROW_MAX_LINES` goes on in the rows below its task's, so that it prints whole. Printed on A4
landscape at 100 % with the header row on every page and 第 X 页 共 Y 页 below. Sheet 说明: where
the tasks came from. The look is :mod:`xlsx_style`'s (shared with the ledger's `track export`).

Written as SpreadsheetML (the XML parts of an .xlsx) by this module, not by a general writer: an
archive writes one workbook per speech, and XlsxWriter took ~9 ms for one (~2 ms for an empty
workbook, ~15 µs for each cell written and saved), four times the budget of this export (2.5 ms);
openpyxl costs more still (it stays for the ledger, which reads workbooks back). The layout is
fixed, so the parts that are the same in every workbook (styles, relationships) are fixed text
and only the cells are built per speech. The sheets' XML is what XlsxWriter wrote for this layout
(widths, heights and dates converted as it does; its theme left out), with the page breaks
written in (:func:`page_breaks`). Every text is a shared string, never a formula; text is
cleaned and cut to Excel's limit by :mod:`.cells`.
"""
from __future__ import annotations

import datetime as dt
import functools
import io
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import escape

from ..fsutil import write_atomic
from ..models import TaskSheet
from . import columns as C
from . import xlsx_style as xs
from .cells import clean, xlsx_value
from .frame import Row, subtitle, table, title, with_sections

MAX_INDENT = 3
# A 具体要求 longer than this many lines goes on over the rows below its task's (the other cells
# merged down beside it): a spreadsheet row never breaks across pages and Excel's rows end at
# 409 pt (27 lines), so one row would clip the text in print and leave the page above it empty.
# Parts of 12 lines (183 pt, 40 % of a page) leave at most that much of a page blank.
ROW_MAX_LINES = 12
HEADER_ROW = 3  # 1-based: below the title (row 1) and the source line (row 2)
TITLE_PT = 16
SUBTITLE_PT = 11
INFO_WIDTHS = (12, 90)
# The printed page: A4 landscape, margins in inches (the footer sits in the bottom one).
PAGE_HEIGHT = 595.28  # pt, A4's short side
MARGINS = {"left": 0.4, "right": 0.4, "top": 0.6, "bottom": 0.9}
PAGE_SLACK = 20.0  # pt: LibreOffice's page body is a few points shorter than Excel's
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


_LETTERS = tuple(_letter(i) for i in range(len(C.COLUMNS)))


# The cell formats, by name, in the order of the workbook's style table (its index is a cell's
# ``s``): (font, fill, border, number format, horizontal, vertical, indent). Index 0 is the
# default (Normal) style: BASE_FONT, which column widths are measured in (see xlsx_style._base_font).
_FONTS = (  # (name, size, bold, colour)
    (xs.BASE_FONT, xs.BASE_SIZE, False, None),
    (xs.TITLE_FONT, TITLE_PT, False, None),
    (xs.FONT_NAME, SUBTITLE_PT, False, None),
    (xs.HEADER_FONT, xs.FONT_SIZE, True, xs.HEADER_FONT_COLOR),
    (xs.HEADER_FONT, xs.FONT_SIZE, True, None),
    (xs.FONT_NAME, xs.FONT_SIZE, False, None),
    (xs.FONT_NAME, xs.FONT_SIZE, True, None),
)
_FILLS = ("none", "gray125", xs.HEADER_FILL, xs.GROUP_FILL)  # 0 and 1 are the two Excel requires
# the sides each border draws: none, all, and those of a long 具体要求 continued over several rows
_BORDERS = ((), ("left", "right", "top", "bottom"), ("left", "right", "top"), ("left", "right"), ("left", "right", "bottom"))
_DATE_FORMAT_ID = 164  # the first id of a custom number format
_STYLES = {
    "default": (0, 0, 0, 0, None, None, 0),
    "title": (1, 0, 0, 0, "center", "center", 0),
    "subtitle": (2, 0, 0, 0, "center", "center", 0),
    "header": (3, 2, 1, 0, "center", "center", 0),
    "group": (4, 3, 1, 0, None, "center", 0),
    "centered": (5, 0, 1, 0, "center", "top", 0),
    "body": (5, 0, 1, 0, None, "top", 0),
    "centered_bold": (6, 0, 1, 0, "center", "top", 0),
    "bold": (6, 0, 1, 0, None, "top", 0),
    **{f"indent{n}": (5, 0, 1, 0, None, "top", n) for n in range(1, MAX_INDENT + 1)},
    **{f"bold_indent{n}": (6, 0, 1, 0, None, "top", n) for n in range(1, MAX_INDENT + 1)},
    "date": (5, 0, 1, _DATE_FORMAT_ID, "center", "top", 0),
    "date_left": (5, 0, 1, _DATE_FORMAT_ID, "left", "top", 0),
    # a long 具体要求 over several rows reads as one cell: no line between its parts
    "text_first": (5, 0, 2, 0, None, "top", 0),
    "text_middle": (5, 0, 3, 0, None, "top", 0),
    "text_last": (5, 0, 4, 0, None, "top", 0),
}
_S = {name: i for i, name in enumerate(_STYLES)}  # a format's index (a cell's s=), by name

_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_SHEET_NAMES = (C.SHEET_TITLE, C.INFO_TITLE)


def _key_format(indent: int, has_children: bool) -> str:
    """Name of the 重点任务 cell's format: indented by the task's depth, bold for a parent."""
    if not indent:
        return "bold" if has_children else "body"
    return f"{'bold_' if has_children else ''}indent{indent}"


@functools.cache
def _styles_xml() -> str:
    """xl/styles.xml: the fonts, fills, thin grey border and cell formats of :data:`_STYLES`."""
    fonts = "".join(
        f"<font>{'<b/>' if bold else ''}<sz val=\"{size:g}\"/>"
        + (f'<color rgb="FF{color}"/>' if color else "")
        + f'<name val="{name}"/><family val="2"/></font>'
        for name, size, bold, color in _FONTS
    )
    fills = "".join(
        f'<fill><patternFill patternType="{kind}"/></fill>' if kind in ("none", "gray125") else
        f'<fill><patternFill patternType="solid"><fgColor rgb="FF{kind}"/><bgColor indexed="64"/></patternFill></fill>'
        for kind in _FILLS
    )
    line = f'style="thin"><color rgb="FF{xs.BORDER_COLOR}"/>'
    borders = "".join(
        "<border>"
        + "".join(f"<{side} {line}</{side}>" if side in sides else f"<{side}/>" for side in ("left", "right", "top", "bottom"))
        + "<diagonal/></border>"
        for sides in _BORDERS
    )
    xfs = []
    for font, fill, border, number, horizontal, vertical, indent in _STYLES.values():
        if not (font or fill or border or number or horizontal or vertical):
            xfs.append('<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>')
            continue
        applied = "".join(
            f' apply{what}="1"' for what, on in
            (("NumberFormat", number), ("Font", font), ("Fill", fill), ("Border", border), ("Alignment", True)) if on
        )
        align = "".join(
            f' {key}="{value}"' for key, value in
            (("horizontal", horizontal), ("vertical", vertical), ("indent", indent)) if value
        )
        xfs.append(
            f'<xf numFmtId="{number}" fontId="{font}" fillId="{fill}" borderId="{border}" xfId="0"{applied}>'
            f'<alignment{align} wrapText="1"/></xf>'
        )
    return (
        f'{_XML}<styleSheet xmlns="{_MAIN}">'
        f'<numFmts count="1"><numFmt numFmtId="{_DATE_FORMAT_ID}" formatCode="{xs.DATE_FORMAT}"/></numFmts>'
        f'<fonts count="{len(_FONTS)}">{fonts}</fonts><fills count="{len(_FILLS)}">{fills}</fills>'
        f'<borders count="{len(_BORDERS)}">{borders}</borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        '<dxfs count="0"/>'
        '<tableStyles count="0" defaultTableStyle="TableStyleMedium9" defaultPivotStyle="PivotStyleLight16"/>'
        "</styleSheet>"
    )


@functools.cache
def _package_parts() -> dict[str, str]:
    """The parts that are the same in every workbook: content types, relationships, app.xml."""
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in (1, 2)
    )
    office = "application/vnd.openxmlformats-officedocument"
    content_types = (
        f'{_XML}<Types xmlns="{_PKG}/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/docProps/app.xml" ContentType="{office}.extended-properties+xml"/>'
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{office}.spreadsheetml.styles+xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{office}.spreadsheetml.sheet.main+xml"/>'
        f'{sheets}<Override PartName="/xl/sharedStrings.xml" ContentType="{office}.spreadsheetml.sharedStrings+xml"/>'
        "</Types>"
    )
    root_rels = (
        f'{_XML}<Relationships xmlns="{_PKG}/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
        f'<Relationship Id="rId2" Type="{_PKG}/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
        f'<Relationship Id="rId3" Type="{_REL}/extended-properties" Target="docProps/app.xml"/>'
        "</Relationships>"
    )
    workbook_rels = (
        f'{_XML}<Relationships xmlns="{_PKG}/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL}/worksheet" Target="worksheets/sheet2.xml"/>'
        f'<Relationship Id="rId3" Type="{_REL}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId4" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    )
    names = (*_SHEET_NAMES, f"{C.SHEET_TITLE}!Print_Area", f"{C.SHEET_TITLE}!Print_Titles")
    app = (
        f'{_XML}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        "<Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>"
        '<HeadingPairs><vt:vector size="4" baseType="variant"><vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant>'
        "<vt:variant><vt:i4>2</vt:i4></vt:variant><vt:variant><vt:lpstr>Named Ranges</vt:lpstr></vt:variant>"
        "<vt:variant><vt:i4>2</vt:i4></vt:variant></vt:vector></HeadingPairs>"
        f'<TitlesOfParts><vt:vector size="{len(names)}" baseType="lpstr">'
        + "".join(f"<vt:lpstr>{escape(n)}</vt:lpstr>" for n in names)
        + "</vt:vector></TitlesOfParts><Company></Company><LinksUpToDate>false</LinksUpToDate>"
        "<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged><AppVersion>12.0000</AppVersion>"
        "</Properties>"
    )
    return {
        "[Content_Types].xml": content_types,
        "_rels/.rels": root_rels,
        "xl/_rels/workbook.xml.rels": workbook_rels,
        "styles": _styles_xml(),
        "docProps/app.xml": app,
    }


def _col_width(width: float) -> str:
    """A column width as Excel stores it: characters of the default font plus the cell padding,
    rounded to whole pixels (7 px a digit, 5 px padding), in 1/256 steps."""
    pixels = int(width * 7 + 0.5) + 5
    return f"{pixels * 256 // 7 / 256:.16g}"


def _pixel_height(points: float) -> float:
    """A row height as Excel stores it: rounded to whole pixels (3/4 point each)."""
    return int(points * 4 / 3 + 0.5) * 0.75


def _row_height(points: float) -> str:
    return f"{_pixel_height(points):.16g}"


def page_breaks(heights: list[float], header_rows: int, keep_with_next: set[int]) -> list[int]:
    """Rows (1-based) after which a printed page ends, for rows of these *heights* (pt) whose
    *header_rows* top rows open the first page and whose last header row repeats on the next
    ones; a row in *keep_with_next* (a group row) goes to the next page with the row after it.

    Written into the sheet as manual breaks: without them LibreOffice (7.x) left out the last
    rows of a sheet whose last page they overflowed once the header row was repeated (no page
    was added for them). Excel, which fits the sheet to the page width, ignores manual breaks.
    """
    body = PAGE_HEIGHT - 72 * (MARGINS["top"] + MARGINS["bottom"]) - PAGE_SLACK
    repeated = heights[header_rows - 1]
    breaks: list[int] = []
    used = sum(heights[:header_rows])
    start = used  # the page holds only what opens it
    for i in range(header_rows, len(heights)):
        need = heights[i]
        if i + 1 in keep_with_next and i + 1 < len(heights):
            need += heights[i + 1]
        if used + need > body and used > start:
            breaks.append(i)  # after row i (1-based), before row i + 1
            used = start = repeated
        used += heights[i]
    return breaks


_ESCAPED_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile("([\x00-\x08\x0b-\x1f])")


class _Strings:
    """The workbook's shared string table: each distinct text once, cells refer to its index."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.count = 0

    def __call__(self, text: str) -> int:
        self.count += 1
        i = self.index.get(text)
        if i is None:
            i = self.index[text] = len(self.index)
        return i

    def xml(self) -> str:
        items = []
        for text in self.index:
            # Excel reads _xHHHH_ as an escaped character: a literal one gets its "_" escaped
            if "_x" in text:
                text = _ESCAPED_ESCAPE.sub(r"_x005F\1", text)
            if _CONTROL.search(text):  # \r: cells.clean drops the other control characters
                text = _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", text)
            space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
            items.append(f"<si><t{space}>{escape(text)}</t></si>")
        return (
            f'{_XML}<sst xmlns="{_MAIN}" count="{self.count}" uniqueCount="{len(self.index)}">'
            + "".join(items) + "</sst>"
        )


# zlib costs ~80 µs a part before it compresses a byte, and level 6 (zip's default) takes half as
# long again as level 1 for 5 % less: small parts are stored as they are, the rest at level 1
_DEFLATE_FROM = 4096  # bytes
_DEFLATE_LEVEL = 1
_EXCEL_EPOCH = dt.date(1899, 12, 30).toordinal()  # day 0 of Excel's dates after 1900-02-28


class _Sheet:
    """One worksheet's rows as SpreadsheetML, written in order."""

    def __init__(self, strings: _Strings) -> None:
        self.strings = strings
        self.rows: list[tuple[int, str, int, int, float | None]] = []  # (row, cells, first, last col, height)
        self.merged: list[str] = []

    def row(self, cells: list[tuple[int, object, str]], height: float | None = None, date_format: str = "date") -> int:
        """Append a row of (0-based column, value, format name) cells in column order; return its
        1-based number. Text is a shared string, a date a day number in *date_format*."""
        r = len(self.rows) + 1
        xml = []
        for col, value, fmt in cells:
            if isinstance(value, str):
                value = xlsx_value(value)
            if value is None:
                xml.append(f'<c r="{_LETTERS[col]}{r}" s="{_S[fmt]}"/>')
            elif isinstance(value, str):
                xml.append(f'<c r="{_LETTERS[col]}{r}" s="{_S[fmt]}" t="s"><v>{self.strings(value)}</v></c>')
            elif isinstance(value, dt.date):  # a day: a datetime's time is not kept
                day = value.toordinal() - _EXCEL_EPOCH
                xml.append(f'<c r="{_LETTERS[col]}{r}" s="{_S[date_format]}"><v>{day}</v></c>')
            else:
                xml.append(f'<c r="{_LETTERS[col]}{r}" s="{_S[fmt]}"><v>{value:.16G}</v></c>')
        self.rows.append((r, "".join(xml), cells[0][0], cells[-1][0], height))
        return r

    def merged_row(self, text: str, fmt: str, width: int, height: float) -> int:
        """A row whose first *width* cells are merged into one holding *text*."""
        r = self.row([(i, text if i == 0 else None, fmt) for i in range(width)], height)
        self.merged.append(f"A{r}:{_letter(width - 1)}{r}")
        return r

    def sheet_data(self) -> str:
        """<sheetData>: each row with its span of columns (per block of 16 rows, as Excel writes)."""
        spans = {}
        for r, _, first, last, _ in self.rows:
            block = (r - 1) // 16
            lo, hi = spans.get(block, (first, last))
            spans[block] = (min(lo, first), max(hi, last))
        out = ["<sheetData>"]
        for r, cells, _, _, height in self.rows:
            lo, hi = spans[(r - 1) // 16]
            ht = f' ht="{_row_height(height)}" customHeight="1"' if height is not None else ""
            out.append(f'<row r="{r}" spans="{lo + 1}:{hi + 1}"{ht}>{cells}</row>')
        out.append("</sheetData>")
        return "".join(out)

    def heights(self) -> list[float]:
        """Every row's height as stored (pt)."""
        return [_pixel_height(h) if h is not None else 15.0 for _, _, _, _, h in self.rows]

    def merge_cells(self) -> str:
        if not self.merged:
            return ""
        return f'<mergeCells count="{len(self.merged)}">' + "".join(
            f'<mergeCell ref="{ref}"/>' for ref in self.merged
        ) + "</mergeCells>"


def _row_breaks(rows: list[int]) -> str:
    """<rowBreaks>: a manual page break after each of *rows*."""
    if not rows:
        return ""
    return f'<rowBreaks count="{len(rows)}" manualBreakCount="{len(rows)}">' + "".join(
        f'<brk id="{r}" max="16383" man="1"/>' for r in rows
    ) + "</rowBreaks>"


def _footer() -> str:
    return f"<headerFooter><oddFooter>{escape(FOOTER.format(font=xs.FONT_NAME))}</oddFooter></headerFooter>"


def _cols(widths: Iterable[tuple[float, bool]]) -> str:
    return "<cols>" + "".join(
        f'<col min="{i}" max="{i}" width="{_col_width(width)}"'
        + (' hidden="1" customWidth="1" outlineLevel="1"/>' if hidden else ' customWidth="1"/>')
        for i, (width, hidden) in enumerate(widths, start=1)
    ) + "</cols>"


_SENTENCE = re.compile("[^。；！？\n]*(?:[。；！？]+|\n|$)")


def split_lines(text: str, width: float, max_lines: int) -> list[str]:
    """*text* cut into parts of at most *max_lines* lines each in a column *width* units wide (as
    :func:`xlsx_style.line_count` counts them): at sentence ends, and within a sentence only when
    it is longer than a part. A line break where a part ends goes; the rest of the text stays."""
    usable = int(max(1.0, width - 1))
    budget = max_lines * usable  # a part's units, counting each finished line as full
    parts: list[str] = []
    current: list[str] = []
    used = 0  # units of the current part's finished lines
    open_units = 0  # units on its unfinished line

    def close() -> None:
        nonlocal used, open_units
        if current:
            parts.append("".join(current).rstrip("\n"))
        current.clear()
        used = open_units = 0

    for sentence in _SENTENCE.findall(text):
        units = xs.text_width(sentence.rstrip("\n"))
        if used + -(-(open_units + units) // usable) * usable > budget:
            if units <= budget:
                close()  # starts the next part
            else:  # fill this part (and whole parts) with the sentence, the rest goes on below
                while used + open_units + units > budget:
                    room, cut = budget - used - open_units, 0
                    while cut < len(sentence) and xs.text_width(sentence[cut]) <= room:
                        room -= xs.text_width(sentence[cut])
                        cut += 1
                    if not cut and not current:
                        cut = 1  # a character wider than a whole part: alone on it
                    current.append(sentence[:cut])
                    close()
                    sentence = sentence[cut:]
                    units = xs.text_width(sentence.rstrip("\n"))
        if not sentence:
            continue
        current.append(sentence)
        if sentence.endswith("\n"):
            used += max(1, -(-(open_units + units) // usable)) * usable
            open_units = 0
        else:
            open_units += units
    close()
    return parts or [text]


def _task_sheet(strings: _Strings, sheet: TaskSheet, rows: list[Row]) -> tuple[str, int]:
    """XML of sheet 任务分解表 and its last row."""
    ws = _Sheet(strings)
    printed = len(C.PRINTED)
    ws.merged_row(clean(title(sheet)), "title", printed, 2.2 * TITLE_PT)
    ws.merged_row(clean(subtitle(sheet, rows)), "subtitle", printed, 1.8 * SUBTITLE_PT)
    header = ws.row([(i, name, "header") for i, name in enumerate(C.COLUMNS)], 2 * xs.ROW_LINE_HEIGHT)

    key = C.COLUMNS.index("重点任务")
    text_column = C.COLUMNS.index("具体要求")
    text_width = C.SHEET_COLUMNS[text_column].xlsx_width
    # (column, its format, its width for the row height or 0 when it is not printed)
    layout = [
        (i, "centered" if c.centered else "body", 0 if c.internal else c.xlsx_width)
        for i, c in enumerate(C.SHEET_COLUMNS)
    ]
    number_bold = "centered_bold" if C.SHEET_COLUMNS[0].centered else "bold"  # 序号 of a parent task
    line_count = xs.line_count
    last = header
    groups = set()
    for item in with_sections(sheet, rows):
        if isinstance(item, str):
            last = ws.merged_row(item, "group", printed, xs.ROW_LINE_HEIGHT + 5)
            groups.add(last)
            continue
        indent = min(item.depth, MAX_INDENT)
        lines = 1
        cells = []
        for (i, fmt, width), value in zip(layout, item.values):
            if i == key:
                fmt = _key_format(indent, item.has_children)
            elif i == 0 and item.has_children:
                fmt = number_bold
            cells.append((i, value, fmt))
            if width and value:
                lines = max(lines, line_count(value, width, indent if i == key else 0))
        text = item.values[text_column]
        if lines <= ROW_MAX_LINES or not isinstance(text, str):
            last = ws.row(cells, xs.row_height(lines))
            continue
        last = _continued_rows(ws, cells, split_lines(text, text_width, ROW_MAX_LINES), text_column, lines)

    last_column = _letter(len(C.COLUMNS) - 1)
    xml = (
        f'{_XML}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">'
        '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'  # never wider than the page: at these widths 100 %
        f'<dimension ref="A1:{last_column}{last}"/>'
        f'<sheetViews><sheetView tabSelected="1" workbookViewId="0"><pane ySplit="{HEADER_ROW}" '
        f'topLeftCell="A{HEADER_ROW + 1}" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft"/></sheetView></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15" outlineLevelCol="1"/>'
        + _cols((c.xlsx_width, c.internal) for c in C.SHEET_COLUMNS)
        + ws.sheet_data()
        + f'<autoFilter ref="A{header}:{last_column}{last}"/>'
        + ws.merge_cells()
        + '<printOptions horizontalCentered="1"/>'
        + "<pageMargins" + "".join(f' {side}="{inches:g}"' for side, inches in MARGINS.items())
        + ' header="0.3" footer="0.3"/>'
        '<pageSetup paperSize="9" fitToHeight="0" orientation="landscape"/>'  # A4
        + _footer() + _row_breaks(page_breaks(ws.heights(), header, groups)) + "</worksheet>"
    )
    return xml, last


def _continued_rows(ws: _Sheet, cells: list, parts: list[str], text_column: int, lines: int) -> int:
    """A task whose 具体要求 is written in *parts*, one row each, the task's other cells merged down
    beside them; the rows are as tall as their parts (the last taller if another cell needs it,
    *lines* in all). Returns the last row."""
    heights = [xs.line_count(part, C.SHEET_COLUMNS[text_column].xlsx_width) for part in parts]
    heights[-1] = max(heights[-1], lines - sum(heights[:-1]))
    first = None
    for n, (part, height) in enumerate(zip(parts, heights)):
        place = "first" if n == 0 else "last" if n == len(parts) - 1 else "middle"
        row = [
            (i, part if i == text_column else value if n == 0 else None, f"text_{place}" if i == text_column else fmt)
            for i, value, fmt in cells
        ]
        last = ws.row(row, xs.row_height(height))
        first = first or last
    ws.merged.extend(f"{_LETTERS[i]}{first}:{_LETTERS[i]}{last}" for i, _, _ in cells if i != text_column)
    return last


def _info_sheet(strings: _Strings, sheet: TaskSheet) -> str:
    """XML of sheet 说明."""
    ws = _Sheet(strings)
    ws.row([(0, "项目", "header"), (1, "内容", "header")])
    for label, value in info_rows(sheet):
        height = xs.row_height(xs.line_count(value, INFO_WIDTHS[1]))
        ws.row([(0, label, "body"), (1, value, "body")], height, date_format="date_left")
    return (
        f'{_XML}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">'
        f'<dimension ref="A1:B{len(ws.rows)}"/><sheetViews><sheetView workbookViewId="0"/></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15"/>'
        + _cols((width, False) for width in INFO_WIDTHS)
        + ws.sheet_data()
        + '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        '<pageSetup paperSize="9" orientation="landscape"/>'
        + _footer() + "</worksheet>"
    )


def _workbook_xml(last_row: int) -> str:
    """xl/workbook.xml: the two sheets, the filter range, print area and repeated header row."""
    sheet = C.SHEET_TITLE
    last_column = _letter(len(C.COLUMNS) - 1)
    last_printed = _letter(len(C.PRINTED) - 1)
    sheets = "".join(
        f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>' for i, name in enumerate(_SHEET_NAMES, start=1)
    )
    return (
        f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
        '<fileVersion appName="xl" lastEdited="4" lowestEdited="4" rupBuild="4505"/>'
        '<workbookPr defaultThemeVersion="124226"/>'
        '<bookViews><workbookView xWindow="240" yWindow="15" windowWidth="16095" windowHeight="9660"/></bookViews>'
        f"<sheets>{sheets}</sheets><definedNames>"
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
        f"{sheet}!$A${HEADER_ROW}:${last_column}${last_row}</definedName>"
        f'<definedName name="_xlnm.Print_Area" localSheetId="0">{sheet}!$A$1:${last_printed}${last_row}</definedName>'
        f'<definedName name="_xlnm.Print_Titles" localSheetId="0">{sheet}!${HEADER_ROW}:${HEADER_ROW}</definedName>'
        '</definedNames><calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
    )


def _core_xml(sheet: TaskSheet) -> str:
    """docProps/core.xml: the document's title, author and time of writing."""
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        f'{_XML}<cp:coreProperties xmlns:cp="{_PKG}/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(clean(title(sheet)))}</dc:title><dc:creator>speech-tasks</dc:creator>"
        f'<cp:lastModifiedBy>speech-tasks</cp:lastModifiedBy><dcterms:created xsi:type="dcterms:W3CDTF">{now}'
        f'</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified>'
        "</cp:coreProperties>"
    )


def workbook_bytes(sheet: TaskSheet, rows: list[Row] | None = None) -> bytes:
    """The .xlsx file of *sheet*, as bytes."""
    rows = table(sheet) if rows is None else rows
    strings = _Strings()
    task_xml, last_row = _task_sheet(strings, sheet, rows)
    info_xml = _info_sheet(strings, sheet)
    constant = _package_parts()
    parts = (
        ("[Content_Types].xml", constant["[Content_Types].xml"]),
        ("_rels/.rels", constant["_rels/.rels"]),
        ("xl/_rels/workbook.xml.rels", constant["xl/_rels/workbook.xml.rels"]),
        ("xl/worksheets/sheet1.xml", task_xml),
        ("xl/worksheets/sheet2.xml", info_xml),
        ("xl/workbook.xml", _workbook_xml(last_row)),
        ("xl/sharedStrings.xml", strings.xml()),
        ("xl/styles.xml", constant["styles"]),
        ("docProps/core.xml", _core_xml(sheet)),
        ("docProps/app.xml", constant["docProps/app.xml"]),
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, xml in parts:
            data = xml.encode("utf-8")
            info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            if len(data) > _DEFLATE_FROM:
                z.writestr(info, data, zipfile.ZIP_DEFLATED, _DEFLATE_LEVEL)
            else:
                z.writestr(info, data, zipfile.ZIP_STORED)
    return buffer.getvalue()


def write(sheet: TaskSheet, path: Path, rows: list[Row] | None = None) -> Path:
    """Write the workbook to *path* atomically."""
    write_atomic(path, workbook_bytes(sheet, rows))
    return Path(path)
