"""Level-1 sections in every common numbering style (GUIDELINE.md §1)."""
from __future__ import annotations

import pytest

from speech_tasks import outline
from speech_tasks.ingest import from_text

INTRO = "同志们：\n今天召开全市安全生产工作会议。下面，我讲三点意见。\n"


def sections(text: str) -> list[tuple[str, str]]:
    doc = from_text(text)
    outline.run(doc)
    for s in doc.sections:  # the recorded title is the text at its span
        assert doc.text[s.title_span[0]:s.title_span[1]] == s.title
    return [(s.marker, s.title) for s in doc.sections]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            "一、清醒认识当前形势，精准把握方向\n正文。\n二、统筹兼顾各项工作\n正文。\n",
            [("一、", "清醒认识当前形势，精准把握方向"), ("二、", "统筹兼顾各项工作")],
            id="dun-heading-lines",
        ),
        pytest.param(
            "一、时刻保持清醒，坚决防范遏制重特大事故发生。总书记高度重视。\n二、聚焦关键环节。各级各部门要强化。\n",
            [("一、", "时刻保持清醒，坚决防范遏制重特大事故发生"), ("二、", "聚焦关键环节")],
            id="dun-inline-headings",
        ),
        pytest.param(
            "第一，提高站位、统一思想\n正文。\n第二，突出重点、集中攻坚\n正文。\n第三，严而又严\n正文。\n",
            [("第一，", "提高站位、统一思想"), ("第二，", "突出重点、集中攻坚"), ("第三，", "严而又严")],
            id="di-comma",
        ),
        pytest.param(
            "第一、提高站位。正文。\n第二、突出重点。正文。\n",
            [("第一、", "提高站位"), ("第二、", "突出重点")],
            id="di-dun",
        ),
        pytest.param(
            "（一）提高思想认识\n正文。\n（二）突出重点领域\n正文。\n",
            [("（一）", "提高思想认识"), ("（二）", "突出重点领域")],
            id="paren-top-level",
        ),
        pytest.param(
            "(一)提高思想认识\n正文。\n(二)突出重点领域\n正文。\n",
            [("(一)", "提高思想认识"), ("(二)", "突出重点领域")],
            id="ascii-paren-top-level",
        ),
        pytest.param(
            "一、总体要求\n（一）压实责任。正文。\n（二）强化整治。正文。\n二、保障措施\n正文。\n",
            [("一、", "总体要求"), ("二、", "保障措施")],
            id="paren-below-dun-is-not-top",
        ),
        pytest.param(
            "一要以最重视的程度来抓好安全生产工作。今年以来……\n二要以最细致的工作来排查安全隐患。隐患就是事故。\n",
            [("一要", "以最重视的程度来抓好安全生产工作"), ("二要", "以最细致的工作来排查安全隐患")],
            id="yao-when-no-other-top-level",
        ),
        pytest.param(
            "一、总体要求\n一要抓好排查。正文。\n二要强化整治。正文。\n二、保障措施\n正文。\n",
            [("一、", "总体要求"), ("二、", "保障措施")],
            id="yao-below-dun-is-not-top",
        ),
        pytest.param(
            "一、 提高认识\n正文。\n二、 强化措施\n正文。\n", [("一、", "提高认识"), ("二、", "强化措施")],
            id="space-after-marker",
        ),
        pytest.param(
            "## 一、提高认识\n正文。\n## 二、强化措施\n正文。\n", [("一、", "提高认识"), ("二、", "强化措施")],
            id="markdown-headings",
        ),
        pytest.param(
            "十一、第十一部分\n正文。\n", [], id="a-lone-heading-is-no-outline"
        ),
        pytest.param(
            "各地要抓好落实。\n各部门要加强监管。\n", [], id="no-numbering"
        ),
        pytest.param(
            "二、不从一开始\n正文。\n三、也不算\n正文。\n", [], id="sequence-must-start-at-one"
        ),
    ],
)
def test_sections(body, expected):
    assert sections(INTRO + body) == expected


def test_last_section_ends_before_closing_remarks():
    text = INTRO + "一、第一部分\n各地要落实。\n二、第二部分\n各部门要落实。\n同志们，安全生产责任重大。\n我就讲这些。\n"
    doc = from_text(text)
    outline.run(doc)
    last = doc.sections[-1]
    assert doc.text[last.start:last.end] == "二、第二部分\n各部门要落实。"


def test_section_spans_cover_heading_to_next_heading():
    text = INTRO + "一、甲\n正文甲。\n二、乙\n正文乙。\n"
    doc = from_text(text)
    outline.run(doc)
    first, second = doc.sections
    assert doc.text[first.start:first.end] == "一、甲\n正文甲。"
    assert doc.text[first.body_start:first.end] == "\n正文甲。"
    assert doc.text[second.start:second.end] == "二、乙\n正文乙。"
