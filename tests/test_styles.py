"""Style generalisation: hand-annotated speeches in numbering styles, encodings and layouts the
dev set does not have, scored with ../shared/eval/score.py.

tests/fixtures/styles/speeches holds six speeches and tests/fixtures/styles/gold their gold sheets
(annotated by ../shared/eval/GUIDELINE.md, not from our output):
  a  （一） top level, 1. items with （1） sub-items, a 1./2./3. problem list
  b  第一， inline heading paragraphs, 一是 items, an 一是/二是 problem list
  c  一、 top level, （一） heading lines, ① items, 由…牵头、…配合 domain blocks;
     hard-wrapped at ~34 characters with CRLF and a page footer, as pulled from a PDF
  d  no numbered sections: 一要 paragraphs on top, 首先/其次/最后 inside, an agenda preamble
  e  任务分解 style: 牵头单位/配合单位/完成时限 lines, explicit dates, numbering running on
     across sections; GBK bytes with full-width indents
  f  county speech: 一方面/另一方面, “X方面，” domain blocks, stand-alone directives, closing

tests/fixtures/styles2 is a second set, written and annotated blind after set 1's misses were fixed, so it
still measures generalisation (its floors sit a little below what the tool reached when it was added):
  a  一、 top level, inline （一） heading paragraphs, 1. items after a colon (inline and on own lines)
  b  一要 top level only, inline 一是 items, an 一是/二是 problem list, stand-alone body sentences
  c  第一、 top level, “X方面，由X牵头，Y、Z配合” domain blocks joined by ；, 一是 items
  d  no numbered sections: one body per paragraph, 首先/其次/再次/最后 after 。 and after ，
  e  一、 top level, （一） heading lines, ① items on own lines and inline; kept as .docx in docx/,
     scored through its .txt twin (the paragraphs joined by "\n") in speeches/
Skips cleanly in a checkout without ../shared (users who clone the repo alone).
"""
from __future__ import annotations

from pathlib import Path

import pytest

STYLES = Path(__file__).resolve().parent / "fixtures" / "styles"

# Floors sit a little below what the tool reaches (the set now also guards against regressions:
# its misses were fixed by general rules, so it no longer measures generalisation by itself).
OVERALL_FLOORS = {
    ("tasks", "f1"): 0.97,
    ("units", "f1"): 0.95,
    ("units_specific", "f1"): 0.97,
    ("deadlines", "f1"): 0.95,
    ("sectors", "f1"): 0.88,
    ("outline", "f1"): 0.98,
    ("tree_acc", "rate"): 0.97,
    ("unit_role_acc", "rate"): 0.97,
    ("deadline_kind_acc", "rate"): 0.93,
    ("outline_title_acc", "rate"): 0.97,
    ("task_title_acc", "rate"): 0.95,
    ("meeting_name_acc", "rate"): 0.99,
}
OVERALL_CEILINGS = {("non_task_leak_rate", "rate"): 0.05}
SHEET_F1_FLOOR = 0.95

# Per speech: (tasks F1, units F1, deadlines F1) floors.
SPEECH_FLOORS = {
    "a_paren_top": (0.95, 0.95, 0.95),
    "b_diyi_inline": (0.95, 0.95, 0.95),
    "c_pdf_wrapped": (0.95, 0.95, 0.95),
    "d_yiyao_agenda": (0.95, 0.93, 0.95),
    "e_breakdown_gbk": (0.95, 0.95, 0.95),
    "f_county_fangmian": (0.95, 0.90, 0.93),
}


