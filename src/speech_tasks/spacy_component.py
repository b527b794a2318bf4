"""speech-tasks as a spaCy pipeline component (the optional ``[spacy]`` extra).

Installed with the extra, the factory is found through spaCy's ``spacy_factories`` entry point,
so no import is needed::

    nlp = spacy.blank("zh")
    nlp.add_pipe("speech_tasks", config={"meeting_date": "2026-03-02"})
    doc = nlp(speech)
    doc._.task_sheet                       # the TaskSheet (pydantic model) of the speech
    doc.spans["units"]                     # also "tasks", "deadlines", "sectors"

Every span group's spans carry the id of their task (``span.id_``) and a label: the task's kind
(numbered/domain/directive), the unit's role (lead/owner/assist), the deadline's kind
(date/event/period/cadence/urgency) or the sector's name. Units carry their canonical name in
``span.kb_id_`` and ``span._.generic / inherited / known``; deadlines ``span._.due`` (ISO date
or None) and ``span._.approx``; ``span._.task`` is the :class:`~speech_tasks.models.Task` itself.
Spans are the sheet's character spans aligned to the doc's tokens with
``alignment_mode="expand"`` (exact with the default character tokenizer).

Config: ``rules`` (a rules folder; this process reads its rules from there from then on, as
``--rules``), ``meeting_date`` (ISO date, as ``--date``), ``segmenter`` (``"jieba"``: spaCy's
jieba segmentation with the project's user dictionary from ``rules/units.yaml``, so that
市安委办 or 融媒体中心 stay one token; ``"char"``: one token per character; default: keep the
pipeline's tokenizer). The sheet is kept in the doc as JSON data, so docs survive
``Doc.to_bytes`` and ``nlp.pipe(texts, n_process=2)``.
"""
from __future__ import annotations

import datetime as dt
import os
import weakref
from pathlib import Path
from typing import Any

from spacy.lang.zh import ChineseTokenizer
from spacy.language import Language
from spacy.tokens import Doc, Span, SpanGroup
from spacy.vocab import Vocab

from .models import Task, TaskSheet

FACTORY = "speech_tasks"
SPAN_KEYS = ("tasks", "units", "deadlines", "sectors")
SEGMENTERS = ("char", "jieba")
_SHEET_DATA = "speech_tasks_sheet"  # Doc extension holding the sheet as JSON data


# the sheet parsed from each doc's data, kept while the doc lives and its data is the same object
_parsed: weakref.WeakKeyDictionary[Doc, tuple[dict, TaskSheet]] = weakref.WeakKeyDictionary()


def _sheet(doc: Doc) -> TaskSheet | None:
    """``doc._.task_sheet``: parsed once from the doc's data. Changing the model does not change
    the doc; :func:`annotate` with a changed sheet does (spans included)."""
    data = doc._.get(_SHEET_DATA)
    if data is None:
        return None
    hit = _parsed.get(doc)
    if hit is None or hit[0] is not data:
        hit = _parsed[doc] = (data, TaskSheet.model_validate(data))
    return hit[1]


def _task(span: Span) -> Task | None:
    sheet = span.doc._.task_sheet
    return next((t for t in sheet.tasks if t.id == span.id_), None) if sheet else None


def _register_extensions() -> None:
    Doc.set_extension(_SHEET_DATA, default=None, force=True)
    Doc.set_extension("task_sheet", getter=_sheet, force=True)
    Span.set_extension("task", getter=_task, force=True)
    for name in ("due", "approx", "generic", "inherited", "known"):
        Span.set_extension(name, default=None, force=True)


_register_extensions()


# ---------------------------------------------------------------------------------------------
# jieba with the project's user dictionary

_loaded_user_dicts: set[str] = set()


def load_user_dictionary(path: str | os.PathLike | None = None) -> str:
    """Add the user dictionary (default: the shipped one, made from rules/units.yaml) to jieba's
    default segmenter, once per process; returns its path."""
    import jieba

    from .units import USER_DICTIONARY

    path = os.fspath(path or USER_DICTIONARY)
    if path not in _loaded_user_dicts:
        jieba.setLogLevel(60)  # no "Building prefix dict" chatter on stderr
        jieba.load_userdict(path)
        _loaded_user_dicts.add(path)
    return path


class JiebaTokenizer(ChineseTokenizer):
    """spaCy's Chinese tokenizer with jieba segmentation, the project's user dictionary loaded.

    Unlike its parent (which holds the jieba module) it pickles, so a pipeline using it runs
    under ``nlp.pipe(n_process=…)`` with any multiprocessing start method.
    """

    def __init__(self, vocab: Vocab, user_dict: str | None = None):
        self.user_dict = load_user_dictionary(user_dict)
        super().__init__(vocab, segmenter="jieba")

    def __reduce__(self):
        return (type(self), (self.vocab, self.user_dict))


