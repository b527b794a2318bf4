"""Marker numbers, segmentation and titles shared by the outline and tasks stages."""
from __future__ import annotations

import pytest

from speech_tasks import structure


@pytest.mark.parametrize(
    ("token", "number"),
    [("一", 1), ("九", 9), ("十", 10), ("十一", 11), ("十九", 19), ("二十", 20), ("二十三", 23),
     ("1", 1), ("12", 12), ("①", 1), ("⑩", 10), ("⑳", 20), ("首先", 1), ("其次", 2), ("再次", 3),
     ("一方面", 1), ("另一方面", 2), ("零", None)],
)
def test_number_of(token, number):
    assert structure.number_of(token, structure.compiled().rules.ordinal_words) == number


def test_paragraphs_skip_blank_lines_and_indentation():
    text = "　　第一段。\n\n  第二段。  \n"
    assert [text[s:e] for s, e in structure.paragraphs(text)] == ["第一段。", "第二段。"]


def test_sentences_keep_closing_quotes():
    text = "要抓好“三个一批”。各地要落实“四个到位”；企业要自查”。最后一句"
    got = [text[s:e] for s, e in structure.sentences(text, 0, len(text))]
    assert got == ["要抓好“三个一批”。", "各地要落实“四个到位”；", "企业要自查”。", "最后一句"]


@pytest.mark.parametrize(
    ("item", "title"),
    [
        ("突出重点，强化督查检查。针对事故易发多发重点地区", "突出重点，强化督查检查"),
        ("在压实责任上下功夫。抓安全生产，关键在于责任落实。", "在压实责任上下功夫"),
        ("检查辖区内所有生产、经营、运输烟花爆竹的行为，全面排查整改安全隐患。", "检查辖区内所有生产、经营、运输烟花爆竹的行为"),
        ("对排查出的隐患和问题，要依法依规查处，构成犯罪的，依法追究刑事责任。", "对排查出的隐患和问题，要依法依规查处"),
        ("通过政策引导和政府投资引导，支持和鼓励企业加大安全生产投入。", "通过政策引导和政府投资引导，支持和鼓励企业加大安全生产投入"),
        ("道路交通方面，要针对道路交通安全特点，以高速公路、“两客一危”为重点，强化管控。", "道路交通方面"),
        ("规范达标一批，对存在安全隐患但通过后续整改能符合要求的，要综合运用限期整改", "规范达标一批"),
        ("要加强烟花爆竹运输、储存环节的监管，严厉打击非法运输行为。", "要加强烟花爆竹运输、储存环节的监管"),
        ("聚集问题，严格监管执法。针对突出问题", "聚集问题，严格监管执法"),
    ],
)
def test_item_title(item, title):
    span = structure.item_title(structure.compiled(), item, 0, len(item))
    assert item[span[0]:span[1]] == title
