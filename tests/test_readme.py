"""The README's "Use it from Python" example runs and prints what the README says it prints."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def section(title: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start: end if end != -1 else len(text)]


def test_python_example_prints_what_the_readme_shows():
    blocks = re.findall(r"```(\w+)\n(.*?)```", section("Use it from Python"), re.S)
    assert [lang for lang, _ in blocks[:2]] == ["python", "text"]
    (_, code), (_, shown) = blocks[:2]
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().splitlines() == shown.strip().splitlines()
