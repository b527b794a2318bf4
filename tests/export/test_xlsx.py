"""The 任务分解表 workbook, read back with openpyxl as Excel would see it."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from speech_tasks.export import columns as C
from speech_tasks.export import xlsx
from speech_tasks.export import xlsx_style as xs

from .conftest import build_sheet


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path = tmp_path_factory.mktemp("xlsx") / "sheet.xlsx"
    xlsx.write(build_sheet(), path)
    return openpyxl.load_workbook(path)


@pytest.fixture(scope="module")
def ws(book):
    return book[C.SHEET_TITLE]


def cell(ws, number: str, column: str):
    row = next(r for r in range(xlsx.HEADER_ROW + 1, ws.max_row + 1) if ws.cell(r, 1).value == number)
    return ws.cell(row, C.column_index(column))


def test_title_source_line_header_and_section_group_rows(ws):
    assert ws["A1"].value == "全市安全生产工作会议任务分解表" and "共7项任务" in ws["A2"].value
    assert [c.value for c in ws[xlsx.HEADER_ROW]] == list(C.COLUMNS)
    body = [ws.cell(r, 1).value for r in range(xlsx.HEADER_ROW + 1, ws.max_row + 1)]
    assert body == ["一、压实安全责任", "1", "1.1", "1.1.1", "1.1.2", "1.2", "二、强化督查检查", "2", "3"]
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert {"A1:H1", "A2:H2", "A4:H4", "A10:H10"} <= merged


def test_header_is_styled_and_frozen(ws):
    header = ws.cell(xlsx.HEADER_ROW, 1)
    assert header.font.b and header.font.name == xs.HEADER_FONT
    assert header.fill.fgColor.rgb.endswith(xs.HEADER_FILL)
    assert ws.freeze_panes == f"A{xlsx.HEADER_ROW + 1}"
    assert ws.auto_filter.ref.startswith(f"A{xlsx.HEADER_ROW}:")


def test_a_document_to_send_has_no_status_columns_or_dropdowns(ws):
    assert not {"状态", "进展情况"} & set(C.COLUMNS)
    assert not ws.data_validations.dataValidation


def test_internal_columns_are_hidden_and_not_printed(ws):
    letters = "ABCDEFGHIJKLM"
    for column in C.SHEET_COLUMNS:
        assert bool(ws.column_dimensions[letters[C.column_index(column.name) - 1]].hidden) == column.internal
    assert ws.print_area == f"'{C.SHEET_TITLE}'!$A$1:$H${ws.max_row}"
    assert cell(ws, "1.1", "任务编号").value == "Tb"


def test_due_dates_are_date_cells(ws):
    due = cell(ws, "1.1", "截止日期")
    assert due.is_date and due.value.date() == dt.date(2024, 6, 30)
    assert due.number_format == xs.DATE_FORMAT
    assert cell(ws, "1.2", "截止日期").value is None


def test_tree_shown_by_indent_and_bold_parents(ws):
    assert cell(ws, "1", "重点任务").alignment.indent == 0
    assert cell(ws, "1.1", "重点任务").alignment.indent == 1
    assert cell(ws, "1.1.1", "重点任务").alignment.indent == 2
    assert cell(ws, "1.1", "重点任务").font.b and cell(ws, "1.1", "序号").font.b
    assert not cell(ws, "1.1.1", "重点任务").font.b


def test_body_wrapped_with_widths_and_heights(ws):
    text = cell(ws, "1.2", "具体要求")
    assert text.alignment.wrap_text and text.font.size >= 10
    assert ws.column_dimensions["C"].width == pytest.approx(C.SHEET_COLUMNS[C.COLUMNS.index("具体要求")].xlsx_width, abs=1)
    rows = range(xlsx.HEADER_ROW + 1, ws.max_row + 1)
    assert all(ws.row_dimensions[r].height >= xs.ROW_LINE_HEIGHT for r in rows)
    # the height follows the visible text, not the long hidden 所属部分 or the merged group label
    assert ws.row_dimensions[4].height < 2 * xs.ROW_LINE_HEIGHT


def test_print_setup(ws):
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0  # 1 is the default
    assert ws.print_title_rows == f"${xlsx.HEADER_ROW}:${xlsx.HEADER_ROW}"  # the header, not the title
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
    # the printed columns fit landscape A4 at 100 % (an Excel unit is 7 px of the 10 pt default font)
    printed_cm = sum(c.xlsx_width * 7 + 5 for c in C.PRINTED) / 96 * 2.54
    assert printed_cm <= 29.7 - 2.54 * (ws.page_margins.left + ws.page_margins.right)


def test_unit_columns_carry_canonical_and_surface(ws):
    assert cell(ws, "1.1", "配合单位").value == "市住房和城乡建设局（住建部门）"


def test_info_sheet_names_the_source(book):
    info = {row[0]: row[1] for row in book[C.INFO_TITLE].iter_rows(min_row=2, values_only=True)}
    assert info["来源文件"] == "全市会议.txt"
    assert info["会议日期"].date() == dt.date(2024, 3, 1)
    assert info["任务数"] == 7


def test_formula_like_speech_text_stays_text(tmp_path):
    sheet = build_sheet()
    t = sheet.tasks[-1]
    sheet.tasks[-1] = t.model_copy(update={"text": "=HYPERLINK(\"x\")", "span": (t.span[0], t.span[0] + 15)})
    path = tmp_path / "f.xlsx"
    xlsx.write(sheet, path)
    c = cell(openpyxl.load_workbook(path).active, "3", "具体要求")
    assert c.data_type == "s" and c.value == "=HYPERLINK(\"x\")"


@pytest.mark.parametrize(
    "text",
    [
        "甲 & 乙 <丙> \"丁\"",  # XML markup characters
        "_x0041_ 不是转义",  # Excel reads _xHHHH_ as an escaped character unless its "_" is escaped
        "-3 起",  # formula-like
    ],
)
def test_awkward_text_reads_back_as_written(text, tmp_path):
    sheet = build_sheet()
    t = sheet.tasks[-1]
    sheet.tasks[-1] = t.model_copy(update={"text": text, "span": (t.span[0], t.span[0] + len(text))})
    path = tmp_path / "a.xlsx"
    xlsx.write(sheet, path)
    c = cell(openpyxl.load_workbook(path).active, "3", "具体要求")
    assert c.data_type == "s" and c.value == text


@pytest.mark.parametrize(
    "width, stored",
    [(6, "6.7109375"), (46, "46.7109375"), (12, "12.7109375"), (90, "90.7109375")],  # as Excel and XlsxWriter
)
def test_column_widths_are_stored_in_whole_pixels(width, stored):
    assert xlsx._col_width(width) == stored


@pytest.mark.parametrize("points, stored", [(35.2, "35.25"), (19.8, "19.5"), (30, "30"), (78, "78"), (409, "408.75")])
def test_row_heights_are_stored_in_whole_pixels(points, stored):
    assert xlsx._row_height(points) == stored


def test_a_sheet_without_tasks_is_a_header_and_the_info_sheet(tmp_path):
    sheet = build_sheet().model_copy(update={"tasks": []})
    path = tmp_path / "e.xlsx"
    xlsx.write(sheet, path)
    book = openpyxl.load_workbook(path)
    ws = book[C.SHEET_TITLE]
    assert ws.max_row == xlsx.HEADER_ROW and ws.print_area == f"'{C.SHEET_TITLE}'!$A$1:$H${xlsx.HEADER_ROW}"
    assert ws.auto_filter.ref == f"A{xlsx.HEADER_ROW}:M{xlsx.HEADER_ROW}"
    info = {row[0]: row[1] for row in book[C.INFO_TITLE].iter_rows(min_row=2, values_only=True)}
    assert info["任务数"] == 0


@pytest.mark.parametrize(
    "text, parts",
    [
        ("短句。", 1),
        ("一要抓好。" * 9, 1),  # 90 units: 2 lines
        ("一要抓好。" * 30 + "\n" + "没有标点的长句" * 80 + "。结束。", 3),  # a sentence longer than a part is cut
        (("第一段。" * 20 + "\n") * 10, 4),  # 10 paragraphs of 4 lines: 3 in a part of 12 lines
        ("甲" * 2000, 8),
    ],
)
def test_split_lines_cuts_long_text_into_parts_that_fit(text, parts):
    width, max_lines = 46, 12
    got = xlsx.split_lines(text, width, max_lines)
    assert len(got) == parts
    assert all(1 <= xs.line_count(p, width) <= max_lines for p in got)
    # nothing lost but line breaks where a part ends
    assert "".join(got).replace("\n", "") == text.replace("\n", "")


def test_a_long_requirement_goes_on_in_rows_below_with_the_task_beside_it(tmp_path):
    sheet = build_sheet()
    t = sheet.tasks[-1]
    long_text = "要加强危险化学品监管，落实企业主体责任。" * 60  # 1200 characters: ~54 lines
    sheet.tasks[-1] = t.model_copy(update={"text": long_text, "span": (t.span[0], t.span[0] + len(long_text))})
    path = tmp_path / "long.xlsx"
    xlsx.write(sheet, path)
    ws = openpyxl.load_workbook(path).active
    first = cell(ws, "3", "具体要求").row
    rows = range(first, ws.max_row + 1)
    text_column = C.column_index("具体要求")
    assert len(rows) > 1 and "".join(ws.cell(r, text_column).value for r in rows) == long_text
    assert all(ws.row_dimensions[r].height <= xs.row_height(xlsx.ROW_MAX_LINES) for r in rows)
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert {f"{letter}{first}:{letter}{ws.max_row}" for letter in "ABDEFGHIJKLM"} <= merged
    assert all(ws.cell(r, 1).value is None for r in rows[1:])  # one 序号, one task
    # no line between the parts of the text, the sides drawn
    top, inner, bottom = (ws.cell(r, text_column).border for r in (first, first + 1, ws.max_row))
    assert top.top.style and not top.bottom.style and not inner.top.style and not inner.bottom.style
    assert bottom.bottom.style and not bottom.top.style and inner.left.style and inner.right.style


BODY = xlsx.PAGE_HEIGHT - 72 * (xlsx.MARGINS["top"] + xlsx.MARGINS["bottom"]) - xlsx.PAGE_SLACK  # ≈ 467 pt


@pytest.mark.parametrize(
    "heights, groups, breaks",
    [
        ([35, 20, 30, 100, 100], set(), []),  # one page
        ([35, 20, 30, 250, 100, 100], set(), [5]),  # row 6 does not fit: page 2 starts with it
        ([35, 20, 30, 300, 20, 100], {5}, [4]),  # a group row goes over with its first task
        ([35, 20, 30, 420, 420, 420], set(), [4, 5]),  # each on its page below the repeated header
        ([35, 20, 30, 500], set(), []),  # taller than a page: nothing to gain by a break
    ],
)
def test_page_breaks_fill_pages_and_keep_group_rows_with_their_task(heights, groups, breaks):
    assert 435 <= BODY < 485  # the cases are about this page height
    assert xlsx.page_breaks(heights, 3, groups) == breaks


def test_the_sheet_carries_the_page_breaks(tmp_path):
    sheet = build_sheet()
    t = sheet.tasks[-1]
    long_text = "要加强危险化学品监管，落实企业主体责任。" * 60
    sheet.tasks[-1] = t.model_copy(update={"text": long_text, "span": (t.span[0], t.span[0] + len(long_text))})
    path = tmp_path / "long.xlsx"
    xlsx.write(sheet, path)
    ws = openpyxl.load_workbook(path).active
    heights = [ws.row_dimensions[r].height or 15 for r in range(1, ws.max_row + 1)]
    groups = {m.min_row for m in ws.merged_cells.ranges if m.min_row > xlsx.HEADER_ROW and m.max_col == 8}
    assert [b.id for b in ws.row_breaks.brk] == xlsx.page_breaks(heights, xlsx.HEADER_ROW, groups) != []
