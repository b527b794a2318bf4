"""Style generalisation: six hand-annotated speeches in numbering styles, encodings and layouts the
dev set does not have, scored with ../shared/eval/score.py.

tests/fixtures/styles/speeches holds the speeches and tests/fixtures/styles/gold their gold sheets
(annotated by ../shared/eval/GUIDELINE.md, not from our output):
  a  （一） top level, 1. items with （1） sub-items, a 1./2./3. problem list
  b  第一， inline heading paragraphs, 一是 items, an 一是/二是 problem list
  c  一、 top level, （一） heading lines, ① items, 由…牵头、…配合 domain blocks;
     hard-wrapped at ~34 characters with CRLF and a page footer, as pulled from a PDF
  d  no numbered sections: 一要 paragraphs on top, 首先/其次/最后 inside, an agenda preamble
  e  任务分解 style: 牵头单位/配合单位/完成时限 lines, explicit dates, numbering running on
     across sections; GBK bytes with full-width indents
  f  county speech: 一方面/另一方面, “X方面，” domain blocks, stand-alone directives, closing
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


@pytest.fixture(scope="module")
def scores(score_extraction):
    return score_extraction(STYLES / "speeches", STYLES / "gold")


def _label(metric):
    return "/".join(metric) if isinstance(metric, tuple) else str(metric)


@pytest.mark.parametrize(("metric", "floor"), list(OVERALL_FLOORS.items()), ids=_label)
def test_overall_floor(scores, metric, floor):
    key, field = metric
    assert scores["overall"][key][field] >= floor, scores["overall"][key]


@pytest.mark.parametrize(("metric", "ceiling"), list(OVERALL_CEILINGS.items()), ids=_label)
def test_overall_ceiling(scores, metric, ceiling):
    key, field = metric
    assert scores["overall"][key][field] <= ceiling, scores["overall"][key]


@pytest.mark.parametrize(("stem", "floors"), list(SPEECH_FLOORS.items()), ids=list(SPEECH_FLOORS))
def test_speech_floor(scores, stem, floors):
    got = scores["per_speech"][stem]
    for key, floor in zip(("tasks", "units", "deadlines"), floors):
        assert got[key]["f1"] >= floor, (key, got[key])


def test_sheet_f1(scores):
    assert scores["summary"]["sheet_f1"] >= SHEET_F1_FLOOR
    assert scores["summary"]["missing_predictions"] == []

