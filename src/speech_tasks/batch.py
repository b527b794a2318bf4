"""Extract many speeches at once: a process pool, and a cache that skips what has not changed.

A speech is skipped when its bytes, the rules, the tool version and the requested formats and
date are the same as when its outputs were written, and those outputs are still there. The
cache (``<out>/.speech-tasks-cache.json``) also keeps each file's size and mtime, so checking an
unchanged archive costs one ``stat`` per file; a file is hashed only when its stat changed.
Every finished speech is appended to a journal beside it (one JSON line, flushed), so a batch
that is killed keeps everything it finished; loading replays the journal, saving folds it in.

Workers are forked once, with the rules and stages already loaded, and take one speech at a
time. A speech that fails never stops the batch: its result carries the reason instead. A
speech that runs over the time limit has its worker killed; a worker that dies (killed, out of
memory) fails the speech it held; either way a new worker takes its place and the rest go on.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import multiprocessing as mp
import os
import re
import signal
import time
from collections import deque
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
JOURNAL_FILE = ".speech-tasks-cache.journal"  # entries recorded since the cache was last saved
DEFAULT_TIMEOUT = 60.0  # seconds per speech
QUEUED = 2  # jobs sent ahead to a worker: the one it runs and the next
DIGESTS_FILE = ".speech-tasks-digests.json"  # summary digests of the sheets, for the next rerun

EXTRACTED, UNCHANGED, FAILED = "extracted", "unchanged", "failed"


@dataclass(frozen=True)
class Speech:
    """An input file, the folder its outputs go to and their name (the file's stem unless that
    clashes with another input's: see ``extract_cmd.collect``)."""

    path: Path
    out_dir: Path
    size: int = -1
    mtime_ns: int = -1
    name: str = ""

    @property
    def stem(self) -> str:
        """Name of the outputs without their extension."""
        return self.name or self.path.stem


@dataclass(frozen=True)
class Settings:
    """What every speech of a batch is extracted with; workers receive a copy."""

    out_root: Path
    formats: tuple[str, ...] = ("json",)
    date: dt.date | None = None
    rules_dir: str | None = None
    digests: bool = False  # also return the summary digest of each sheet
    timeout: float | None = DEFAULT_TIMEOUT  # seconds per speech; None: no limit
    max_size: int | None = None  # bytes of text per speech (None: ingest's default)


@dataclass
class Result:
    speech: Speech
    status: str  # EXTRACTED | UNCHANGED | FAILED
    reason: str = ""
    sha256: str = ""
    tasks: int = 0
    sections: int = 0
    warnings: tuple[str, ...] = ()  # the sheet's warnings, shown on the file's summary line
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
            cache = cls(path, dict(data["entries"]), str(data.get("summary", "")))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            cache = cls(path)  # missing or unreadable: start afresh, everything is redone
        cache._replay()
        return cache

    @property
    def journal(self) -> Path:
        return self.path.with_name(JOURNAL_FILE)

    def _replay(self) -> None:
        """Add the entries journalled since the last save (a torn last line is ignored)."""
        try:
            lines = self.journal.read_bytes().splitlines()
        except OSError:
            return
        for line in lines:
            try:
                key, entry = json.loads(line)
                if isinstance(key, str) and isinstance(entry, list) and len(entry) == 5:
                    self.entries[key] = entry
            except (ValueError, TypeError):
                continue

    def save(self) -> None:
        """Write the whole cache and empty the journal; OSError if the folder cannot be written."""
        data = {"version": CACHE_VERSION, "summary": self.summary, "entries": self.entries}
        write_atomic(self.path, json.dumps(data, ensure_ascii=False, separators=(",", ":")))
        try:
            os.unlink(self.journal)
        except FileNotFoundError:
            pass

    def record(self, result: Result, config: str) -> None:
        """Remember an extracted speech, in memory and in the journal (one appended line)."""
        s = result.speech
        key = _cache_key(s.path)
        self.entries[key] = entry = [s.size, s.mtime_ns, result.sha256, config, list(result.outputs)]
        line = json.dumps([key, entry], ensure_ascii=False, separators=(",", ":")) + "\n"
        try:
            with open(self.journal, "a", encoding="utf-8") as f:
                f.write(line)
        except OSError:
            pass  # not remembered: the speech is extracted again next time, nothing is lost


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
    return (speech.out_dir / f"{speech.stem}.json").relative_to(root).as_posix()


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
        doc = read_file(speech.path, settings.max_size) if settings.max_size else read_file(speech.path)
        sheet = extract_doc(doc, settings.date)
        written = write(sheet, speech.out_dir, settings.formats, source_text=doc.source, stem=speech.stem)
        result = Result(
            speech,
            EXTRACTED,
            sha256=sheet.source.sha256,
            tasks=len(sheet.tasks),
            sections=len(sheet.outline),
            warnings=tuple(sheet.warnings),
            outputs=tuple(p.relative_to(settings.out_root).as_posix() for p in written),
        )
        if settings.digests:
            from .summary import digest

            result.digest = digest(sheet, result.sheet_json)
    except IngestError as e:
        return Result(speech, FAILED, reason=str(e))
    except OSError as e:  # read-only folder, disk full: the previous outputs are left as they were
        where = f"{e.filename}: " if e.filename else ""
        return Result(speech, FAILED, reason=f"cannot write the outputs ({where}{e.strerror or e})")
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


def remove_leftovers(speeches: Iterable[Speech]) -> None:
    """Delete the temporary files an interrupted write of these speeches' outputs left behind
    (each output folder is listed once, however many speeches it holds)."""
    from .export import FORMATS

    stems: dict[Path, set[str]] = {}
    for speech in speeches:
        stems.setdefault(speech.out_dir, set()).add(speech.stem)
    for folder, folder_stems in stems.items():
        try:
            temporary = [name for name in os.listdir(folder) if name.startswith(".") and name.endswith(".tmp")]
        except OSError:
            continue
        if not temporary:
            continue
        alternatives = "|".join(map(re.escape, sorted(folder_stems)))
        pattern = re.compile(rf"\.{{1,2}}(?:{alternatives})\.(?:{'|'.join(FORMATS)})\..*\.tmp")
        for name in temporary:
            if pattern.fullmatch(name):
                try:
                    os.unlink(folder / name)
                except OSError:
                    pass


def _describe_death(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        hint = " (out of memory?)" if -code == signal.SIGKILL else ""
        return f"the worker extracting it was killed by {name}{hint}"
    return f"the worker extracting it stopped (exit code {code})"


def _jobs() -> dict:
    return {"extract": _extract, "reread": _reread, "sheets": _extract_sheet}


def _serve(conn, settings: Settings) -> None:
    """A worker's loop: receive (function name, item), send back the result, until None."""
    _init_pool_worker(settings)
    work = _jobs()
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        name, item = job
        conn.send(work[name](item))


class _Worker:
    def __init__(self, ctx, settings: Settings):
        import multiprocessing.connection  # noqa: F401 - for wait()

        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child, settings), daemon=True)
        self.process.start()
        child.close()
        self.jobs: deque[tuple[str, object]] = deque()  # sent, not yet answered; the first is running
        self.started = 0.0  # when the running job started

    def give(self, name: str, item) -> None:
        if not self.jobs:
            self.started = time.monotonic()
        self.jobs.append((name, item))
        self.conn.send((name, item))

    def answered(self) -> None:
        """The running job's result came back: the next one (if sent) starts now."""
        self.jobs.popleft()
        self.started = time.monotonic()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()


