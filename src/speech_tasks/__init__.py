"""speech-tasks: Chinese work-safety meeting speeches → trackable task sheets.

The Python API (see the README's "Use it from Python")::

    import speech_tasks
    sheet = speech_tasks.extract_text("一、压实责任\n各地要立即开展隐患排查。")   # a TaskSheet
    for item in speech_tasks.extract_many("speeches/", jobs=2): ...        # a folder, in parallel
    df = speech_tasks.to_dataframe(sheet)                                   # one row per task
    d = speech_tasks.diff_sheets(earlier, later)                            # meetings compared

Names are imported on first use, so that ``import speech_tasks`` (and the CLI) start fast.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

# name -> module that defines it
_EXPORTS = {
    "extract_text": "speech_tasks.pipeline",
    "extract_file": "speech_tasks.pipeline",
    "extract_many": "speech_tasks.batch",
    "Extracted": "speech_tasks.batch",
    "TaskSheet": "speech_tasks.models",
    "json_schema": "speech_tasks.models",
    "to_dataframe": "speech_tasks.export.frame",
    "diff_sheets": "speech_tasks.diff.core",
    "MeetingDiff": "speech_tasks.diff.core",
    "RulesError": "speech_tasks.rules",
    "IngestError": "speech_tasks.ingest",
    "Ledger": "speech_tasks.ledger",
    "Filters": "speech_tasks.ledger",
    "ConflictError": "speech_tasks.ledger",
}

__all__ = ["__version__", *_EXPORTS]

if TYPE_CHECKING:
    from .batch import Extracted, extract_many
    from .diff.core import MeetingDiff, diff_sheets
    from .export.frame import to_dataframe
    from .ingest import IngestError
    from .ledger import ConflictError, Filters, Ledger
    from .models import TaskSheet, json_schema
    from .pipeline import extract_file, extract_text
    from .rules import RulesError


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'speech_tasks' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
