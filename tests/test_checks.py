"""Never silent: warnings whenever a sheet may be incomplete (checks.py and the stages before it)."""
from __future__ import annotations

import datetime as dt

import pytest

from speech_tasks.pipeline import extract_text

ITEMS = "一、加强燃气安全\n一要开展燃气排查，县住建局牵头，年底前完成。\n二要严查违规用气，县市场监管局要加强检查。\n"


@pytest.mark.parametrize(
    ("text", "date", "expected"),
    [
        pytest.param("今年以来全县安全生产形势总体平稳。事故起数同比下降。\n", None, "没有找到部署工作的语句", id="no-directives"),
        pytest.param("今年形势平稳。县住建局要加强燃气管理。县公安局要严查酒驾。", None, None, id="directives-are-tasks"),
        pytest.param(ITEMS, None, "会议日期未知", id="no-meeting-date"),
        pytest.param(ITEMS, dt.date(2025, 3, 1), None, id="meeting-date-given"),
        pytest.param(ITEMS.replace("年底前", "2025年1月10日前"), dt.date(2025, 3, 1), "早于会议日期", id="due-before-meeting"),
        pytest.param(ITEMS + "同志们，谢谢大家！\n县应急管理局要组织复查，县住建局要每月通报进展情况，各乡镇要落实属地责任。\n", dt.date(2025, 3, 1),
                     "结束语之后还有", id="text-after-closing"),
        pytest.param("公文汇 www.gwh.com\n" + ITEMS, dt.date(2025, 3, 1), "非正文", id="noise-skipped"),
        pytest.param("一、強化責任\n一要開展燃氣排查，縣住建局牽頭。\n二要嚴查違規用氣，縣市場監管局要加強檢查。\n", None, "繁体", id="traditional"),
    ],
)
def test_warnings(text, date, expected):
    sheet = extract_text(text, meeting_date=date)
    if expected is None:
        assert not [w for w in sheet.warnings if "未识别" in w or "早于" in w], sheet.warnings
    else:
        assert any(expected in w for w in sheet.warnings), sheet.warnings


def test_no_tasks_though_the_text_directs_work_is_said():
    sheet = extract_text("一要\n二要\n县住建局要加强燃气管理。")  # a layout the stages cannot read as a list
    assert sheet.tasks or any("部署性语句" in w for w in sheet.warnings)


def test_warnings_reach_the_summary_line(tmp_path, capsys):
    from speech_tasks.cli import main

    speech = tmp_path / "讲话.txt"
    speech.write_text(ITEMS, encoding="utf-8")
    assert main(["extract", str(speech), "-o", str(tmp_path / "out"), "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert "提示：会议日期未知" in out
