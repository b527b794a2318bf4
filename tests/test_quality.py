"""Dev-set quality: extract the five sample speeches and score them with ../shared/eval/score.py.

Skips cleanly in a checkout without ../shared (users who clone the repo alone).
"""
from __future__ import annotations

import pytest

FLOORS = {
    # issue 2: structure
    ("tasks", "f1"): 0.95,
    ("tree_acc", "rate"): 0.95,
    ("outline", "f1"): 0.95,
    ("outline_title_acc", "rate"): 0.9,
    # issue 3: who, by when, which domain
    ("units", "f1"): 0.92,
    ("units_specific", "f1"): 0.92,
    ("unit_role_acc", "rate"): 0.95,
    ("deadlines", "f1"): 0.90,
    ("deadline_kind_acc", "rate"): 0.9,
    ("sectors", "f1"): 0.85,
}
CEILINGS = {("non_task_leak_rate", "rate"): 0.05}


@pytest.fixture(scope="module")
def scores(shared_eval, score_extraction):
    return score_extraction(shared_eval.parent / "speeches", shared_eval / "gold")


@pytest.mark.parametrize(("metric", "floor"), list(FLOORS.items()), ids=lambda x: "/".join(x) if isinstance(x, tuple) else str(x))
def test_floor(scores, metric, floor):
    key, field = metric
    assert scores["overall"][key][field] >= floor, scores["overall"][key]


@pytest.mark.parametrize(("metric", "ceiling"), list(CEILINGS.items()), ids=lambda x: "/".join(x) if isinstance(x, tuple) else str(x))
def test_ceiling(scores, metric, ceiling):
    key, field = metric
    assert scores["overall"][key][field] <= ceiling, scores["overall"][key]


def test_sheet_f1(scores):
    assert scores["summary"]["sheet_f1"] >= 0.93
    assert scores["summary"]["missing_predictions"] == []
