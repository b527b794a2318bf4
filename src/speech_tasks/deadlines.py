"""deadlines stage: the timing expressions of each task (GUIDELINE §4), with kind and due date.

What counts as a deadline lives in ``rules/deadlines.yaml`` (patterns, numerals, past-time tests)
and ``rules/events.yaml`` (holidays, political events and seasons with their dates per year).
The patterns are compiled once per process. One regex pass finds the characters where some
pattern can begin (:func:`first_chars`); there only those patterns are tried, in the order the
rules list them, so a 4k-character speech costs ~2 ms. The named groups a pattern captures
(month, day, event, n + unit …) say how its due date is computed.

Due dates need an anchor: the meeting date (``--date``, else the date the meeting stage found in
the text). A month/day that falls before the meeting rolls into the next year ("6月30日前" said on
2023-10-12 → 2024-06-30). Without a meeting date only expressions with a written year, and one-off
events (党的二十大), get a due date. Working days skip weekends only: public holidays and their
make-up working days are ignored. Chinese numerals are read with the small table in the rules
file rather than cn2an, whose import alone costs ~0.3 s against ~1 ms for the whole stage.
"""
from __future__ import annotations

import calendar
import datetime as dt
import functools
import math
import re
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

try:  # Python ≥ 3.11
    from re import _constants as sre_constants, _parser as sre_parse
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants
    import sre_parse

from . import rules
from .document import Doc
from .models import Deadline, DeadlineKind

# Group names a pattern may capture (optionally prefixed s_ / e_ for the two ends of a span).
GROUPS = frozenset(
    "year rel_year month day part ypart quarter rel_quarter half rel_month rel_week weekday n unit event today rel".split()
)
GENERATED = ("EVENT", "DATED", "ALONE")  # fragments built from rules/events.yaml
_REF = re.compile(r"\{([A-Z]+)(?::([a-z]+))?\}")
_GROUP = re.compile(r"\(\?P<([A-Za-z_][A-Za-z0-9_]*)>")
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_SENTENCE_END = re.compile(r"[。；;！!？?\n]")
_CLAUSE = re.compile(r"[，,：:]")
_BEFORE_WORDS = ("前", "之前", "以前", "前夕")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Numerals(_Strict):
    digits: dict[str, int] = Field(description="numeral character → digit value (一 → 1, 两 → 2, 〇 → 0)")
    units: dict[str, int] = Field(description="multiplier character → value (十 → 10)")
    half: str = "半"


class Part(_Strict):
    """What a part of a month/quarter/year (底, 中旬 …) stands for."""

    day: int | Literal["last"]
    approx: bool = False


class Pattern(_Strict):
    kind: DeadlineKind
    regex: str


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

    numerals: Numerals
    parts: dict[str, Part]
    approx_words: list[str] = Field(default_factory=list)
    fragments: dict[str, str] = Field(default_factory=dict)
    patterns: list[Pattern] = Field(min_length=1)
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


def first_chars(regex: str) -> frozenset[str] | None:
    """The characters a match of *regex* can start with; None when it could start with any.

    Lets the matcher jump, in C, to the few characters where some pattern can begin and try
    there only the patterns that can: a big alternation whose branches open with look-behinds
    or optional groups is otherwise tried in full at every character (~45 ms per speech).
    """
    C = sre_constants

    def sequence(items) -> tuple[set[str] | None, bool]:
        out: set[str] = set()
        for op, av in items:
            chars, nullable = item(op, av)
            if chars is None:
                return None, False
            out |= chars
            if not nullable:
                return out, False
        return out, True

    def item(op, av) -> tuple[set[str] | None, bool]:
        if op is C.LITERAL:
            return {chr(av)}, False
        if op is C.IN:
            chars: set[str] = set()
            for o, a in av:
                if o is C.LITERAL:
                    chars.add(chr(a))
                elif o is C.RANGE and a[1] - a[0] < 512:
                    chars.update(map(chr, range(a[0], a[1] + 1)))
                else:  # negated sets, categories, huge ranges
                    return None, False
            return chars, False
        if op is C.SUBPATTERN:
            return sequence(av[-1])
        if op is C.BRANCH:
            chars, nullable = set(), False
            for alternative in av[1]:
                c, n = sequence(alternative)
                if c is None:
                    return None, False
                chars |= c
                nullable |= n
            return chars, nullable
        if op in (C.MAX_REPEAT, C.MIN_REPEAT):
            chars, nullable = sequence(av[2])
            return chars, av[0] == 0 or nullable
        if op in (C.ASSERT, C.ASSERT_NOT, C.AT):
            return set(), True
        return None, False

    chars, nullable = sequence(sre_parse.parse(regex))
    return None if chars is None or nullable else frozenset(chars)


class Unresolved(Exception):
    """The expression is a deadline, but its date cannot be computed (no anchor, no table entry)."""


