"""Runs the extraction stages in the order that ``rules/pipeline.yaml`` gives.

Like spaCy's factories, a stage is known by name; its module is imported only when a pipeline
uses it. A stage is a function ``run(doc: Doc) -> None`` that fills in its part of the doc.
"""
from __future__ import annotations

import datetime as dt
import importlib
import sys
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel

from . import rules
from .document import Doc
from .models import TaskSheet

STAGE_FACTORIES: dict[str, str] = {
    "meeting": "speech_tasks.meeting",
    "parts": "speech_tasks.parts",
    "outline": "speech_tasks.outline",
    "tasks": "speech_tasks.tasks",
    "units": "speech_tasks.units",
    "deadlines": "speech_tasks.deadlines",
    "sectors": "speech_tasks.sectors",
    "checks": "speech_tasks.checks",
}


class PipelineRules(BaseModel):
    stages: list[str]


def stage_names() -> list[str]:
    names = rules.load("pipeline", PipelineRules).stages
    unknown = [n for n in names if n not in STAGE_FACTORIES]
    if unknown:
        raise rules.RulesError(
            f"pipeline.yaml: stages: unknown stage {unknown[0]!r} (known: {', '.join(STAGE_FACTORIES)})"
        )
    return names


def get_stage(name: str) -> Callable[[Doc], None]:
    module = STAGE_FACTORIES[name]
    return (sys.modules.get(module) or importlib.import_module(module)).run  # imported: no import machinery


def run(doc: Doc) -> Doc:
    for name in stage_names():
        get_stage(name)(doc)
    return doc


def extract_doc(doc: Doc, meeting_date: dt.date | None = None) -> TaskSheet:
    """Run the pipeline over an ingested doc and build its task sheet."""
    from .sheet import build_sheet

    if meeting_date is not None:
        doc.meeting.date = meeting_date
        doc.meeting.date_source = "cli"
    return build_sheet(run(doc))


def extract_file(path: str | Path, meeting_date: dt.date | None = None) -> TaskSheet:
    """Read a speech file (.txt, .md, .docx; encoding detected) and extract its task sheet.

    *meeting_date* overrides the date the speech or its file name gives (it resolves due dates).
    A file that cannot be read raises :class:`~speech_tasks.ingest.IngestError` (one-line reason).
    """
    from .ingest import read_file

    return extract_doc(read_file(Path(path)), meeting_date)


def extract_text(text: str, name: str = "speech.txt", meeting_date: dt.date | None = None) -> TaskSheet:
    """Extract the task sheet of a speech given as a string; *name* stands for its file name
    (task ids and a date in the name depend on it). Whitespace-only text raises IngestError."""
    from .ingest import from_text

    return extract_doc(from_text(text, name=name), meeting_date)
