"""Shared fixtures: the repo's sample speeches and, when present, the evaluation kit beside it."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from speech_tasks import rules

REPO = Path(__file__).resolve().parents[1]
SPEECHES = REPO / "speeches"
SHARED_EVAL = REPO.parent / "shared" / "eval"
SHIPPED_RULES = REPO / "rules"

# A two-section speech for command and batch tests: 2 tasks, a lead unit, a date, a named body.
MINI_SPEECH = (
    "今天召开全市安全生产工作会议。\n"
    "一、加强燃气安全管理\n"
    "一要开展燃气安全专项整治，市住建局牵头，年底前完成。\n"
    "二、强化道路交通安全\n"
    "市公安局要严查超速超载。\n"
)


@pytest.fixture(scope="session")
def sample_speeches() -> list[Path]:
    return sorted(SPEECHES.glob("*.txt"))


@pytest.fixture(scope="session")
def shared_eval() -> Path:
    if not (SHARED_EVAL / "score.py").is_file():
        pytest.skip("evaluation kit ../shared/eval not present (only in the developers' checkout)")
    return SHARED_EVAL


@pytest.fixture
def rules_copy(tmp_path):
    """A copy of the shipped rules folder, in use for the test: edit it to test rules handling."""
    target = tmp_path / "rules"
    shutil.copytree(SHIPPED_RULES, target)
    rules.use_directory(target)
    yield target
    rules.use_directory(None)


@pytest.fixture(scope="session")
def score_extraction(shared_eval, tmp_path_factory):
    """Extract every speech in a folder and score the sheets against a gold folder with score.py."""
    from speech_tasks.pipeline import extract_file

    def score(speeches: Path, gold: Path) -> dict:
        out = tmp_path_factory.mktemp("pred")
        for path in sorted(speeches.glob("*.txt")):
            (out / f"{path.stem}.json").write_text(extract_file(path).model_dump_json(), encoding="utf-8")
        result = subprocess.run(
            [sys.executable, str(shared_eval / "score.py"), "--gold", str(gold), "--speeches", str(speeches),
             "--pred", str(out), "--json"],
            capture_output=True, text=True, check=True,
        )
        return json.loads(result.stdout)

    return score
