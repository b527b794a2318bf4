"""What changed between two paired directives, and whether that makes the pair "changed".

Rewording alone keeps a pair "same". It is "changed" when it is part of a split or merge, or
when a difference listed in ``status_fields`` of rules/diff.yaml shows: the named bodies that
own it or their roles (``units``), its timing (``deadlines``), its sectors (``sectors``).

Units are compared by canonical name and role, named bodies only: generic addressees (各地,
有关部门) are too loosely worded to signal a reassignment. Units a task only inherits from its
lead-in are easily missed by extraction, so "inherited on one side, nothing on the other" is
not a change.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Literal

from .align import Link
from .config import DiffRules
from .similarity import TaskView, deadline_key, sigs_equal

Status = Literal["same", "changed"]


@dataclass
class TextOp:
    """One stretch of a character-level diff: equal, delete (only in a), insert (only in b) or replace."""

    op: Literal["equal", "delete", "insert", "replace"]
    a: str
    b: str


@dataclass
class Changes:
    status: Status
    why: list[str]  # reasons for "changed": split, merged, units, deadlines, sectors
    units_added: list[tuple[str, str]] = field(default_factory=list)  # (name, role)
    units_removed: list[tuple[str, str]] = field(default_factory=list)
    roles_changed: list[tuple[str, str, str]] = field(default_factory=list)  # (name, role in a, role in b)
    addressees_added: list[str] = field(default_factory=list)  # generic addressees (各地 …)
    addressees_removed: list[str] = field(default_factory=list)
    deadlines_added: list[str] = field(default_factory=list)
    deadlines_removed: list[str] = field(default_factory=list)
    sectors_added: list[str] = field(default_factory=list)
    sectors_removed: list[str] = field(default_factory=list)
    text: list[TextOp] = field(default_factory=list)


def units_differ(a: TaskView, b: TaskView) -> bool:
    """The named owners (with roles) differ, beyond inheritance that extraction may have missed."""
    if a.units == b.units:
        return False
    if (not a.units and b.units_inherited_only) or (not b.units and a.units_inherited_only):
        return False
    return True


def text_diff(a: str, b: str) -> list[TextOp]:
    """Character-level diff of two texts (difflib, no junk heuristics: every character counts)."""
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return [TextOp(op, a[i1:i2], b[j1:j2]) for op, i1, i2, j1, j2 in matcher.get_opcodes()]


def compare(a: TaskView, b: TaskView, link: Link, rules: DiffRules) -> Changes:
    """What differs between earlier task *a* and later task *b*, and the pair's status."""
    why: list[str] = []
    if link.relation != "one-to-one":
        why.append(link.relation)
    if "units" in rules.status_fields and units_differ(a, b):
        why.append("units")
    if "deadlines" in rules.status_fields and not sigs_equal(a.deadline_sigs, b.deadline_sigs):
        why.append("deadlines")
    if "sectors" in rules.status_fields and a.sectors != b.sectors:
        why.append("sectors")

    roles_a, roles_b = dict(a.units), dict(b.units)
    keys_a = {deadline_key(d, rules): d.text for d in a.deadlines}
    keys_b = {deadline_key(d, rules): d.text for d in b.deadlines}
    same_timing = sigs_equal(a.deadline_sigs, b.deadline_sigs)
    return Changes(
        status="changed" if why else "same",
        why=why,
        units_added=sorted((n, r) for n, r in b.units if n not in roles_a),
        units_removed=sorted((n, r) for n, r in a.units if n not in roles_b),
        roles_changed=sorted((n, roles_a[n], r) for n, r in b.units if n in roles_a and roles_a[n] != r),
        addressees_added=sorted(b.generic - a.generic),
        addressees_removed=sorted(a.generic - b.generic),
        deadlines_added=[] if same_timing else [t for k, t in keys_b.items() if k not in keys_a],
        deadlines_removed=[] if same_timing else [t for k, t in keys_a.items() if k not in keys_b],
        sectors_added=sorted(b.sectors - a.sectors),
        sectors_removed=sorted(a.sectors - b.sectors),
        text=text_diff(a.own_text, b.own_text),
    )
