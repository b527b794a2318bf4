"""The dev pairs of shared/eval/diff, scored by score_diff.py (skipped when shared/ is absent)."""
from __future__ import annotations

import pytest
from .gold_sheets import DIFF_DIR

pytestmark = pytest.mark.skipif(not (DIFF_DIR / "pairs").is_dir(), reason="needs ../shared/eval/diff")


@pytest.mark.parametrize("source", ["extract", "gold"])
def test_dev_pairs_meet_the_targets(tmp_path, source):
    """With our own extraction (and on the gold sheets): diff_f1 ≥ 0.95, pairs F1 ≥ 0.95, status_acc ≥ 0.90."""
    from .dev_eval import predict, score

    predict(tmp_path, source)
    overall = score(tmp_path)["overall"]
    assert overall["diff_f1"] >= 0.95, overall
    assert overall["pairs"]["f1"] >= 0.95, overall
    assert overall["status_acc"] >= 0.90, overall
