"""Diff two meetings' task sheets: align, then say what changed in each carried-over pair."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..models import TaskSheet
from .align import Alignment, Link, align
from .changes import Changes, compare
from .config import DiffRules, threshold_for
from .config import load as load_rules
from .similarity import Backend, TaskView, TfidfBackend, task_views


@dataclass
class PairDiff:
    """An earlier task carried over into a later one."""

    a: TaskView
    b: TaskView
    link: Link
    changes: Changes


@dataclass
class MeetingDiff:
    a_sheet: TaskSheet
    b_sheet: TaskSheet
    backend: str
    threshold: float
    pairs: list[PairDiff]
    added: list[TaskView]
    dropped: list[TaskView]
    alignment: Alignment = field(repr=False)

    def counts(self) -> dict[str, int]:
        statuses = [p.changes.status for p in self.pairs]
        return {
            "pairs": len(self.pairs),
            "same": statuses.count("same"),
            "changed": statuses.count("changed"),
            "split": len({p.a.index for p in self.pairs if p.link.relation == "split"}),
            "merged": len({p.b.index for p in self.pairs if p.link.relation == "merged"}),
            "added": len(self.added),
            "dropped": len(self.dropped),
        }


def diff_sheets(
    a: TaskSheet, b: TaskSheet, backend: Backend | None = None, rules: DiffRules | None = None
) -> MeetingDiff:
    """Align the tasks of earlier sheet *a* with later sheet *b* (default backend: character TF-IDF)."""
    rules = rules or load_rules()
    return diff_views(a, b, task_views(a, rules), task_views(b, rules), backend, rules)


def diff_views(
    a: TaskSheet, b: TaskSheet, va: list[TaskView], vb: list[TaskView], backend: Backend | None, rules: DiffRules
) -> MeetingDiff:
    """:func:`diff_sheets` over task views already built (a series reuses each meeting's views)."""
    backend = backend or TfidfBackend(rules.ngram)
    al = align(va, vb, backend, rules)
    pairs = [PairDiff(va[lk.a], vb[lk.b], lk, compare(va[lk.a], vb[lk.b], lk, rules)) for lk in al.links]
    return MeetingDiff(
        a_sheet=a,
        b_sheet=b,
        backend=backend.name,
        threshold=threshold_for(rules, backend.name),
        pairs=pairs,
        added=[vb[j] for j in al.added],
        dropped=[va[i] for i in al.dropped],
        alignment=al,
    )
