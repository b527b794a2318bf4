"""Diff the directives of meetings: what is new, what carries over (same or changed), what was dropped.

>>> from speech_tasks.diff import diff_sheets
>>> d = diff_sheets(earlier_sheet, later_sheet)          # doctest: +SKIP
>>> [(p.a.task.id, p.b.task.id, p.changes.status) for p in d.pairs]   # doctest: +SKIP

`speech-tasks diff A B` (cli.py) writes the result as JSON, HTML and Markdown (report.py);
`speech-tasks diff --series A B C …` follows directives over many meetings (series.py).
Names are imported lazily so that `speech-tasks diff --help` starts fast.
"""
from __future__ import annotations

__all__ = ["MeetingDiff", "PairDiff", "diff_sheets", "diff_views"]


def __getattr__(name: str):
    if name in __all__:
        from . import core

        return getattr(core, name)
    raise AttributeError(name)
