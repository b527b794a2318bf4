"""deadlines stage: the timing expressions of each task (GUIDELINE §4), with kind and due date.

What counts as a deadline lives in ``rules/deadlines.yaml`` (patterns, what captured
words mean, past-time tests) and ``rules/events.yaml`` (holidays, political events and seasons
with their dates per year).
The patterns are compiled once per process, and from each one's syntax tree the first few
characters its matches can begin with are worked out (:func:`pattern_heads`). One regex pass
finds the positions where such a beginning may stand, a small trie gives the patterns whose
beginning fits there, and only those are tried, in the order the rules list them: a
4k-character speech costs ~0.2 ms, where trying every pattern that can begin with the character
cost ~1.7 ms (36 patterns, ~3,000 tries per speech). The named groups a pattern captures
(month, day, event, n + unit …) say how its due date is computed.

Due dates need an anchor: the meeting date (``--date``, else the date the meeting stage found in
the text). A month/day that falls before the meeting rolls into the next year ("6月30日前" said on
2023-10-12 → 2024-06-30). Without a meeting date only expressions with a written year, and one-off
events (党的二十大), get a due date. Working days skip weekends only: public holidays and their
make-up working days are ignored. Chinese numerals are read by :mod:`speech_tasks.numerals`
rather than cn2an, whose import alone costs ~0.3 s against ~1 ms for the whole stage.
"""
from __future__ import annotations

import calendar
import datetime as dt
import functools
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

try:  # Python ≥ 3.11
    from re import _constants as sre_constants, _parser as sre_parse
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants
    import sre_parse

from . import numerals, rules
from .document import Doc
from .models import Deadline, DeadlineKind

# Group names a pattern may capture (optionally prefixed s_ / e_ for the two ends of a span).
GROUPS = frozenset(
    "year rel_year month day part ypart quarter rel_quarter half rel_month rel_week weekday n unit event today rel".split()
)
GENERATED = ("EVENT", "DATED", "ALONE")  # fragments built from rules/events.yaml
_REF = re.compile(r"\{([A-Z]+)(?::([a-z]+))?\}")
_GROUP = re.compile(r"\(\?P<([A-Za-z_][A-Za-z0-9_]*)>")
_SENTENCE_END = re.compile(r"[。；;！!？?\n]")
_CLAUSE = re.compile(r"[，,：:]")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Part(_Strict):
    """What a part of a month/quarter/year (底, 中旬 …) stands for."""

    day: int | Literal["last"]
    approx: bool = False


class Pattern(_Strict):
    kind: DeadlineKind
    regex: str


class Words(_Strict):
    """What the words that some groups capture mean for the due date."""

    next: list[str] = Field(min_length=1, description="rel_year, rel_quarter, rel_month, rel_week: the next one")
    before: list[str] = Field(min_length=1, description="rel, e_rel: before the date or event (春节前)")
    since: list[str] = Field(min_length=1, description="rel after a date: the start of open-ended work")


class PastRules(_Strict):
    """Tests that tell a past-time reference (今年以来, 1-8月份…同比下降) from a deadline."""

    after: str = Field(description="matches right after the expression")
    before: str = Field(description="searched in the 4 characters before it (anchor with $)")
    report: str = Field(description="a clause that reports what was done")
    directive: str = Field(description="a clause that directs what is to be done")

    _check = field_validator("after", "before", "report", "directive")(rules.regex)


def expand(regex: str, fragments: dict[str, str], depth: int = 0) -> str:
    """*regex* with every {NAME} / {NAME:p} replaced by its fragment (groups of the latter prefixed p_)."""
    if depth > 8:
        raise ValueError("fragments refer to each other in a loop")

    def insert(m: re.Match) -> str:
        name, prefix = m.group(1), m.group(2)
        if name not in fragments:
            raise ValueError(f"unknown fragment {{{name}}}")
        body = expand(fragments[name], fragments, depth + 1)
        if prefix:
            body = _GROUP.sub(lambda g: f"(?P<{prefix}_{g.group(1)}>", body)
        return body

    return _REF.sub(insert, regex)


def _check_groups(regex: str) -> None:
    for name in _GROUP.findall(regex):
        base = name[2:] if name[:2] in ("s_", "e_") else name
        if base not in GROUPS:
            raise ValueError(f"unknown group name {name!r} (known: {', '.join(sorted(GROUPS))}, with s_/e_)")


