"""`speech-tasks diff A B [-o DIR] [--format json,html,md]` and `speech-tasks diff --series A B C …`.

A, B … are speeches (.txt, .md, .docx: extracted first) or task sheets (.json, as written by
`speech-tasks extract`). A pair diff is written to DIR/<A stem>__<B stem>.<format>; a series to
DIR/series__<first stem>__<last stem>.<format>.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


class InputError(Exception):
    """An input cannot be used; the message names the file and the problem."""


FORMATS = ("json", "html", "md")


def _formats(value: str) -> list[str]:
    wanted = [f.strip().lower() for f in value.split(",") if f.strip()]
    bad = [f for f in wanted if f not in FORMATS]
    if bad or not wanted:
        raise argparse.ArgumentTypeError(f"unknown format {bad[0] if bad else value!r} (choose from {', '.join(FORMATS)})")
    return list(dict.fromkeys(wanted))


def _zero_to_one(value: str) -> float:
    try:
        x = float(value)
    except ValueError:
        x = -1.0
    if not 0 <= x <= 1:
        raise argparse.ArgumentTypeError(f"not a number between 0 and 1: {value!r}")
    return x


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="speeches or task sheets (.json), earlier first")
    parser.add_argument("--series", action="store_true",
                        help="follow directives over all the meetings (ordered by meeting date when every one has one)")
    parser.add_argument("-o", "--output", default="outputs", metavar="DIR", help="where to write (default: outputs/)")
    parser.add_argument("--format", type=_formats, default=["json", "html"], metavar="LIST",
                        help="comma-separated: json, html, md (default: json,html)")
    parser.add_argument("--backend", default="tfidf", choices=("tfidf", "transformers"),
                        help="text similarity: tfidf (default, no model) or transformers (needs --model)")
    parser.add_argument("--model", metavar="DIR", help="local Hugging Face model directory for --backend transformers")
    parser.add_argument("--pooling", metavar="MODE",
                        help="--backend transformers: cls, mean, max, mean_sqrt_len, weightedmean or lasttoken "
                             "(default: the model directory's 1_Pooling/config.json, else mean)")
    parser.add_argument("--device", default="cpu", metavar="DEV",
                        help="--backend transformers: cpu (default) or cuda, cuda:1 … when torch sees a GPU")
    parser.add_argument("--threshold", type=_zero_to_one, metavar="X",
                        help="similarity below which tasks are not the same directive (default: rules/diff.yaml, per backend)")


def load_sheet(path: Path):
    """The task sheet of *path*: read from a .json sheet, else extracted from the speech."""
    if path.is_dir():
        raise InputError(f"{path}: is a folder (give a speech or a task sheet)")
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if path.suffix.lower() == ".json":
        from ..export import SheetError, read_sheet

        try:
            return read_sheet(path)
        except SheetError as e:
            raise InputError(str(e)) from None
    from ..ingest import IngestError
    from ..pipeline import extract_file

    try:
        return extract_file(path)
    except IngestError as e:
        raise InputError(f"{path}: {e}") from None
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror or e})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a text file in a known encoding") from None


def _write(out: Path, stem: str, formats: list[str], data: dict, html, md) -> list[Path]:
    from ..fsutil import write_atomic

    written = []
    for fmt in formats:
        target = out / f"{stem}.{fmt}"
        if fmt == "json":
            text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        else:
            text = html(data) if fmt == "html" else md(data)
        write_atomic(target, text)
        written.append(target)
    return written


def run(args: argparse.Namespace) -> int:
    from . import report
    from .config import load as load_rules
    from .similarity import BackendError, make_backend

    paths = [Path(p) for p in args.paths]
    if not args.series and len(paths) != 2:
        print(f"speech-tasks diff: give exactly two meetings (got {len(paths)}), or --series for more", file=sys.stderr)
        return 2
    if args.series and len(paths) < 2:
        print("speech-tasks diff: --series needs at least two meetings", file=sys.stderr)
        return 2
    try:
        rules = load_rules()
        if args.threshold is not None:
            rules = rules.model_copy(update={"threshold": {**rules.threshold, args.backend: args.threshold}})
        backend = make_backend(args.backend, args.model, rules, pooling=args.pooling, device=args.device)
        named = [(p.name, load_sheet(p)) for p in paths]
    except (InputError, BackendError) as e:
        print(f"speech-tasks: {e}", file=sys.stderr)
        return 1
    out = Path(args.output)
    if args.series:
        from .series import build_series, series_json

        s = build_series(named, backend, rules)
        data = series_json(s)
        stem = f"series__{Path(s.names[0]).stem}__{Path(s.names[-1]).stem}"
        written = _write(out, stem, args.format, data, report.series_html, report.series_markdown)
        order = "by meeting date" if s.ordered_by == "date" else "in the order given"
        print(f"{len(s.names)} meetings ({order}): {len(s.chains)} directives raised more than once → "
              + ", ".join(str(w) for w in written))
        return 0
    from .core import diff_sheets

    (a_name, a), (b_name, b) = named
    d = diff_sheets(a, b, backend, rules)
    data = report.diff_json(d, a_name, b_name)
    written = _write(out, f"{Path(a_name).stem}__{Path(b_name).stem}", args.format, data,
                     report.diff_html, report.diff_markdown)
    c = d.counts()
    print(f"{a_name} → {b_name}: {c['pairs']} carried over ({c['same']} same, {c['changed']} changed; "
          f"{c['split']} split, {c['merged']} merged), {c['added']} new, {c['dropped']} dropped → "
          + ", ".join(str(w) for w in written))
    return 0
