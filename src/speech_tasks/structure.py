"""Structure rules (rules/structure.yaml) and the text segmentation the outline and tasks stages share.

Paragraphs are the lines of the working text; sentences end at 。；！？ (a closing quote stays
with its sentence); an enumeration item may start at a paragraph start or right after 。；！？：.
"""
from __future__ import annotations

import re

from pydantic import BaseModel, field_validator

from . import numerals, rules
from .models import Span

_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


class MarkerStyle(BaseModel):
    name: str
    pattern: str
    fallback: bool = False
    after_comma: bool = False
    heading_only: bool = False
    bullet: bool = False
    single_ok: bool = False

    @field_validator("pattern")
    @classmethod
    def _has_num(cls, v: str) -> str:
        rules.regex(v)
        if "(?P<num>" not in v:
            raise ValueError("pattern must define a group named num")
        return v


class DomainBlockRules(BaseModel):
    patterns: list[str]
    head_max_chars: int
    head_nouns: str
    head_excluded_starts: list[str]
    head_excluded_contains: list[str]
    head_excluded_ends: list[str]
    directive_cue: str
    cue_window: int

    _check = field_validator("head_nouns", "directive_cue")(rules.regex)

    @field_validator("patterns")
    @classmethod
    def _check_patterns(cls, v: list[str]) -> list[str]:
        for p in v:
            rules.regex(p)
            if "(?P<head>" not in p:
                raise ValueError("pattern must define a group named head")
        return v


class NonTaskRules(BaseModel):
    lead_in: str
    head_end: str
    head_past: str
    directive_head: str

    _check = field_validator("lead_in", "head_end", "head_past", "directive_head")(rules.regex)


class TitleRules(BaseModel):
    short_clause_chars: int
    clause_prepositions: list[str]


class StructureRules(BaseModel):
    outline_styles: list[MarkerStyle]
    single_heading_chars: int
    mid_sentence_starts: str
    item_styles: list[MarkerStyle]
    ordinal_words: dict[str, int]
    last_ordinals: list[str]
    next_ordinals: list[str]
    last_ordinal_closes: list[str]
    domain_block: DomainBlockRules
    closing_sibling: list[str]
    non_task_lists: NonTaskRules
    agenda_line: str
    opening_directive_needs_domain: bool
    subject_opening_chars: int
    field_label: str
    closing_starts: str
    closing_contains: str
    title: TitleRules

    @field_validator("closing_sibling")
    @classmethod
    def _check_list(cls, v: list[str]) -> list[str]:
        for p in v:
            rules.regex(p)
        return v

    _check = field_validator("agenda_line", "field_label", "closing_starts", "closing_contains")(rules.regex)


class Compiled:
    """Structure rules with every pattern compiled once per process."""

    def __init__(self, r: StructureRules) -> None:
        self.rules = r
        self.outline = [(s, re.compile(s.pattern)) for s in r.outline_styles]
        self.styles = {s.name: s for s in r.item_styles}
        self.comma_styles = frozenset(s.name for s in r.item_styles if s.after_comma)
        self.bullet_styles = frozenset(s.name for s in r.item_styles if s.bullet)
        self.single_ok = frozenset(s.name for s in r.item_styles if s.single_ok)
        self._markers: dict[frozenset[str], re.Pattern] = {}
        self.field_label = re.compile(r.field_label)
        self.domain = [re.compile(p) for p in r.domain_block.patterns]
        self.domain_window = r.domain_block.head_max_chars
        self.domain_nouns = re.compile(r.domain_block.head_nouns)
        self.domain_cue = re.compile(r.domain_block.directive_cue)
        self.head_excluded_starts = tuple(r.domain_block.head_excluded_starts)
        self.head_excluded_ends = tuple(r.domain_block.head_excluded_ends)
        self.closing_sibling = [re.compile(p) for p in r.closing_sibling]
        self.non_task_lead_in = re.compile(r.non_task_lists.lead_in)
        self.non_task_head_end = re.compile(r.non_task_lists.head_end)
        self.non_task_head_past = re.compile(r.non_task_lists.head_past)
        self.directive_head = re.compile(r.non_task_lists.directive_head)
        self.agenda = re.compile(r.agenda_line)
        self.closing_starts = re.compile(r.closing_starts)
        self.closing_contains = re.compile(r.closing_contains)
        self.any_marker = self.markers(frozenset(self.styles))  # a marker of any item style


    def markers(self, styles: frozenset[str]) -> re.Pattern:
        """One regex trying the given item styles in their order; the matching style's group is
        named after it (`m.lastgroup`) and its number is in the group `n_<style>`."""
        if styles not in self._markers:
            parts = [
                f"(?P<{name}>{s.pattern.replace('(?P<num>', f'(?P<n_{name}>')})"
                for name, s in self.styles.items() if name in styles
            ]
            self._markers[styles] = re.compile("|".join(parts) or "(?!)")
        return self._markers[styles]


