"""Shared fixtures: the repo's sample speeches and, when present, the evaluation kit beside it."""
from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SPEECHES = REPO / "speeches"
SHARED_EVAL = REPO.parent / "shared" / "eval"


@pytest.fixture(scope="session")
def sample_speeches() -> list[Path]:
    return sorted(SPEECHES.glob("*.txt"))


@pytest.fixture(scope="session")
def shared_eval() -> Path:
    if not (SHARED_EVAL / "score.py").is_file():
        pytest.skip("evaluation kit ../shared/eval not present (only in the developers' checkout)")
    return SHARED_EVAL
