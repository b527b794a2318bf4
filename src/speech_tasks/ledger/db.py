"""The ledger's SQLite store: schema, migrations and every read and write `track` makes.

One file (default ``outputs/ledger.sqlite``) in WAL mode, so readers never wait for the writer.
Every change runs in a ``BEGIN IMMEDIATE`` transaction that waits up to the busy timeout for the
write lock, reads the task, checks the change and appends its history rows before committing, so
processes updating the same tasks at once lose nothing. ``history`` is append-only (triggers
refuse UPDATE and DELETE). Each change event bumps the task's ``version`` once; history rows
carry the version they produced, which is how an edited xlsx export detects newer ledger changes.

The schema version is ``PRAGMA user_version``: opening a ledger applies the migrations it lacks.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..export import columns as C
from ..export.frame import children_map, earliest_due, own_text, units_by_role
from ..models import Task, TaskSheet
from .lifecycle import Edit, FieldChange, LifecycleError, State, iso, plan, policy

DEFAULT_DB = "outputs/ledger.sqlite"

# Each migration is a list of statements run in one transaction; its index + 1 is the
# user_version it brings the file to. Append, never edit: files in the field have run them.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE meetings (
            id TEXT PRIMARY KEY,            -- stem of the speech file
            file TEXT NOT NULL,
            sha256 TEXT NOT NULL,           -- of the speech: changes when it is re-extracted
            name TEXT,
            date TEXT,
            tasks INTEGER NOT NULL,
            imported_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        """CREATE TABLE tasks (
            id TEXT PRIMARY KEY,            -- the sheet's stable task id
            meeting TEXT NOT NULL REFERENCES meetings(id),
            seq INTEGER NOT NULL,           -- position in the sheet
            number TEXT NOT NULL,
            parent TEXT,
            path TEXT NOT NULL,
            title TEXT,
            text TEXT NOT NULL,
            units TEXT NOT NULL,            -- JSON [{name, role, generic}]
            lead TEXT NOT NULL,             -- canonical names joined by 、
            owner TEXT NOT NULL,
            assist TEXT NOT NULL,
            deadline TEXT NOT NULL,         -- deadline expressions as written, joined by ；
            due TEXT,                       -- earliest computable due date in the sheet
            sectors TEXT NOT NULL,          -- JSON list
            status TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            extended_due TEXT,              -- latest 延期 due date
            delay_reason TEXT NOT NULL DEFAULT '',
            removed_from_sheet INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            version INTEGER NOT NULL DEFAULT 0
        )""",
        "CREATE INDEX tasks_by_meeting ON tasks(meeting, seq)",
        """CREATE TABLE history (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            task TEXT NOT NULL REFERENCES tasks(id),
            at TEXT NOT NULL,               -- UTC, ISO 8601
            by TEXT NOT NULL,
            field TEXT NOT NULL,            -- status, due, delay_reason, note, sheet
            old TEXT,
            new TEXT,
            note TEXT NOT NULL DEFAULT '',
            version INTEGER NOT NULL        -- the task's version after this change
        )""",
        "CREATE INDEX history_by_task ON history(task, id)",
        """CREATE TRIGGER history_no_update BEFORE UPDATE ON history
           BEGIN SELECT RAISE(ABORT, 'history is append-only'); END""",
        """CREATE TRIGGER history_no_delete BEFORE DELETE ON history
           BEGIN SELECT RAISE(ABORT, 'history is append-only'); END""",
    ),
    (
        # a task carried over from an earlier meeting's task (filled in by meeting linking)
        """CREATE TABLE links (
            task TEXT NOT NULL REFERENCES tasks(id),
            carried_from TEXT NOT NULL REFERENCES tasks(id),
            at TEXT NOT NULL,
            by TEXT NOT NULL,
            PRIMARY KEY (task, carried_from)
        )""",
        "CREATE INDEX links_by_source ON links(carried_from)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)

FIELD_LABELS = {"status": "状态", "due": "延期至", "delay_reason": "延期原因", "note": "进展情况", "sheet": "任务表"}
IN_SHEET, REMOVED = "在表", "移出"


class LedgerError(Exception):
    """Anything the user must fix or retry; the message is one line."""


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@dataclass(frozen=True)
class LedgerTask:
    id: str
    meeting: str
    seq: int
    number: str
    parent: str | None
    path: str
    title: str | None
    text: str
    units: list[dict]
    lead: str
    owner: str
    assist: str
    deadline: str
    due: dt.date | None
    sectors: list[str]
    status: str
    note: str
    extended_due: dt.date | None
    delay_reason: str
    removed_from_sheet: bool
    created_at: str
    updated_at: str
    version: int

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> LedgerTask:
        d = dict(row)
        d.update(
            units=json.loads(d["units"]),
            sectors=json.loads(d["sectors"]),
            due=_date(d["due"]),
            extended_due=_date(d["extended_due"]),
            removed_from_sheet=bool(d["removed_from_sheet"]),
        )
        return cls(**d)

    @property
    def effective_due(self) -> dt.date | None:
        """The date warnings use: the latest 延期 due if any, else the sheet's earliest due."""
        return self.extended_due or self.due

    @property
    def state(self) -> State:
        return State(self.status, self.note, self.extended_due, self.delay_reason)

    @property
    def unit_names(self) -> list[str]:
        return list(dict.fromkeys(u["name"] for u in self.units))

    @property
    def label(self) -> str:
        """A short name for tables: the title, else the start of the text."""
        return self.title or self.text.split("\n", 1)[0]


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    task: str
    at: str
    by: str
    field: str
    old: str | None
    new: str | None
    note: str
    version: int


