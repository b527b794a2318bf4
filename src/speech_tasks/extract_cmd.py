"""`speech-tasks extract PATH…`: speeches (files or folders) → task sheets, in parallel, incrementally."""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import time
from collections import Counter
from pathlib import Path

from .cli import iso_date

# Files in a folder that are obviously not speeches, left out without a complaint (counted in
# one note line): our own outputs and what else lives in an office's folders. Any other type
# that cannot be read is reported as failed.
NOT_SPEECH = frozenset(
    ".json .xlsx .xls .xlsm .et .ods .csv .tsv .html .htm .css .js .svg .sqlite .sqlite-wal "
    ".sqlite-shm .db .ppt .pptx .dps .odp .png .jpg .jpeg .gif .bmp .tif .tiff .webp .heic .emf "
    ".wmf .ico .mp3 .wav .m4a .aac .amr .wma .mp4 .avi .mov .wmv .mkv .flv .zip .rar .7z .gz .tar "
    ".bz2 .xz .exe .dll .lnk .ini .log .tmp .bak .xml .yaml .yml .py thumbs.db desktop.ini".split()
)
PLAIN_PROGRESS_EVERY = 5.0  # seconds between progress lines when stdout is not a terminal

EPILOG = """\
Inputs: .txt, .md, .docx, .pdf (with a text layer), and .doc, .wps, .rtf, .odt when
LibreOffice is installed. Folders are searched recursively; hidden files, Word lock files ~$…,
DIR itself and files that are obviously not speeches (spreadsheets, presentations, images,
audio, video, archives, .json/.html/.csv outputs) are left out; a file of any other type is
reported as failed.

Outputs: DIR/<stem>.json for every speech (always), plus the other --format files. A speech
inside a folder PATH goes to the same sub-folder of DIR (PATH/a/b.txt → DIR/a/b.json). When
stems clash in one folder (b.docx and b.pdf), the outputs keep the extension (b.docx.json,
b.pdf.json); the same name from two folders given (x/b.txt, y/b.txt) goes to DIR/x/, DIR/y/.

Incremental: DIR/.speech-tasks-cache.json remembers what was extracted; a speech whose bytes,
rules, tool version (and code), --format and --date are unchanged, and whose outputs are all
still there, is skipped. --force redoes everything.

Summary: when more than one speech is processed, DIR/summary.xlsx and DIR/summary.html give
the corpus view (tasks per meeting in date order, per unit and role, sectors per meeting,
deadlines by month, directives that recur across meetings, with plots). --summary writes them
even for one speech, --no-summary never.

Progress: a bar with files/s and ETA on a terminal; otherwise one line per speech on stdout and
a progress line on stderr every few seconds.

Limits: a speech over --max-size fails with one line; one over --timeout is stopped and its
worker replaced, as is a worker that dies (out of memory); the other speeches finish. Each
speech's outputs are replaced together or not at all.

Exit status: 0 when every speech was extracted (or unchanged), 1 when any failed; the failed
ones are listed at the end with the reason. 2: bad rules or options."""


def _checked(convert, accept, what: str):
    """An argparse type: *value* converted, refused with "not WHAT" unless *accept* holds."""

    def parse(value: str):
        try:
            n = convert(value)
        except ValueError:
            n = None
        if n is None or not accept(n):
            raise argparse.ArgumentTypeError(f"not {what}: {value!r}")
        return n

    return parse


_jobs = _checked(int, lambda n: n >= 1, "a positive number of processes")
_seconds = _checked(float, lambda n: n >= 0, "a number of seconds")
_megabytes = _checked(float, lambda n: n > 0, "a positive size in MB")


