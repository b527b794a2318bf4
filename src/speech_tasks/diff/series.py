"""Follow directives over a series of meetings: which keep coming back (反复强调), and how.

Consecutive meetings are diffed; each carried-over pair links two occurrences of one directive.
A directive dropped at one meeting and raised again later is linked too: the tasks that ended
a chain before the previous meeting are aligned with the tasks new at each meeting (with the
pair threshold raised by ``series_margin``). A chain is every occurrence so linked; splits and merges join chains.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..models import TaskSheet
from .align import Link, assign_above
from .changes import Changes, compare
from .config import DiffRules, threshold_for
from .config import load as load_rules
from .core import MeetingDiff, diff_views
from .similarity import Backend, TaskView, TfidfBackend, similarity_matrix, task_views

Node = tuple[int, int]  # (meeting position in the series, task index in that meeting)


@dataclass
class Step:
    """How an occurrence follows an earlier one."""

    source: Node
    changes: Changes
    returned: bool  # the directive skipped one or more meetings in between


@dataclass
class Chain:
    nodes: list[Node]  # sorted by meeting, then task order
    steps: dict[Node, list[Step]] = field(default_factory=dict)  # node -> how it follows its sources

    @property
    def meetings(self) -> list[int]:
        return sorted({m for m, _ in self.nodes})

    @property
    def returned(self) -> bool:
        return any(s.returned for steps in self.steps.values() for s in steps)


@dataclass
class Series:
    names: list[str]
    sheets: list[TaskSheet]
    views: list[list[TaskView]]
    ordered_by: str  # "date" when every meeting has a date, else "given"
    diffs: list[MeetingDiff]
    chains: list[Chain]  # directives raised in two or more meetings, most frequent first


def order_meetings(named: Sequence[tuple[str, TaskSheet]]) -> tuple[list[tuple[str, TaskSheet]], str]:
    """Meetings in date order when every one has a date; otherwise in the order given."""
    if named and all(s.meeting.date for _, s in named):
        return sorted(named, key=lambda x: x[1].meeting.date), "date"
    return list(named), "given"


class _Groups:
    """Union-find over occurrences."""

    def __init__(self) -> None:
        self.parent: dict[Node, Node] = {}

    def find(self, x: Node) -> Node:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, x: Node, y: Node) -> None:
        self.parent[self.find(x)] = self.find(y)


def build_series(
    named: Sequence[tuple[str, TaskSheet]], backend: Backend | None = None, rules: DiffRules | None = None
) -> Series:
    """Diff consecutive meetings of *named* (name, sheet) and gather the chains of recurring directives."""
    rules = rules or load_rules()
    backend = backend or TfidfBackend(rules.ngram)
    ordered, ordered_by = order_meetings(named)
    sheets = [s for _, s in ordered]
    views = [task_views(s, rules) for s in sheets]
    diffs = [diff_views(sheets[k], sheets[k + 1], views[k], views[k + 1], backend, rules) for k in range(len(sheets) - 1)]

    groups = _Groups()
    steps: dict[Node, list[Step]] = {}
    for k, d in enumerate(diffs):
        for p in d.pairs:
            src, dst = (k, p.a.index), (k + 1, p.b.index)
            groups.union(src, dst)
            steps.setdefault(dst, []).append(Step(src, p.changes, returned=False))
    _link_returns(diffs, views, groups, steps, backend, rules)

    members: dict[Node, list[Node]] = {}
    for node in groups.parent:
        members.setdefault(groups.find(node), []).append(node)
    chains = []
    for nodes in members.values():
        nodes.sort()
        if len({m for m, _ in nodes}) < 2:
            continue
        chains.append(Chain(nodes, {n: steps[n] for n in nodes if n in steps}))
    chains.sort(key=lambda c: (-len(c.meetings), c.nodes[0]))
    return Series([n for n, _ in ordered], sheets, views, ordered_by, diffs, chains)


def _link_returns(
    diffs: list[MeetingDiff],
    views: list[list[TaskView]],
    groups: _Groups,
    steps: dict[Node, list[Step]],
    backend: Backend,
    rules: DiffRules,
) -> None:
    """Link tasks new at meeting k to directives last seen before meeting k-1."""
    for k in range(2, len(views)):
        last_seen: dict[Node, int] = {}  # group root -> last meeting before k
        for m in range(k - 1):
            for i in range(len(views[m])):
                root = groups.find((m, i))
                last_seen[root] = max(last_seen.get(root, -1), m)
        for i in range(len(views[k - 1])):
            last_seen[groups.find((k - 1, i))] = k - 1
        ends = [(m, v.index) for m in range(k - 1) for v in diffs[m].dropped if last_seen[groups.find((m, v.index))] == m]
        new = [v.index for v in diffs[k - 1].added]
        if not ends or not new:
            continue
        a = [views[m][i] for m, i in ends]
        b = [views[k][j] for j in new]
        total = similarity_matrix(a, b, backend, rules).total
        for x, y in assign_above(total, threshold_for(rules, backend.name) + rules.series_margin):
            src, dst = ends[x], (k, new[y])
            link = Link(x, y, float(total[x, y]))
            groups.union(src, dst)
            steps.setdefault(dst, []).append(Step(src, compare(a[x], b[y], link, rules), returned=True))


def series_json(s: Series) -> dict[str, Any]:
    from .report import meeting_ref, task_ref

    meetings = [meeting_ref(sheet, name) for name, sheet in zip(s.names, s.sheets)]
    chains = []
    for c in s.chains:
        occurrences = []
        for m, i in c.nodes:
            v = s.views[m][i]
            node_steps = c.steps.get((m, i), [])
            why = sorted({w for st in node_steps for w in st.changes.why})
            occurrences.append({
                "meeting": m,
                "file": s.names[m],
                **task_ref(v),
                "units": [{"name": n, "role": r} for n, r in sorted(v.units)],
                "addressees": sorted(v.generic),
                "deadlines": [d.text for d in v.deadlines],
                "follows": [{"meeting": st.source[0], "id": s.views[st.source[0]][st.source[1]].task.id} for st in node_steps],
                "status": ("changed" if why else "same") if node_steps else None,
                "why": why,
                "returned": any(st.returned for st in node_steps),
            })
        latest = s.views[c.nodes[-1][0]][c.nodes[-1][1]]
        chains.append({
            "meetings": len(c.meetings),
            "first": c.meetings[0],
            "last": c.meetings[-1],
            "returned": c.returned,
            "title": latest.task.title or latest.own_text[:40],
            "units_moved": any("units" in o["why"] for o in occurrences),
            "deadlines_moved": any("deadlines" in o["why"] for o in occurrences),
            "occurrences": occurrences,
        })
    return {
        "meetings": meetings,
        "ordered_by": s.ordered_by,
        "steps": [{"a": s.names[k], "b": s.names[k + 1], "summary": d.counts()} for k, d in enumerate(s.diffs)],
        "recurring": chains,
    }
