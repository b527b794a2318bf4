"""The working document that flows through the pipeline stages.

Ingest builds a :class:`Doc`; each stage reads it and fills in its part (sections, tasks,
units …); :mod:`speech_tasks.sheet` turns the result into a :class:`~speech_tasks.models.TaskSheet`.

Stages work on ``doc.text``: the source with soft line breaks of hard-wrapped text removed, so
that a sentence never breaks across lines. ``doc.to_source`` maps every working offset back to
the source; all spans in the finished sheet are source offsets.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .models import Deadline, Meeting, NonTask, SectorMention, Span, Unit


@dataclass
class Part:
    """A part of the document read on its own: a speech of a compilation, a speaker's turn of a
    meeting record (its label left out), the whole of minutes or of one speech."""

    start: int
    end: int
    kind: str  # speech | turn | minutes


@dataclass
class SectionDraft:
    """A level-1 section: heading plus body, in working-text offsets."""

    number: int
    marker: str
    title: str
    start: int
    end: int
    title_span: Span
    body_start: int  # first character after the heading (title line or inline title)


@dataclass
class TaskDraft:
    """A task as the stages build it, in working-text offsets."""

    start: int
    end: int
    kind: str  # numbered | domain | directive
    marker: str | None
    title: str | None
    parent: int | None  # index into Doc.tasks
    section: int | None  # 1-based
    path: str
    own: list[Span] = field(default_factory=list)  # the task's own text: its span minus its children
    lead_in: Span | None = None  # text that introduces the list this item belongs to
    title_span: Span | None = None
    units: list[Unit] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)
    sector_mentions: list[SectorMention] = field(default_factory=list)
    suggested_units: list[str] = field(default_factory=list)


@dataclass
class Doc:
    source: str  # decoded text, newlines normalised; every output span points here
    text: str  # working text (soft line breaks removed)
    name: str = "<text>"
    sha256: str = ""
    encoding: str = "utf-8"
    hard_wrapped: bool = False
    noise_lines: int = 0  # lines left out of the working text (watermarks, page footers …)
    traditional: bool = False  # written in traditional script; the stages read it simplified
    details: dict[str, object] = field(default_factory=dict)  # more Source fields: format, how it was read
    to_source: Sequence[int] | None = None  # len(text) + 1 entries (an array); None when text == source
    # the working text with the source's own characters where `text` reads a normalised form
    # (full-width punctuation, simplified script); None when they are the same
    surface: str | None = None
    meeting: Meeting = field(default_factory=Meeting)
    kind: str = "speech"  # speech | compilation | record | minutes (see parts.py)
    parts: list[Part] = field(default_factory=list)
    sections: list[SectionDraft] = field(default_factory=list)
    tasks: list[TaskDraft] = field(default_factory=list)
    non_tasks: list[NonTask] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def src_span(self, span: Span) -> Span:
        if self.to_source is None:
            return span
        s, e = span
        # an end offset maps to one past the source index of the last character it covers
        return (self.to_source[s], self.to_source[e - 1] + 1 if e > s else self.to_source[s])

    @property
    def written(self) -> str:
        """The working text in the source's own characters (what the sheet shows)."""
        return self.text if self.surface is None else self.surface

    def shown(self, span: Span) -> str:
        """The working text at *span* in the source's own characters."""
        return self.written[span[0]:span[1]]

    def own_text(self, task: TaskDraft) -> str:
        return "".join(self.text[s:e] for s, e in task.own)
