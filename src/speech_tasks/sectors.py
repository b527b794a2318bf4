"""sectors stage: the industry domains each task targets (GUIDELINE §5), and their usual owners.

Keywords come from ``rules/sectors.yaml``. A *strong* keyword names its domain wherever it
stands; a *weak* one (学校, 旅游, 交通运输, 应急处置 …) only where the speech makes the domain its
topic: followed by a domain suffix (学校安全, 海上安全领域), as an item of a list of domains
(…交通运输、工贸等重点行业领域), or in a task's heading clause. So a school listed among the
places a gas inspection covers does not make the task a school task.

The text is scanned once with one regex; each task then takes the mentions inside its span,
children included, so a parent carries the union of its children's sectors (``nesting`` in the
YAML: always, only when its own text names a domain, or never). An item naming no domain takes
the domains its enclosing task names.
Suggested units (the sectors' usual owners) are given only to tasks naming no specific body.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from . import rules
from .document import Doc, TaskDraft
from .models import SectorMention, Span

_CLAUSE_END = re.compile(r"[，。；：！？,;:!?\n]")


class Context(BaseModel):
    """Where a weak keyword counts (see the comment in rules/sectors.yaml)."""

    suffixes: list[str] = Field(min_length=1)
    list_heads: list[str] = Field(min_length=1)
    list_joiners: list[str] = Field(min_length=1)
    list_window: int = Field(60, ge=1)
    list_breakers: list[str] = Field(default_factory=list)


class Nesting(BaseModel):
    """How sectors flow between a task and its nested items (see rules/sectors.yaml)."""

    union_children: Literal["always", "if_named", "never"] = "if_named"
    inherit_parent: bool = True


class Sector(BaseModel):
    name: str = Field(min_length=1)
    keywords: list[str] = Field(default_factory=list)
    weak: list[str] = Field(default_factory=list)
    owners: list[str] = Field(default_factory=list)

    @field_validator("keywords", "weak", "owners")
    @classmethod
    def _no_blank(cls, words: list[str]) -> list[str]:
        if any(not w or not w.strip() for w in words):
            raise ValueError("empty entry")
        return words

    @model_validator(mode="after")
    def _strong_or_weak(self) -> Sector:
        both = set(self.keywords) & set(self.weak)
        if both:
            raise ValueError(f"{sorted(both)[0]!r} is both a keyword and a weak keyword")
        if not self.keywords and not self.weak:
            raise ValueError("no keywords")
        return self


class SectorRules(BaseModel):
    context: Context
    nesting: Nesting = Field(default_factory=Nesting)
    no_sector: list[str] = Field(default_factory=list, description="words that hold a keyword but name no sector")
    sectors: list[Sector] = Field(min_length=1)

    @field_validator("sectors")
    @classmethod
    def _unique_names(cls, sectors: list[Sector]) -> list[Sector]:
        names = [s.name for s in sectors]
        dup = next((n for n in names if names.count(n) > 1), None)
        if dup:
            raise ValueError(f"sector {dup!r} listed twice")
        return sectors


@dataclass(frozen=True)
class _Matcher:
    rules: SectorRules
    regex: re.Pattern[str]
    # keyword -> (sectors it names, is weak)
    words: dict[str, tuple[tuple[str, ...], bool]]
    owners: dict[str, tuple[str, ...]]


def _compile(loaded: SectorRules) -> _Matcher:
    """One regex for every keyword (a prefix trie: the longest wins), with an optional empty group `head` that
    matches where the context makes a weak keyword count."""
    words: dict[str, tuple[list[str], bool]] = {}
    for sector in loaded.sectors:
        for word, weak in [(w, False) for w in sector.keywords] + [(w, True) for w in sector.weak]:
            names, was_weak = words.get(word, ([], weak))
            if sector.name not in names:
                names.append(sector.name)
            # a word strong for one sector and weak for another stays strong for both
            words[word] = (names, was_weak and weak)
    for word in loaded.no_sector:  # 森林防火 holds 防火 but is no 消防: longest wins, and names nothing
        words[word] = ([], False)
    ctx = loaded.context
    breakers = "".join(f"(?!{re.escape(b)})" for b in ctx.list_breakers)
    head = (
        f"(?P<head>(?=(?:{rules.alternation(ctx.suffixes)})"
        f"|[{''.join(re.escape(j) for j in ctx.list_joiners)}]"
        f"(?:{breakers}[^，。；：！？,;:!?\\n]){{0,{ctx.list_window}}}?(?:{rules.alternation(ctx.list_heads)})))?"
    )
    regex = re.compile(f"(?P<kw>{rules.word_trie(words)}){head}")
    return _Matcher(
        rules=loaded,
        regex=regex,
        words={w: (tuple(n), weak) for w, (n, weak) in words.items()},
        owners={s.name: tuple(s.owners) for s in loaded.sectors},
    )


def _matcher() -> _Matcher:
    """The matcher for the rules in force, compiled once per loaded rules file."""
    return rules.compiled(_compile, ("sectors", SectorRules))


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    word: str
    sectors: tuple[str, ...]
    weak: bool
    headed: bool


def _hits(m: _Matcher, text: str, start: int, end: int) -> list[_Hit]:
    out = []
    for found in m.regex.finditer(text, start, end):
        word = found.group("kw")
        sectors, weak = m.words[word]
        if not sectors:
            continue
        out.append(_Hit(found.start(), found.end("kw"), word, sectors, weak, found.group("head") is not None))
    return out


def _mentions(hits: list[_Hit], in_heading) -> list[SectorMention]:
    """The hits that count: strong ones, and weak ones in a domain context or a task heading."""
    return [
        SectorMention(sector=s, text=h.word, span=(h.start, h.end))
        for h in hits
        if not h.weak or h.headed or in_heading(h)
        for s in h.sectors
    ]


def find_sectors(text: str, start: int = 0, end: int | None = None) -> list[SectorMention]:
    """Sector mentions in ``text[start:end]``; a weak keyword counts only in a domain context."""
    end = len(text) if end is None else end
    return _mentions(_hits(_matcher(), text, start, end), lambda h: False)


def _heading(doc: Doc, task: TaskDraft) -> Span:
    """The task's heading clause: its title, else its text up to the first clause break."""
    if task.title_span is not None:
        return task.title_span
    found = _CLAUSE_END.search(doc.text, task.start, task.end)
    return (task.start, found.start() if found else task.end)