class DeadlineRules(_Strict):
    """rules/deadlines.yaml."""

    half: str = Field("半", description="the word for one half (半个月内)")
    parts: dict[str, Part]
    approx_words: list[str] = Field(default_factory=list)
    fragments: dict[str, str] = Field(default_factory=dict)
    patterns: list[Pattern] = Field(min_length=1)
    words: Words
    past: PastRules

    @field_validator("fragments")
    @classmethod
    def _no_generated(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if not re.fullmatch(r"[A-Z]+", name):
                raise ValueError(f"fragment name {name!r} must be capital letters")
            if name in GENERATED:
                raise ValueError(f"{name} is built from rules/events.yaml and cannot be redefined")
        return value

    @field_validator("patterns")
    @classmethod
    def _patterns_compile(cls, value: list[Pattern], info: ValidationInfo) -> list[Pattern]:
        fragments = dict(info.data.get("fragments") or {})
        fragments.update({name: f"(?P<event>{name.lower()})" for name in GENERATED})
        for i, p in enumerate(value):
            try:
                full = expand(p.regex, fragments)
                _check_groups(full)
                re.compile(full)
            except re.error as e:
                raise ValueError(f"{i}.regex: invalid regex ({e})") from None
            except ValueError as e:
                raise ValueError(f"{i}.regex: {e}") from None
        return value


class Event(_Strict):
    """An event or season of rules/events.yaml."""

    names: list[str] = Field(min_length=1)
    alone: list[str] = Field(default_factory=list)
    holiday: bool = False
    any_holiday: bool = False
    dates: dict[int, dt.date | tuple[dt.date, dt.date]] = Field(default_factory=dict)
    every_year: str | None = Field(None, pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")
    until: str | None = Field(None, pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")
    days: int = Field(1, ge=1, le=366)

    @model_validator(mode="after")
    def _consistent(self) -> Event:
        for year, value in self.dates.items():
            first = value[0] if isinstance(value, tuple) else value
            if first.year != year:
                raise ValueError(f"dates.{year}: {first} is not in {year}")
            if isinstance(value, tuple) and value[1] < value[0]:
                raise ValueError(f"dates.{year}: ends before it starts")
        if self.until and not self.every_year:
            raise ValueError("until needs every_year")
        return self

    @property
    def dated(self) -> bool:
        return bool(self.dates or self.every_year or self.any_holiday)

    def occurrences(self, years: range) -> list[tuple[dt.date, dt.date]]:
        """(first day, last day) of each occurrence in *years*."""
        out = []
        for year in years:
            value = self.dates.get(year)
            if isinstance(value, tuple):
                out.append(value)
            elif value is not None:
                out.append((value, value + dt.timedelta(days=self.days - 1)))
            elif self.every_year:
                first = _month_day(year, self.every_year)
                if self.until:
                    last = _month_day(year, self.until)
                    if last < first:
                        last = _month_day(year + 1, self.until)
                else:
                    last = first + dt.timedelta(days=self.days - 1)
                out.append((first, last))
        return out


class EventRules(_Strict):
    """rules/events.yaml."""

    events: list[Event]

    @field_validator("events")
    @classmethod
    def _unique_names(cls, value: list[Event]) -> list[Event]:
        seen: dict[str, int] = {}
        for i, ev in enumerate(value):
            for name in ev.names + ev.alone:
                if name in seen and seen[name] != i:
                    raise ValueError(f"{i}: name {name!r} is already used by entry {seen[name]}")
                seen[name] = i
        return value


def _month_day(year: int, mmdd: str) -> dt.date:
    month, day = int(mmdd[:2]), int(mmdd[3:])
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _add_workdays(day: dt.date, n: int) -> dt.date:
    """*n* working days after *day*, weekends skipped (public holidays are not known)."""
    weeks, rest = divmod(n, 5)
    day += dt.timedelta(weeks=weeks)
    while rest:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            rest -= 1
    return day


# ── where a pattern can begin ────────────────────────────────────────────────────────────────
HEAD_DEPTH = 3  # characters at the start of a match that the dispatch looks at
_HEAD_LIMIT = 256  # most sequences kept for one piece of a regex; past it they are merged, then cut shorter
_SYMBOLS = 0xF0000  # a set of characters is written as one character of this private-use plane
_REPEATS = tuple(getattr(sre_constants, op) for op in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
                 if hasattr(sre_constants, op))


class _Heads(NamedTuple):
    """How the matches of a piece of regex begin, as sequences of symbols (one per character)."""

    whole: frozenset[str]  # the matches shorter than HEAD_DEPTH, in full ("" when it can match nothing)
    heads: frozenset[str] | None  # every other match begins with one of these; None: with anything


_EMPTY = _Heads(frozenset({""}), frozenset())
_NEVER = _Heads(frozenset(), frozenset())
_UNKNOWN = _Heads(frozenset({""}), None)


class _HeadAnalysis:
    """Works out, from a regex's syntax tree, sequences that every match of it begins with.

    Sound rather than exact: a position that none of a pattern's sequences fits cannot start a
    match of it, so the matcher skips it without changing what it finds. A character set stays
    one symbol ([0-9] is one symbol, not ten strings), sequences that differ in one place only are
    merged, and sets over _HEAD_LIMIT are cut shorter, so a rules file is analysed in milliseconds.
    """

    def __init__(self) -> None:
        self.symbol: dict[frozenset[str], str] = {}
        self.chars: dict[str, frozenset[str]] = {}
        self.branches: dict[str, _Heads] = {}  # EVENT and the like recur in many patterns

    def of(self, chars: frozenset[str]) -> str:
        """The symbol of a set of characters: a single character stands for itself."""
        if len(chars) == 1:
            (c,) = chars
            if ord(c) < _SYMBOLS:
                return c
        if chars not in self.symbol:
            self.symbol[chars] = chr(_SYMBOLS + len(self.symbol))
            self.chars[self.symbol[chars]] = chars
        return self.symbol[chars]

    def chars_of(self, symbol: str) -> frozenset[str]:
        """The characters a symbol stands for."""
        return self.chars.get(symbol) or frozenset(symbol)

    def heads(self, regex: str) -> frozenset[str] | None:
        """Sequences one of which every match of *regex* begins with; None: it may begin anywhere."""
        tree = sre_parse.parse(regex)
        if tree.state.flags & re.IGNORECASE:
            return None
        h = self._sequence(tree)
        return None if h.heads is None or "" in h.whole | h.heads else h.heads | h.whole

    def _merge(self, seqs: set[str]) -> set[str]:
        """The same strings in fewer sequences: p+a and p+b become p+[ab] (and a+p, b+p alike)."""
        for last in (True, False):
            groups: dict[str, list[str]] = {}  # the rest of the sequence → the sequences
            for s in seqs:
                if s:
                    groups.setdefault(s[:-1] if last else s[1:], []).append(s)
            if len(groups) == len(seqs) - ("" in seqs):
                continue
            out = {""} & seqs
            for rest, members in groups.items():
                if len(members) == 1:
                    out.add(members[0])
                    continue
                union = self.of(frozenset().union(*(self.chars_of(m[-1] if last else m[0]) for m in members)))
                out.add(rest + union if last else union + rest)
            seqs = out
        return seqs

    def _cap(self, whole: set[str], heads: set[str] | None) -> _Heads:
        """Sequences cut to HEAD_DEPTH, then merged or cut shorter until at most _HEAD_LIMIT remain."""
        if heads is None:
            return _Heads(frozenset(w for w in whole if len(w) < HEAD_DEPTH), None)
        heads = {h[:HEAD_DEPTH] for h in heads}
        heads.update(w[:HEAD_DEPTH] for w in whole if len(w) >= HEAD_DEPTH)
        whole = {w for w in whole if len(w) < HEAD_DEPTH}
        if len(whole) + len(heads) > _HEAD_LIMIT:
            whole, heads = self._merge(whole), self._merge(heads)
        depth = HEAD_DEPTH - 1
        while len(whole) + len(heads) > _HEAD_LIMIT and depth > 0:
            heads = self._merge({h[:depth] for h in heads} | {w[:depth] for w in whole if len(w) > depth})
            whole = {w for w in whole if len(w) <= depth}
            depth -= 1
        if len(whole) + len(heads) > _HEAD_LIMIT:
            return _Heads(frozenset(w for w in whole if not w), None)
        return _Heads(frozenset(whole), frozenset(heads))

    def _then(self, a: _Heads, b: _Heads) -> _Heads:
        """A match of *a* followed by a match of *b*."""
        if a.heads is None:
            heads = None
        elif b.heads is None:  # what follows a whole match of a is unknown: that match is a head
            heads = None if "" in a.whole else set(a.heads | a.whole)
        else:
            heads = set(a.heads)
        whole: set[str] = set()
        rooms: dict[int, tuple[list[str], set[str]]] = {}
        for x in a.whole:
            room = HEAD_DEPTH - len(x)
            if room not in rooms:
                cut = {y[:room] for y in b.whole if len(y) >= room}
                cut.update(y[:room] for y in b.heads or ())
                rooms[room] = [y for y in b.whole if len(y) < room], cut
            short, cut = rooms[room]
            whole.update([x + y for y in short])
            if heads is not None:
                heads.update([x + y for y in cut])
        return self._cap(whole, heads)

    def _sequence(self, items) -> _Heads:
        h, literals = _EMPTY, ""
        for op, av in items:
            if op is sre_constants.LITERAL:  # a run of literals is one sequence
                literals += self.of(frozenset(chr(av)))
                continue
            if literals:
                h, literals = self._then(h, _Heads(frozenset({literals}), frozenset())), ""
            h = self._then(h, self._item(op, av))
        return self._then(h, _Heads(frozenset({literals}), frozenset())) if literals else h

    def _item(self, op, av) -> _Heads:
        C = sre_constants
        if op is C.IN:
            chars: set[str] = set()
            for o, a in av:
                if o is C.LITERAL:
                    chars.add(chr(a))
                elif o is C.RANGE and a[1] - a[0] < 512:
                    chars.update(map(chr, range(a[0], a[1] + 1)))
                else:  # negated sets, categories, huge ranges: one character, any
                    return _Heads(frozenset(), None)
            return _Heads(frozenset({self.of(frozenset(chars))}), frozenset())
        if op in (C.ANY, C.NOT_LITERAL):
            return _Heads(frozenset(), None)
        if op is C.ASSERT_NOT and not av[1]:  # (?!): never matches
            return _NEVER
        if op in (C.ASSERT, C.ASSERT_NOT, C.AT):
            return _EMPTY
        if op is C.SUBPATTERN:
            return _UNKNOWN if av[1] & re.IGNORECASE else self._sequence(av[-1])
        if op is getattr(C, "ATOMIC_GROUP", None):
            return self._sequence(av)
        if op is C.BRANCH:
            key = repr(av[1])
            if key not in self.branches:
                whole: set[str] = set()
                heads: set[str] | None = set()
                for alternative in av[1]:
                    h = self._sequence(alternative)
                    whole |= h.whole
                    heads = None if heads is None or h.heads is None else heads | h.heads
                self.branches[key] = self._cap(whole, heads)
            return self.branches[key]
        if op in _REPEATS:
            # lo to lo + HEAD_DEPTH repetitions begin in every way that more of them can
            lo, hi, sub = av
            one, power = self._sequence(sub), _EMPTY
            whole, heads = set(), set()
            for k in range(min(hi, lo + HEAD_DEPTH) + 1):
                if k >= lo:
                    whole |= power.whole
                    heads = None if heads is None or power.heads is None else heads | power.heads
                power = self._then(power, one)
            return self._cap(whole, heads)
        return _UNKNOWN  # back-references, conditionals


def pattern_heads(regex: str) -> list[tuple[frozenset[str], ...]] | None:
    """Sequences of character sets one of which every match of *regex* begins with (up to
    HEAD_DEPTH characters); None when a match may begin with any character."""
    analysis = _HeadAnalysis()
    heads = analysis.heads(regex)
    return None if heads is None else [tuple(map(analysis.chars_of, h)) for h in heads]


def _dispatch(analysis: _HeadAnalysis, heads: list[frozenset[str] | None]) -> tuple[re.Pattern, dict]:
    """The scan for candidate starts and the trie that gives the patterns to try at one.

    A trie node maps a character to the next node; under "" it holds, in rule order, the patterns
    whose head the characters so far complete (plus those that may begin anywhere). Characters
    that lead to the same patterns share a node, so [0-9] costs one node, not ten.
    """
    anywhere = tuple(i for i, h in enumerate(heads) if h is None)
    built: dict[tuple[frozenset, tuple[int, ...]], dict] = {}

    def node(items: list[tuple[str, int]], ids: tuple[int, ...]) -> dict:
        done = {i for s, i in items if not s}
        if done:
            ids = tuple(sorted({*ids, *done}))
        rest = [(s, i) for s, i in items if s]
        key = (frozenset(rest), ids)
        if key not in built:
            built[key] = out = {"": ids}
            followers: dict[str, list[int]] = {}
            for n, (s, _) in enumerate(rest):
                for ch in analysis.chars_of(s[0]):
                    followers.setdefault(ch, []).append(n)
            children: dict[tuple[int, ...], dict] = {}
            for ch, members in followers.items():
                group = tuple(members)
                if group not in children:
                    children[group] = node([(rest[n][0][1:], rest[n][1]) for n in group], ids)
                out[ch] = children[group]
        return built[key]

    trie = node([(s, i) for i, h in enumerate(heads) if h for s in h], anywhere)
    if anywhere:
        return re.compile(r"(?s:.)"), trie
    firsts = sorted(ch for ch in trie if ch)
    if not firsts:
        return re.compile(r"(?!)"), trie

    def chars(cs) -> str:
        return "[" + "".join(map(re.escape, sorted(cs))) + "]"

    # a first character, then either a pattern to try on it alone or a second character some head has
    alone = [ch for ch in firsts if trie[ch][""]]
    seconds = {ch for first in firsts for ch in trie[first] if ch}
    ways = ([f"(?<={chars(alone)})"] if alone else []) + ([f"(?={chars(seconds)})"] if seconds else [])
    return re.compile(f"{chars(firsts)}(?:{'|'.join(ways)})"), trie


class Unresolved(Exception):
    """The expression is a deadline, but its date cannot be computed (no anchor, no table entry)."""


@dataclass(eq=False)
class _Matcher:
    """Everything compiled from the two rules files, built once per process."""

    starts: re.Pattern  # positions where the head of some pattern may begin
    heads: dict  # trie of how the patterns begin: those to try at such a position (see _dispatch)
    patterns: list[re.Pattern]
    kinds: list[str]
    rules: DeadlineRules
    next_words: frozenset[str]
    before_words: frozenset[str]
    since_words: frozenset[str]
    events: dict[str, Event]
    holidays: list[Event]
    after: re.Pattern
    before: re.Pattern
    report: re.Pattern
    directive: re.Pattern

    # ── numbers ──────────────────────────────────────────────────────────────────────────────
    def number(self, text: str) -> float:
        if text == self.rules.half:
            return 0.5
        value = numerals.parse(text)
        if value is None:
            raise Unresolved(text)
        return value

    # ── events ───────────────────────────────────────────────────────────────────────────────
    def occurrence(self, name: str, before: bool, meeting: dt.date | None, after: dt.date | None = None):
        """(first, last) day of the occurrence of event *name* that the speech means.

        With a meeting date: the next one to start (for …前) or still running; without, only
        a one-off event (a single listed date) resolves.
        """
        ev = self.events[name]
        one_off = not ev.any_holiday and not ev.every_year and len(ev.dates) == 1
        if meeting is None:
            if one_off:
                return ev.occurrences(range(next(iter(ev.dates)), next(iter(ev.dates)) + 1))[0]
            raise Unresolved(name)
        occs = self._occurrences(name, meeting.year)
        ref = after or meeting
        for first, last in occs:
            if (first > ref) if before else (last >= ref):
                return first, last
        if one_off and occs:
            return occs[-1]
        raise Unresolved(name)

    @functools.lru_cache(maxsize=4096)
    def _occurrences(self, name: str, year: int) -> list[tuple[dt.date, dt.date]]:
        """Occurrences of *name* from the year before *year* to two years after, in order."""
        ev = self.events[name]
        years = range(year - 1, year + 3)
        return sorted(o for src in (self.holidays if ev.any_holiday else [ev]) for o in src.occurrences(years))

    # ── calendar points ──────────────────────────────────────────────────────────────────────
    def point(self, g: dict[str, str], p: str, meeting: dt.date | None, default_year: int | None = None):
        """(first, last, year_written) of the calendar point captured with group prefix *p*."""
        def get(key: str) -> str | None:
            return g.get(p + key)

        year_written = True
        if get("year"):
            year = int(self.number(get("year")))
        elif get("rel_year"):
            if meeting is None:
                raise Unresolved("relative year")
            year = meeting.year + (1 if get("rel_year") in self.next_words else 0)
        elif default_year is not None:
            year = default_year
        else:
            year_written = False
            year = meeting.year if meeting else None
        if get("today"):
            if meeting is None:
                raise Unresolved("today")
            return meeting, meeting, True
        if year is None and not (get("rel_month") or get("rel_week") or get("rel_quarter")):
            raise Unresolved("no year")
        part = self.rules.parts.get(get("part") or "")
        if get("month") or get("day"):
            if not get("month"):  # 15日前: this month's, or next month's once it has passed; 下月10日前
                if meeting is None:
                    raise Unresolved("no month")
                day = int(self.number(get("day")))
                ahead = 1 if get("rel_month") in self.next_words else 0
                d = _add_months(meeting.replace(day=1), ahead).replace(day=day)
                if d < meeting and not get("rel_month"):
                    d = _add_months(meeting.replace(day=1), 1).replace(day=day)
                return d, d, True
            month = int(self.number(get("month")))
            if get("day"):
                d = dt.date(year, month, int(self.number(get("day"))))
                return d, d, year_written
            if part:
                return self._part(year, month, part), self._part(year, month, part), year_written
            return dt.date(year, month, 1), _last_day(year, month), year_written
        if get("ypart"):
            last = dt.date(year, 12, 31)
            return (dt.date(year, 1, 1) if "内" in get("ypart") else last), last, year_written
        if get("year") and not (get("quarter") or get("half")):  # 到2025年
            return dt.date(year, 1, 1), dt.date(year, 12, 31), True
        if get("quarter") or get("rel_quarter"):
            if get("quarter"):
                q = int(self.number(get("quarter")))
            else:
                if meeting is None:
                    raise Unresolved("relative quarter")
                q, year = (meeting.month - 1) // 3 + 1, meeting.year
                if get("rel_quarter") in self.next_words:
                    q, year = (1, year + 1) if q == 4 else (q + 1, year)
                year_written = True
            first, last = dt.date(year, 3 * q - 2, 1), _last_day(year, 3 * q)
            if get("part") in ("末", "底"):
                first = last
            return first, last, year_written
        if get("half"):
            first, last = (dt.date(year, 1, 1), dt.date(year, 6, 30)) if get("half") == "上" else (
                dt.date(year, 7, 1), dt.date(year, 12, 31))
            if get("part") in ("末", "底"):
                first = last
            return first, last, year_written
        if meeting is None:
            raise Unresolved("relative to the meeting")
        if get("rel_week"):
            monday = meeting - dt.timedelta(days=meeting.weekday()) + dt.timedelta(
                weeks=1 if get("rel_week") in self.next_words else 0)
            if get("weekday"):
                w = get("weekday")
                index = 6 if w in ("日", "天") else numerals.DIGITS[w] - 1
                d = monday + dt.timedelta(days=index)
                return d, d, True
            return monday, monday + dt.timedelta(days=6), True
        if not part:
            raise Unresolved("no calendar groups")
        # 月底 / 本月内 / 下月中旬
        month_start = _add_months(meeting.replace(day=1), 1 if get("rel_month") in self.next_words else 0)
        d = self._part(month_start.year, month_start.month, part)
        return (month_start if get("part") == "内" else d), d, True

    @staticmethod
    def _part(year: int, month: int, part: Part) -> dt.date:
        return _last_day(year, month) if part.day == "last" else dt.date(year, month, part.day)

    # ── one expression ───────────────────────────────────────────────────────────────────────
    def resolve(self, kind: str, g: dict[str, str], meeting: dt.date | None):
        """(due, start) of an expression of *kind* whose groups are *g*."""
        if kind in ("cadence", "urgency"):
            return None, None
        if "n" in g:
            if kind != "date" or meeting is None:
                return None, None
            return self._relative(self.number(g["n"]), g["unit"], meeting), None
        if "event" in g or "s_event" in g:
            return self._event(kind, g, meeting)
        if "s_month" in g or "s_day" in g or "today" in g:
            return self._span(g, meeting)
        first, last, written = self.point(g, "", meeting)
        if g.get("rel") in self.since_words:  # 12月1日起: a start, no end
            return None, first
        if not written and meeting is not None and self._due(kind, g, first, last) < meeting:
            first, last, _ = self.point(g, "", meeting, default_year=meeting.year + 1)
        return self._due(kind, g, first, last), (first if kind == "period" else None)

    def _due(self, kind: str, g: dict[str, str], first: dt.date, last: dt.date) -> dt.date:
        """A period ends on its last day; "6月前" (a month or coarser, then 前) the day before it starts."""
        coarse = not {"day", "weekday", "part", "ypart"} & g.keys()
        if kind == "date" and coarse and g.get("rel") in self.before_words:
            return first - dt.timedelta(days=1)
        return last

    def _relative(self, n: float, unit: str, meeting: dt.date) -> dt.date:
        if unit == "工作日":
            return _add_workdays(meeting, math.ceil(n))
        if unit in ("天", "日"):
            return meeting + dt.timedelta(days=math.ceil(n))
        if unit in ("周", "星期"):
            return meeting + dt.timedelta(days=round(7 * n))
        if unit == "小时":
            return meeting + dt.timedelta(days=math.ceil(n / 24))
        months = 12 * n if unit == "年" else n
        if months != int(months):
            return _add_months(meeting, int(months)) + dt.timedelta(days=15)
        return _add_months(meeting, int(months))

    def _event(self, kind: str, g: dict[str, str], meeting: dt.date | None):
        rel = g.get("rel") or ""
        if "s_event" in g:
            first, last = self.occurrence(g["s_event"], False, meeting)
            if rel and rel[0] in "至到—－-":  # 春节至清明节: the end comes after the start
                _, last = self.occurrence(g["e_event"], False, meeting, after=first)
                return last, first
            e_first, e_last = self.occurrence(g["e_event"], False, meeting)  # 国庆、中秋期间
            return max(last, e_last), min(first, e_first)
        if kind == "period" and self.events[g["event"]].any_holiday:
            raise Unresolved("holidays in general")  # 节假日期间: every holiday, not the next one
        first, last = self.occurrence(g["event"], rel in self.before_words, meeting)
        if kind == "period":
            return last, first
        if rel in self.before_words:
            return first - dt.timedelta(days=1), None
        if rel == "后第一个工作日":
            return _add_workdays(last, 1), None
        return last + dt.timedelta(days=1), None

    def _span(self, g: dict[str, str], meeting: dt.date | None):
        """Start and end of a span with two ends (即日起至12月31日, 4至5月, 11月1日至15日)."""
        if "today" in g:
            if meeting is None:
                raise Unresolved("today")
            first = meeting
            if not any(k.startswith("e_") for k in g):
                return None, first
            if "e_event" in g:
                before = g.get("e_rel") in self.before_words
                ev_first, last = self.occurrence(g["e_event"], before, meeting)
                return (ev_first - dt.timedelta(days=1) if before else last), first
            _, last, written = self.point(g, "e_", meeting)
            if not written and last < meeting:
                _, last, _ = self.point(g, "e_", meeting, default_year=meeting.year + 1)
            return last, first
        first, _, written = self.point(g, "s_", meeting)
        end = dict(g)
        if "e_month" not in g and "e_day" in g:
            end["e_month"] = g.get("s_month")
        year = first.year if written and "e_year" not in g and "e_rel_year" not in g else None
        _, last, _ = self.point(end, "e_", meeting, default_year=year)
        if last < first:
            _, last, _ = self.point(end, "e_", meeting, default_year=first.year + 1)
        if not written and meeting is not None and last < meeting:
            first, _, _ = self.point(g, "s_", meeting, default_year=meeting.year + 1)
            _, last, _ = self.point(end, "e_", meeting, default_year=first.year)
            if last < first:
                _, last, _ = self.point(end, "e_", meeting, default_year=first.year + 1)
        return last, first

    # ── past time ────────────────────────────────────────────────────────────────────────────
    def is_past(self, text: str, start: int, end: int) -> bool:
        """True when the expression reports what was done rather than sets a deadline.

        Its own clause decides first, then the clauses after it, then those before it, within
        its sentence: the first that directs (要, 务必, 确保 …) keeps it, the first that
        reports (以来, 同比, 进行了 …) drops it.
        """
        if self.after.match(text, end) or self.before.search(text, max(0, start - 4), start):
            return True
        lo, hi = max(0, start - 300), min(len(text), end + 300)
        s = lo
        for m in _SENTENCE_END.finditer(text, lo, start):
            s = m.end()
        m = _SENTENCE_END.search(text, end, hi)
        e = m.start() if m else hi
        cuts = [s] + [m.end() for m in _CLAUSE.finditer(text, s, e)] + [e]
        clauses = [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]
        own = next((i for i, (a, b) in enumerate(clauses) if a <= start < b), len(clauses) - 1)
        for i in [own, *range(own + 1, len(clauses)), *range(own - 1, -1, -1)]:
            a, b = clauses[i]
            if self.directive.search(text, a, b):
                return False
            if self.report.search(text, a, b):
                return True
        return False

    def matches(self, text: str, start: int, end: int) -> Iterator[tuple[int, re.Match]]:
        """(pattern index, match) of each expression in ``text[start:end]``, left to right.

        At each position the first pattern listed that matches there wins and the search goes on
        after its match; only positions where some pattern's head fits are tried (see _dispatch).
        """
        pos, heads, anywhere = start, self.heads, {"": self.heads[""]}
        for c in self.starts.finditer(text, start, end):
            s = c.start()
            if s < pos:
                continue
            node, j = heads.get(c.group(), anywhere), s + 1
            while j < end and (deeper := node.get(text[j])) is not None:
                node, j = deeper, j + 1
            for i in node[""]:
                m = self.patterns[i].match(text, s, end)
                if m is not None:
                    pos = m.end()
                    yield i, m
                    break

    def find(self, text: str, start: int, end: int, meeting: dt.date | None) -> list[Deadline]:
        out: list[Deadline] = []
        seen: set[str] = set()
        for i, m in self.matches(text, start, end):
            surface = m.group()
            if surface in seen:
                continue
            kind = self.kinds[i]
            if self.is_past(text, m.start(), m.end()):
                continue
            g = {name: v for name, v in m.groupdict().items() if v is not None}
            try:
                due, first = self.resolve(kind, g, meeting)
            except (Unresolved, ValueError, OverflowError):  # no anchor, or no such day (2月30日)
                due, first = None, None
            approx = kind in ("date", "event", "period") and any(w in surface for w in self.rules.approx_words)
            seen.add(surface)
            out.append(Deadline(text=surface, kind=kind, due=due, approx=approx, start=first, span=m.span()))
        return out


def matcher() -> _Matcher:
    """The compiled rules (rebuilt only when the rules directory changes)."""
    return rules.compiled(_build, ("deadlines", DeadlineRules), ("events", EventRules))


def _build(rule_set: DeadlineRules, event_set: EventRules) -> _Matcher:
    events: dict[str, Event] = {}
    for ev in event_set.events:
        for name in ev.names + ev.alone:
            events[name] = ev
    fragments = dict(rule_set.fragments)
    fragments["EVENT"] = f"(?P<event>{rules.alternation([n for ev in event_set.events for n in ev.names])})"
    fragments["DATED"] = f"(?P<event>{rules.alternation([n for ev in event_set.events if ev.dated for n in ev.names])})"
    fragments["ALONE"] = f"(?P<event>{rules.alternation([n for ev in event_set.events for n in ev.alone])})"
    regexes = [expand(p.regex, fragments) for p in rule_set.patterns]
    analysis = _HeadAnalysis()
    starts, heads = _dispatch(analysis, [analysis.heads(r) for r in regexes])
    past = rule_set.past
    return _Matcher(
        starts=starts,
        heads=heads,
        patterns=[re.compile(r) for r in regexes],
        kinds=[p.kind for p in rule_set.patterns],
        rules=rule_set,
        next_words=frozenset(rule_set.words.next),
        before_words=frozenset(rule_set.words.before),
        since_words=frozenset(rule_set.words.since),
        events=events,
        holidays=[ev for ev in event_set.events if ev.holiday],
        after=re.compile(past.after),
        before=re.compile(f"(?:{past.before})"),
        report=re.compile(past.report),
        directive=re.compile(past.directive),
    )


def find_deadlines(text: str, start: int, end: int, meeting_date: dt.date | None) -> list[Deadline]:
    """Deadlines in ``text[start:end]``, spans in *text* coordinates, one per surface text."""
    return matcher().find(text, start, end, meeting_date)


def run(doc: Doc) -> None:
    """Fill each task's deadlines from its own text (the task minus its children)."""
    m = matcher()
    for task in doc.tasks:
        seen: set[str] = set()
        found: list[Deadline] = []
        for s, e in task.own:
            for d in m.find(doc.text, s, e, doc.meeting.date):
                if d.text not in seen:
                    seen.add(d.text)
                    found.append(d)
        task.deadlines = found
