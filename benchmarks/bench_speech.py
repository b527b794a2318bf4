"""Benchmark 1: extraction time per speech against jieba.lcut on the same text.

    python benchmarks/bench_speech.py [SPEECH…] [--runs N]

Prints, per speech, the median over N runs of the whole extraction (ingest from text, every
stage, building the sheet) and of jieba.lcut, their ratio (target ≤ 1.0), and where the time
goes stage by stage. Rules and dictionaries are loaded before timing (a warm process, as in
a batch worker).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def paired_ms(ours, theirs, runs: int) -> tuple[float, float]:
    """Medians of *ours* and *theirs*, run alternately so that load on the machine hits both alike."""
    a, b = [], []
    for _ in range(runs):
        a.append(median_ms(ours, 1))
        b.append(median_ms(theirs, 1))
    return statistics.median(a), statistics.median(b)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("speeches", nargs="*", type=Path, help="default: the speeches/ folder of the repo")
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    paths = args.speeches or sorted((REPO / "speeches").glob("*.txt"))

    import jieba

    from speech_tasks import pipeline
    from speech_tasks.ingest import from_text
    from speech_tasks.sheet import build_sheet

    jieba.setLogLevel(60)
    jieba.initialize()
    stages = pipeline.stage_names()
    texts = {p.name: p.read_text(encoding="utf-8") for p in paths}
    for text in texts.values():  # warm up: rules, regexes, dictionaries
        pipeline.extract_text(text)
        jieba.lcut(text)

    header = f"{'speech':<28} {'chars':>6} {'extract':>9} {'jieba':>8} {'ratio':>6}   " + " ".join(
        f"{s:>9}" for s in [*stages, "sheet", "json"]
    )
    print(header)
    ratios, totals = [], {s: 0.0 for s in [*stages, "sheet", "json"]}
    for name, text in texts.items():
        ours, theirs = paired_ms(lambda: pipeline.extract_text(text, name=name), lambda: jieba.lcut(text), args.runs)
        ratios.append(ours / theirs)
        parts = {}
        for stage in stages:
            run = pipeline.get_stage(stage)

            def staged(stage=stage, run=run):
                doc = from_text(text, name=name)
                for earlier in stages[: stages.index(stage)]:
                    pipeline.get_stage(earlier)(doc)
                start = time.perf_counter()
                run(doc)
                return time.perf_counter() - start

            parts[stage] = statistics.median(staged() for _ in range(max(3, args.runs // 3))) * 1000
        doc = pipeline.run(from_text(text, name=name))
        parts["sheet"] = median_ms(lambda: build_sheet(doc), args.runs)
        sheet = build_sheet(doc)
        parts["json"] = median_ms(lambda: sheet.model_dump_json(indent=2), args.runs)
        for k, v in parts.items():
            totals[k] += v
        print(
            f"{name:<28} {len(text):>6} {ours:>7.2f}ms {theirs:>6.2f}ms {ours / theirs:>5.2f}x   "
            + " ".join(f"{parts[s]:>7.2f}ms" for s in totals)
        )
    print(
        f"median ratio {statistics.median(ratios):.2f}x (max {max(ratios):.2f}x, target ≤ 1.0x); "
        "stage share: "
        + ", ".join(f"{s} {v / sum(totals.values()):.0%}" for s, v in sorted(totals.items(), key=lambda kv: -kv[1]))
    )


if __name__ == "__main__":
    main()
