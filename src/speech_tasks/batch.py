"""Extract many speeches at once: a process pool, and a cache that skips what has not changed.

A speech is skipped when its bytes, the rules, the tool version and the requested formats and
date are the same as when its outputs were written, and those outputs are still there. The
cache (``<out>/.speech-tasks-cache.json``) also keeps each file's size and mtime, so checking an
unchanged archive costs one ``stat`` per file; a file is hashed only when its stat changed.

Workers are forked once, with the rules and stages already loaded, and take speeches in chunks.
A speech that fails never stops the batch: its result carries the reason instead.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing as mp
import os
import signal
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__, rules
from .fsutil import write_atomic

if TYPE_CHECKING:
    from .models import TaskSheet

CACHE_FILE = ".speech-tasks-cache.json"
CACHE_VERSION = 1
DIGESTS_FILE = ".speech-tasks-digests.json"  # summary digests of the sheets, for the next rerun

EXTRACTED, UNCHANGED, FAILED = "extracted", "unchanged", "failed"


@dataclass(frozen=True)
class Speech:
    """An input file and the folder its outputs go to."""

    path: Path
    out_dir: Path
    size: int = -1
    mtime_ns: int = -1


@dataclass(frozen=True)
class Settings:
    """What every speech of a batch is extracted with; workers receive a copy."""

    out_root: Path
    formats: tuple[str, ...] = ("json",)
    date: dt.date | None = None
    rules_dir: str | None = None
    digests: bool = False  # also return the summary digest of each sheet


@dataclass
class Result:
    speech: Speech
    status: str  # EXTRACTED | UNCHANGED | FAILED
    reason: str = ""
    sha256: str = ""
    tasks: int = 0
    sections: int = 0
    warnings: int = 0
    outputs: tuple[str, ...] = ()  # paths relative to the output root
    digest: object = None  # summary.Digest when Settings.digests

    @property
    def sheet_json(self) -> str:
        """The JSON task sheet among the outputs ("" if none)."""
        return next((o for o in self.outputs if o.endswith(".json")), "")


def config_key(settings: Settings) -> str:
    """Hash of everything besides the file's bytes that decides its outputs."""
    date = settings.date and settings.date.isoformat()
    parts = [__version__, code_fingerprint(), rules.fingerprint(), sorted(settings.formats), date]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:32]


def code_fingerprint() -> str:
    """Hash of the package's own source: an edited stage re-extracts even before a version bump."""
    h = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Cache:
    """What was extracted into one output folder, keyed by absolute source path.

    An entry is ``[size, mtime_ns, sha256, config, outputs]``; ``summary`` is the key of the
    speeches the corpus summary was last built from.
    """

    path: Path
    entries: dict[str, list] = field(default_factory=dict)
    summary: str = ""

    @classmethod
    def load(cls, out_root: Path) -> Cache:
        path = out_root / CACHE_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") != CACHE_VERSION:
                raise ValueError("other cache version")
            return cls(path, dict(data["entries"]), str(data.get("summary", "")))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return cls(path)  # missing or unreadable: start afresh, everything is redone

    def save(self) -> None:
        data = {"version": CACHE_VERSION, "summary": self.summary, "entries": self.entries}
        write_atomic(self.path, json.dumps(data, ensure_ascii=False, separators=(",", ":")))

    def record(self, result: Result, config: str) -> None:
        s = result.speech
        self.entries[_cache_key(s.path)] = [s.size, s.mtime_ns, result.sha256, config, list(result.outputs)]


def load_digests(out_root: Path, config: str, unchanged: list[Result]) -> list[Result]:
    """Give unchanged results their stored summary digests; return those that have none."""
    from .summary import DIGEST_VERSION, Digest

    try:
        data = json.loads((out_root / DIGESTS_FILE).read_text(encoding="utf-8"))
        stored = data["digests"] if (data["version"], data["config"]) == (DIGEST_VERSION, config) else {}
    except (OSError, ValueError, KeyError, TypeError):
        stored = {}
    missing = []
    for r in unchanged:
        entry = stored.get(r.sheet_json)
        try:
            r.digest = Digest.from_json(entry[1]) if entry and entry[0] == r.sha256 else None
        except (TypeError, ValueError):
            r.digest = None
        if r.digest is None:
            missing.append(r)
    return missing


def save_digests(out_root: Path, config: str, results: Iterable[Result]) -> None:
    from .summary import DIGEST_VERSION

    digests = {r.sheet_json: [r.sha256, r.digest.to_json()] for r in results if r.digest is not None}
    data = {"version": DIGEST_VERSION, "config": config, "digests": digests}
    write_atomic(out_root / DIGESTS_FILE, json.dumps(data, separators=(",", ":")))  # ASCII: faster to write