class Pool:
    """Runs jobs on *jobs* forked workers, one speech at a time each, under a time limit.

    Each worker is sent its next job while it runs one (QUEUED jobs in all), so it never waits
    for this process to read a result before it can go on.

    Open it (``with Pool(...)``) before any thread starts (a progress bar's refresh thread):
    the workers are forked from this process with the stages already loaded. Where fork is not
    available, jobs run in this process (without a time limit).
    """

    def __init__(self, settings: Settings, jobs: int, work: int):
        self.settings = settings
        self.jobs = max(1, min(jobs, work))
        self._ctx = None
        self._workers: list[_Worker] = []

    def __enter__(self) -> Pool:
        if "fork" in mp.get_all_start_methods() and (self.jobs > 1 or self.settings.timeout):
            warm_up()
            self._ctx = mp.get_context("fork")
            # the loaded rules become the workers' permanent generation: their collector never
            # walks them, so it runs shorter and leaves those pages shared with this process
            gc.freeze()
            try:
                self._workers = [_Worker(self._ctx, self.settings) for _ in range(self.jobs)]
            finally:
                gc.unfreeze()
        else:
            _init_worker(self.settings)
        return self

    def __exit__(self, *exc) -> None:
        for w in self._workers:
            if exc[0] is None and not w.jobs and w.process.is_alive():
                try:
                    w.conn.send(None)
                except OSError:
                    pass
                w.process.join(1.0)
            w.kill()
        self._workers = []

    def _failed(self, worker: _Worker, reason: str) -> Result:
        """The result of the worker's running job, which it could not finish."""
        name, item = worker.jobs[0]
        speech = item.speech if isinstance(item, Result) else item
        remove_leftovers([speech])
        return Result(speech, FAILED, reason=reason)

    def _map(self, name: str, items: list) -> Iterator[Result]:
        if self._ctx is None:
            yield from map(_jobs()[name], items)
            return
        from multiprocessing.connection import wait

        pending = list(reversed(items))
        timeout = self.settings.timeout
        while True:
            for depth in range(QUEUED):  # a job for each worker before a second for any
                for w in self._workers:
                    if len(w.jobs) <= depth and pending:
                        w.give(name, pending.pop())
            busy = [w for w in self._workers if w.jobs]
            if not busy:
                return
            wait_for = None
            if timeout:
                wait_for = max(0.0, min(w.started for w in busy) + timeout - time.monotonic())
            ready = wait([x for w in busy for x in (w.conn, w.process.sentinel)], wait_for)
            for i, w in enumerate(self._workers):
                if not w.jobs:
                    continue
                result = None
                if w.conn in ready:
                    try:
                        result = w.conn.recv()
                    except (EOFError, OSError):
                        result = None
                    if result is not None:
                        w.answered()
                        yield result
                        continue
                if result is None and (w.process.sentinel in ready or w.conn in ready):
                    w.process.join(1.0)
                    failed = self._failed(w, _describe_death(w.process.exitcode))
                elif timeout and time.monotonic() - w.started > timeout:
                    failed = self._failed(w, f"took longer than {timeout:g} s (--timeout); stopped")
                else:
                    continue
                pending += [item for _, item in reversed(list(w.jobs)[1:])]  # sent but not started: retried
                w.kill()
                self._workers[i] = _Worker(self._ctx, self.settings)
                yield failed

    def extract(self, speeches: list[Speech]) -> Iterator[Result]:
        """Extract each speech; results come in the order they finish."""
        return self._map("extract", speeches)

    def sheets(self, speeches: list[Speech]) -> Iterator[Extracted]:
        """Extract each speech without writing anything; results come in the order given (a
        speech whose worker died or ran out of time comes with that as its error)."""
        order = {s.path: k for k, s in enumerate(speeches)}
        ready: dict[int, Extracted] = {}
        nxt = 0
        for result in self._map("sheets", speeches):
            if isinstance(result, Result):  # the worker failed
                result = Extracted(result.speech.path, error=result.reason)
            ready[order[result.path]] = result
            while nxt in ready:
                yield ready.pop(nxt)
                nxt += 1

    def reread(self, unchanged: list[Result]) -> Iterator[Result]:
        """Fill in the digests of unchanged speeches (re-extracting any whose sheet is gone)."""
        return self._map("reread", unchanged)
