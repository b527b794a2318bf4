"""The working text made from real documents (rules/normalize.yaml): noise lines skipped, punctuation
variants and traditional script read in their usual form, the sheet in the source's own characters."""
from __future__ import annotations

import pytest

from speech_tasks import normalize
from speech_tasks.ingest import from_text
from speech_tasks.pipeline import extract_text

BODY = "一、加强燃气安全\n一要开展燃气排查，市住建局牵头，年底前完成。\n二要严查违规用气，市场监管局要加强检查。\n"


@pytest.mark.parametrize(
    ("line", "noise"),
    [
        pytest.param("公文汇 www.gongwenhui.com", True, id="site-address"),
        pytest.param("https://example.cn/a/123.html", True, id="url"),
        pytest.param("预览阅读已结束，请下载全文", True, id="truncation-note"),
        pytest.param("全文共1955字,仅供站内会员学习参考", True, id="member-wall"),
        pytest.param("- 3 -", True, id="page-number-dashes"),
        pytest.param("— 12 —", True, id="page-number-em-dashes"),
        pytest.param("第2页 共10页", True, id="page-of-pages"),
        pytest.param("7", True, id="bare-page-number"),
        pytest.param("镇长安全生产讲话稿(精选18篇)", True, id="collection-title"),
        pytest.param("一、加强燃气安全", False, id="heading"),
        pytest.param("2024年", False, id="year-alone"),
        pytest.param("市住建局要牵头开展排查。", False, id="sentence"),
        pytest.param("同志们：", False, id="salutation"),
    ],
)
def test_noise_lines(line, noise):
    text = f"在全市安全生产会议上的讲话\n同志们：\n{line}\n{BODY}"
    dropped = normalize.drop_noise(text)
    assert (dropped is not None and line.strip() in dropped[2]) == noise


def test_noise_line_inside_a_paragraph_is_joined_around():
    text = "一、加强燃气安全\n一要开展燃气排查，市住建局牵头，\n第2页 共6页\n年底前完成。\n二要严查违规用气，市场监管局要加强检查。\n"
    sheet = extract_text(text)
    first = sheet.tasks[0]
    assert first.text.startswith("一要开展燃气排查") and "年底前完成" in first.text and "第2页" not in first.text
    assert [d.text for d in first.deadlines] == ["年底前"]
    assert any("非正文" in w for w in sheet.warnings)


def test_repeated_title_is_noise_but_a_second_speech_is_not():
    title = "在全县安全生产工作会议上的讲话"
    running = f"{title}\n一、加强燃气安全\n一要开展燃气排查，市住建局牵头，\n{title}\n年底前完成。\n"
    assert normalize.drop_noise(running)[2] == [title]
    second = f"{title}\n同志们：\n一、甲\n正文。\n\n{title}\n县委书记　孙××\n（2023年2月16日）\n同志们：\n一、乙\n"
    assert normalize.drop_noise(second) is None


@pytest.mark.parametrize(
    ("source", "working"),
    [
        pytest.param("各乡镇,要加强:一是排查;二是整治!", "各乡镇，要加强：一是排查；二是整治！", id="half-width-marks"),
        pytest.param("(一)加强管理", "（一）加强管理", id="parentheses"),
        pytest.param("10:30召开,共1,000人", "10:30召开，共1,000人", id="between-digits-kept"),
        pytest.param("「安全生产月」期间", "“安全生产月”期间", id="corner-quotes"),
    ],
)
def test_punctuation_variants(source, working):
    assert normalize.full_width(source) == working


def test_traditional_script_is_read_simplified_and_shown_as_written():
    simplified = "一、強化責任落實\n一要開展燃氣安全排查，縣住建局牽頭，年底前完成。\n二要嚴查違規用氣，縣市場監管局要加強檢查。\n"
    sheet = extract_text(simplified)
    assert sheet.source.traditional and any("繁体" in w for w in sheet.warnings)
    first = sheet.tasks[0]
    assert first.marker == "一要" and first.title == "開展燃氣安全排查"
    assert [(u.text, u.name, u.role) for u in first.units] == [("縣住建局", "县住房和城乡建设局", "lead")]
    assert [d.text for d in first.deadlines] == ["年底前"]
    assert sheet.outline[0].title == "強化責任落實"


def test_simplified_text_is_not_converted():
    doc = from_text(BODY)
    assert not doc.traditional and doc.surface is None and doc.text == BODY


def test_half_width_sheet_keeps_source_characters():
    sheet = extract_text("一、加强燃气安全\n一要开展燃气排查,市住建局牵头,年底前完成。\n二要严查违规用气,市场监管局要加强检查。\n")
    assert sheet.tasks[0].title == "开展燃气排查" and "," in sheet.tasks[0].text