STYLES2 = Path(__file__).resolve().parent / "fixtures" / "styles2"
STYLES2_OVERALL_FLOORS = {
    ("tasks", "f1"): 0.94,
    ("units", "f1"): 0.94,
    ("units_specific", "f1"): 0.93,
    ("deadlines", "f1"): 0.90,
    ("sectors", "f1"): 0.85,
    ("outline", "f1"): 0.98,
    ("tree_acc", "rate"): 0.92,
    ("unit_role_acc", "rate"): 0.97,
    ("deadline_kind_acc", "rate"): 0.95,
    ("outline_title_acc", "rate"): 0.97,
    ("task_title_acc", "rate"): 0.83,
    ("meeting_name_acc", "rate"): 0.99,
}
STYLES2_SHEET_F1_FLOOR = 0.93
STYLES2_SPEECH_FLOORS = {
    "a_yi_paren_inline": (0.95, 0.95, 0.90),
    "b_yiyao_yishi": (0.95, 0.95, 0.95),
    "c_diyi_dun_domains": (0.93, 0.90, 0.86),
    "d_bodies_no_sections": (0.85, 0.87, 0.78),
    "e_docx_circled": (0.95, 0.95, 0.95),
}

STYLES3 = Path(__file__).resolve().parent / "fixtures" / "styles3"
STYLES4 = Path(__file__).resolve().parent / "fixtures" / "styles4"
# Sets 3 and 4: the documents of GUIDELINE §7, written and annotated blind (see their README.md).
# Set 3: a published-speech header block, half-width punctuation with web noise, bullets, 第一条 and
# (1)/1）/一) items, lead-ins that name addressees, a plain town speech. Set 4: minutes, a meeting
# record with several speakers, two speeches in one file, a speech-to-text transcript, traditional
# script, sectors in context. Floors sit a little below what the tool reaches.
STYLES3_OVERALL_FLOORS = {
    ("tasks", "f1"): 0.97,
    ("units", "f1"): 0.95,
    ("deadlines", "f1"): 0.95,
    ("outline", "f1"): 0.97,
    ("tree_acc", "rate"): 0.95,
    ("meeting_name_acc", "rate"): 0.99,
}
STYLES3_SPEECH_FLOORS = {
    "a_header_block": (0.97, 0.97, 0.92),
    "b_halfwidth_web": (0.97, 0.97, 0.95),
    "c_bullets": (0.97, 0.97, 0.92),
    "d_tiao_parens": (0.97, 0.97, 0.95),
    "e_leadin_addressees": (0.95, 0.85, 0.90),
    "f_mixed_real": (0.97, 0.92, 0.90),
}
STYLES4_OVERALL_FLOORS = {
    ("tasks", "f1"): 0.94,
    ("units", "f1"): 0.91,
    ("deadlines", "f1"): 0.83,
    ("outline", "f1"): 0.97,
    ("tree_acc", "rate"): 0.97,
    ("meeting_name_acc", "rate"): 0.99,
}
STYLES4_SPEECH_FLOORS = {
    "a_minutes": (0.97, 0.97, 0.93),
    "b_multi_speaker": (0.90, 0.80, 0.65),
    "c_compilation": (0.97, 0.97, 0.88),
    "d_transcript": (0.80, 0.70, 0.55),
    "e_traditional": (0.93, 0.95, 0.85),
    "f_sectors_context": (0.97, 0.97, 0.97),
}

STYLES5 = Path(__file__).resolve().parent / "fixtures" / "styles5"
REAL_LIKE = Path(__file__).resolve().parent / "fixtures" / "real_like"
# Set 5 and real_like arrived after sets 3 and 4 were fixed (first scores 0.86 and 0.86): a 公文 city
# speech, minutes with label lines, a township record, a transcript, Hong Kong 繁體, a wrapped web
# copy; and ten short web-page openings. Floors a little below what the tool reaches.
STYLES5_OVERALL_FLOORS = {("tasks", "f1"): 0.89, ("units", "f1"): 0.85, ("deadlines", "f1"): 0.86}
STYLES5_SPEECH_FLOORS = {
    "a_city_speech_gongwen": (0.97, 0.95, 0.95),
    "b_county_minutes": (0.97, 0.95, 0.95),
    "c_township_record": (0.97, 0.95, 0.92),
    "e_hk_traditional": (0.97, 0.82, 0.90),
    "f_web_copy_wrapped": (0.97, 0.97, 0.97),
}
REAL_LIKE_OVERALL_FLOORS = {("tasks", "f1"): 0.96, ("units", "f1"): 0.94, ("deadlines", "f1"): 0.95,
                            ("outline", "f1"): 0.97}
