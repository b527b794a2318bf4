"""The shared workbook style helpers (also used by the ledger's `track export`)."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from speech_tasks.export import xlsx_style as xs
from speech_tasks.models import STATUSES


def roundtrip(wb, tmp_path):
    path = tmp_path / "t.xlsx"
    wb.save(path)
    return openpyxl.load_workbook(path).active


def small_sheet():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["编号", "任务", "截止日期", "状态"])
    ws.append(["1", "开展燃气安全排查" * 10, dt.date(2024, 6, 30), "未启动"])
    ws.append(["2", "短", None, "延期"])
    return wb, ws


@pytest.mark.parametrize("text, width", [("abc", 3), ("任务", 4), ("A任务1", 6), ("（）", 4), ("", 0)])
def test_text_width_counts_cjk_double(text, width):
    assert xs.text_width(text) == width


@pytest.mark.parametrize("level, color", [("蓝", xs.FILL_BLUE), ("黄", xs.FILL_YELLOW), ("红", xs.FILL_RED)])
def test_warning_fills(level, color, tmp_path):
    assert xs.warning_fill(level).fgColor.rgb.endswith(color)
    wb, ws = small_sheet()
    xs.fill_row(ws, 2, xs.WARNING_FILLS[level])
    back = roundtrip(wb, tmp_path)
    assert all(c.fill.fgColor.rgb.endswith(color) for c in back[2])
    assert back["A3"].fill.fill_type is None


def test_unknown_warning_level_is_refused():
    with pytest.raises(KeyError):
        xs.warning_fill("绿")


def test_style_table_applies_the_house_style(tmp_path):
    wb, ws = small_sheet()
    xs.indent(ws["B3"], 2)
    xs.style_table(ws, widths=[6, 40, 12, 8], status_column=4, date_columns=[3], centered_columns=[1])
    back = roundtrip(wb, tmp_path)
    assert back["A1"].font.b and back["A1"].fill.fgColor.rgb.endswith(xs.HEADER_FILL)
    assert back["B2"].alignment.wrap_text and back["A2"].alignment.horizontal == "center"
    assert back["B3"].alignment.indent == 2  # indent set before styling survives
    assert back["C2"].number_format == xs.DATE_FORMAT
    assert back.freeze_panes == "A2"
    assert back.column_dimensions["B"].width == 40
    assert back.row_dimensions[2].height > back.row_dimensions[3].height  # long text, taller row
    (dv,) = back.data_validations.dataValidation
    assert dv.formula1 == '"' + ",".join(STATUSES) + '"' and str(dv.sqref).startswith("D2:D")
    assert back.page_setup.orientation == "landscape" and back.print_title_rows == "$1:$1"


def test_row_heights_never_exceed_excels_limit():
    wb, ws = small_sheet()
    ws["B2"] = "很长的任务\n" * 200
    xs.set_widths(ws, [6, 10, 12, 8])
    xs.fit_row_heights(ws)
    assert ws.row_dimensions[2].height <= xs.MAX_ROW_HEIGHT