def _format_list(value: str) -> tuple[str, ...]:
    from .export import check_formats

    try:
        return tuple(check_formats([f for f in value.split(",") if f.strip()] or [value]))
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    cores = _cores()
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EPILOG
    parser.add_argument("paths", nargs="+", metavar="PATH", help="speech files or folders (searched recursively)")
    parser.add_argument("-o", "--output", default="outputs", metavar="DIR", help="where to write (default: outputs/)")
    parser.add_argument(
        "--date",
        type=iso_date,
        help="meeting date for every speech; anchors due dates and orders the summary "
        "(default: from the text, else the file name: 2023-10-12_… or 20231012…)",
    )
    parser.add_argument(
        "--format",
        type=_format_list,
        metavar="LIST",
        help="comma-separated output formats: json,xlsx,docx,csv,md,html "
        "(default: json,xlsx,html; json is always written)",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=_jobs,
        default=cores,
        metavar="N",
        help=f"worker processes (default: all cores, {cores})",
    )
    summary = parser.add_mutually_exclusive_group()
    summary.add_argument(
        "--summary",
        dest="summary",
        action="store_true",
        default=None,
        help="write summary.xlsx/html even for one speech",
    )
    summary.add_argument("--no-summary", dest="summary", action="store_false", help="do not write the corpus summary")
    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=60.0,
        metavar="SECONDS",
        help="time limit per speech; a speech over it fails alone and its worker is replaced (default: 60; 0: none)",
    )
    parser.add_argument(
        "--max-size",
        type=_megabytes,
        default=20.0,
        metavar="MB",
        help="largest speech, in MB of text (default: 20); a larger file fails with one line",
    )
    parser.add_argument("--force", action="store_true", help="re-extract every speech, ignoring the cache")
    parser.add_argument("-q", "--quiet", action="store_true", help="no line per speech; only totals and failures")


def collect(paths: list[str], out_root: Path):
    """Speeches under *paths* with their output folders and names, the paths that cannot be used
    (files of a type that cannot be read among them), and a count by suffix of the files left out
    as not speeches (:data:`NOT_SPEECH`)."""
    from .batch import Speech
    from .ingest import SUFFIXES, unsupported

    found: list[tuple[Path, Path, os.stat_result]] = []
    bad: list[tuple[Path, str]] = []
    ignored: Counter[str] = Counter()
    seen: set[str] = set()
    visited: set[tuple[int, int]] = set()  # folders by inode: no symlink loops, DIR itself left out
    try:
        st = out_root.stat()
        visited.add((st.st_dev, st.st_ino))
    except OSError:
        pass

    def add(path: Path, out_dir: Path, st: os.stat_result) -> None:
        key = os.path.abspath(path)
        if key not in seen:
            seen.add(key)
            found.append((path, out_dir, st))

    for raw in paths:
        p = Path(raw)
        try:
            st = p.stat()
        except OSError as e:
            bad.append(
                (p, "no such file or folder" if isinstance(e, FileNotFoundError) else f"cannot read ({e.strerror})")
            )
            continue
        if not p.is_dir():
            add(p, out_root, st)
            continue
        in_folder: list[tuple[Path, Path, os.stat_result]] = []
        stack = [(p, out_root, st)]
        while stack:
            folder, out_dir, st = stack.pop()
            if (st.st_dev, st.st_ino) in visited:
                continue
            visited.add((st.st_dev, st.st_ino))
            try:
                entries = list(os.scandir(folder))
            except OSError as e:
                bad.append((folder, f"cannot read the folder ({e.strerror})"))
                continue
            for entry in entries:
                if entry.name.startswith((".", "~$")):
                    continue
                try:
                    if entry.is_dir():
                        stack.append((Path(entry.path), out_dir / entry.name, entry.stat()))
                        continue
                    suffix = os.path.splitext(entry.name)[1].lower()
                    if suffix in SUFFIXES:
                        in_folder.append((Path(entry.path), out_dir, entry.stat()))
                    elif suffix in NOT_SPEECH or entry.name.lower() in NOT_SPEECH:
                        ignored[suffix or entry.name.lower()] += 1
                    else:
                        bad.append((Path(entry.path), unsupported(suffix)))
                except OSError as e:  # a broken link, a file removed meanwhile
                    bad.append((Path(entry.path), f"cannot read ({e.strerror})"))
        for path, out_dir, fst in sorted(in_folder, key=lambda f: f[0]):
            add(path, out_dir, fst)
    speeches = []
    for (path, out_dir, st), named in zip(found, _output_names(found, bad)):
        if named is not None:
            speeches.append(Speech(path, named[0], st.st_size, st.st_mtime_ns, named[1]))
    return speeches, bad, ignored