def compiled() -> Compiled:
    """The structure rules, compiled once per loaded rules file (a new rules folder recompiles)."""
    return rules.compiled(Compiled, ("structure", StructureRules))


def number_of(token: str, ordinals: dict[str, int] | None = None) -> int | None:
    """The number a marker's `num` group stands for: 三 → 3, 十二 → 12, 12 → 12, ③ → 3, 其次 → 2."""
    if len(token) == 1 and token in _CIRCLED:
        return _CIRCLED.index(token) + 1
    if ordinals and token in ordinals:
        return ordinals[token]
    return numerals.parse(token) or None


_PARA = re.compile(r"[^\n]+")
_LEADING_SPACE = re.compile(r"[ \t\u3000\xa0]*")
_PARA_START = re.compile(r"[ \t\u3000\xa0]*(?:#{1,6}[ \t]+)?")  # indentation, a Markdown heading's #
SENTENCE_END = re.compile(r"[。；！？;!?][”’\"』」]?")
_CLAUSE_START = re.compile(r"[。；！？：;:!?][”’\"』」]?[ \t\u3000]*")


def paragraphs(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Non-blank lines of text[start:end]; leading indentation (and a Markdown heading's #) and
    trailing spaces excluded."""
    out = []
    for m in _PARA.finditer(text, start, len(text) if end is None else end):
        s = skip_paragraph_indent(text, m.start())
        e = m.end()
        while e > s and text[e - 1] in " \t\u3000\xa0":
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def skip_paragraph_indent(text: str, pos: int) -> int:
    """Where the paragraph whose line starts at *pos* begins (see :func:`paragraphs`)."""
    return _PARA_START.match(text, pos).end()


def sentences(text: str, start: int, end: int) -> list[Span]:
    """Sentences of one paragraph span, each with its closing punctuation."""
    out, s = [], start
    for m in SENTENCE_END.finditer(text, start, end):
        if m.end() > s:
            out.append((s, m.end()))
        s = _LEADING_SPACE.match(text, m.end(), end).end()
    if s < end:
        out.append((s, end))
    return out


_COMMA = re.compile(r"[，,][ \t\u3000]*")


def comma_starts(text: str, start: int, end: int) -> list[int]:
    """Positions right after a comma in a paragraph (for markers that may follow one)."""
    return [m.end() for m in _COMMA.finditer(text, start, end) if m.end() < end]


def clause_starts(text: str, start: int, end: int) -> list[int]:
    """Positions in a paragraph where an enumeration item may begin."""
    out = [start]
    out.extend(m.end() for m in _CLAUSE_START.finditer(text, start, end) if m.end() < end)
    return out


def skip_spaces(text: str, pos: int, end: int) -> int:
    """First position at or after *pos* that is not a space (a marker may be followed by one)."""
    return _LEADING_SPACE.match(text, pos, end).end()


def is_heading_line(text: str, start: int, end: int) -> bool:
    """The paragraph text[start:end] is a heading: no sentence ends inside it."""
    m = SENTENCE_END.search(text, start, end)
    return m is None


def heading_title(text: str, start: int, end: int) -> Span:
    """Span of a heading's title that starts at *start*: to the first 。 (or the whole line)."""
    start = skip_spaces(text, start, end)
    stop = text.find("。", start, end)
    e = stop if stop != -1 else end
    while e > start and text[e - 1] in "。．.，,；;：: \u3000":
        e -= 1
    return (start, e)


def item_title(c: Compiled, text: str, start: int, end: int) -> Span | None:
    """Span of a numbered item's heading clause (see rules/structure.yaml `title`)."""
    r = c.rules.title
    m = SENTENCE_END.search(text, start, end)
    sent_end = m.start() if m else end
    if sent_end <= start:
        return None
    comma = text.find("，", start, sent_end)
    if comma == -1:
        return (start, sent_end)
    if comma - start <= r.short_clause_chars or any(text.startswith(p, start) for p in r.clause_prepositions):
        nxt = text.find("，", comma + 1, sent_end)  # "突出重点，强化督查检查": a short clause runs on
        comma = nxt if nxt != -1 else sent_end
    return (start, comma)
