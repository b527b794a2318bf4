"""Run the diff over the dev pairs of shared/eval/diff and score it with score_diff.py."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from speech_tasks.diff import diff_sheets
from speech_tasks.diff.report import diff_json

from .gold_sheets import DIFF_DIR, dev_pairs, load_gold_sheet

SCORER = DIFF_DIR.parent / "score_diff.py"


def sheets(stem: str, source: str):
    if source == "gold":
        return load_gold_sheet(stem)
    from speech_tasks.pipeline import extract_file

    return extract_file(DIFF_DIR / "speeches" / f"{stem}.txt")


def predict(out: Path, source: str = "extract", backend=None, rules=None) -> None:
    """Write <out>/<a stem>__<b stem>.json for every dev pair."""
    for p in dev_pairs():
        sa, sb = Path(p["a"]).stem, Path(p["b"]).stem
        d = diff_sheets(sheets(sa, source), sheets(sb, source), backend=backend, rules=rules)
        (out / f"{sa}__{sb}.json").write_text(json.dumps(diff_json(d, p["a"], p["b"]), ensure_ascii=False))


def score(pred: Path, explain: bool = False) -> dict:
    args = [sys.executable, str(SCORER), "--dir", str(DIFF_DIR), "--pred", str(pred), "--json"]
    out = json.loads(subprocess.run(args + (["--explain"] if explain else []), capture_output=True, text=True, check=True).stdout)
    return out


if __name__ == "__main__":
    import tempfile

    source = sys.argv[1] if len(sys.argv) > 1 else "extract"
    with tempfile.TemporaryDirectory() as tmp:
        predict(Path(tmp), source)
        res = score(Path(tmp), explain=True)
        for n in res["notes"]:
            print(n)
        print(json.dumps(res["overall"]))