def _output_names(found: list[tuple[Path, Path, os.stat_result]], bad: list[tuple[Path, str]]):
    """(output folder, output name) for each speech found, None for one that cannot have its own.

    Outputs are named after the file's stem (讲话.txt → 讲话.json). Files whose stems clash in
    one output folder (讲话.docx and 讲话.pdf; the same relative path under two folders given)
    are named after their whole name instead (讲话.docx.json, 讲话.pdf.json); files that still
    clash (a/讲话.txt and b/讲话.txt given by name or under two folders) go to a sub-folder named
    after the folder each comes from (a/讲话.json, b/讲话.json). Names are compared ignoring case,
    as Windows and macOS do. A clash that remains is reported, never overwritten.
    """
    def clashes(targets: list[tuple[Path, str]]) -> Counter:
        return Counter((folder, name.casefold()) for folder, name in targets)

    targets = [(out_dir, path.stem) for path, out_dir, _ in found]
    counts = clashes(targets)
    targets = [
        (folder, path.name if counts[(folder, name.casefold())] > 1 else name)
        for (path, _, _), (folder, name) in zip(found, targets)
    ]
    counts = clashes(targets)
    for k, ((path, _, _), (folder, name)) in enumerate(zip(found, targets)):
        if counts[(folder, name.casefold())] > 1:
            parent = path.resolve().parent.name or "_"
            targets[k] = (folder / parent, path.stem)
    counts = clashes(targets)
    names: list[tuple[Path, str] | None] = []
    first: dict[tuple[Path, str], Path] = {}
    for (path, _, _), (folder, name) in zip(found, targets):
        key = (folder, name.casefold())
        if counts[key] > 1 and key in first:
            bad.append((path, f"same output name as {first[key]} ({folder / name}.*); rename one of them"))
            names.append(None)
            continue
        first.setdefault(key, path)
        names.append((folder, name))
    return names


