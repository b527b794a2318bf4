"""Benchmark 3: cold start, `speech-tasks extract` on one speech as a whole new process.

    python benchmarks/bench_cold_start.py [SPEECH] [--runs N] [--format json]

Times the full command (interpreter start, imports, rules, extraction, writing) N times into a
fresh output folder each time (nothing cached) and prints the median and the range
(target ≤ 1.5 s). `speech-tasks --version` is timed too: the floor set by Python and the CLI.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("speech", nargs="?", type=Path, default=min((REPO / "speeches").glob("*.txt")))
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--format", default="json", help="output formats, as for extract --format (default: json)")
    args = parser.parse_args()
    exe = shutil.which("speech-tasks") or sys.exit("speech-tasks is not on PATH (activate the venv)")

    wall([exe, "--version"])  # warm the OS file cache before timing
    floor = statistics.median(wall([exe, "--version"]) for _ in range(args.runs))
    times = []
    for _ in range(args.runs + 1):
        with tempfile.TemporaryDirectory() as out:
            times.append(wall([exe, "extract", str(args.speech), "-o", out, "--format", args.format]))
    times = times[1:]  # the first run also fills the OS file cache
    print(f"command: speech-tasks extract {args.speech.name} -o TMP --format {args.format}")
    print(
        f"cold start: median {statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f}) "
        f"over {len(times)} runs, target ≤ 1.5 s; `speech-tasks --version` {floor:.2f} s"
    )


if __name__ == "__main__":
    main()
