"""The ledger's records as the Python API returns them: meetings, tasks, assignments (one unit's
part of a task), 进展 feedback, history entries and accounts. All are frozen dataclasses built
from database rows; times are UTC ISO strings (``2026-12-03T08:00:00Z``, see :func:`local_time`
for display), dates are ``datetime.date``.
"""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass, field

from ..export.columns import NO_UNIT


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def local_time(iso: str | None) -> dt.datetime | None:
    """A stored UTC timestamp as naive local time (how every output shows it)."""
    if not iso:
        return None
    return dt.datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone().replace(tzinfo=None)


def local_text(iso: str | None) -> str:
    """A stored UTC timestamp as ``YYYY-MM-DD HH:MM`` local time."""
    when = local_time(iso)
    return when.strftime("%Y-%m-%d %H:%M") if when else ""


def day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


@dataclass(frozen=True)
class Meeting:
    """An imported speech. ``id`` is short and stable; ``path`` (the sheet's path, without
    suffix) and ``sha256`` (of the speech) are how a re-import finds it again."""

    id: str
    path: str
    file: str
    sha256: str
    name: str | None
    date: dt.date | None
    series: str | None  # series key (rules/ledger.yaml series_strip) or set by --series
    follows: str | None  # the meeting it continues (--follows), if set explicitly
    tasks: int
    imported_at: str
    updated_at: str

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Meeting:
        return cls(**{**dict(row), "date": day(row["date"])})

    @property
    def label(self) -> str:
        return self.name or self.id


@dataclass(frozen=True)
class Feedback:
    """One 进展 entry a unit (or the office) reported on an assignment."""

    id: int
    assignment: int
    at: str
    by: str
    action: str  # report, complete, request_extension, send_back …
    text: str
    evidence: tuple[str, ...]  # paths relative to the ledger's evidence folder


@dataclass(frozen=True)
class Assignment:
    """One unit's part of a task, with its own status, due date, 延期 request and feedback."""

    id: int
    task: str
    unit: str
    role: str  # lead / owner / assist
    generic: bool  # 各地, 各有关部门 …: to be split into named units by the office
    known: bool  # found in the gazetteer (false: kept as written, flagged)
    status: str
    own_due: dt.date | None  # set by an approved 延期; None: the task's due date
    task_due: dt.date | None
    requested_due: dt.date | None  # a pending 延期 request
    request_reason: str
    removed: bool  # no longer assigned (kept with its history)
    version: int
    created_at: str
    updated_at: str
    feedback: tuple[Feedback, ...] = ()

    @property
    def due(self) -> dt.date | None:
        """The date warnings use: an approved 延期 date, else the task's due date."""
        return self.own_due or self.task_due

    @property
    def placeholder(self) -> bool:
        """The stand-in assignment of a task that names no unit."""
        return self.unit == NO_UNIT

    @property
    def last_note(self) -> str:
        return self.feedback[-1].text if self.feedback else ""


@dataclass(frozen=True)
class Task:
    """A 督办事项: the directive, its units (as assignments) and its status.

    ``status`` is the office's override when set, else derived from the assignments (the least
    advanced one). ``sources`` are the meetings that deployed it, first to latest; ``dropped``
    names a later meeting of its series that did not deploy it again (本次会议未再部署)."""

    id: str
    meeting: str  # the latest meeting that deployed it
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
    override: str | None
    note: str
    removed_from_sheet: bool
    dropped: str | None
    edited: list[str]  # fields the office edited: re-imports leave them
    created_at: str
    updated_at: str
    version: int
    sources: tuple[str, ...] = ()
    assignments: tuple[Assignment, ...] = field(default=(), repr=False)

    @property
    def label(self) -> str:
        """A short name for tables: the title, else the first line of the text."""
        return self.title or self.text.split("\n", 1)[0]

    @property
    def unit_names(self) -> list[str]:
        return [a.unit for a in self.assignments if not a.removed]

    @property
    def active(self) -> list[Assignment]:
        return [a for a in self.assignments if not a.removed]


@dataclass(frozen=True)
class HistoryEntry:
    """One change: to a task (``assignment`` None) or to one unit's assignment."""

    id: int
    task: str
    assignment: int | None
    unit: str | None
    at: str
    by: str
    field: str
    old: str | None
    new: str | None
    note: str
    version: int


@dataclass(frozen=True)
class Account:
    """Who may do what: ``role`` office / unit / viewer; a unit account acts for ``unit``."""

    name: str
    role: str
    unit: str | None


@dataclass
class ImportResult:
    """What importing one sheet did, task by task: (id, title) pairs."""

    meeting: str
    new_meeting: bool = False
    follows: str | None = None  # the earlier meeting of the series it was compared with
    added: list[tuple[str, str]] = field(default_factory=list)
    changed: list[tuple[str, str]] = field(default_factory=list)  # same task, wording/units/deadline changed
    carried: list[tuple[str, str]] = field(default_factory=list)  # continued from the earlier meeting
    left: list[tuple[str, str]] = field(default_factory=list)  # no longer in this meeting's sheet
    restored: list[tuple[str, str]] = field(default_factory=list)
    dropped: list[tuple[str, str]] = field(default_factory=list)  # earlier meeting's, not deployed again
    kept_edits: list[str] = field(default_factory=list)  # office edits the sheet did not overwrite
    unchanged: int = 0

    @property
    def changes(self) -> int:
        return len(self.added) + len(self.changed) + len(self.carried) + len(self.left) + len(self.restored) + len(self.dropped)


def loads(text: str | None, default):
    return json.loads(text) if text else default
