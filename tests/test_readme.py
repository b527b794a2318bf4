"""The README's Python examples run and print what the README says they print."""
from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def section(title: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start: end if end != -1 else len(text)]


@pytest.mark.parametrize(
    "title, needs",
    [("Use it from Python", None), ("In a spaCy pipeline", "spacy")],
)
def test_example_prints_what_the_readme_shows(title, needs):
    if needs and importlib.util.find_spec(needs) is None:
        pytest.skip(f"{needs} not installed (the [{needs}] extra)")
    blocks = re.findall(r"```(\w+)\n(.*?)```", section(title), re.S)
    assert [lang for lang, _ in blocks[:2]] == ["python", "text"]
    (_, code), (_, shown) = blocks[:2]
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().splitlines() == shown.strip().splitlines()
