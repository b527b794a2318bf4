"""`speech-tasks extract PATH… [-o DIR] [--date YYYY-MM-DD]`: speeches → task sheets."""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

SUFFIXES = (".txt", ".md", ".docx")


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="speech files or folders")
    parser.add_argument("-o", "--output", default="outputs", metavar="DIR", help="where to write (default: outputs/)")
    parser.add_argument("--date", type=_date, help="meeting date, anchors due dates (default: from the text)")


def collect(paths: list[str]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Speech files under *paths* (folders recurse), and paths that could not be used."""
    files: list[Path] = []
    bad: list[tuple[Path, str]] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES))
        elif p.is_file():
            files.append(p)
        else:
            bad.append((p, "no such file or folder"))
    return files, bad


def run(args: argparse.Namespace) -> int:
    from .fsutil import write_atomic
    from .ingest import IngestError, read_file
    from .pipeline import extract_doc

    files, bad = collect(args.paths)
    out = Path(args.output)
    for f in files:
        try:
            sheet = extract_doc(read_file(f), args.date)
        except IngestError as e:
            bad.append((f, str(e)))
            continue
        write_atomic(out / f"{f.stem}.json", sheet.model_dump_json(indent=2) + "\n")
        warn = f", {len(sheet.warnings)} warnings" if sheet.warnings else ""
        print(f"{f}: {len(sheet.tasks)} tasks in {len(sheet.outline)} sections{warn} → {out / (f.stem + '.json')}")
    for f, why in bad:
        print(f"speech-tasks: {f}: {why}", file=sys.stderr)
    return 1 if bad else 0