@dataclass(frozen=True)
class LedgerMeeting:
    id: str
    file: str
    sha256: str
    name: str | None
    date: dt.date | None
    tasks: int
    imported_at: str
    updated_at: str


@dataclass
class ImportSummary:
    """What importing one sheet did."""

    meeting: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    restored: int = 0


@dataclass
class Applied:
    """The outcome of one change event: the task's version after it and the rows it wrote."""

    task: str
    version: int
    changes: list[FieldChange] = field(default_factory=list)


def _task_columns(task: Task, seq: int, children: list[Task]) -> dict:
    """A task's sheet-derived columns; its text is its own (children are rows of their own)."""
    names = {role: C.UNIT_SEP.join(u.name for u in units) for role, units in units_by_role(task).items()}
    return {
        "seq": seq,
        "number": task.number,
        "parent": task.parent,
        "path": task.path,
        "title": task.title,
        "text": own_text(task, children),
        "units": json.dumps(
            [{"name": u.name, "role": u.role, "generic": u.generic} for u in task.units], ensure_ascii=False
        ),
        "lead": names["lead"],
        "owner": names["owner"],
        "assist": names["assist"],
        "deadline": C.DEADLINE_SEP.join(dict.fromkeys(d.text for d in task.deadlines)),
        "due": iso(earliest_due(task)),
        "sectors": json.dumps(task.sectors, ensure_ascii=False),
    }


def meeting_id(sheet: TaskSheet) -> str:
    """A meeting is known by the stem of its speech file."""
    return Path(sheet.source.file).stem


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
            for statement in MIGRATIONS[version]:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {max(found, target)}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return found


