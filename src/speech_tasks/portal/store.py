"""The portal's own tables in the ledger's SQLite file: passwords, settings, drafts, files, audit.

They sit beside the ledger's tables (one file to back up) and are versioned on their own
(``portal_meta.schema``), so the ledger's migrations (``PRAGMA user_version``) and the portal's
never step on each other. Every write is one ``BEGIN IMMEDIATE`` transaction.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import secrets
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from ..ledger.db import Ledger, LedgerError

# Append, never edit: each entry brings the portal's tables to the next version.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        "CREATE TABLE IF NOT EXISTS portal_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        # the password of a ledger account (ledger table `accounts`: name, role, unit)
        """CREATE TABLE portal_users (
            name TEXT PRIMARY KEY REFERENCES accounts(name),
            password_hash TEXT NOT NULL,    -- argon2id
            active INTEGER NOT NULL DEFAULT 1,
            session_epoch INTEGER NOT NULL DEFAULT 0,  -- bumped on password change / disable: old sessions end
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        """CREATE TABLE portal_files (
            id TEXT PRIMARY KEY,            -- random, also the stored file's name (without suffix)
            kind TEXT NOT NULL,             -- speech / evidence
            suffix TEXT NOT NULL,
            original_name TEXT NOT NULL,    -- shown and offered as download name, never used as a path
            size INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            uploaded_by TEXT NOT NULL,
            uploaded_at TEXT NOT NULL
        )""",
        """CREATE TABLE portal_drafts (
            id TEXT PRIMARY KEY,
            file TEXT NOT NULL REFERENCES portal_files(id),
            state TEXT NOT NULL CHECK (state IN ('draft', 'confirmed', 'discarded')),
            sheet_json TEXT NOT NULL,       -- the task sheet, with the office's corrections
            source_text TEXT NOT NULL,      -- the decoded speech the spans index into
            meeting TEXT,                   -- ledger meeting id once confirmed
            import_json TEXT,               -- what confirming it did (ledger ImportResult), for the diff view
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_by TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            version INTEGER NOT NULL DEFAULT 0
        )""",
        "CREATE INDEX portal_drafts_by_meeting ON portal_drafts(meeting)",
        """CREATE TABLE portal_audit (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            by TEXT NOT NULL,
            action TEXT NOT NULL,
            target TEXT NOT NULL DEFAULT '',
            detail TEXT NOT NULL DEFAULT ''
        )""",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(Exception):
    """The portal's tables cannot be used; one line naming the file."""


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def files_dir(db_path: Path) -> Path:
    """Where uploaded files are kept: ``<db stem>-files/`` beside the database."""
    return db_path.with_name(db_path.stem + "-files")


def prepare(db_path: str | Path) -> Path:
    """Create or upgrade the ledger and the portal's tables in *db_path*; the resolved path."""
    path = Path(db_path).resolve()
    try:
        Ledger(path, create=True).close_db()
    except LedgerError as e:
        raise StoreError(str(e)) from None
    with connect(path) as conn:
        _migrate(conn, path)
    return path


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    conn.execute("CREATE TABLE IF NOT EXISTS portal_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    with transaction(conn, path):
        row = conn.execute("SELECT value FROM portal_meta WHERE key = 'schema'").fetchone()
        found = int(row[0]) if row else 0
        if found > SCHEMA_VERSION:
            raise StoreError(f"{path}: portal tables are version {found}, newer than this speech-tasks ({SCHEMA_VERSION}); upgrade it")
        for version in range(found, SCHEMA_VERSION):
            for statement in MIGRATIONS[version]:
                conn.execute(statement)
        conn.execute("INSERT OR REPLACE INTO portal_meta (key, value) VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        if conn.execute("SELECT 1 FROM portal_meta WHERE key = 'secret_key'").fetchone() is None:
            conn.execute("INSERT INTO portal_meta (key, value) VALUES ('secret_key', ?)", (secrets.token_hex(32),))


@contextlib.contextmanager
def connect(db_path: Path, timeout: float = 10.0) -> Iterator[sqlite3.Connection]:
    """A connection to the ledger file (already in WAL mode), rows as ``sqlite3.Row``."""
    try:
        conn = sqlite3.connect(db_path, timeout=timeout, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as e:
        raise StoreError(f"{db_path}: {e}") from None
    conn.row_factory = sqlite3.Row
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        yield conn
    finally:
        conn.close()


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection, path: Path | str = "ledger") -> Iterator[sqlite3.Connection]:
    """One write transaction holding the write lock from its start."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as e:
        raise StoreError(f"{path}: ledger busy ({e}); try again") from None
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def secret_key(conn: sqlite3.Connection) -> str:
    """The key that signs session cookies; made once per database, so sessions survive restarts."""
    return conn.execute("SELECT value FROM portal_meta WHERE key = 'secret_key'").fetchone()[0]


def audit(conn: sqlite3.Connection, by: str, action: str, target: str = "", detail: str = "") -> None:
    """Append one line to the portal's audit log (call inside a transaction)."""
    conn.execute(
        "INSERT INTO portal_audit (at, by, action, target, detail) VALUES (?, ?, ?, ?, ?)",
        (utc_now(), by, action, target, detail),
    )
