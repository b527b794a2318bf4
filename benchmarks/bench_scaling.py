"""Benchmark: extraction time per character from 10 KB to 10 MB (every stage must be linear).

    python benchmarks/bench_scaling.py [--sizes 10e3,100e3,1e6,10e6] [--kinds sectioned,flat,yiyao] [--stages]

Builds speeches of each size from the sample speeches in `speeches/` and times ingest plus
every stage plus the sheet, in process, once per size (rules loaded beforehand). Kinds:

- ``sectioned``: twenty sections (一、 … 二十、), each filled with the paragraphs of the sample
  speeches (headings and closing remarks left out) repeated to a twentieth of the size;
- ``flat``: the same paragraphs with no section at all, so the whole speech is one region (the
  unsectioned case, where a quadratic loop hurts most);
- ``yiyao``: the marker ``一要`` repeated with nothing else (one long line of items).

Prints wall seconds, CPU seconds and CPU µs per character for each size and kind (CPU time,
as a shared machine's load makes wall time noisy); flat means linear. ``--stages`` adds the time of
each stage. ``--peak`` reports the peak RSS of the whole run (run one size per process for a
per-size figure).
"""
from __future__ import annotations

import argparse
import re
import resource
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
_HEADING = re.compile(r"^[一二三四五六七八九十]+、[^\n]*\n", re.M)


def _paragraphs() -> list[str]:
    """The paragraphs of the sample speeches, without section headings and closing remarks."""
    from speech_tasks import structure

    c = structure.compiled()
    out = []
    for path in sorted((REPO / "speeches").glob("*.txt")):
        for para in _HEADING.sub("", path.read_text(encoding="utf-8-sig")).splitlines():
            para = para.strip(" \t\u3000\xa0")
            if para and not (c.closing_starts.match(para) or c.closing_contains.search(para)):
                out.append(para)
    return out


def build(kind: str, size: int) -> str:
    if kind == "yiyao":
        return "一要" * (size // 2)
    body = "\n".join(_paragraphs()) + "\n"
    if kind == "flat":
        return (body * (size // len(body) + 1))[:size]
    sections = max(2, min(20, size // 20000))  # 一、 二、 …, each filled alike
    per = size // sections
    text = "".join(
        f"{_numeral(k)}、第{k}部分工作\n" + (body * (per // len(body) + 1))[:per].rsplit("\n", 1)[0] + "\n"
        for k in range(1, sections + 1)
    )
    return text[:size]


def _numeral(k: int) -> str:
    digits = "一二三四五六七八九"
    tens, ones = divmod(k, 10)
    return ("" if tens == 0 else ("十" if tens == 1 else digits[tens - 1] + "十")) + (digits[ones - 1] if ones else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10e3,100e3,1e6,10e6")
    parser.add_argument("--kinds", default="sectioned,flat,yiyao")
    parser.add_argument("--stages", action="store_true", help="time each stage as well")
    parser.add_argument("--peak", action="store_true", help="print the peak RSS of this process")
    args = parser.parse_args()
    sizes = [int(float(s)) for s in args.sizes.split(",")]

    from speech_tasks import pipeline
    from speech_tasks.ingest import from_text
    from speech_tasks.sheet import build_sheet

    pipeline.extract_text(build("sectioned", 5000))  # warm up: rules, regexes
    stages = pipeline.stage_names()
    print(f"{'kind':<10} {'chars':>10} {'wall s':>8} {'CPU s':>8} {'µs/char':>8}  " + (" ".join(f"{s:>9}" for s in ["ingest", *stages, "sheet"]) if args.stages else ""))
    for kind in args.kinds.split(","):
        for size in sizes:
            text = build(kind, size)
            parts = {}
            w0, t0 = time.perf_counter(), time.process_time()
            doc = from_text(text, name=f"{kind}.txt")
            parts["ingest"] = time.process_time() - t0
            for name in stages:
                t = time.process_time()
                pipeline.get_stage(name)(doc)
                parts[name] = time.process_time() - t
            t = time.process_time()
            sheet = build_sheet(doc)
            parts["sheet"] = time.process_time() - t
            total, wall = time.process_time() - t0, time.perf_counter() - w0
            line = f"{kind:<10} {len(text):>10} {wall:>8.2f} {total:>8.2f} {total / len(text) * 1e6:>8.2f}"
            if args.stages:
                line += "  " + " ".join(f"{parts[s]:>8.2f}s" for s in ["ingest", *stages, "sheet"])
            print(line + f"  ({len(sheet.tasks)} tasks)", flush=True)
            del doc, sheet, text
    if args.peak:
        print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