class Ledger:
    """An open ledger file. Use as a context manager, or call :meth:`close`."""

    def __init__(self, path: str | Path = DEFAULT_DB, *, timeout: float = 10.0, create: bool = False):
        self.path = Path(path)
        self.timeout = timeout
        if not self.path.exists():
            if not create:
                raise LedgerError(f"{self.path}: no ledger here (start one with: speech-tasks track import SHEET.json)")
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.rules = policy()
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

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

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
        """One write transaction: holds the write lock from the start, so reads inside are current."""
        with self._errors():
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """One read transaction: every query inside sees the same state."""
        with self._errors():
            self.conn.execute("BEGIN")
            try:
                yield self.conn
            finally:
                self.conn.execute("COMMIT")

    # ---- reads --------------------------------------------------------------------------

    def schema_version(self) -> int:
        with self._errors():
            return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def task(self, task_id: str) -> LedgerTask:
        with self._errors():
            row = self.conn.execute("SELECT * FROM tasks WHERE id = ?", (task_id,)).fetchone()
        if row is None:
            raise LedgerError(f"unknown task id {task_id!r} (see: speech-tasks track list)")
        return LedgerTask.from_row(row)

    def tasks(self) -> list[LedgerTask]:
        """Every task, grouped by meeting (by date, then id) in sheet order."""
        with self._errors():
            rows = self.conn.execute(
                "SELECT t.* FROM tasks t JOIN meetings m ON m.id = t.meeting"
                " ORDER BY m.date IS NULL, m.date, m.id, t.seq"
            ).fetchall()
        return [LedgerTask.from_row(r) for r in rows]

    def meetings(self) -> list[LedgerMeeting]:
        with self._errors():
            rows = self.conn.execute("SELECT * FROM meetings ORDER BY date IS NULL, date, id").fetchall()
        return [LedgerMeeting(**{**dict(r), "date": _date(r["date"])}) for r in rows]

    def history(self, task_id: str | None = None, carried: bool = False) -> list[HistoryEntry]:
        """History rows in the order they were written, of one task or of all.

        With *carried*, one task's rows include those of the earlier tasks it carries over.
        """
        with self._errors():
            if task_id is None:
                rows = self.conn.execute("SELECT * FROM history ORDER BY id").fetchall()
            else:
                self.task(task_id)
                ids = self.carried_from(task_id) if carried else []
                marks = ", ".join("?" * (len(ids) + 1))
                rows = self.conn.execute(
                    f"SELECT * FROM history WHERE task IN ({marks}) ORDER BY id", (task_id, *ids)
                ).fetchall()
        return [HistoryEntry(**dict(r)) for r in rows]

    def carried_from(self, task_id: str) -> list[str]:
        """Earlier meetings' tasks that *task_id* carries over, directly or through others, fewest links away first."""
        with self._errors():
            rows = self.conn.execute(
                "WITH RECURSIVE up(id, depth) AS (SELECT ?, 0 UNION SELECT l.carried_from, up.depth + 1"
                " FROM links l JOIN up ON l.task = up.id WHERE up.depth < 100)"
                " SELECT id FROM up WHERE id != ? GROUP BY id ORDER BY MIN(depth), id",
                (task_id, task_id),
            ).fetchall()
        return [r[0] for r in rows]

    # ---- writes -------------------------------------------------------------------------

    def _append(self, task: LedgerTask, changes: list[FieldChange], by: str, now: str) -> int:
        version = task.version + 1
        self.conn.executemany(
            "INSERT INTO history (task, at, by, field, old, new, note, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(task.id, now, by, c.field, c.old, c.new, c.note, version) for c in changes],
        )
        return version

    def apply(self, task: LedgerTask, edit: Edit, by: str, now: str) -> Applied:
        """Check *edit* against the lifecycle, store it on *task* and log it.

        Call inside :meth:`write`, with *task* read inside the same transaction.
        """
        try:
            state, changes = plan(task.state, edit, task.due, self.rules)
        except LifecycleError as e:
            raise LedgerError(f"{task.id}: {e}") from None
        if not changes:
            return Applied(task.id, task.version)
        version = self._append(task, changes, by, now)
        self.conn.execute(
            "UPDATE tasks SET status = ?, note = ?, extended_due = ?, delay_reason = ?, updated_at = ?, version = ?"
            " WHERE id = ?",
            (state.status, state.note, iso(state.extended_due), state.delay_reason, now, version, task.id),
        )
        return Applied(task.id, version, changes)

    def update(self, task_id: str, edit: Edit, by: str) -> Applied:
        """Apply one `track set`: check the change against the lifecycle, store it, log it."""
        with self.write():
            return self.apply(self.task(task_id), edit, by, utc_now())

    def import_sheet(self, sheet: TaskSheet, by: str) -> ImportSummary:
        """Add or refresh one meeting's tasks from its sheet.

        Tasks keep their tracked state (status, note, 延期, history) across re-extractions;
        sheet-derived columns are refreshed; a task missing from the new sheet stays in the
        ledger flagged ``removed_from_sheet`` (and is unflagged if it comes back). Importing
        the same sheet twice changes nothing.
        """
        mid = meeting_id(sheet)
        summary = ImportSummary(mid)
        children = children_map(sheet)
        columns = [(t.id, _task_columns(t, i, children.get(t.id, []))) for i, t in enumerate(sheet.tasks)]
        meeting = {
            "file": sheet.source.file,
            "sha256": sheet.source.sha256,
            "name": sheet.meeting.name,
            "date": iso(sheet.meeting.date),
            "tasks": len(sheet.tasks),
        }
        with self.write() as conn:
            now = utc_now()
            old = conn.execute("SELECT * FROM meetings WHERE id = ?", (mid,)).fetchone()
            if old is None:
                conn.execute(
                    "INSERT INTO meetings (id, file, sha256, name, date, tasks, imported_at, updated_at)"
                    " VALUES (:id, :file, :sha256, :name, :date, :tasks, :now, :now)",
                    {**meeting, "id": mid, "now": now},
                )
            elif any(old[k] != v for k, v in meeting.items()):
                conn.execute(
                    "UPDATE meetings SET file = :file, sha256 = :sha256, name = :name, date = :date, tasks = :tasks,"
                    " updated_at = :now WHERE id = :id",
                    {**meeting, "id": mid, "now": now},
                )
            rows = {r["id"]: r for r in conn.execute("SELECT * FROM tasks WHERE meeting = ?", (mid,)).fetchall()}
            existing = {task_id: LedgerTask.from_row(r) for task_id, r in rows.items()}
            for task_id, cols in columns:
                task = existing.pop(task_id, None)
                if task is None:
                    elsewhere = conn.execute("SELECT meeting FROM tasks WHERE id = ?", (task_id,)).fetchone()
                    if elsewhere is not None:
                        raise LedgerError(f"{sheet.source.file}: task {task_id} already belongs to meeting {elsewhere[0]}")
                    conn.execute(
                        f"INSERT INTO tasks (id, meeting, {', '.join(cols)}, status, created_at, updated_at)"
                        f" VALUES (:id, :meeting, {', '.join(':' + c for c in cols)}, :status, :now, :now)",
                        {**cols, "id": task_id, "meeting": mid, "status": self.rules.initial, "now": now},
                    )
                    summary.added += 1
                    continue
                if any(rows[task_id][c] != v for c, v in cols.items()):
                    conn.execute(
                        f"UPDATE tasks SET {', '.join(f'{c} = :{c}' for c in cols)}, updated_at = :now WHERE id = :id",
                        {**cols, "id": task_id, "now": now},
                    )
                    summary.updated += 1
                else:
                    summary.unchanged += 1
                if task.removed_from_sheet:
                    self._flag_removed(task, False, by, now, f"back in {sheet.source.file}")
                    summary.restored += 1
            for task in existing.values():
                if not task.removed_from_sheet:
                    self._flag_removed(task, True, by, now, f"not in {sheet.source.file} ({sheet.source.sha256[:12]})")
                    summary.removed += 1
        return summary

    def link_carried_over(self, mid: str, by: str) -> int:
        """Link meeting *mid*'s tasks with the tasks they carry over from the meetings around it
        (speech_tasks.diff.carry); returns how many links are new. Earlier tasks stay as they are."""
        from ..diff.carry import carried_over

        def in_sheet(meeting: str) -> list[LedgerTask]:
            rows = self.conn.execute(
                "SELECT * FROM tasks WHERE meeting = ? AND removed_from_sheet = 0 ORDER BY seq", (meeting,)
            ).fetchall()
            return [LedgerTask.from_row(r) for r in rows]

        with self.write() as conn:
            links = carried_over(mid, {m.id: m for m in self.meetings()}, in_sheet)
            before, now = conn.total_changes, utc_now()
            conn.executemany(
                "INSERT OR IGNORE INTO links (task, carried_from, at, by) VALUES (?, ?, ?, ?)",
                [(task, source, now, by) for task, source in links],
            )
            return conn.total_changes - before

    def _flag_removed(self, task: LedgerTask, removed: bool, by: str, now: str, note: str) -> None:
        old, new = (IN_SHEET, REMOVED) if removed else (REMOVED, IN_SHEET)
        version = self._append(task, [FieldChange("sheet", old, new, note)], by, now)
        self.conn.execute(
            "UPDATE tasks SET removed_from_sheet = ?, updated_at = ?, version = ? WHERE id = ?",
            (int(removed), now, version, task.id),
        )
