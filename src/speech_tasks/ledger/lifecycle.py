"""The 督办 lifecycle as data: ``rules/ledger.yaml`` loaded and checked, and the one question
every change asks — may this role do this action to an assignment in this status?

An *assignment* is one unit's part of a task. It moves 未签收 → 已签收 → 推进中 → 已完成 (the
unit's side) → 审核通过 → 已销号 (the office's side), with 退回 and 延期 (asked by the unit,
decided by the office). A task's own status is derived from its assignments (the least advanced
one) unless the office overrides it.
"""
from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .. import rules

ROLES = ("office", "unit", "viewer")


class LifecycleError(ValueError):
    """A requested change is not allowed; the message is one line saying why."""


class Action(BaseModel):
    """One change an assignment may undergo (``actions.<name>`` in rules/ledger.yaml)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    label: str
    from_: list[str] = Field(alias="from")
    to: str | None = None
    roles: list[Literal["office", "unit", "viewer"]]
    note: Literal["required", "optional"] = "optional"


class WarningDays(BaseModel):
    model_config = ConfigDict(extra="forbid")
    yellow: int
    blue: int
    unsigned: int


ACTION_NAMES = (
    "sign", "report", "complete", "request_extension", "approve_extension", "reject_extension",
    "review", "send_back", "close", "reopen",
)


class LedgerPolicy(BaseModel):
    """``rules/ledger.yaml``: statuses, actions with their roles, 三色 thresholds, series keys."""

    model_config = ConfigDict(extra="forbid")
    statuses: list[str]
    initial: str
    roles: list[Literal["office", "unit", "viewer"]]
    actions: dict[str, Action]
    override_to: list[str]
    office_only: list[str]
    done: list[str]
    warning_days: WarningDays
    series_strip: list[str] = []

    @field_validator("series_strip")
    @classmethod
    def _patterns(cls, values: list[str]) -> list[str]:
        return [rules.regex(v) for v in values]

    @model_validator(mode="after")
    def _consistent(self) -> LedgerPolicy:
        known = set(self.statuses)
        for name in (self.initial, *self.done, *self.override_to):
            if name not in known:
                raise ValueError(f"unknown status {name!r} (statuses: {'/'.join(self.statuses)})")
        missing = [a for a in ACTION_NAMES if a not in self.actions]
        if missing:
            raise ValueError(f"actions: missing {'/'.join(missing)}")
        for name, action in self.actions.items():
            for s in [*action.from_, *([action.to] if action.to else [])]:
                if s not in known:
                    raise ValueError(f"actions.{name}: unknown status {s!r} (statuses: {'/'.join(self.statuses)})")
        return self

    # ---- questions the ledger asks ----------------------------------------------------------

    def rank(self, status: str) -> int:
        """Position of *status* in the lifecycle (unknown statuses first)."""
        return self.statuses.index(status) if status in self.statuses else -1

    def check_status(self, status: str) -> str:
        if status not in self.statuses:
            raise LifecycleError(f"unknown status {status!r} (one of {'/'.join(self.statuses)})")
        return status

    def check(self, action: str, status: str, role: str) -> Action:
        """The action if *role* may do *action* to an assignment in *status*; else LifecycleError."""
        a = self.actions.get(action)
        if a is None:
            raise LifecycleError(f"unknown action {action!r} (one of {'/'.join(self.actions)})")
        if role not in a.roles:
            raise LifecycleError(f"{a.label}: not allowed for role {role} (only {'/'.join(a.roles)})")
        if status not in a.from_:
            raise LifecycleError(f"{a.label}: not possible in status {status} (only from {'/'.join(a.from_)})")
        return a

    def may(self, what: str, role: str) -> None:
        """Raise LifecycleError unless *role* may do the office-only edit *what*."""
        if what in self.office_only and role != "office":
            raise LifecycleError(f"{what}: only the office may do this (role {role})")

    def task_status(self, statuses: list[str]) -> str:
        """A task's status derived from its assignments' statuses: the least advanced one."""
        return min(statuses, key=self.rank) if statuses else self.initial

    def series_key(self, meeting_name: str | None) -> str | None:
        """The series a meeting belongs to: its name without years, dates and ordinals."""
        if not meeting_name:
            return None
        key = meeting_name
        for pattern in self.series_strip:
            key = re.sub(pattern, "", key)
        return key or None


def policy() -> LedgerPolicy:
    return rules.load("ledger", LedgerPolicy)
