"""The ledger's SQLite store: schema, migrations and the :class:`Ledger` API every front end uses
(`speech-tasks track`, the xlsx round trip, the portal).

One file (default ``outputs/ledger.sqlite``) in WAL mode, so readers never wait for the writer.
Every change runs in a ``BEGIN IMMEDIATE`` transaction that holds the write lock from its
start, re-reads what it changes, checks the caller's expected version and appends history rows
before committing: processes updating the same ledger at once lose nothing, and an edit based
on a stale view is refused with "changed by X at T" instead of overwriting. ``history`` is
append-only (triggers refuse UPDATE and DELETE).

Versions: a task and each of its assignments carry their own ``version``, bumped by every change
event to it. Two units reporting on one task therefore never conflict; two people editing the
same assignment (or the same task's wording) from the same version do.

The schema version is ``PRAGMA user_version``: opening a ledger applies the migrations it lacks.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..export import columns as C
from ..export.frame import earliest_due, own_text
from ..models import Task as SheetTask
from ..models import TaskSheet
from .lifecycle import ROLES, LedgerPolicy, LifecycleError, policy
from .model import (
    Account, Assignment, Feedback, HistoryEntry, ImportResult, Meeting, Task, day, iso, loads, utc_now,
)

DEFAULT_DB = "outputs/ledger.sqlite"
EVIDENCE_DIR = "evidence"  # beside the database: <db stem>.evidence/<assignment>/<file>

# labels of history fields, as every output shows them
FIELD_LABELS = {
    "status": "状态", "due": "截止日期", "delay_reason": "延期原因", "note": "进展情况", "sheet": "任务表",
    "text": "工作任务", "title": "标题", "units": "责任单位", "unit": "单位", "role": "角色", "deadline": "完成时限",
    "override": "状态（办公室认定）", "meeting": "会议", "dropped": "本次会议未再部署", "extension": "延期申请",
    "feedback": "进展", "migration": "升级",
}
IN_SHEET, REMOVED = "在表", "移出"
DROPPED_NOTE = "本次会议未再部署"
ROLE_LABELS = {"lead": "牵头", "owner": "责任", "assist": "配合"}
SHEET_FIELDS = ("title", "text", "units", "deadline", "due")  # sheet-derived fields the office may edit


class LedgerError(Exception):
    """Anything the user must fix or retry; the message is one line."""


class ConflictError(LedgerError):
    """The record changed since the caller read it (optimistic concurrency)."""


class NotAllowed(LedgerError):
    """The account may not make this change (rules/ledger.yaml roles and actions)."""


# ---- schema ---------------------------------------------------------------------------------

_V1 = (
    """CREATE TABLE meetings (
        id TEXT PRIMARY KEY, file TEXT NOT NULL, sha256 TEXT NOT NULL, name TEXT, date TEXT,
        tasks INTEGER NOT NULL, imported_at TEXT NOT NULL, updated_at TEXT NOT NULL)""",
    """CREATE TABLE tasks (
        id TEXT PRIMARY KEY, meeting TEXT NOT NULL REFERENCES meetings(id), seq INTEGER NOT NULL,
        number TEXT NOT NULL, parent TEXT, path TEXT NOT NULL, title TEXT, text TEXT NOT NULL,
        units TEXT NOT NULL, lead TEXT NOT NULL, owner TEXT NOT NULL, assist TEXT NOT NULL,
        deadline TEXT NOT NULL, due TEXT, sectors TEXT NOT NULL, status TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '', extended_due TEXT, delay_reason TEXT NOT NULL DEFAULT '',
        removed_from_sheet INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
        version INTEGER NOT NULL DEFAULT 0)""",
    "CREATE INDEX tasks_by_meeting ON tasks(meeting, seq)",
    """CREATE TABLE history (
        id INTEGER PRIMARY KEY AUTOINCREMENT, task TEXT NOT NULL REFERENCES tasks(id), at TEXT NOT NULL,
        by TEXT NOT NULL, field TEXT NOT NULL, old TEXT, new TEXT, note TEXT NOT NULL DEFAULT '',
        version INTEGER NOT NULL)""",
    "CREATE INDEX history_by_task ON history(task, id)",
    "CREATE TRIGGER history_no_update BEFORE UPDATE ON history BEGIN SELECT RAISE(ABORT, 'history is append-only'); END",
    "CREATE TRIGGER history_no_delete BEFORE DELETE ON history BEGIN SELECT RAISE(ABORT, 'history is append-only'); END",
)
_V2 = (
    """CREATE TABLE links (
        task TEXT NOT NULL REFERENCES tasks(id), carried_from TEXT NOT NULL REFERENCES tasks(id),
        at TEXT NOT NULL, by TEXT NOT NULL, PRIMARY KEY (task, carried_from))""",
    "CREATE INDEX links_by_source ON links(carried_from)",
)
_V3 = (
    "ALTER TABLE meetings ADD COLUMN path TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE meetings ADD COLUMN series TEXT",
    "ALTER TABLE meetings ADD COLUMN follows TEXT",
    "ALTER TABLE tasks ADD COLUMN override TEXT",
    "ALTER TABLE tasks ADD COLUMN dropped TEXT",
    "ALTER TABLE tasks ADD COLUMN edited TEXT NOT NULL DEFAULT '[]'",
    # what the sheet said for each field the office edited: a re-import reports a kept edit only when the sheet changes
    "ALTER TABLE tasks ADD COLUMN sheet_values TEXT NOT NULL DEFAULT '{}'",
    "ALTER TABLE history ADD COLUMN assignment INTEGER",
    "ALTER TABLE history ADD COLUMN unit TEXT",
    # which meeting's sheet deployed a task under which sheet id: a re-import finds its rows here
    """CREATE TABLE sources (
        meeting TEXT NOT NULL REFERENCES meetings(id), sheet_id TEXT NOT NULL,
        task TEXT NOT NULL REFERENCES tasks(id), seq INTEGER NOT NULL, number TEXT NOT NULL,
        in_sheet INTEGER NOT NULL DEFAULT 1, at TEXT NOT NULL, PRIMARY KEY (meeting, sheet_id))""",
    "CREATE INDEX sources_by_task ON sources(task)",
    """CREATE TABLE assignments (
        id INTEGER PRIMARY KEY AUTOINCREMENT, task TEXT NOT NULL REFERENCES tasks(id), unit TEXT NOT NULL,
        role TEXT NOT NULL, generic INTEGER NOT NULL DEFAULT 0, known INTEGER NOT NULL DEFAULT 1,
        status TEXT NOT NULL, due TEXT, requested_due TEXT, request_reason TEXT NOT NULL DEFAULT '',
        removed INTEGER NOT NULL DEFAULT 0, version INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, UNIQUE (task, unit))""",
    """CREATE TABLE feedback (
        id INTEGER PRIMARY KEY AUTOINCREMENT, assignment INTEGER NOT NULL REFERENCES assignments(id),
        at TEXT NOT NULL, by TEXT NOT NULL, action TEXT NOT NULL, text TEXT NOT NULL DEFAULT '',
        evidence TEXT NOT NULL DEFAULT '[]')""",
    "CREATE INDEX feedback_by_assignment ON feedback(assignment, id)",
    """CREATE TABLE accounts (
        name TEXT PRIMARY KEY, role TEXT NOT NULL, unit TEXT, created_at TEXT NOT NULL)""",
    "CREATE TRIGGER feedback_no_update BEFORE UPDATE ON feedback BEGIN SELECT RAISE(ABORT, 'feedback is append-only'); END",
    "CREATE TRIGGER feedback_no_delete BEFORE DELETE ON feedback BEGIN SELECT RAISE(ABORT, 'feedback is append-only'); END",
)

# schema 2 had one status per task (未启动/推进中/延期/已完成/已销号); each unit's assignment starts from it
_OLD_STATUS = {"未启动": "未签收", "推进中": "推进中", "延期": "推进中", "已完成": "已完成", "已销号": "已销号"}


def _to_v3(conn: sqlite3.Connection) -> None:
    """Per-unit assignments, sources and series for a schema-2 ledger; every row and history
    entry is kept, and each task gets one history row saying what the upgrade did."""
    rules = policy()
    now = utc_now()
    for m in conn.execute("SELECT id, file, name FROM meetings").fetchall():
        conn.execute("UPDATE meetings SET path = ?, series = ? WHERE id = ?",
                     (Path(m["file"]).with_suffix("").as_posix(), rules.series_key(m["name"]), m["id"]))
    for t in conn.execute("SELECT * FROM tasks").fetchall():
        conn.execute("INSERT INTO sources (meeting, sheet_id, task, seq, number, in_sheet, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (t["meeting"], t["id"], t["id"], t["seq"], t["number"], 1 - t["removed_from_sheet"], t["created_at"]))
        status = _OLD_STATUS.get(t["status"], rules.initial)
        units = _dedupe(loads(t["units"], [])) or [{"name": C.NO_UNIT, "role": "owner", "generic": True}]
        for u in units:
            cur = conn.execute(
                "INSERT INTO assignments (task, unit, role, generic, known, status, due, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?)",
                (t["id"], u["name"], u["role"], int(u.get("generic", False)), status, t["extended_due"], t["created_at"], now),
            )
            if t["note"]:  # the task's 进展情况 becomes each unit's first feedback entry
                conn.execute("INSERT INTO feedback (assignment, at, by, action, text) VALUES (?, ?, 'speech-tasks', 'report', ?)",
                             (cur.lastrowid, t["updated_at"], t["note"]))
        version = t["version"] + 1
        note = f"每个单位一条分办记录（{len(units)} 个单位，状态 {status}）"
        if t["extended_due"]:
            note += f"；延期至 {t['extended_due']}（{t['delay_reason']}）"
        conn.execute("INSERT INTO history (task, at, by, field, old, new, note, version) VALUES (?, ?, ?, 'migration', ?, ?, ?, ?)",
                     (t["id"], now, "speech-tasks", t["status"], status, note, version))
        conn.execute("UPDATE tasks SET status = ?, version = ? WHERE id = ?", (status, version, t["id"]))
    # schema-2 links (across any meetings) become sources only within a series: dropped, kept in history
    for link in conn.execute("SELECT * FROM links").fetchall():
        conn.execute("INSERT INTO history (task, at, by, field, old, new, note, version)"
                     " SELECT ?, ?, 'speech-tasks', 'migration', ?, NULL, '旧版结转关联（仅供参考）', version FROM tasks WHERE id = ?",
                     (link["task"], now, link["carried_from"], link["task"]))


# Each migration is a list of statements (or a function) run in one transaction; its index + 1
# is the user_version it brings the file to. Append, never edit: files in the field have run them.
MIGRATIONS: tuple[tuple[str | Callable[[sqlite3.Connection], None], ...], ...] = (_V1, _V2, (*_V3, _to_v3))
SCHEMA_VERSION = len(MIGRATIONS)


def _dedupe(units: Iterable[dict]) -> list[dict]:
    """One entry per unit name, the first role it is named with."""
    seen: dict[str, dict] = {}
    for u in units:
        seen.setdefault(u["name"], u)
    return list(seen.values())


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Bring the file to schema *target* (default: the latest); return the version it had.

    Runs in one IMMEDIATE transaction and re-reads the version inside it, so two processes
    opening a fresh ledger at once migrate it once.
    """
    found = conn.execute("PRAGMA user_version").fetchone()[0]
    if found > SCHEMA_VERSION:
        raise LedgerError(
            f"ledger schema version {found} is newer than this speech-tasks understands ({SCHEMA_VERSION}); upgrade speech-tasks"
        )
    if found >= target:
        return found
    conn.execute("BEGIN IMMEDIATE")
    try:
        found = conn.execute("PRAGMA user_version").fetchone()[0]
        for version in range(found, target):
            for step in MIGRATIONS[version]:
                step(conn) if callable(step) else conn.execute(step)
        conn.execute(f"PRAGMA user_version = {max(found, target)}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return found


# ---- sheet → ledger columns -------------------------------------------------------------------


def canonical_unit(name: str) -> tuple[str, bool, bool]:
    """(canonical name, known, generic) of a unit name typed by the office, via the gazetteer
    (rules/units.yaml); an unknown name is kept as written and flagged unknown."""
    from ..units import lexicon

    name = name.strip()
    lex = lexicon()
    m = lex.match_at(name, 0)
    if m is not None and m.end() == len(name):
        entry, prefix = lex.entry_of(m)
        return lex._canonical(entry, prefix), True, entry.generic
    return name, False, False


def _sheet_columns(task: SheetTask, children: list[SheetTask]) -> dict:
    """A task's sheet-derived columns; its text is its own (children are rows of their own)."""
    return {
        "number": task.number,
        "path": task.path,
        "title": task.title,
        "text": own_text(task, children),
        "units": _dedupe({"name": u.name, "role": u.role, "generic": u.generic, "known": u.known} for u in task.units),
        "deadline": C.DEADLINE_SEP.join(dict.fromkeys(d.text for d in task.deadlines)),
        "due": iso(earliest_due(task)),
        "sectors": list(task.sectors),
    }


def _role_names(units: list[dict]) -> dict[str, str]:
    return {role: C.UNIT_SEP.join(u["name"] for u in units if u["role"] == role) for role in ROLE_LABELS}


def same_units(a: list[dict], b: list[dict]) -> bool:
    """The same units in the same roles (what the sheet knew about them aside)."""
    return [(u["name"], u["role"]) for u in a] == [(u["name"], u["role"]) for u in b]


def _units_text(units: list[dict]) -> str:
    return "；".join(f"{ROLE_LABELS.get(u['role'], u['role'])} {u['name']}" for u in units)


# ---- the ledger ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    """Where the ledger stands, for readers that keep results between calls (the portal):
    *imports* changes only when tasks, meetings or speech sources are added; every other
    change appends to the history (a 进展 report also to the feedback)."""

    imports: tuple[int, int, int]  # tasks, meetings, sources
    history: int  # last history id
    feedback: int  # last feedback id


_MARK = (
    "SELECT (SELECT COUNT(*) FROM tasks), (SELECT COUNT(*) FROM meetings), (SELECT COUNT(*) FROM sources),"
    " (SELECT IFNULL(MAX(id), 0) FROM history), (SELECT IFNULL(MAX(id), 0) FROM feedback)"
)
_CHANGED_SINCE = (
    "SELECT task FROM history WHERE id > ? UNION"
    " SELECT a.task FROM feedback f JOIN assignments a ON a.id = f.assignment WHERE f.id > ?"
)


@dataclass(frozen=True)
class Filters:
    """Which tasks :meth:`Ledger.tasks` returns; every given criterion must hold."""

    units: tuple[str, ...] = ()  # an assignment whose unit name contains any of these
    statuses: tuple[str, ...] = ()  # task status
    meeting: str | None = None  # meeting id or its prefix, or part of the meeting's name
    due_before: dt.date | None = None
    removed: bool = False  # include tasks no longer in their latest meeting's sheet
    dropped_only: bool = False  # only tasks flagged 本次会议未再部署


class Ledger:
    """An open ledger file: the API every front end uses. Use as a context manager.

    Reads: :meth:`meetings`, :meth:`tasks`, :meth:`task`, :meth:`assignment`, :meth:`history`,
    :meth:`frame` (pandas), :meth:`unit_summary`, :meth:`reminders` (催办), :meth:`accounts`. Changes (each takes ``by``, the account making it, and the version
    the caller last saw; a stale version raises :class:`ConflictError`): :meth:`import_sheet`,
    :meth:`sign`, :meth:`report`, :meth:`request_extension`, :meth:`approve_extension`,
    :meth:`reject_extension`, :meth:`review`, :meth:`send_back`, :meth:`close`, :meth:`reopen`,
    :meth:`close_task`, :meth:`edit_task`, :meth:`edit_units`, :meth:`override_status`.
    Who may do what is rules/ledger.yaml; with no accounts defined everyone acts as office.
    One instance holds one SQLite connection: use it from one thread (a server opens one per
    request or per thread; the file is shared safely between them).
    """

    def __init__(self, path: str | Path = DEFAULT_DB, *, timeout: float = 10.0, create: bool = False):
        self.path = Path(path)
        self.timeout = timeout
        if not self.path.exists():
            if not create:
                raise LedgerError(f"{self.path}: no ledger here (start one with: speech-tasks track import SHEET.json)")
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.rules: LedgerPolicy = policy()
        with self._errors():  # timeout: SQLite's busy timeout, how long a statement waits for a lock
            self.conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        try:
            with self._errors():
                self._use_wal()
                self.conn.execute("PRAGMA synchronous = NORMAL")
                self.conn.execute("PRAGMA foreign_keys = ON")
                migrate(self.conn)
        except BaseException:
            self.conn.close()
            raise

    def _use_wal(self) -> None:
        """Switch the file to WAL (it stays so). On a fresh file another process may be doing
        the same; SQLite then answers "locked" at once instead of waiting, so retry until the timeout."""
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                self.conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    def close_db(self) -> None:
        self.conn.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc) -> None:
        self.close_db()

    @property
    def evidence_dir(self) -> Path:
        """Where evidence files of 进展 reports are stored: a folder beside the database."""
        return self.path.with_name(f"{self.path.stem}.{EVIDENCE_DIR}")

    # ---- transactions -------------------------------------------------------------------

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        """Turn SQLite failures into one-line LedgerErrors naming the file."""
        try:
            yield
        except sqlite3.OperationalError as e:
            if "locked" in str(e) or "busy" in str(e):
                raise LedgerError(
                    f"{self.path}: ledger busy: another process held it for more than {self.timeout:g} s; try again"
                ) from None
            raise LedgerError(f"{self.path}: {e}") from None
        except sqlite3.DatabaseError as e:
            raise LedgerError(f"{self.path}: not a usable ledger ({e})") from None

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: holds the write lock from the start, so reads inside are current.
        Nested inside another, it is a savepoint: undone alone when it fails."""
        with self._errors():
            if self.conn.in_transaction:
                self.conn.execute("SAVEPOINT nested")
                try:
                    yield self.conn
                    self.conn.execute("RELEASE nested")
                except BaseException:
                    self.conn.execute("ROLLBACK TO nested")
                    self.conn.execute("RELEASE nested")
                    raise
                return
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """One read transaction: every query inside sees the same state (nests inside write())."""
        with self._errors():
            if self.conn.in_transaction:
                yield self.conn
                return
            self.conn.execute("BEGIN")
            try:
                yield self.conn
            finally:
                self.conn.execute("COMMIT")

    def mark(self) -> Mark:
        """Where the ledger stands now (read it inside :meth:`snapshot` with what it marks)."""
        with self._errors():
            tasks, meetings, sources, history, feedback = self.conn.execute(_MARK).fetchone()
        return Mark((tasks, meetings, sources), history, feedback)

    def changed_since(self, mark: Mark) -> set[str]:
        """Ids of the tasks changed since *mark* (by an action, an edit or a report); tasks an
        import added are not among them: compare :attr:`Mark.imports` for those."""
        with self._errors():
            return {r[0] for r in self.conn.execute(_CHANGED_SINCE, (mark.history, mark.feedback))}

    # ---- accounts -----------------------------------------------------------------------------

    def accounts(self) -> list[Account]:
        with self._errors():
            rows = self.conn.execute("SELECT name, role, unit FROM accounts ORDER BY name").fetchall()
        return [Account(**dict(r)) for r in rows]

    def account(self, by: str) -> Account:
        """The account *by* acts as; with no accounts defined, an office account of that name."""
        with self._errors():
            row = self.conn.execute("SELECT name, role, unit FROM accounts WHERE name = ?", (by,)).fetchone()
            if row is None:
                if self.conn.execute("SELECT 1 FROM accounts LIMIT 1").fetchone() is None:
                    return Account(by, "office", None)
                raise NotAllowed(f"{by}: no such account (see: speech-tasks track account)")
        return Account(**dict(row))

    def set_account(self, name: str, role: str, unit: str | None, by: str) -> Account:
        """Add or change an account (office only; the first account may be added by anyone and
        must be an office account). A unit name the ledger does not use yet is canonicalised
        against the gazetteer."""
        if role not in ROLES:
            raise LedgerError(f"unknown role {role!r} (one of {'/'.join(ROLES)})")
        if role == "unit" and not unit:
            raise LedgerError(f"{name}: a unit account needs its unit")
        with self.write() as conn:
            if unit and not conn.execute("SELECT 1 FROM assignments WHERE unit = ? LIMIT 1", (unit,)).fetchone():
                unit = canonical_unit(unit)[0]  # a name the ledger does not use yet: as the gazetteer spells it
            first = conn.execute("SELECT 1 FROM accounts LIMIT 1").fetchone() is None
            if first and role != "office":
                raise LedgerError("the first account must be an office account")
            if not first:
                self._may(self.account(by), "accounts")
            conn.execute(
                "INSERT INTO accounts (name, role, unit, created_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(name) DO UPDATE SET role = excluded.role, unit = excluded.unit",
                (name, role, unit, utc_now()),
            )
        return Account(name, role, unit)

    def _may(self, account: Account, what: str) -> None:
        try:
            self.rules.may(what, account.role)
        except LifecycleError as e:
            raise NotAllowed(f"{account.name}: {e}") from None

    # ---- reads --------------------------------------------------------------------------

    def schema_version(self) -> int:
        with self._errors():
            return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def meetings(self) -> list[Meeting]:
        """Every meeting, by date (undated last), then id."""
        with self._errors():
            rows = self.conn.execute("SELECT * FROM meetings ORDER BY date IS NULL, date, id").fetchall()
        return [Meeting.from_row(r) for r in rows]

    def meeting(self, meeting_id: str) -> Meeting:
        with self._errors():
            row = self.conn.execute("SELECT * FROM meetings WHERE id = ?", (meeting_id,)).fetchone()
        if row is None:
            raise LedgerError(f"unknown meeting {meeting_id!r}")
        return Meeting.from_row(row)

    def _feedback(self, where: str = "", args: Sequence = ()) -> dict[int, list[Feedback]]:
        out: dict[int, list[Feedback]] = {}
        for r in self.conn.execute(f"SELECT * FROM feedback {where} ORDER BY id", args):
            out.setdefault(r["assignment"], []).append(
                Feedback(r["id"], r["assignment"], r["at"], r["by"], r["action"], r["text"], tuple(loads(r["evidence"], [])))
            )
        return out

    def _assignments(self, rows: Iterable[sqlite3.Row], dues: dict[str, dt.date | None],
                     feedback: dict[int, list[Feedback]]) -> list[Assignment]:
        return [
            Assignment(
                id=r["id"], task=r["task"], unit=r["unit"], role=r["role"], generic=bool(r["generic"]),
                known=bool(r["known"]), status=r["status"], own_due=day(r["due"]), task_due=dues.get(r["task"]),
                requested_due=day(r["requested_due"]), request_reason=r["request_reason"], removed=bool(r["removed"]),
                version=r["version"], created_at=r["created_at"], updated_at=r["updated_at"],
                feedback=tuple(feedback.get(r["id"], ())),
            )
            for r in rows
        ]

    def _load_tasks(self, where: str = "", args: Sequence = ()) -> list[Task]:
        """Tasks selected by *where* (on ``tasks t JOIN meetings m``), with their assignments,
        feedback and sources, read in one snapshot."""
        selected = f"SELECT t.id FROM tasks t JOIN meetings m ON m.id = t.meeting {where}"
        within = f"IN ({selected})" if where else "IN (SELECT id FROM tasks)"
        with self.snapshot() as conn:
            rows = conn.execute(
                "SELECT t.* FROM tasks t JOIN meetings m ON m.id = t.meeting"
                f" {where} ORDER BY m.date IS NULL, m.date, m.id, t.seq", args
            ).fetchall()
            dues = {r["id"]: day(r["due"]) for r in rows}
            assignments: dict[str, list[Assignment]] = {}
            sources: dict[str, list[str]] = {}
            if rows:
                feedback = self._feedback(f"WHERE assignment IN (SELECT id FROM assignments WHERE task {within})", args)
                query = f"SELECT * FROM assignments WHERE task {within} ORDER BY id"
                for a in self._assignments(conn.execute(query, args), dues, feedback):
                    assignments.setdefault(a.task, []).append(a)
                for r in conn.execute(
                    f"SELECT s.task, s.meeting FROM sources s JOIN meetings m ON m.id = s.meeting WHERE s.task {within}"
                    " ORDER BY m.date IS NULL, m.date, m.imported_at", args
                ):
                    sources.setdefault(r["task"], []).append(r["meeting"])
        order = {role: i for i, role in enumerate(ROLE_LABELS)}
        return [
            Task(
                id=r["id"], meeting=r["meeting"], seq=r["seq"], number=r["number"], parent=r["parent"], path=r["path"],
                title=r["title"], text=r["text"], units=loads(r["units"], []), lead=r["lead"], owner=r["owner"],
                assist=r["assist"], deadline=r["deadline"], due=day(r["due"]), sectors=loads(r["sectors"], []),
                status=r["status"], override=r["override"], note=r["note"], removed_from_sheet=bool(r["removed_from_sheet"]),
                dropped=r["dropped"], edited=loads(r["edited"], []), created_at=r["created_at"], updated_at=r["updated_at"],
                version=r["version"], sources=tuple(dict.fromkeys(sources.get(r["id"], ()))),
                assignments=tuple(sorted(assignments.get(r["id"], ()), key=lambda a: (a.removed, order.get(a.role, 9), a.id))),
            )
            for r in rows
        ]

    def task(self, task_id: str) -> Task:
        """One task with its assignments and their feedback."""
        found = self._load_tasks("WHERE t.id = ?", (task_id,))
        if not found:
            raise LedgerError(f"unknown task id {task_id!r} (see: speech-tasks track list)")
        return found[0]

    def tasks(self, filters: Filters | None = None) -> list[Task]:
        """Tasks grouped by their latest meeting (by date, then id) in sheet order."""
        f = filters or Filters()
        meetings = {m.id: m for m in self.meetings()}
        out = []
        for t in self._load_tasks():
            if (
                (t.removed_from_sheet and not f.removed)
                or (f.units and not any(u in name for name in t.unit_names for u in f.units))
                or (f.statuses and t.status not in f.statuses)
                or (f.meeting and not (any(s.startswith(f.meeting) for s in t.sources)
                                       or any(f.meeting in (meetings[s].name or "") for s in t.sources)))
                or (f.due_before and (t.due is None or t.due >= f.due_before))
                or (f.dropped_only and not t.dropped)
            ):
                continue
            out.append(t)
        return out

    def assignment(self, assignment_id: int) -> Assignment:
        with self.snapshot() as conn:
            row = conn.execute("SELECT * FROM assignments WHERE id = ?", (assignment_id,)).fetchone()
            if row is None:
                raise LedgerError(f"unknown assignment {assignment_id} (see: speech-tasks track show TASK)")
            due = conn.execute("SELECT due FROM tasks WHERE id = ?", (row["task"],)).fetchone()[0]
            return self._assignments([row], {row["task"]: day(due)}, self._feedback("WHERE assignment = ?", (assignment_id,)))[0]

    def find_assignment(self, task_id: str, unit: str) -> Assignment:
        """The assignment of *task_id* whose unit is *unit* (or the only one containing it)."""
        t = self.task(task_id)
        exact = [a for a in t.active if a.unit == unit]
        near = exact or [a for a in t.active if unit in a.unit]
        if len(near) != 1:
            names = "、".join(a.unit for a in t.active)
            raise LedgerError(f"{task_id}: {'no' if not near else 'more than one'} unit matching {unit!r} (units: {names})")
        return near[0]

    def history(self, task_id: str | None = None) -> list[HistoryEntry]:
        """History rows in the order they were written, of one task (its assignments too) or of all."""
        with self._errors():
            if task_id is None:
                rows = self.conn.execute("SELECT * FROM history ORDER BY id").fetchall()
            else:
                self.task(task_id)
                rows = self.conn.execute("SELECT * FROM history WHERE task = ? ORDER BY id", (task_id,)).fetchall()
        return [HistoryEntry(r["id"], r["task"], r["assignment"], r["unit"], r["at"], r["by"], r["field"], r["old"],
                             r["new"], r["note"], r["version"]) for r in rows]

    def frame(self, filters: Filters | None = None, today: dt.date | None = None):
        """The tasks as a pandas DataFrame, one row per assignment (task columns repeated),
        with the 三色预警 of each assignment as of *today*."""
        import pandas as pd

        from .alerts import assignment_warning

        today = today or dt.date.today()
        records = []
        for t in self.tasks(filters):
            for a in t.active:
                records.append({
                    "task": t.id, "meeting": t.meeting, "number": t.number, "title": t.label, "text": t.text,
                    "task_status": t.status, "assignment": a.id, "unit": a.unit, "role": a.role, "status": a.status,
                    "due": a.due, "requested_due": a.requested_due, "note": a.last_note,
                    "warning": assignment_warning(a, today, self.rules), "version": a.version, "task_version": t.version,
                })
        return pd.DataFrame.from_records(records, columns=[
            "task", "meeting", "number", "title", "text", "task_status", "assignment", "unit", "role", "status",
            "due", "requested_due", "note", "warning", "version", "task_version"])

    def unit_summary(self, today: dt.date | None = None, filters: Filters | None = None):
        """Per unit: assignments by status and 三色 (view.UnitSummary), most red first."""
        from .view import select, unit_summary

        return unit_summary(select(self, filters or Filters(), today or dt.date.today()), self.rules.statuses)

    def reminders(self, today: dt.date | None = None, filters: Filters | None = None):
        """催办: {unit: [(row, assignment, reason)]} of overdue or long-unsigned assignments (view.reminders)."""
        from .view import reminders, select

        today = today or dt.date.today()
        return reminders(select(self, filters or Filters(), today), self, today)

    # ---- low-level writes (inside write()) ------------------------------------------------------

    def _log(self, task: str, by: str, now: str, version: int, changes: Iterable[tuple[str, str | None, str | None, str]],
             assignment: int | None = None, unit: str | None = None) -> None:
        self.conn.executemany(
            "INSERT INTO history (task, assignment, unit, at, by, field, old, new, note, version)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(task, assignment, unit, now, by, f, old, new, note or "", version) for f, old, new, note in changes],
        )

    def _expect(self, what: str, row: sqlite3.Row, expected: int | None, assignment: int | None = None) -> None:
        """Raise ConflictError if *row* (a task or assignment) moved past the *expected* version."""
        if expected is None or row["version"] == expected:
            return
        where = "assignment = ?" if assignment is not None else "task = ? AND assignment IS NULL"
        last = self.conn.execute(f"SELECT by, at FROM history WHERE {where} ORDER BY id DESC LIMIT 1",
                                 (assignment if assignment is not None else row["id"],)).fetchone()
        who = f"changed by {last['by']} at {last['at']}" if last else "changed"
        raise ConflictError(f"{what}: {who} (version {row['version']}, you had {expected}); reload and try again")

    def _task_row(self, task_id: str) -> sqlite3.Row:
        row = self.conn.execute("SELECT * FROM tasks WHERE id = ?", (task_id,)).fetchone()
        if row is None:
            raise LedgerError(f"unknown task id {task_id!r} (see: speech-tasks track list)")
        return row

    def _refresh_status(self, task_id: str, now: str) -> None:
        """Re-derive a task's status from its active assignments (the override wins)."""
        row = self._task_row(task_id)
        statuses = [r[0] for r in self.conn.execute(
            "SELECT status FROM assignments WHERE task = ? AND removed = 0", (task_id,))]
        status = row["override"] or self.rules.task_status(statuses)
        if status != row["status"]:
            self.conn.execute("UPDATE tasks SET status = ?, updated_at = ? WHERE id = ?", (status, now, task_id))

    def _add_assignment(self, task_id: str, unit: dict, now: str, status: str | None = None) -> int:
        """Add (or bring back) the assignment of *unit* to a task; returns its id."""
        old = self.conn.execute("SELECT * FROM assignments WHERE task = ? AND unit = ?", (task_id, unit["name"])).fetchone()
        if old is not None:
            self.conn.execute("UPDATE assignments SET removed = 0, role = ?, updated_at = ?, version = version + 1 WHERE id = ?",
                              (unit["role"], now, old["id"]))
            return old["id"]
        cur = self.conn.execute(
            "INSERT INTO assignments (task, unit, role, generic, known, status, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (task_id, unit["name"], unit["role"], int(unit.get("generic", False)), int(unit.get("known", True)),
             status or self.rules.initial, now, now),
        )
        return cur.lastrowid

    def _sync_units(self, task_id: str, units: list[dict], by: str, now: str, version: int, why: str) -> None:
        """Make the task's active assignments those of *units* (each change logged)."""
        units = _dedupe(units) or [{"name": C.NO_UNIT, "role": "owner", "generic": True}]
        current = {r["unit"]: r for r in self.conn.execute("SELECT * FROM assignments WHERE task = ?", (task_id,))}
        wanted = {u["name"]: u for u in units}
        for name, u in wanted.items():
            r = current.get(name)
            if r is None or r["removed"]:
                aid = self._add_assignment(task_id, u, now)
                self._log(task_id, by, now, version, [("unit", None, f"{ROLE_LABELS.get(u['role'], u['role'])} {name}",
                                                        why + ("" if u.get("known", True) else "；单位名称不在名录中"))], aid, name)
            elif r["role"] != u["role"]:
                self.conn.execute("UPDATE assignments SET role = ?, updated_at = ?, version = version + 1 WHERE id = ?",
                                  (u["role"], now, r["id"]))
                self._log(task_id, by, now, version, [("role", ROLE_LABELS.get(r["role"]), ROLE_LABELS.get(u["role"]), why)],
                          r["id"], name)
        for name, r in current.items():
            if name not in wanted and not r["removed"]:
                self.conn.execute("UPDATE assignments SET removed = 1, updated_at = ?, version = version + 1 WHERE id = ?",
                                  (now, r["id"]))
                self._log(task_id, by, now, version, [("unit", f"{ROLE_LABELS.get(r['role'], r['role'])} {name}", None, why)],
                          r["id"], name)
        self._refresh_status(task_id, now)

    # ---- importing sheets ------------------------------------------------------------------------

    def import_sheet(self, sheet: TaskSheet, by: str, *, path: str | None = None, follows: str | None = None,
                     series: str | None = None) -> ImportResult:
        """Add or refresh one meeting's tasks from its sheet; see :mod:`speech_tasks.ledger.identity`.

        *path*: the sheet's path (without suffix) — with the speech's sha256 it is how the
        meeting is recognised again (default: the speech's file name). *follows*: the id of the
        earlier meeting this one continues; otherwise the latest earlier meeting of the same
        series (rules/ledger.yaml series_strip, or *series*) is, if any. Importing the same
        sheet twice changes nothing.
        """
        from .identity import import_sheet

        self._may(self.account(by), "import")
        with self.write():
            return import_sheet(self, sheet, by, path or Path(sheet.source.file).with_suffix("").as_posix(), follows, series)

    # ---- assignment actions ----------------------------------------------------------------------

    def _act(self, action: str, assignment_id: int, by: str, version: int | None, note: str = "",
             change: Callable[[sqlite3.Row], dict] | None = None, evidence: Sequence[str | Path] = ()) -> Assignment:
        """One lifecycle action on an assignment: permission, status and version checked, the
        change stored with its history row (and a feedback entry when it carries a text)."""
        account = self.account(by)
        with self.write() as conn:
            row = conn.execute("SELECT * FROM assignments WHERE id = ?", (assignment_id,)).fetchone()
            if row is None or row["removed"]:
                raise LedgerError(f"unknown assignment {assignment_id} (see: speech-tasks track show TASK)")
            what = f"{row['task']} {row['unit']}"
            if account.role == "unit" and account.unit != row["unit"]:
                raise NotAllowed(f"{what}: {account.name} acts for {account.unit}, not {row['unit']}")
            try:
                a = self.rules.check(action, row["status"], account.role)
            except LifecycleError as e:
                raise LedgerError(f"{what}: {e}") from None
            note = (note or "").strip()
            if a.note == "required" and not note:
                raise LedgerError(f"{what}: {a.label} needs a text (--note)")
            self._expect(what, row, version, assignment_id)
            now = utc_now()
            fields = change(row) if change else {}
            new_version = row["version"] + 1
            status = a.to or row["status"]
            fields.update(status=status, version=new_version, updated_at=now)
            conn.execute(f"UPDATE assignments SET {', '.join(f'{k} = ?' for k in fields)} WHERE id = ?",
                         (*fields.values(), assignment_id))
            stored = self._store_evidence(assignment_id, evidence)
            if note or stored:
                conn.execute("INSERT INTO feedback (assignment, at, by, action, text, evidence) VALUES (?, ?, ?, ?, ?, ?)",
                             (assignment_id, now, by, action, note, json.dumps(stored, ensure_ascii=False)))
            changes = [("status", row["status"], status, f"{a.label}：{note}" if note else a.label)] if status != row["status"] \
                else [("feedback", None, a.label, note)]
            for k in ("due", "requested_due"):
                if k in fields and fields[k] != row[k]:
                    changes.append(("due" if k == "due" else "extension", row[k], fields[k], note or a.label))
            if stored:
                changes.append(("feedback", None, "、".join(stored), "佐证材料"))
            self._log(row["task"], by, now, new_version, changes, assignment_id, row["unit"])
            self._refresh_status(row["task"], now)
        return self.assignment(assignment_id)

    def _store_evidence(self, assignment_id: int, files: Sequence[str | Path]) -> list[str]:
        stored = []
        for f in files:
            src = Path(f)
            if not src.is_file():
                raise LedgerError(f"{src}: no such evidence file")
            folder = self.evidence_dir / str(assignment_id)
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / src.name
            n = 1
            while target.exists():
                target = folder / f"{src.stem}-{n}{src.suffix}"
                n += 1
            shutil.copy2(src, target)
            stored.append(target.relative_to(self.evidence_dir).as_posix())
        return stored

    def sign(self, assignment_id: int, by: str, version: int | None, note: str = "") -> Assignment:
        """签收: the unit acknowledges its assignment."""
        return self._act("sign", assignment_id, by, version, note)

    def report(self, assignment_id: int, by: str, version: int | None, text: str,
               evidence: Sequence[str | Path] = (), done: bool = False) -> Assignment:
        """报送进展 (or, with *done*, 报送完成): a feedback entry with optional evidence files,
        copied into :attr:`evidence_dir`. Reporting signs an unsigned assignment."""
        return self._act("complete" if done else "report", assignment_id, by, version, text, evidence=evidence)

    def request_extension(self, assignment_id: int, by: str, version: int | None, due: dt.date, reason: str) -> Assignment:
        """申请延期 to *due*: pending until the office approves or rejects it."""
        current = self.assignment(assignment_id)
        if current.due is not None and due <= current.due:
            raise LedgerError(f"{current.task} {current.unit}: 延期 must be later than the due date {current.due}")
        return self._act("request_extension", assignment_id, by, version, reason,
                         lambda row: {"requested_due": iso(due), "request_reason": reason.strip()})

    def approve_extension(self, assignment_id: int, by: str, version: int | None, note: str = "") -> Assignment:
        """批准延期: the requested date becomes the assignment's due date."""
        def change(row):
            if not row["requested_due"]:
                raise LedgerError(f"{row['task']} {row['unit']}: no 延期 request to approve")
            return {"due": row["requested_due"], "requested_due": None}
        return self._act("approve_extension", assignment_id, by, version, note, change)

    def reject_extension(self, assignment_id: int, by: str, version: int | None, note: str) -> Assignment:
        """驳回延期: the request is dropped; the due date stays."""
        def change(row):
            if not row["requested_due"]:
                raise LedgerError(f"{row['task']} {row['unit']}: no 延期 request to reject")
            return {"requested_due": None}
        return self._act("reject_extension", assignment_id, by, version, note, change)

    def review(self, assignment_id: int, by: str, version: int | None, note: str = "") -> Assignment:
        """审核通过: the office accepts the unit's 已完成 report."""
        return self._act("review", assignment_id, by, version, note)

    def send_back(self, assignment_id: int, by: str, version: int | None, note: str) -> Assignment:
        """退回: the office returns a report as not done; the unit goes on (推进中)."""
        return self._act("send_back", assignment_id, by, version, note)

    def close(self, assignment_id: int, by: str, version: int | None, note: str = "") -> Assignment:
        """销号 one assignment (only after 审核通过)."""
        return self._act("close", assignment_id, by, version, note)

    def reopen(self, assignment_id: int, by: str, version: int | None, note: str) -> Assignment:
        """Reopen a closed assignment (推进中), with the reason."""
        return self._act("reopen", assignment_id, by, version, note)

    def close_task(self, task_id: str, by: str, version: int | None, note: str = "") -> Task:
        """销号 a task: every active assignment must be 审核通过 (or already 已销号)."""
        close = self.rules.actions["close"]
        with self.write():  # all units or none
            self._expect(task_id, self._task_row(task_id), version)
            t = self.task(task_id)
            waiting = [f"{a.unit} {a.status}" for a in t.active if a.status not in (*close.from_, close.to)]
            if waiting:
                raise LedgerError(f"{task_id}: 销号 needs every unit reviewed ({'/'.join(close.from_)}) first: {'、'.join(waiting)}")
            for a in t.active:
                if a.status in close.from_:
                    self.close(a.id, by, a.version, note)
        return self.task(task_id)

    # ---- office edits of a task ----------------------------------------------------------------

    def _edit(self, task_id: str, by: str, version: int | None, apply: Callable[[sqlite3.Row, str, int], list[tuple]],
              what: str) -> Task:
        account = self.account(by)
        self._may(account, what)
        with self.write():
            row = self._task_row(task_id)
            self._expect(task_id, row, version)
            now = utc_now()
            new_version = row["version"] + 1
            changes = apply(row, now, new_version)
            if changes:
                self._log(task_id, by, now, new_version, changes)
                self.conn.execute("UPDATE tasks SET version = ?, updated_at = ? WHERE id = ?", (new_version, now, task_id))
                self._refresh_status(task_id, now)
        return self.task(task_id)

    def edit_task(self, task_id: str, by: str, version: int | None, *, text: str | None = None,
                  title: str | None = None, due: dt.date | None = None, deadline: str | None = None,
                  note: str | None = None, reason: str = "") -> Task:
        """Office edit of a task's wording, due date, 完成时限 or office note. Edited sheet fields
        are kept when the meeting is re-imported (the import says so)."""
        wanted = {k: v for k, v in (("text", text), ("title", title), ("due", iso(due)), ("deadline", deadline),
                                     ("note", note)) if v is not None}

        def apply(row, now, version):
            changes = []
            edited = set(loads(row["edited"], []))
            sheet_values = loads(row["sheet_values"], {})
            for k, v in wanted.items():
                v = v.strip() if isinstance(v, str) else v
                if (row[k] or "") != (v or ""):
                    changes.append((k, row[k], v, reason))
                    self.conn.execute(f"UPDATE tasks SET {k} = ? WHERE id = ?", (v, task_id))
                    if k in SHEET_FIELDS and k not in edited:
                        edited.add(k)
                        sheet_values[k] = row[k]
            self.conn.execute("UPDATE tasks SET edited = ?, sheet_values = ? WHERE id = ?",
                              (json.dumps(sorted(edited)), json.dumps(sheet_values, ensure_ascii=False), task_id))
            return changes
        return self._edit(task_id, by, version, apply, "edit_task")

    def edit_units(self, task_id: str, by: str, version: int | None, *, add: Sequence[tuple[str, str]] = (),
                   remove: Sequence[str] = (), roles: dict[str, str] | None = None, reason: str = "") -> Task:
        """Office edit of a task's units: *add* (name, role) pairs, *remove* names, change *roles*
        ({name: role}). Names are canonicalised against the gazetteer; unknown names are kept and
        flagged. Adding a named unit replaces the 未明确单位 placeholder; splitting a generic
        addressee (各镇街) into named units is remove + add."""
        roles = dict(roles or {})
        for _, role in [*add, *((None, r) for r in roles.values())]:
            if role not in ROLE_LABELS:
                raise LedgerError(f"unknown role {role!r} (one of {'/'.join(ROLE_LABELS)})")

        def apply(row, now, version):
            units = {u["name"]: dict(u) for u in loads(row["units"], [])}
            for name in remove:
                canon = canonical_unit(name)[0]
                key = name if name in units else canon
                if key not in units:
                    raise LedgerError(f"{task_id}: no unit {name!r} to remove (units: {'、'.join(units) or '无'})")
                del units[key]
            for name, role in roles.items():
                key = name if name in units else canonical_unit(name)[0]
                if key not in units:
                    raise LedgerError(f"{task_id}: no unit {name!r} (units: {'、'.join(units) or '无'})")
                units[key]["role"] = role
            for name, role in add:
                canon, known, generic = canonical_unit(name)
                units[canon] = {"name": canon, "role": role, "generic": generic, "known": known}
            units.pop(C.NO_UNIT, None)
            new = list(units.values())
            if new == loads(row["units"], []):
                return []
            names = _role_names(new)
            sheet_values = loads(row["sheet_values"], {})
            sheet_values.setdefault("units", loads(row["units"], []))
            self.conn.execute(
                "UPDATE tasks SET units = ?, lead = ?, owner = ?, assist = ?, edited = ?, sheet_values = ? WHERE id = ?",
                (json.dumps(new, ensure_ascii=False), names["lead"], names["owner"], names["assist"],
                 json.dumps(sorted({*loads(row["edited"], []), "units"})), json.dumps(sheet_values, ensure_ascii=False),
                 task_id))
            self._sync_units(task_id, new, by, now, version, reason or "办公室调整")
            return [("units", _units_text(loads(row["units"], [])), _units_text(new), reason)]
        return self._edit(task_id, by, version, apply, "edit_units")

    def override_status(self, task_id: str, status: str | None, by: str, version: int | None, reason: str = "") -> Task:
        """The office sets the task's status regardless of its assignments (None: derive it again)."""
        if status is not None:
            try:
                self.rules.check_status(status)
            except LifecycleError as e:
                raise LedgerError(f"{task_id}: {e}") from None
            if status not in self.rules.override_to:
                raise LedgerError(f"{task_id}: the office sets a task to {'/'.join(self.rules.override_to)} only; "
                                  f"{status} comes from reviewing and closing each unit (track review / track close)")

        def apply(row, now, version):
            if row["override"] == status:
                return []
            self.conn.execute("UPDATE tasks SET override = ? WHERE id = ?", (status, task_id))
            return [("override", row["override"], status, reason)]
        return self._edit(task_id, by, version, apply, "override_status")