def _unique(items) -> list[str]:
    return list(dict.fromkeys(items))


def _within(mentions: list[SectorMention], starts: list[int], span: Span) -> list[SectorMention]:
    lo, hi = bisect_left(starts, span[0]), bisect_left(starts, span[1])
    return [x for x in mentions[lo:hi] if x.span[1] <= span[1]]


def run(doc: Doc) -> None:
    if not doc.tasks:
        return
    m = _matcher()
    hits = _hits(m, doc.text, min(t.start for t in doc.tasks), max(t.end for t in doc.tasks))
    headings = sorted(_heading(doc, t) for t in doc.tasks)
    heading_starts = [s for s, _ in headings]

    def in_heading(h: _Hit) -> bool:
        i = bisect_left(heading_starts, h.start + 1) - 1
        # headings of nested tasks do not overlap, but look back a few in case they do
        return any(s <= h.start and h.end <= e for s, e in headings[max(0, i - 3):i + 1])

    mentions = _mentions(hits, in_heading)
    starts = [x.span[0] for x in mentions]
    nesting = m.rules.nesting
    children: dict[int, list[Span]] = {}
    for t in doc.tasks:
        if t.parent is not None:
            children.setdefault(t.parent, []).append((t.start, t.end))
    whole = [_within(mentions, starts, (t.start, t.end)) for t in doc.tasks]
    own = [
        [x for x in found if not any(s <= x.span[0] and x.span[1] <= e for s, e in children.get(i, []))]
        for i, found in enumerate(whole)
    ]
    for i, task in enumerate(doc.tasks):
        union = i not in children or nesting.union_children == "always" or (
            nesting.union_children == "if_named" and own[i]
        )
        task.sector_mentions = whole[i] if union else own[i]
        task.sectors = _unique(x.sector for x in task.sector_mentions)
        if not whole[i] and nesting.inherit_parent:
            up = task.parent
            while up is not None and not own[up]:
                up = doc.tasks[up].parent
            if up is not None:
                task.sectors = _unique(x.sector for x in own[up])
        named = any(not u.generic for u in task.units)
        task.suggested_units = [] if named else _unique(o for s in task.sectors for o in m.owners.get(s, ()))
