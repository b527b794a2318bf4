"""The look-alike-trap pair of tests/fixtures/diff_traps, diffed and scored by score_diff.py.

The follow-up meeting carries earlier directives over reworded, re-assigned, re-timed, split,
merged, moved to other sections and under new headings, beside new directives that share a dropped
one's domain heading (消防安全, 道路交通, 城镇燃气) and body but not its object or action. The
fixture is validated by shared/eval/diff/check_pairs.py. Floors sit just below what the tool
reaches now (figures in the comments); raise them as the diff improves. Skipped without ../shared.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .gold_sheets import SHARED, load_gold_sheet

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "diff_traps"
SCORER = SHARED / "eval" / "score_diff.py"

pytestmark = pytest.mark.skipif(not SCORER.is_file(), reason="needs ../shared/eval/score_diff.py")


def _pair() -> dict:
    return json.loads((FIXTURE / "pairs" / "traps_a__traps_b.json").read_text(encoding="utf-8"))


def _predict_extract(out: Path) -> None:
    """What a user runs: `speech-tasks diff A B -o OUT --format json` on the two speeches."""
    from speech_tasks.cli import main

    p = _pair()
    rc = main(["diff", str(FIXTURE / "speeches" / p["a"]), str(FIXTURE / "speeches" / p["b"]),
               "-o", str(out), "--format", "json"])
    assert rc == 0


def _predict_gold(out: Path) -> None:
    """The alignment alone: the diff of the two hand-made gold sheets."""
    from speech_tasks.diff import diff_sheets
    from speech_tasks.diff.report import diff_json

    p = _pair()
    sa, sb = Path(p["a"]).stem, Path(p["b"]).stem
    d = diff_sheets(load_gold_sheet(sa, FIXTURE), load_gold_sheet(sb, FIXTURE))
    (out / f"{sa}__{sb}.json").write_text(json.dumps(diff_json(d, p["a"], p["b"]), ensure_ascii=False), encoding="utf-8")


def _score(pred: Path) -> dict:
    args = [sys.executable, str(SCORER), "--dir", str(FIXTURE), "--pred", str(pred), "--json"]
    return json.loads(subprocess.run(args, capture_output=True, text=True, check=True).stdout)["overall"]


@pytest.mark.parametrize(("predict", "floors"), [
    # now: diff_f1 0.915, pairs 0.966, added 0.923, dropped 0.857, status_acc 1.0
    (_predict_extract, {"diff_f1": 0.88, "pairs": 0.93, "added": 0.88, "dropped": 0.80, "status_acc": 0.95}),
    # now: 1.0 on every figure
    (_predict_gold, {"diff_f1": 0.97, "pairs": 0.97, "added": 0.97, "dropped": 0.97, "status_acc": 0.97}),
], ids=["extract", "gold"])
def test_trap_pair_stays_above_its_floors(tmp_path, predict, floors):
    """Look-alike new directives, moved and re-headed carry-overs, splits and merges: F1 floors per figure."""
    predict(tmp_path)
    overall = _score(tmp_path)
    got = {k: overall[k]["f1"] if isinstance(overall[k], dict) else overall[k] for k in floors}
    assert all(got[k] >= floors[k] for k in floors), (got, floors)