@dataclass
class Extracted:
    """One speech of :func:`extract_many`: its task sheet, or why it could not be read."""

    path: Path
    sheet: TaskSheet | None = None
    error: str | None = None  # one line, e.g. "empty file"; None when *sheet* is set

    @property
    def ok(self) -> bool:
        return self.sheet is not None


def extract_many(
    paths: str | os.PathLike | Iterable[str | os.PathLike],
    *,
    jobs: int | None = None,
    meeting_date: dt.date | None = None,
    rules_dir: str | os.PathLike | None = None,
) -> Iterator[Extracted]:
    """Extract every speech under *paths* (files, or folders searched recursively for .txt, .md
    and .docx as ``speech-tasks extract`` does), on *jobs* processes (default: one per core).

    Yields one :class:`Extracted` per speech, in path order, as soon as it is ready (paths that
    do not exist come first); nothing is written to disk. A file that cannot be read yields an
    ``error`` instead of a sheet and the others go on; invalid rules raise :class:`speech_tasks.rules.RulesError`. *meeting_date*
    overrides every speech's meeting date (as ``--date``); *rules_dir* makes this process read
    its rules from that folder from now on (as ``--rules``).
    """
    from .extract_cmd import _cores, collect

    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    # nothing is written: outputs would go below a folder that does not exist and is never made
    speeches, bad, _ = collect([os.fspath(p) for p in paths], Path(os.devnull) / "none")
    for path, reason in bad:
        yield Extracted(path, error=reason)
    settings = Settings(out_root=Path(), date=meeting_date, rules_dir=os.fspath(rules_dir) if rules_dir else None)
    with Pool(settings, jobs or _cores(), len(speeches)) as pool:
        yield from pool.sheets(speeches)


def _cache_key(path: Path) -> str:
    return os.path.abspath(path)


class _Listing:
    """Names in each output folder, read once: checking 10,000 outputs costs a few listdirs."""

    def __init__(self, root: Path):
        self.root = root
        self._names: dict[str, set[str]] = {}

    def exists(self, rel: str) -> bool:
        folder, _, name = rel.rpartition("/")
        names = self._names.get(folder)
        if names is None:
            try:
                names = set(os.listdir(self.root / folder)) if folder else set(os.listdir(self.root))
            except OSError:
                names = set()
            self._names[folder] = names
        return name in names


def plan(speeches: Iterable[Speech], cache: Cache, config: str) -> tuple[list[Speech], list[Result]]:
    """Split *speeches* into those to extract and the unchanged ones (as results)."""
    root = cache.path.parent
    listing = _Listing(root)
    todo: list[Speech] = []
    unchanged: list[Result] = []
    for s in speeches:
        entry = cache.entries.get(_cache_key(s.path))
        if (
            entry is None
            or entry[3] != config
            or _sheet_json(s, root) not in entry[4]  # its outputs now go to another sub-folder
            or not all(listing.exists(o) for o in entry[4])
        ):
            todo.append(s)
            continue
        if (entry[0], entry[1]) != (s.size, s.mtime_ns):
            try:
                same = file_sha256(s.path) == entry[2]
            except OSError:
                same = False
            if not same:
                todo.append(s)
                continue
            entry[0], entry[1] = s.size, s.mtime_ns  # touched but identical: remember the new stat
        unchanged.append(Result(s, UNCHANGED, sha256=entry[2], outputs=tuple(entry[4])))
    return todo, unchanged


def _sheet_json(speech: Speech, root: Path) -> str:
    return (speech.out_dir / f"{speech.path.stem}.json").relative_to(root).as_posix()


def summary_key(results: Iterable[Result], config: str) -> str:
    """Key of the set of sheets a summary is built from: changes when any of them changes."""
    h = hashlib.sha256(config.encode())
    for r in sorted(results, key=lambda r: r.outputs):
        h.update("\x1f".join((*r.outputs, r.sha256)).encode())
    return h.hexdigest()[:32]


# --- worker side -------------------------------------------------------------------------

_settings: Settings | None = None


def _init_worker(settings: Settings) -> None:
    global _settings
    _settings = settings
    try:
        current = rules.rules_dir()
    except rules.RulesError:
        current = None
    if settings.rules_dir and current != Path(settings.rules_dir):
        rules.use_directory(settings.rules_dir)


def _init_pool_worker(settings: Settings) -> None:
    # Ctrl-C reaches the whole process group: the main process stops the pool, workers stay quiet
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _init_worker(settings)


