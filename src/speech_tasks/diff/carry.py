"""A meeting rebuilt from its ledger rows, so the ledger can align it with a new sheet.

`speech-tasks track import` (speech_tasks.ledger.identity) aligns a meeting's ledger rows with a
re-extracted sheet (which rows a slightly edited task is) and with the next meeting of its
series (which rows that meeting continues), using :func:`diff_sheets` on :func:`ledger_sheet`.
"""
from __future__ import annotations

from collections.abc import Sequence
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
