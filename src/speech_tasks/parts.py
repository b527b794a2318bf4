"""Parts stage: what kind of document this is, and its parts (rules/parts.yaml, GUIDELINE §7).

A file may hold one prepared speech, several speeches one after another (a compilation, each
opening with its title line), a meeting record whose paragraphs open with speaker labels
(``县长：…``), or minutes (会议纪要). The outline and tasks stages read each part on its own:
a compilation has an outline per speech; a record and minutes have none (their numbered points
are tasks), and a record's turns are read one by one, each without its label.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import BaseModel, Field, field_validator

from . import rules, structure
from .document import Doc, Part


class PartsRules(BaseModel):
    speech_title: str
    speaker_label: str
    min_speaker_turns: int = Field(ge=2)
    minutes_title: str
    minutes_title_lines: int = Field(ge=1)
    minutes_cues: str
    min_minutes_cues: int = Field(ge=1)
    after_closing_chars: int = Field(ge=0)

    _check = field_validator("speech_title", "speaker_label", "minutes_title", "minutes_cues")(rules.regex)

    @field_validator("speaker_label")
    @classmethod
    def _has_label(cls, v: str) -> str:
        if "(?P<label>" not in v:
            raise ValueError("pattern must define a group named label")
        return v


@dataclass(frozen=True)
class _Compiled:
    rules: PartsRules
    title: re.Pattern[str]
    speaker: re.Pattern[str]
    minutes_title: re.Pattern[str]
    minutes_cue: re.Pattern[str]


def compiled() -> _Compiled:
    def build(r: PartsRules) -> _Compiled:
        return _Compiled(r, re.compile(r.speech_title), re.compile(r.speaker_label),
                         re.compile(r.minutes_title), re.compile(r.minutes_cues))

    return rules.compiled(build, ("parts", PartsRules))


def _first_words(doc: Doc, pos: int) -> str:
    return doc.shown((pos, min(len(doc.text), pos + 12))).split("\n")[0]


def run(doc: Doc) -> None:
    c = compiled()
    text = doc.text
    paras = structure.paragraphs(text)
    if not paras:
        return
    titles = [s for s, e in paras if c.title.match(text, s, e)]
    turns = [(s, m.end()) for s, e in paras if (m := c.speaker.match(text, s, e))]
    head = paras[: c.rules.minutes_title_lines]
    cues = sum(1 for s, e in paras if c.minutes_cue.match(text, s, e))
    if len(titles) >= 2:
        doc.kind = "compilation"
        bounds = titles + [len(text)]
        doc.parts = [Part(bounds[k] if k else paras[0][0], bounds[k + 1], "speech") for k in range(len(titles))]
        doc.warnings.append(
            f"文件含{len(titles)}篇讲话（第2篇自第{titles[1]}字“{_first_words(doc, titles[1])}”起）：已逐篇识别"
        )
    elif len(turns) >= c.rules.min_speaker_turns:
        doc.kind = "record"
        starts = [s for s, _ in turns] + [len(text)]
        doc.parts = [Part(body, starts[k + 1], "turn") for k, (_, body) in enumerate(turns)]
        speakers = list(dict.fromkeys(doc.shown((s, b - 1)) for s, b in turns))
        doc.warnings.append(
            f"会议记录含{len(speakers)}位发言人（{'、'.join(speakers[:5])}{'等' if len(speakers) > 5 else ''}）：已逐段识别，各部门汇报不作为任务"
        )
    elif any(c.minutes_title.match(text, s, e) for s, e in head) or cues >= c.rules.min_minutes_cues:
        doc.kind = "minutes"
        doc.parts = [Part(paras[0][0], len(text), "minutes")]
    else:
        doc.parts = [Part(paras[0][0], len(text), "speech")]