def _use_segmenter(nlp: Language, segmenter: str | None) -> None:
    if segmenter is None:
        tokenizer = nlp.tokenizer
        if isinstance(tokenizer, ChineseTokenizer) and tokenizer.segmenter == "jieba":
            load_user_dictionary()  # spaCy's own jieba tokenizer: give it the gazetteer too
        return
    if segmenter not in SEGMENTERS:
        raise ValueError(f"speech_tasks: segmenter {segmenter!r} unknown (known: {', '.join(SEGMENTERS)})")
    if nlp.lang != "zh":
        raise ValueError(f"speech_tasks: the segmenter setting needs a Chinese pipeline (spacy.blank('zh')), not {nlp.lang!r}")
    nlp.tokenizer = JiebaTokenizer(nlp.vocab) if segmenter == "jieba" else ChineseTokenizer(nlp.vocab, segmenter="char")


# ---------------------------------------------------------------------------------------------
# The component


class SpeechTasks:
    """Extracts the task sheet of each doc's text and adds it as ``doc._.task_sheet`` and the span
    groups tasks, units, deadlines and sectors. Holds only its settings, so it pickles."""

    def __init__(self, name: str = FACTORY, rules: str | None = None, meeting_date: str | None = None):
        self.name = name
        self.rules = os.fspath(rules) if rules else None
        if self.rules is not None and not Path(self.rules).is_dir():
            raise ValueError(f"speech_tasks: rules folder {self.rules} not found")
        try:
            self.meeting_date = dt.date.fromisoformat(meeting_date) if meeting_date else None
        except (TypeError, ValueError):
            raise ValueError(f"speech_tasks: meeting_date {meeting_date!r} is not an ISO date (YYYY-MM-DD)") from None

    def __call__(self, doc: Doc) -> Doc:
        from . import rules
        from .ingest import IngestError
        from .pipeline import extract_text

        if self.rules is not None and rules.rules_dir() != Path(self.rules):
            rules.use_directory(self.rules)
        try:
            sheet = extract_text(doc.text, meeting_date=self.meeting_date)
        except IngestError:  # nothing but whitespace: no tasks
            sheet = None
        annotate(doc, sheet)
        return doc


@Language.factory(
    FACTORY,
    default_config={"rules": None, "meeting_date": None, "segmenter": None},
    assigns=["doc._.task_sheet", "doc.spans"],
)
def make_speech_tasks(
    nlp: Language, name: str, rules: str | None, meeting_date: str | None, segmenter: str | None
) -> SpeechTasks:
    """spaCy factory of the ``speech_tasks`` component (see the module's docstring for the config)."""
    _use_segmenter(nlp, segmenter)
    return SpeechTasks(name, rules, meeting_date)


# ---------------------------------------------------------------------------------------------
# Sheet → span groups


def _offsets_map(text: str) -> list[int] | None:
    """Doc offset of every source offset (and of the end), when they differ: the sheet's text
    drops a leading BOM and reads ``\\r\\n`` and ``\\r`` as ``\\n``."""
    bom = text.startswith("\ufeff")
    if not bom and "\r" not in text:
        return None
    out, i = [], int(bom)
    while i < len(text):
        out.append(i)
        i += 2 if text[i] == "\r" and text[i + 1: i + 2] == "\n" else 1
    out.append(len(text))
    return out


def annotate(doc: Doc, sheet: TaskSheet | None) -> None:
    """Store *sheet* in *doc* and fill the span groups from it (all empty without a sheet)."""
    doc._.set(_SHEET_DATA, None if sheet is None else sheet.model_dump(mode="json"))
    to_doc = _offsets_map(doc.text)

    def span(start: int, end: int, label: str, task: Task, kb_id: str = "") -> Span | None:
        if to_doc is not None:
            start, end = to_doc[start], to_doc[end]
        s = doc.char_span(start, end, label=label, kb_id=kb_id, alignment_mode="expand")
        if s is not None:
            s.id_ = task.id
        return s

    groups: dict[str, dict[Any, Span]] = {key: {} for key in SPAN_KEYS}
    units_inherited: dict[Any, bool] = {}
    for task in sheet.tasks if sheet else ():
        # parents come before children, and list the mentions of their children too: the deepest
        # task that names a mention owns it, except that a unit's own naming beats inheriting it
        s = span(*task.span, task.kind, task)
        if s is not None:
            groups["tasks"][task.id] = s
        for u in task.units:
            key = (*u.span, u.role, u.name)
            if u.inherited and key in units_inherited:
                continue
            s = span(*u.span, u.role, task, kb_id=u.name)
            if s is not None:
                s._.generic, s._.known = u.generic, u.known
                groups["units"][key] = s
                units_inherited[key] = u.inherited
        for d in task.deadlines:
            s = span(*d.span, d.kind, task)
            if s is not None:
                s._.due, s._.approx = d.due.isoformat() if d.due else None, d.approx
                groups["deadlines"][(*d.span, d.kind)] = s
        for m in task.sector_mentions:
            s = span(*m.span, m.sector, task)
            if s is not None:
                groups["sectors"][(*m.span, m.sector)] = s
    for key, inherited in units_inherited.items():
        groups["units"][key]._.inherited = inherited
    for key, spans in groups.items():
        doc.spans[key] = SpanGroup(doc, name=key, spans=sorted(spans.values(), key=lambda s: (s.start, -s.end)))