class _Reporter:
    """A progress bar with files/s and ETA on a terminal; otherwise plain lines."""

    def __init__(self, total: int, quiet: bool, tty: bool):
        self.total = total
        self.quiet = quiet
        self.tty = tty and total > 0
        self.done = 0
        self.start = time.monotonic()
        self._last_plain = self.start
        self._lines: list[str] = []
        self._last_flush = self.start
        self._progress = None

    def __enter__(self) -> _Reporter:
        if self.tty:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                ProgressColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )
            from rich.text import Text

            class Rate(ProgressColumn):
                def render(self, task) -> Text:
                    return Text(f"{task.speed:,.0f} files/s" if task.speed else "… files/s", style="cyan")

            self._progress = Progress(
                TextColumn("extracting"),
                BarColumn(),
                MofNCompleteColumn(),
                Rate(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                TimeElapsedColumn(),
                redirect_stdout=False,
                redirect_stderr=False,
            )
            self._progress.start()
            self._task = self._progress.add_task("extract", total=self.total)
        return self

    def __exit__(self, *exc) -> None:
        self._flush()
        if self._progress is not None:
            self._progress.stop()

    def line(self, text: str) -> None:
        if self.quiet:
            return
        if self._progress is None:
            print(text)
        else:
            self._lines.append(text)

    def advance(self) -> None:
        self.done += 1
        now = time.monotonic()
        if self._progress is not None:
            self._progress.advance(self._task)
            if now - self._last_flush > 0.2:
                self._flush()
        elif now - self._last_plain >= PLAIN_PROGRESS_EVERY and self.done < self.total:
            self._last_plain = now
            rate = self.done / (now - self.start)
            eta = (self.total - self.done) / rate if rate else 0
            print(
                f"progress: {self.done}/{self.total} ({self.done * 100 // self.total}%), "
                f"{rate:,.0f} files/s, ETA {int(eta) // 60}:{int(eta) % 60:02d}",
                file=sys.stderr,
                flush=True,
            )

    def _flush(self) -> None:
        self._last_flush = time.monotonic()
        if self._lines and self._progress is not None:
            self._progress.console.print("\n".join(self._lines), markup=False, highlight=False, soft_wrap=True)
            self._lines.clear()


def _describe(result, out_root: Path) -> str:
    """The file's summary line, then one line per warning (提示)."""
    warn = f", {len(result.warnings)} warnings" if result.warnings else ""
    sheet = out_root / result.sheet_json
    line = f"{result.speech.path}: {result.tasks} tasks in {result.sections} sections{warn} → {sheet}"
    return "\n".join([line, *(f"  提示：{w}" for w in result.warnings)])


def run(args: argparse.Namespace) -> int:
    from . import batch, rules
    from .export import DEFAULT_FORMATS
    from .summary import HTML_NAME, XLSX_NAME

    formats = tuple(dict.fromkeys(("json", *(args.format or DEFAULT_FORMATS))))
    out_root = Path(args.output)
    speeches, bad, ignored = collect(args.paths, out_root)
    if ignored:
        kinds = ", ".join(f"{n} {suffix}" for suffix, n in ignored.most_common())
        print(f"speech-tasks: left out files that are not speeches: {kinds}", file=sys.stderr)
    want_summary = args.summary if args.summary is not None else len(speeches) > 1
    if want_summary:  # a speech called summary.txt would be overwritten by the corpus summary
        clash = [s for s in speeches if s.out_dir == out_root and s.stem == Path(XLSX_NAME).stem]
        bad += [(s.path, f"its outputs would clash with the corpus summary {XLSX_NAME}; rename it") for s in clash]
        speeches = [s for s in speeches if s not in clash]
    if not speeches:
        _report_failures(bad)
        if not bad:
            print(f"speech-tasks: no speech files in {' '.join(args.paths)}", file=sys.stderr)
        return 1
    try:
        out_root.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        print(f"speech-tasks: {out_root}: cannot create the output folder ({e.strerror})", file=sys.stderr)
        return 1

    rules_dir = str(rules.rules_dir()) if args.rules else None
    settings = batch.Settings(
        out_root, formats, args.date, rules_dir, digests=want_summary,
        timeout=args.timeout or None, max_size=int(args.max_size * 1024 * 1024),
    )
    config = batch.config_key(settings)
    cache = batch.Cache.load(out_root)
    todo, unchanged = (list(speeches), []) if args.force else batch.plan(speeches, cache, config)
    batch.remove_leftovers(todo)  # temporary files of a run that was killed
    rebuild = want_summary and (
        bool(todo)
        or cache.summary != batch.summary_key(unchanged, config)
        or not all((out_root / name).exists() for name in (XLSX_NAME, HTML_NAME))
    )
    reread = batch.load_digests(out_root, config, unchanged) if rebuild else []

    done = {r.speech.path: r for r in unchanged}  # speeches that have a sheet, by path
    failed = list(bad)
    reporter = _Reporter(len(todo) + len(reread), args.quiet, sys.stdout.isatty())
    try:
        with batch.Pool(settings, args.jobs, len(todo) + len(reread)) as pool, reporter:
            for result in itertools.chain(pool.extract(todo), pool.reread(reread)):
                reporter.advance()
                if result.status == batch.FAILED:
                    done.pop(result.speech.path, None)
                    failed.append((result.speech.path, result.reason))
                    continue
                done[result.speech.path] = result
                if result.status == batch.EXTRACTED:
                    cache.record(result, config)  # journalled at once: a killed run keeps it
                    reporter.line(_describe(result, out_root))
    finally:
        _save_cache(cache)
    elapsed = time.monotonic() - reporter.start

    extracted = sum(r.status == batch.EXTRACTED for r in done.values())
    rate = f", {len(todo) / elapsed:,.0f} files/s" if len(todo) >= 10 and elapsed > 0 else ""
    print(
        f"{len(done) + len(failed)} speeches: {extracted} extracted, {len(done) - extracted} unchanged, "
        f"{len(failed)} failed in {elapsed:.1f} s{rate}"
    )
    if rebuild and done:
        if reporter.tty:
            print(f"building the corpus summary of {len(done)} speeches…", file=sys.stderr, flush=True)
        if not _write_summary(list(done.values()), out_root, config, cache):
            failed.append((out_root / XLSX_NAME, "corpus summary not written"))
    _report_failures(failed)
    return 1 if failed else 0


def _write_summary(results: list, out_root: Path, config: str, cache) -> bool:
    """Write summary.xlsx/html and remember what they were built from; False if it failed."""
    from . import batch, summary

    try:
        written = summary.write([r.digest for r in results if r.digest is not None], out_root)
        batch.save_digests(out_root, config, results)
    except OSError as e:
        print(f"speech-tasks: {out_root}: cannot write the corpus summary ({e.strerror or e})", file=sys.stderr)
        return False
    cache.summary = batch.summary_key(results, config)
    _save_cache(cache)
    print("summary: " + ", ".join(str(p) for p in written))
    return True


def _save_cache(cache) -> bool:
    try:
        cache.save()
    except OSError as e:
        print(f"speech-tasks: {cache.path}: cannot save the cache ({e.strerror or e}); "
              "the next run extracts these speeches again", file=sys.stderr)
        return False
    return True


def _report_failures(failed: list[tuple[Path, str]]) -> None:
    for path, why in sorted(failed, key=lambda f: str(f[0])):
        print(f"speech-tasks: {path}: {why}", file=sys.stderr)