@dataclass(eq=False)
class _Matcher:
    """Everything compiled from the two rules files, built once per process."""

    starts: re.Pattern  # any character some pattern can start with
    by_first: dict[str, list[tuple[int, re.Pattern]]]  # that character → the patterns that can, in order
    kinds: list[str]
    rules: DeadlineRules
    events: dict[str, Event]
    holidays: list[Event]
    after: re.Pattern
    before: re.Pattern
    report: re.Pattern
    directive: re.Pattern

    # ── numbers ──────────────────────────────────────────────────────────────────────────────
    def number(self, text: str) -> float:
        num = self.rules.numerals
        text = text.translate(_FULLWIDTH)
        if text.isdigit():
            return int(text)
        if text == num.half:
            return 0.5
        if len(text) > 1 and all(c in num.digits for c in text):  # 二〇二三
            return int("".join(str(num.digits[c]) for c in text))
        total = current = 0
        for c in text:
            if c in num.digits:
                current = num.digits[c]
            elif c in num.units:
                total += (current or 1) * num.units[c]
                current = 0
            else:
                raise Unresolved(text)
        return total + current

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
            year = meeting.year + (1 if get("rel_year") in ("明年", "次年") else 0)
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
                ahead = 1 if (get("rel_month") or "").startswith(("下", "次")) else 0
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
                if get("rel_quarter").startswith("下"):
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
                weeks=1 if get("rel_week") == "下" else 0)
            if get("weekday"):
                w = get("weekday")
                index = 6 if w in ("日", "天") else self.rules.numerals.digits[w] - 1
                d = monday + dt.timedelta(days=index)
                return d, d, True
            return monday, monday + dt.timedelta(days=6), True
        if not part:
            raise Unresolved("no calendar groups")
        # 月底 / 本月内 / 下月中旬
        month_start = _add_months(meeting.replace(day=1), 1 if (get("rel_month") or "").startswith(("下", "次")) else 0)
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
        if g.get("rel") in ("起", "开始"):  # 12月1日起: a start, no end
            return None, first
        if not written and meeting is not None and self._due(kind, g, first, last) < meeting:
            first, last, _ = self.point(g, "", meeting, default_year=meeting.year + 1)
        return self._due(kind, g, first, last), (first if kind == "period" else None)

    @staticmethod
    def _due(kind: str, g: dict[str, str], first: dt.date, last: dt.date) -> dt.date:
        """A period ends on its last day; "6月前" (a month or coarser, then 前) the day before it starts."""
        coarse = not {"day", "weekday", "part", "ypart"} & g.keys()
        if kind == "date" and coarse and g.get("rel") in _BEFORE_WORDS:
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
        first, last = self.occurrence(g["event"], rel in _BEFORE_WORDS, meeting)
        if kind == "period":
            return last, first
        if rel in _BEFORE_WORDS:
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
                before = g.get("e_rel") in _BEFORE_WORDS
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

    def find(self, text: str, start: int, end: int, meeting: dt.date | None) -> list[Deadline]:
        out: list[Deadline] = []
        seen: set[str] = set()
        pos = start
        for c in self.starts.finditer(text, start, end):
            if c.start() < pos:
                continue
            for i, rx in self.by_first[c.group()]:  # the first pattern listed wins
                m = rx.match(text, c.start(), end)
                if m is not None:
                    break
            else:
                continue
            pos = m.end()
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


_built: tuple[DeadlineRules, EventRules, _Matcher] | None = None


def matcher() -> _Matcher:
    """The compiled rules (rebuilt only when the rules directory changes)."""
    global _built
    rule_set = rules.load("deadlines", DeadlineRules)
    event_set = rules.load("events", EventRules)
    if _built is None or _built[0] is not rule_set or _built[1] is not event_set:
        _built = (rule_set, event_set, _build(rule_set, event_set))
    return _built[2]


def _alternation(names: list[str]) -> str:
    return "|".join(re.escape(n) for n in sorted(set(names), key=lambda n: (-len(n), n))) or "(?!)"


class _AllChars(dict):
    """by_first for rules where some pattern can start anywhere: every character maps to all."""

    def __init__(self, branches: list[tuple[int, re.Pattern]]) -> None:
        super().__init__()
        self.branches = branches

    def __missing__(self, key: str) -> list[tuple[int, re.Pattern]]:
        return self.branches


def _build(rule_set: DeadlineRules, event_set: EventRules) -> _Matcher:
    events: dict[str, Event] = {}
    for ev in event_set.events:
        for name in ev.names + ev.alone:
            events[name] = ev
    fragments = dict(rule_set.fragments)
    fragments["EVENT"] = f"(?P<event>{_alternation([n for ev in event_set.events for n in ev.names])})"
    fragments["DATED"] = f"(?P<event>{_alternation([n for ev in event_set.events if ev.dated for n in ev.names])})"
    fragments["ALONE"] = f"(?P<event>{_alternation([n for ev in event_set.events for n in ev.alone])})"
    branches, kinds, firsts = [], [], []
    for i, p in enumerate(rule_set.patterns):
        full = expand(p.regex, fragments)
        branches.append((i, re.compile(full)))
        kinds.append(p.kind)
        firsts.append(first_chars(full))
    if any(f is None for f in firsts):  # some pattern may start with any character
        starts, by_first = re.compile(r"(?s:.)"), _AllChars(branches)
    else:
        alphabet = sorted(set().union(*firsts))
        by_first = {ch: [b for b, f in zip(branches, firsts) if ch in f] for ch in alphabet}
        starts = re.compile("[" + "".join(re.escape(ch) for ch in alphabet) + "]")
    past = rule_set.past
    return _Matcher(
        starts=starts,
        by_first=by_first,
        kinds=kinds,
        rules=rule_set,
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
