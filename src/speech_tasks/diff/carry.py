"""Carry-over links for the ledger: which tasks of a meeting continue tasks of earlier meetings.

`speech-tasks track import` calls :func:`carried_over` after storing a meeting. Meetings are
rebuilt from their ledger rows (own texts nested under their parents, units and deadlines as
stored), aligned with the default backend, and every carried-over pair becomes a link from the
later task to the earlier one. The earlier task is left as it is: a directive that was dropped
stays open until staff close it.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..export.columns import DEADLINE_SEP
from ..models import Deadline, Meeting, Source, Task, TaskSheet, Unit


def ledger_sheet(meeting: Any, tasks: Sequence[Any]) -> TaskSheet:
    """A task sheet rebuilt from a meeting's ledger rows, enough to align it with another meeting.

    *meeting* has ``id`` and ``date``; each task has the ledger's ``id``, ``parent``, ``number``,
    ``path``, ``title``, ``text`` (its own text), ``units`` ([{name, role, generic}]),
    ``deadline`` and ``sectors``. A parent's text is its own text followed by its children's.
    """
    ids = {t.id for t in tasks}
    kids: dict[str | None, list[Any]] = {}
    for t in tasks:
        kids.setdefault(t.parent if t.parent in ids else None, []).append(t)
    parts: list[str] = []
    spans: dict[str, tuple[int, int]] = {}
    order: list[Any] = []
    pos = 0
    stack = [(t, False) for t in reversed(kids.get(None, []))]
    while stack:  # depth first: a task, then its children, then it closes
        t, done = stack.pop()
        if done:
            spans[t.id] = (spans[t.id][0], pos)
            continue
        order.append(t)
        spans[t.id] = (pos, pos)
        parts.append(t.text + "\n")
        pos += len(t.text) + 1
        stack.append((t, True))
        stack.extend((c, False) for c in reversed(kids.get(t.id, [])))
    source = "".join(parts)
    out = []
    for t in order:
        s, e = spans[t.id]
        units = [Unit(text=u["name"], name=u["name"], role=u["role"], generic=u["generic"], span=(s, s)) for u in t.units]
        deadlines = [Deadline(text=x, kind="event", span=(s, s)) for x in t.deadline.split(DEADLINE_SEP) if x]
        out.append(Task(
            id=t.id, number=t.number, parent=t.parent if t.parent in ids else None, path=t.path, kind="numbered",
            title=t.title, text=source[s:e], span=(s, e), units=units, deadlines=deadlines, sectors=list(t.sectors),
        ))
    return TaskSheet(
        tool_version="ledger",
        source=Source(file=f"{meeting.id}.txt", sha256="", encoding="utf-8", chars=len(source)),
        meeting=Meeting(date=meeting.date),
        tasks=out,
    )


def _before(x: Any, y: Any) -> bool:
    """Meeting *x* took place before *y*: by date when both have one, else by when they were imported."""
    if x.date is not None and y.date is not None and x.date != y.date:
        return x.date < y.date
    return (x.imported_at, x.id) < (y.imported_at, y.id)


def neighbours(mid: str, meetings: Mapping[str, Any], k: int) -> tuple[list[str], list[str]]:
    """The *k* meetings nearest before meeting *mid* and the *k* nearest after it."""
    me = meetings[mid]
    others = [m for m in meetings.values() if m.id != mid]
    earlier = [m for m in others if _before(m, me)]
    later = [m for m in others if not _before(m, me)]

    def when(m: Any) -> tuple:
        return (m.date is not None, m.date or "", m.imported_at, m.id)

    earlier.sort(key=when, reverse=True)
    later.sort(key=when)
    return [m.id for m in earlier[:k]], [m.id for m in later[:k]]


def carried_over(
    mid: str, meetings: Mapping[str, Any], load_tasks: Callable[[str], Sequence[Any]]
) -> list[tuple[str, str]]:
    """(later task, earlier task) for every task pair carried over between meeting *mid* and its neighbours.

    *meetings* maps meeting ids to ledger meetings (``id``, ``date``, ``imported_at``);
    *load_tasks* gives a meeting's ledger tasks still in its sheet (only neighbours are read).
    """
    from .config import load
    from .core import diff_sheets

    rules = load()
    earlier, later = neighbours(mid, meetings, rules.carry_back)
    sheets = {m: ledger_sheet(meetings[m], load_tasks(m)) for m in (mid, *earlier, *later)}
    links: list[tuple[str, str]] = []
    for a, b in [(e, mid) for e in earlier] + [(mid, x) for x in later]:
        d = diff_sheets(sheets[a], sheets[b], rules=rules)
        links += [(p.b.task.id, p.a.task.id) for p in d.pairs]
    return links
