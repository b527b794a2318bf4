"""Assemble the finished :class:`TaskSheet` from a processed doc.

Here working offsets become source offsets, tasks get their 序号 (1, 1.1, 1.1.1) and their
stable ids: a hash of the speech's name, the task's path and its own normalised text, so the
same speech gives the same ids on every run and an edit elsewhere leaves a task's id alone.
"""
from __future__ import annotations

import hashlib
import re

from . import __version__
from .document import Doc, TaskDraft
from .models import Meeting, NonTask, OutlineNode, Source, Task, TaskSheet

_SPACE = re.compile(r"\s+")
_SPAN_FIELDS = ("span", "name_span", "date_span", "title_span")


def task_id(doc: Doc, draft: TaskDraft) -> str:
    stem = doc.name.rsplit(".", 1)[0]
    body = _SPACE.sub("", doc.own_text(draft))
    digest = hashlib.blake2b(f"{stem}\x1f{draft.path}\x1f{body}".encode(), digest_size=5).hexdigest()
    return f"T{digest}"


def _numbers(drafts: list[TaskDraft]) -> list[str]:
    counters: dict[int | None, int] = {}
    out: list[str] = []
    for d in drafts:
        counters[d.parent] = counters.get(d.parent, 0) + 1
        n = counters[d.parent]
        out.append(f"{out[d.parent]}.{n}" if d.parent is not None else str(n))
    return out


def _shown(doc: Doc, value: str | None, span) -> str | None:
    """*value*, read from the working text at *span*, in the source's own characters."""
    if doc.surface is None or value is None or span is None or doc.text[span[0]:span[1]] != value:
        return value
    return doc.shown(span)


def _remap(doc: Doc, model):
    """*model* with every span field turned into source offsets and its text (name) in the
    source's own characters; the same object when nothing changes."""
    fields = type(model).model_fields
    updates = {}
    if doc.surface is not None:
        for name, span in (("text", "span"), ("name", "name_span")):
            if name in fields and span in fields and getattr(model, span) is not None:
                value = getattr(model, name)
                shown = _shown(doc, value, getattr(model, span)) if isinstance(value, str) else value
                if shown != value:
                    updates[name] = shown
    if doc.to_source is not None:
        for name in _SPAN_FIELDS:
            if name in fields and (value := getattr(model, name)) is not None:
                updates[name] = doc.src_span(value)
    return model.model_copy(update=updates) if updates else model


def build_sheet(doc: Doc) -> TaskSheet:
    ids = []
    seen: dict[str, int] = {}
    for d in doc.tasks:
        tid = task_id(doc, d)
        if tid in seen:  # identical own text at the same path: disambiguate by order
            seen[tid] += 1
            tid = f"{tid}-{seen[tid]}"
        else:
            seen[tid] = 1
        ids.append(tid)
    numbers = _numbers(doc.tasks)
    tasks = []
    for i, d in enumerate(doc.tasks):
        span = doc.src_span((d.start, d.end))
        tasks.append(
            Task(
                id=ids[i],
                number=numbers[i],
                parent=ids[d.parent] if d.parent is not None else None,
                section=d.section,
                path=d.path,
                kind=d.kind,
                marker=d.marker,
                title=_shown(doc, d.title, d.title_span),
                text=doc.shown((d.start, d.end)),  # soft line breaks of wrapped text removed
                span=span,
                units=[_remap(doc, u) for u in d.units],
                deadlines=[_remap(doc, x) for x in d.deadlines],
                sectors=list(d.sectors),
                sector_mentions=[_remap(doc, x) for x in d.sector_mentions],
                suggested_units=list(d.suggested_units),
            )
        )
    outline = [
        OutlineNode(
            id=f"S{s.number}",
            number=s.number,
            marker=s.marker,
            title=_shown(doc, s.title, s.title_span),
            span=doc.src_span((s.start, s.end)),
            title_span=doc.src_span(s.title_span),
        )
        for s in doc.sections
    ]
    meeting = _remap(doc, doc.meeting) if isinstance(doc.meeting, Meeting) else doc.meeting
    return TaskSheet(
        tool_version=__version__,
        source=Source(
            file=doc.name,
            sha256=doc.sha256,
            encoding=doc.encoding,
            chars=len(doc.source),
            hard_wrapped=doc.hard_wrapped,
            noise_lines=doc.noise_lines,
            traditional=doc.traditional,
            **doc.details,
        ),
        meeting=meeting,
        outline=outline,
        tasks=tasks,
        non_tasks=[_remap(doc, n) if isinstance(n, NonTask) else n for n in doc.non_tasks],
        warnings=list(doc.warnings),
    )
