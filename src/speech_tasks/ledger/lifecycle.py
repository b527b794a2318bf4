"""A task's lifecycle in the ledger: which status changes are allowed and what they record.

The allowed changes are data (``rules/ledger.yaml``); :func:`plan` turns a requested edit into
the field changes to store and append to the history, or refuses it with one line.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from .. import rules
from ..models import STATUSES

_ALLOWED = "/".join(STATUSES)


class LifecycleError(ValueError):
    """A requested change is not allowed; the message is one line saying why."""


def check_status(value: str) -> str:
    """*value* if it is one of models.STATUSES, else ValueError naming them."""
    if value not in STATUSES:
        raise ValueError(f"unknown status {value!r} (one of {_ALLOWED})")
    return value


class WarningDays(BaseModel):
    model_config = ConfigDict(extra="forbid")
    yellow: int
    blue: int


class LedgerPolicy(BaseModel):
    """``rules/ledger.yaml``: the status graph and the 三色预警 thresholds."""

    model_config = ConfigDict(extra="forbid")
    initial: str
    transitions: dict[str, list[str]]
    reopen: dict[str, list[str]] = {}
    needs_due: list[str]
    done: list[str]
    behind: list[str]
    warning_days: WarningDays

    @field_validator("initial")
    @classmethod
    def _initial(cls, value: str) -> str:
        return check_status(value)

    @field_validator("needs_due", "done", "behind")
    @classmethod
    def _status_list(cls, values: list[str]) -> list[str]:
        return [check_status(v) for v in values]

    @field_validator("transitions", "reopen")
    @classmethod
    def _graph(cls, graph: dict[str, list[str]]) -> dict[str, list[str]]:
        for source, targets in graph.items():
            check_status(source)
            for t in targets:
                check_status(t)
        return graph

    @model_validator(mode="after")
    def _every_status_listed(self) -> LedgerPolicy:
        missing = [s for s in STATUSES if s not in self.transitions]
        if missing:
            raise ValueError(f"transitions: no entry for {'/'.join(missing)}")
        return self


def policy() -> LedgerPolicy:
    return rules.load("ledger", LedgerPolicy)


@dataclass(frozen=True)
class Edit:
    """What a user asks to change; None leaves a field as it is."""

    status: str | None = None
    note: str | None = None
    due: dt.date | None = None
    reason: str | None = None
    reopen: bool = False


@dataclass(frozen=True)
class State:
    """The tracked part of a task: what `track set` and import-xlsx change."""

    status: str
    note: str
    extended_due: dt.date | None
    delay_reason: str


@dataclass(frozen=True)
class FieldChange:
    """One history row: *field* went from *old* to *new*, with an explanatory *note*."""

    field: str
    old: str | None
    new: str | None
    note: str


def iso(day: dt.date | None) -> str | None:
    """*day* as YYYY-MM-DD, None for None: how dates are stored and logged."""
    return day.isoformat() if day else None


def check_transition(old: str, new: str, reopen: bool, rules_: LedgerPolicy) -> None:
    """Raise LifecycleError unless *old* → *new* is allowed (with *reopen*, also the reopen moves)."""
    _status(new)
    if new in rules_.transitions.get(old, []):
        return
    reopening = rules_.reopen.get(old, [])
    if new in reopening:
        if reopen:
            return
        raise LifecycleError(f"{old} is final: {old} → {new} needs an explicit reopen (track set ID --status {new} --reopen)")
    allowed = "/".join(rules_.transitions.get(old, [])) or "none"
    raise LifecycleError(f"{old} → {new} is not allowed (from {old}: {allowed})")


def _status(value: str) -> str:
    try:
        return check_status(value)
    except ValueError as e:
        raise LifecycleError(str(e)) from None


def plan(current: State, edit: Edit, sheet_due: dt.date | None, rules_: LedgerPolicy) -> tuple[State, list[FieldChange]]:
    """The state after *edit* and the history rows it writes (none: nothing changes).

    A note given with a status change rides on the status row; a note alone is a ``note`` row.
    A postponement (a status in ``needs_due``) needs a new due date and a reason; it writes a
    ``status`` row (unless already postponed) and a ``due`` row, both explained by the reason.
    """
    status = current.status if edit.status is None else _status(edit.status)
    moving = status != current.status
    if moving:
        check_transition(current.status, status, edit.reopen, rules_)
    postponing = status in rules_.needs_due and (moving or edit.due is not None)
    if postponing and (edit.due is None or not (edit.reason or "").strip()):
        raise LifecycleError(f"{status} needs a new due date and a reason (--due YYYY-MM-DD --reason TEXT)")
    if not postponing and edit.due is not None:
        raise LifecycleError(f"a new due date goes only with {'/'.join(rules_.needs_due)} (and a reason)")
    if edit.reason is not None and status not in rules_.needs_due:
        raise LifecycleError(f"a reason goes only with {'/'.join(rules_.needs_due)}")

    note = current.note if edit.note is None else edit.note.strip()
    reason = current.delay_reason if edit.reason is None else edit.reason.strip()
    due = edit.due if postponing else current.extended_due
    changes: list[FieldChange] = []
    reason_recorded = False
    if moving:
        changes.append(FieldChange("status", current.status, status, reason if postponing else (edit.note or "").strip()))
        reason_recorded = postponing
    if postponing and due != current.extended_due:
        changes.append(FieldChange("due", iso(current.extended_due or sheet_due), iso(due), reason))
        reason_recorded = True
    if reason != current.delay_reason and not reason_recorded:
        changes.append(FieldChange("delay_reason", current.delay_reason, reason, ""))
    note_on_status_row = moving and not postponing
    if note != current.note and not note_on_status_row:
        changes.append(FieldChange("note", current.note, note, ""))
    return State(status, note, due, reason), changes
