"""Portal accounts: the ledger's accounts (name, role, unit: who may do what, checked by the
ledger on every change; read and written through the ledger's API) with a password to log in
with.

Roles: ``office`` (the 安委办: sees and does everything), ``unit`` (one responsible unit: sees
and changes only its own assignments), ``viewer`` (reads only). Passwords are argon2id hashes
(argon2-cffi, rehashed on login when its parameters change), kept in the portal's own table.
Disabling an account or changing its password bumps ``session_epoch``, which ends the sessions
signed before.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..ledger import Ledger, LedgerError
from .store import audit, transaction, utc_now

ROLES = ("office", "unit", "viewer")
ROLE_LABELS = {"office": "安委办", "unit": "责任单位", "viewer": "只读"}
MIN_PASSWORD = 8
MAX_NAME = 40

_hasher = PasswordHasher()
# verified against when the name is unknown, so a wrong name costs as much time as a wrong password
_DUMMY_HASH = _hasher.hash("speech-tasks: no such account")


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message is one line."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    unit: str | None
    active: bool
    session_epoch: int
    created_at: str
    updated_at: str

    @property
    def is_office(self) -> bool:
        return self.role == "office"

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]


_FIELDS = "name, active, session_epoch, created_at, updated_at"


def _user(row: sqlite3.Row, account) -> User:
    """A portal login (*row* of portal_users) with the role and unit of its ledger *account*."""
    return User(row["name"], account.role, account.unit, bool(row["active"]), row["session_epoch"],
                row["created_at"], row["updated_at"])


def _account(led: Ledger, name: str):
    """The ledger's account *name* (its role and unit), or None."""
    return next((a for a in led.accounts() if a.name == name), None)


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"password too short: at least {MIN_PASSWORD} characters")
    if password.strip() != password or not password.isprintable():
        raise AccountError("password must not start or end with spaces or hold control characters")


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME or not name.isprintable() or any(c in name for c in "/\\<>\"'&"):
        raise AccountError(f"account name {name!r}: 1–{MAX_NAME} printable characters, none of / \\ < > \" ' &")
    return name


def get(conn: sqlite3.Connection, led: Ledger, name: str) -> User | None:
    row = conn.execute(f"SELECT {_FIELDS} FROM portal_users WHERE name = ?", (name,)).fetchone()
    account = _account(led, name) if row else None
    return _user(row, account) if account else None


def all_users(conn: sqlite3.Connection, led: Ledger) -> list[User]:
    roles = {a.name: a for a in led.accounts()}
    rows = conn.execute(f"SELECT {_FIELDS} FROM portal_users").fetchall()
    users = [_user(r, roles[r["name"]]) for r in rows if r["name"] in roles]
    return sorted(users, key=lambda u: (ROLES.index(u.role), u.unit or "", u.name))


def active_count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT COUNT(*) FROM portal_users WHERE active = 1").fetchone()[0]


def add(conn: sqlite3.Connection, db_path: Path, name: str, role: str, password: str, unit: str | None, by: str) -> User:
    """Create the ledger account *name* (through the ledger, which checks that *by* may) and its
    password. A unit account's unit is canonicalised against the gazetteer (住建局 → 住房和城乡建设局)."""
    name = _check_name(name)
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r} (one of {'/'.join(ROLES)})")
    if role == "unit" and not (unit or "").strip():
        raise AccountError("a unit account needs --unit NAME (e.g. --unit 市住建局)")
    if role != "unit" and unit:
        raise AccountError(f"--unit goes only with --role unit (a {role} account sees every unit)")
    check_password(password)
    if conn.execute("SELECT 1 FROM portal_users WHERE name = ?", (name,)).fetchone():
        raise AccountError(f"account {name!r} already exists")
    try:
        with Ledger(db_path) as led:
            led.set_account(name, role, unit.strip() if unit else None, by)
    except LedgerError as e:
        raise AccountError(str(e)) from None
    now = utc_now()
    with transaction(conn):
        conn.execute(
            "INSERT INTO portal_users (name, password_hash, active, created_at, updated_at) VALUES (?, ?, 1, ?, ?)",
            (name, _hasher.hash(password), now, now),
        )
        audit(conn, by, "user.add", name, role)
    with Ledger(db_path) as led:
        return get(conn, led, name)


def _existing(conn: sqlite3.Connection, name: str) -> None:
    if conn.execute("SELECT 1 FROM portal_users WHERE name = ?", (name,)).fetchone() is None:
        raise AccountError(f"no account {name!r} (see: speech-tasks users list)")


def set_password(conn: sqlite3.Connection, name: str, password: str, by: str) -> None:
    check_password(password)
    with transaction(conn):
        _existing(conn, name)
        conn.execute(
            "UPDATE portal_users SET password_hash = ?, session_epoch = session_epoch + 1, updated_at = ? WHERE name = ?",
            (_hasher.hash(password), utc_now(), name),
        )
        audit(conn, by, "user.passwd", name)


def set_active(conn: sqlite3.Connection, name: str, active: bool, by: str) -> None:
    with transaction(conn):
        _existing(conn, name)
        conn.execute(
            "UPDATE portal_users SET active = ?, session_epoch = session_epoch + 1, updated_at = ? WHERE name = ?",
            (int(active), utc_now(), name),
        )
        audit(conn, by, "user.enable" if active else "user.disable", name)


def authenticate(conn: sqlite3.Connection, led: Ledger, name: str, password: str) -> User | None:
    """The active account *name* if *password* is its password, else None (same cost either way)."""
    row = conn.execute(f"SELECT {_FIELDS}, password_hash FROM portal_users WHERE name = ?", (name,)).fetchone()
    stored = row["password_hash"] if row else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or not row["active"]:
        return None
    account = _account(led, name)
    if account is None:
        return None
    if _hasher.check_needs_rehash(stored):
        with transaction(conn):
            conn.execute("UPDATE portal_users SET password_hash = ? WHERE name = ?", (_hasher.hash(password), name))
    return _user(row, account)
