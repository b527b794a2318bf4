"""The task sheet: the one definition of what speech-tasks produces.

Every export, the ledger and the JSON schema (`speech-tasks schema`) derive from these models.
All spans are ``[start, end)`` character offsets into the decoded source text (BOM dropped,
newlines normalised to ``\\n``; for .docx, its paragraphs joined by ``\\n`` with Word's numbering
labels in front; for PDF, its text layer by lines or paragraphs; see ``speech_tasks.readers``).
"""
from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1

# 状态 of a task in a sheet or the ledger, in the order a task moves through them.
STATUSES = ("未启动", "推进中", "已完成", "已销号", "延期")

Span = tuple[int, int]
Role = Literal["lead", "owner", "assist"]
DeadlineKind = Literal["date", "event", "period", "cadence", "urgency"]
TaskKind = Literal["numbered", "domain", "directive"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Source(_Model):
    """Where the sheet came from: enough to tell whether a re-extraction is needed."""

    file: str = Field(description="file name of the speech")
    sha256: str = Field(description="sha256 of the file's bytes")
    encoding: str = Field(description="detected encoding, or 'docx'")
    chars: int = Field(description="length of the decoded text")
    hard_wrapped: bool = Field(False, description="lines were re-joined before segmentation")
    noise_lines: int = Field(0, description="lines left out as not speech text (watermarks, page footers …)")
    traditional: bool = Field(False, description="written in traditional script (read through a simplified view)")
    format: str | None = Field(None, description="file format read: txt, md, docx, pdf, doc, wps, rtf or odt")
    converted_by: str | None = Field(
        None, description="program that converted the file to .docx before it was read (LibreOffice and its version)"
    )
    numbering_rendered: int = Field(
        0, description=".docx: paragraphs whose Word auto-numbering label (一、 （二） 3.) was rendered before their text"
    )
    table_rows: int = Field(0, description=".docx: table rows read, one line each, cells separated by tabs")
    text_boxes: int = Field(0, description=".docx: text boxes read, after the paragraph they are anchored to")
    pages: int | None = Field(None, description="PDF: pages whose text layer was read")
    dropped_lines: int = Field(0, description="PDF: running header, footer and page-number lines left out")


class Meeting(_Model):
    name: str | None = Field(None, description="the meeting's name as the speech states it")
    date: dt.date | None = Field(None, description="meeting date, used to resolve due dates")
    date_source: Literal["cli", "text", "filename"] | None = None
    name_span: Span | None = None
    date_span: Span | None = None


class OutlineNode(_Model):
    """A level-1 section of the speech body."""

    id: str = Field(description="S1, S2, … in order")
    level: int = 1
    number: int = Field(description="1-based position among the sections")
    marker: str = Field(description="numbering token as written: 一、 第一， （一） 一要 …")
    title: str
    span: Span = Field(description="the whole section, heading included")
    title_span: Span


class Unit(_Model):
    """A body the task is addressed to."""

    text: str = Field(description="surface form, reduced to the body itself")
    name: str = Field(description="canonical name from rules/units.yaml (or the surface form)")
    role: Role
    generic: bool = Field(description="addressee form naming no particular body (各地, 有关部门 …)")
    inherited: bool = Field(False, description="named in the lead-in or parent, not in the task itself")
    known: bool = Field(True, description="found in the gazetteer (false: detected by its form)")
    span: Span


class Deadline(_Model):
    text: str = Field(description="surface expression as written")
    kind: DeadlineKind
    due: dt.date | None = Field(None, description="normalised due date when computable")
    approx: bool = Field(False, description="the expression is approximate (左右, 底)")
    start: dt.date | None = Field(None, description="first day, for periods with a known start")
    span: Span


class SectorMention(_Model):
    sector: str
    text: str
    span: Span


class Task(_Model):
    """One row of the 任务分解表."""

    id: str = Field(description="stable id: same speech and task text give the same id")
    number: str = Field(description="序号 in the sheet: 1, 1.1, 1.1.1")
    parent: str | None = Field(None, description="id of the enclosing task")
    section: int | None = Field(None, description="1-based outline section, or null")
    path: str = Field(description="markers from the section down, e.g. 二/一要/①")
    kind: TaskKind
    marker: str | None = None
    title: str | None = None
    text: str = Field(description="the task's text, children included")
    span: Span
    units: list[Unit] = Field(default_factory=list)
    deadlines: list[Deadline] = Field(default_factory=list)
    sectors: list[str] = Field(default_factory=list)
    sector_mentions: list[SectorMention] = Field(default_factory=list)
    suggested_units: list[str] = Field(
        default_factory=list,
        description="bodies that usually own the task's sectors, when it names no specific body",
    )


class NonTask(_Model):
    """An enumeration recognised and deliberately not made a task (problem list, agenda line…)."""

    marker: str | None = None
    why: str
    span: Span


class TaskSheet(_Model):
    """The task sheet (任务分解表) of one speech: its meeting, outline, tasks and the
    enumerations deliberately not made tasks. ``TaskSheet.model_json_schema()`` is its JSON schema."""

    schema_version: int = SCHEMA_VERSION
    tool_version: str
    source: Source
    meeting: Meeting = Field(default_factory=Meeting)
    outline: list[OutlineNode] = Field(default_factory=list)
    tasks: list[Task] = Field(default_factory=list)
    non_tasks: list[NonTask] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)


def json_schema() -> dict:
    """JSON schema of a task sheet, as printed by `speech-tasks schema`."""
    return TaskSheet.model_json_schema()
