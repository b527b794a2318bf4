"""Benchmark 2: an archive of generated speeches, cold batch then warm (incremental) rerun.

    python benchmarks/bench_archive.py [--count 10000] [--jobs 2] [--keep DIR]

Generates COUNT speeches from the samples in speeches/ (paragraphs shuffled within their
section, unit names swapped, meeting dates put in file names or in the text), then times
``speech-tasks extract ARCHIVE -o OUT --jobs N`` at the default formats (json, xlsx, html)
twice: cold (empty OUT) and warm (nothing changed: every speech skipped); then, as a second
line, cold with ``--format json`` only. Prints wall time, files/s, peak memory (RSS of
the largest process, and PSS of the whole process tree sampled every 0.5 s) and CPU seconds of
all processes, which tells what the wall time would be on idle cores when the machine is shared.
Targets for 10,000 speeches on 2 cores: cold ≤ 60 s, warm ≤ 5 s, peak RSS ≤ 400 MB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE_EVERY = 0.5  # seconds between two memory samples of the process tree
HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|第[一二三四五六七八九十]+[，,、])")
# bodies swapped among themselves, so units vary across the archive
UNITS = [
    "公安",
    "交通运输",
    "住建",
    "应急管理",
    "消防救援",
    "市场监管",
    "教育",
    "文旅",
    "自然资源",
    "农业农村",
    "水利",
    "城管",
]
UNIT_RE = re.compile("|".join(sorted(UNITS, key=len, reverse=True)))


def vary(text: str, rng: random.Random) -> str:
    """The sample with paragraphs shuffled inside each section and unit names swapped."""
    blocks: list[list[str]] = [[]]
    for line in text.split("\n"):
        if HEADING.match(line):
            blocks.append([line])
        else:
            blocks[-1].append(line)
    out = blocks[0]
    for block in blocks[1:]:
        body = block[1:]
        rng.shuffle(body)
        out += [block[0], *body]
    swap = dict(zip(UNITS, rng.sample(UNITS, len(UNITS))))
    return UNIT_RE.sub(lambda m: swap[m.group()], "\n".join(out))


def generate(folder: Path, count: int, seed: int = 5) -> int:
    """Write *count* speeches into *folder*; total characters written."""
    rng = random.Random(seed)
    samples = [p.read_text(encoding="utf-8") for p in sorted((REPO / "speeches").glob("*.txt"))]
    folder.mkdir(parents=True, exist_ok=True)
    chars = 0
    for i in range(count):
        date = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(5 * 365))
        text = vary(samples[i % len(samples)], rng)
        style = i % 4
        if style == 0:
            name = f"{date:%Y-%m-%d}_安全生产会议讲话_{i:05d}.txt"
        elif style == 1:
            name = f"{date:%Y%m%d}会议讲话{i:05d}.txt"
        else:
            name = f"speech_{i:05d}.txt"
            if style == 2:
                text = f"（{date.year}年{date.month}月{date.day}日）\n{text}"
        sub = folder / f"batch{i // 1000:02d}"
        sub.mkdir(exist_ok=True)
        (sub / name).write_text(text, encoding="utf-8")
        chars += len(text)
    return chars


def tree_pss_kb(pid: int) -> int:
    """Memory of *pid* and its descendants (Linux /proc), in kB: the sum of their proportional
    set sizes, so pages that forked workers share with their parent are counted once."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [p for p, pp in parents.items() if pp == parent and p not in tree]
        tree.update(children)
        frontier += children
    total = 0
    for p in tree:
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("Pss:"))
        except (OSError, StopIteration):
            continue
    return total


def timed(cmd: list[str]) -> tuple[float, float, int, str]:
    """Wall seconds, CPU seconds (all processes), peak memory of the tree (kB) and the totals line."""
    peak = [0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    done = threading.Event()

    def sample() -> None:
        # not more often: reading smaps_rollup contends with the workers' page faults for their
        # memory map lock, and sampling every 20 ms made a 35 s run take 60 s
        while not done.wait(SAMPLE_EVERY):
            peak[0] = max(peak[0], tree_pss_kb(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    done.set()
    sampler.join()
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} exited {proc.returncode}:\n{err[-2000:]}")
    lines = [line for line in out.splitlines() if " speeches: " in line]
    return wall, cpu, peak[0], (lines[-1] if lines else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="generate into (and keep) this folder instead of a temporary one")
    parser.add_argument("--rules", type=Path, help="rules folder to use (e.g. a frozen copy while others edit rules/)")
    parser.add_argument(
        "--no-summary", action="store_true", help="skip the corpus summary (built by default, as for users)"
    )
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="speech-archive-"))
    archive, out = work / "archive", work / "out"
    shutil.rmtree(out, ignore_errors=True)
    if not archive.is_dir() or sum(1 for _ in archive.rglob("*.txt")) != args.count:
        shutil.rmtree(archive, ignore_errors=True)
        start = time.perf_counter()
        chars = generate(archive, args.count)
        print(
            f"generated {args.count} speeches, {chars / args.count:,.0f} chars on average, "
            f"in {time.perf_counter() - start:.1f} s"
        )
    exe = shutil.which("speech-tasks") or sys.exit("speech-tasks is not on PATH (activate the venv)")
    cmd = [
        exe,
        *(["--rules", str(args.rules)] if args.rules else []),
        "extract",
        str(archive),
        "-o",
        str(out),
        "--jobs",
        str(args.jobs),
        "-q",
    ]
    if args.no_summary:
        cmd.append("--no-summary")
    print("command:", " ".join(cmd))
    print(
        f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, {os.uname().sysname} {os.uname().machine}"
    )
    runs = [("default formats, cold", cmd, True), ("default formats, warm", cmd, False),
            ("--format json, cold", [*cmd, "--format", "json"], True)]
    for label, run, cold in runs:
        if cold:
            shutil.rmtree(out, ignore_errors=True)
        os.sync()  # the previous run's writes and deletions reach the disk before this run is timed
        wall, cpu, peak_kb, line = timed(run)
        largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # so far, over both runs
        print(
            f"{label}: {wall:.1f} s wall, {cpu:.1f} s CPU, {args.count / wall:,.0f} speeches/s; peak RSS "
            f"{largest / 1024:.0f} MB largest process, {peak_kb / 1024:.0f} MB all processes (PSS)  [{line}]"
        )
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
