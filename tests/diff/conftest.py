"""Shared helpers for the diff tests: tiny hand-written task sheets."""
from __future__ import annotations

import pytest

from speech_tasks.diff import config
from speech_tasks.models import Deadline, Meeting, Source, Task, TaskSheet, Unit


def make_sheet(tasks: list[dict], name: str = "m.txt", date: str | None = None) -> TaskSheet:
    """A sheet whose tasks follow each other on separate lines.

    Each task dict has ``text`` and optionally ``id``, ``parent`` (id; the child's text must be
    the tail of the parent's, given right after it), ``units`` [(name, role, generic, inherited)],
    ``deadlines`` [(text, kind) or (text, kind, due)], ``sectors``, ``title``.
    """
    out, pos, starts = [], 0, {}
    for k, t in enumerate(tasks):
        tid = t.get("id", f"T{k + 1}")
        text = t["text"]
        if t.get("parent"):
            ps = starts[t["parent"]]
            parent_text = next(x for x in out if x.id == t["parent"]).text
            start = ps + parent_text.index(text)
        else:
            start = pos
            pos += len(text) + 1
        starts[tid] = start
        span = (start, start + len(text))

        def where(s: str) -> tuple[int, int]:
            i = text.find(s)
            return (start + i, start + i + len(s)) if i >= 0 else (max(start - 1, 0), max(start - 1, 0) + len(s))

        units = [Unit(text=n, name=n, role=r, generic=g, inherited=inh, span=where(n)) for n, r, g, inh in t.get("units", [])]
        deadlines = [
            Deadline(text=d[0], kind=d[1], due=d[2] if len(d) > 2 else None, span=where(d[0])) for d in t.get("deadlines", [])
        ]
        out.append(Task(
            id=tid, number=str(k + 1), parent=t.get("parent"), section=1, path=tid, kind="numbered",
            marker=None, title=t.get("title"), text=text, span=span, units=units, deadlines=deadlines,
            sectors=t.get("sectors", []),
        ))
    return TaskSheet(
        tool_version="test",
        source=Source(file=name, sha256="0" * 64, encoding="utf-8", chars=pos),
        meeting=Meeting(date=date),
        tasks=out,
    )


@pytest.fixture
def rules():
    return config.load()