REAL_LIKE_SPEECH_FLOORS = {
    "a_mayor_city": (0.97, 0.97, 0.97),
    "c_zhailu_yishi": (0.97, 0.97, 0.97),
    "e_yifangmian": (0.97, 0.97, 0.97),
    "f_mid_paragraph": (0.97, 0.97, 0.97),
    "g_pdf_wrapped": (0.97, 0.97, 0.97),
    "h_traditional": (0.97, 0.97, 0.97),
}

# Set name -> (folder, overall floors, overall ceilings, sheet F1 floor, per-speech floors).
SETS = {
    "styles": (STYLES, OVERALL_FLOORS, OVERALL_CEILINGS, SHEET_F1_FLOOR, SPEECH_FLOORS),
    "styles2": (STYLES2, STYLES2_OVERALL_FLOORS, OVERALL_CEILINGS, STYLES2_SHEET_F1_FLOOR, STYLES2_SPEECH_FLOORS),
    "styles3": (STYLES3, STYLES3_OVERALL_FLOORS, OVERALL_CEILINGS, 0.96, STYLES3_SPEECH_FLOORS),
    "styles4": (STYLES4, STYLES4_OVERALL_FLOORS, OVERALL_CEILINGS, 0.90, STYLES4_SPEECH_FLOORS),
    "styles5": (STYLES5, STYLES5_OVERALL_FLOORS, {("non_task_leak_rate", "rate"): 0.15}, 0.87, STYLES5_SPEECH_FLOORS),
    "real_like": (REAL_LIKE, REAL_LIKE_OVERALL_FLOORS, OVERALL_CEILINGS, 0.96, REAL_LIKE_SPEECH_FLOORS),
}


@pytest.fixture(scope="module")
def scores(score_extraction):
    """Scores of one set by name, extracted and scored once per module."""
    cache: dict[str, dict] = {}

    def of(name: str) -> dict:
        if name not in cache:
            folder = SETS[name][0]
            cache[name] = score_extraction(folder / "speeches", folder / "gold")
        return cache[name]

    return of


def _cases(index):
    """One case per (set, key, bound) in column *index* of SETS, named like styles2/tasks/f1."""
    return [
        pytest.param(name, key, bound, id=f"{name}/{'/'.join(key) if isinstance(key, tuple) else key}")
        for name, spec in SETS.items()
        for key, bound in spec[index].items()
    ]


@pytest.mark.parametrize(("name", "metric", "floor"), _cases(1))
def test_overall_floor(scores, name, metric, floor):
    key, field = metric
    assert scores(name)["overall"][key][field] >= floor, scores(name)["overall"][key]


@pytest.mark.parametrize(("name", "metric", "ceiling"), _cases(2))
def test_overall_ceiling(scores, name, metric, ceiling):
    key, field = metric
    assert scores(name)["overall"][key][field] <= ceiling, scores(name)["overall"][key]


@pytest.mark.parametrize(("name", "stem", "floors"), _cases(4))
def test_speech_floor(scores, name, stem, floors):
    got = scores(name)["per_speech"][stem]
    for key, floor in zip(("tasks", "units", "deadlines"), floors):
        assert got[key]["f1"] >= floor, (key, got[key])


@pytest.mark.parametrize("name", list(SETS))
def test_sheet_f1(scores, name):
    assert scores(name)["summary"]["sheet_f1"] >= SETS[name][3]
    assert scores(name)["summary"]["missing_predictions"] == []


def test_docx_sheet_equals_txt_twin():
    """The .docx of set 2 is scored through its .txt twin: both must give the same sheet."""
    from speech_tasks.pipeline import extract_file

    docx = extract_file(STYLES2 / "docx" / "e_docx_circled.docx").model_dump(exclude={"source"})
    twin = extract_file(STYLES2 / "speeches" / "e_docx_circled.txt").model_dump(exclude={"source"})
    assert docx == twin