def warm_up() -> None:
    """Import the stages and load their rules now, so forked workers start with them loaded."""
    from .pipeline import extract_text

    try:
        extract_text("一、加强安全生产工作\n各地要立即开展隐患排查。\n", name="warm-up.txt")
    except rules.RulesError:
        raise  # bad rules stop the command with one message before any speech is tried
    except Exception:  # noqa: BLE001 - a stage bug is reported per speech by the workers
        return


def _extract(speech: Speech) -> Result:
    from .export import write
    from .ingest import IngestError, read_file
    from .pipeline import extract_doc

    settings = _settings
    assert settings is not None
    try:
        doc = read_file(speech.path)
        sheet = extract_doc(doc, settings.date)
        written = write(sheet, speech.out_dir, settings.formats, source_text=doc.source)
        result = Result(
            speech,
            EXTRACTED,
            sha256=sheet.source.sha256,
            tasks=len(sheet.tasks),
            sections=len(sheet.outline),
            warnings=len(sheet.warnings),
            outputs=tuple(p.relative_to(settings.out_root).as_posix() for p in written),
        )
        if settings.digests:
            from .summary import digest

            result.digest = digest(sheet, result.sheet_json)
    except IngestError as e:
        return Result(speech, FAILED, reason=str(e))
    except rules.RulesError:
        raise  # not this speech's fault: the command stops with the rules error
    except Exception as e:  # noqa: BLE001 - one bad speech must not stop the batch
        return Result(speech, FAILED, reason=f"internal error ({type(e).__name__}: {e})")
    return result


def _reread(result: Result) -> Result:
    """*result* (an unchanged speech) with the digest of the JSON sheet written last time."""
    from .models import TaskSheet
    from .summary import digest

    settings = _settings
    assert settings is not None
    try:
        if not result.sheet_json:
            raise ValueError("no JSON sheet among its outputs")
        sheet = TaskSheet.model_validate_json((settings.out_root / result.sheet_json).read_bytes())
    except Exception:  # noqa: BLE001 - the previous sheet is gone or unreadable: extract again
        return _extract(result.speech)
    result.digest = digest(sheet, result.sheet_json)
    return result


def _extract_sheet(speech: Speech) -> Extracted:
    from .ingest import IngestError
    from .pipeline import extract_file

    settings = _settings
    assert settings is not None
    try:
        return Extracted(speech.path, extract_file(speech.path, settings.date))
    except IngestError as e:
        return Extracted(speech.path, error=str(e))
    except rules.RulesError:
        raise
    except Exception as e:  # noqa: BLE001 - one bad speech must not stop the others
        return Extracted(speech.path, error=f"internal error ({type(e).__name__}: {e})")


# --- main side ---------------------------------------------------------------------------


class Pool:
    """Runs jobs on *jobs* forked workers, or in this process when one worker is enough.

    Open it (``with Pool(...)``) before any thread starts (a progress bar's refresh thread):
    the workers are forked from this process with the stages already loaded.
    """

    def __init__(self, settings: Settings, jobs: int, work: int):
        self.settings = settings
        self.jobs = max(1, min(jobs, work))
        self._pool = None

    def __enter__(self) -> Pool:
        if self.jobs > 1:
            warm_up()
            methods = mp.get_all_start_methods()
            ctx = mp.get_context("fork" if "fork" in methods else None)
            self._pool = ctx.Pool(self.jobs, initializer=_init_pool_worker, initargs=(self.settings,))
        else:
            _init_worker(self.settings)
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            if exc[0] is None:
                self._pool.close()
            else:
                self._pool.terminate()
            self._pool.join()

    def _map(self, fn, items: list) -> Iterator[Result]:
        if self._pool is None:
            return map(fn, items)
        chunk = max(1, min(32, len(items) // (self.jobs * 16)))
        return self._pool.imap_unordered(fn, items, chunksize=chunk)

    def extract(self, speeches: list[Speech]) -> Iterator[Result]:
        """Extract each speech; results come in the order they finish."""
        return self._map(_extract, speeches)

    def sheets(self, speeches: list[Speech]) -> Iterator[Extracted]:
        """Extract each speech without writing anything; results come in the order given."""
        if self._pool is None:
            return map(_extract_sheet, speeches)
        chunk = max(1, min(8, len(speeches) // (self.jobs * 4)))
        return self._pool.imap(_extract_sheet, speeches, chunksize=chunk)

    def reread(self, unchanged: list[Result]) -> Iterator[Result]:
        """Fill in the digests of unchanged speeches (re-extracting any whose sheet is gone)."""
        return self._map(_reread, unchanged)
