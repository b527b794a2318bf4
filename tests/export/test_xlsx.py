"""The 任务分解表 workbook, read back with openpyxl as Excel would see it."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from speech_tasks.export import columns as C
from speech_tasks.export import xlsx
from speech_tasks.export import xlsx_style as xs
from speech_tasks.models import STATUSES

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
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == number)
    return ws.cell(row, C.column_index(column))


def test_header_and_one_row_per_task(ws):
    assert [c.value for c in ws[1]] == list(C.COLUMNS)
    assert ws.max_row == 1 + len(build_sheet().tasks)
    assert [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)] == ["1", "1.1", "1.1.1", "1.1.2", "1.2", "2", "3"]


def test_header_is_styled_and_frozen(ws):
    header = ws["A1"]
    assert header.font.b
    assert header.fill.fgColor.rgb.endswith(xs.HEADER_FILL)
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref.startswith("A1:")


def test_status_dropdown_offers_the_five_statuses(ws):
    (dv,) = ws.data_validations.dataValidation
    assert dv.type == "list"
    assert dv.formula1 == '"' + ",".join(STATUSES) + '"'
    letter = openpyxl.utils.get_column_letter(C.column_index("状态"))
    assert str(dv.sqref).startswith(f"{letter}2:{letter}")
    assert all(cell(ws, n, "状态").value == "未启动" for n in ("1", "2", "3"))


def test_due_dates_are_date_cells(ws):
    due = cell(ws, "1.1", "截止日期")
    assert due.is_date and due.value.date() == dt.date(2024, 6, 30)
    assert due.number_format == xs.DATE_FORMAT
    assert cell(ws, "1.2", "截止日期").value is None


def test_tree_shown_by_indent_and_bold_parents(ws):
    assert cell(ws, "1", "工作任务").alignment.indent == 0
    assert cell(ws, "1.1", "工作任务").alignment.indent == 1
    assert cell(ws, "1.1.1", "工作任务").alignment.indent == 2
    assert cell(ws, "1.1", "序号").alignment.indent == 1
    assert cell(ws, "1.1", "工作任务").font.b and not cell(ws, "1.1.1", "工作任务").font.b


def test_body_wrapped_with_widths_and_heights(ws):
    assert cell(ws, "1.2", "工作任务").alignment.wrap_text
    assert ws.column_dimensions["D"].width == C.XLSX_WIDTHS[C.COLUMNS.index("工作任务")]
    assert all(ws.row_dimensions[r].height >= xs.ROW_LINE_HEIGHT for r in range(2, ws.max_row + 1))


def test_print_setup(ws):
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$1:$1"
    assert "全市安全生产工作会议任务分解表" in ws.oddHeader.center.text


def test_unit_columns_carry_canonical_and_surface(ws):
    assert cell(ws, "1.1", "配合单位").value == "市住房和城乡建设局（住建部门）"
    assert cell(ws, "1.1", "进展情况").value is None


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
    c = cell(openpyxl.load_workbook(path).active, "3", "工作任务")
    assert c.data_type == "s" and c.value == "=HYPERLINK(\"x\")"
