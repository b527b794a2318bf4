"""Checks stage: warnings whenever the sheet may be incomplete (rules/checks.yaml).

Earlier stages already say what they did to the text (noise lines skipped, script converted,
several speeches or speakers found, text after the closing remarks). This last stage adds what
only the finished result shows: no tasks although the text directs work, due dates that cannot
be computed for want of a meeting date, a due date before the meeting.
"""
from __future__ import annotations

from pydantic import BaseModel, Field

from . import rules, structure
from .document import Doc

_DATED_KINDS = ("date", "event", "period")


class CheckRules(BaseModel):
    min_directives_for_warning: int = Field(ge=1)
    quote_chars: int = Field(ge=4)


def _quote(doc: Doc, start: int, limit: int) -> str:
    line = doc.shown((start, min(len(doc.text), start + limit))).split("\n")[0]
    return f"第{doc.src_span((start, start + 1))[0] + 1}字“{line}”"


def _directive_sentences(doc: Doc) -> list[int]:
    """Starts of the sentences that assign work to a body (X要…)."""
    from .units import find_units

    out = []
    for ps, pe in structure.paragraphs(doc.text):
        for s, e in structure.sentences(doc.text, ps, pe):
            if find_units(doc.text, s, e):
                out.append(s)
    return out


def run(doc: Doc) -> None:
    r = rules.load("checks", CheckRules)
    if not doc.tasks:
        found = _directive_sentences(doc)
        if len(found) >= r.min_directives_for_warning:
            doc.warnings.append(
                f"未识别出任务，但原文有{len(found)}处部署性语句（如{_quote(doc, found[0], r.quote_chars)}）："
                "请核对原文格式，或手工补录"
            )
        else:
            doc.warnings.append("未识别出任务：原文中没有找到部署工作的语句")
    deadlines = [(k, d) for k, t in enumerate(doc.tasks, start=1) for d in t.deadlines]
    if doc.meeting.date is None and any(d.kind in _DATED_KINDS and d.due is None for _, d in deadlines):
        doc.warnings.append(
            "会议日期未知，到期日无法推算：可用 --date 2024-11-28 指定，或在文件名中写明日期（如 2024-11-28_讲话.txt）"
        )
    if doc.meeting.date is not None:
        for k, d in deadlines:
            if d.due is not None and d.due < doc.meeting.date:
                doc.warnings.append(
                    f"第{k}项任务的时限“{doc.shown(d.span) if doc.text[d.span[0]:d.span[1]] == d.text else d.text}”"
                    f"推算为{d.due.isoformat()}，早于会议日期{doc.meeting.date.isoformat()}：请核对"
                )
