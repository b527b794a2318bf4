"""The fuzz test of tests/test_fuzz.py, run longer: any text through ingest, every stage and every writer.

    python benchmarks/fuzz.py [--examples 10000]

CI runs 300 examples; this runs as many as asked (hypothesis keeps failing examples in
.hypothesis/ so a rerun starts with them) and prints the time taken.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=10000)
    args = parser.parse_args()
    env = dict(os.environ, SPEECH_TASKS_FUZZ_EXAMPLES=str(args.examples))
    start = time.monotonic()
    code = subprocess.call([sys.executable, "-m", "pytest", "-q", "tests/test_fuzz.py"], cwd=REPO, env=env)
    print(f"{args.examples} examples in {time.monotonic() - start:.0f} s: {'passed' if code == 0 else 'FAILED'}")
    return code


if __name__ == "__main__":
    sys.exit(main())
