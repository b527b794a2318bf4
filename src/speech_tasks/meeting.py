"""meeting stage: the meeting's name and date (GUIDELINE §6).

The name is taken as the speech states it in its opening (title line, 今天我们召开…会议, 今天这次
调度会…); a bare 今天的会议 leaves it unnamed. The date comes, first match wins, from the command
line (already in ``doc.meeting`` with ``date_source="cli"``), from the text (a dateline, else a
full date in an opening sentence that holds the meeting), or from the file name (``2023-10-12_…``,
``20231012…``). Due dates are resolved against it, so a date inside a directive (6月30日前) or of
an event the speech recalls is never taken.

Every pattern lives in ``rules/meeting.yaml``. The name and opening-date patterns are joined into
one regex run over the opening only; datelines, looked for everywhere, have a regex of their own.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from pydantic import BaseModel, Field, field_validator

from . import numerals, rules
from .document import Doc

_GROUP = re.compile(r"\(\?P(?:<(\w+)>|=(\w+)\))")
class MeetingRules(BaseModel):
    head_chars: int = Field(600, ge=1)
    name: str
    name_patterns: list[str] = Field(min_length=1)
    name_prefixes: list[str] = Field(default_factory=list)
    generic_names: list[str] = Field(default_factory=list)
    date: str
    dateline: str
    head_date: str
    time_line: str
    filename_date: str

    @field_validator("name", "date", "dateline", "head_date", "time_line", "filename_date")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        rules.regex(pattern.replace("{NAME}", "x").replace("{DATE}", "x"))
        return pattern

    @field_validator("date", "filename_date")
    @classmethod
    def _has_parts(cls, pattern: str) -> str:
        for part in ("y", "m", "d"):
            if f"(?P<{part}" not in pattern:
                raise ValueError(f"date pattern has no group '{part}…': {pattern!r}")
        return pattern

    @field_validator("name_patterns")
    @classmethod
    def _each_compiles(cls, patterns: list[str]) -> list[str]:
        for p in patterns:
            if "(?P<name>" not in p:
                raise ValueError(f"pattern has no group 'name': {p!r}")
            rules.regex(p.replace("{NAME}", "x"))
        return patterns


def _prefixed(pattern: str, prefix: str) -> str:
    """*pattern* with every named group (and back reference) renamed ``prefix + name``."""
    return _GROUP.sub(
        lambda m: f"(?P<{prefix}{m.group(1)}>" if m.group(1) else f"(?P={prefix}{m.group(2)})", pattern
    )


@dataclass(frozen=True)
class _Compiled:
    rules: MeetingRules
    opening: re.Pattern[str]  # names (n0, n1 …) and full dates (hd), searched in the opening only
    dateline: re.Pattern[str]  # searched everywhere
    time_line: re.Pattern[str]  # searched in the opening
    filename: re.Pattern[str]
    prefixes: re.Pattern[str] | None
    generic: frozenset[str]


def _compile(r: MeetingRules) -> _Compiled:
    parts = [
        f"(?P<n{i}>{_prefixed(p.replace('{NAME}', r.name), f'n{i}_')})" for i, p in enumerate(r.name_patterns)
    ]
    date = f"(?P<date>{r.date})"
    parts.append(f"(?P<hd>{_prefixed(r.head_date.replace('{DATE}', date), 'hd_')})")
    return _Compiled(
        rules=r,
        opening=re.compile("|".join(parts), re.MULTILINE),
        dateline=re.compile(_prefixed(r.dateline.replace("{DATE}", date), "dl_"), re.MULTILINE),
        time_line=re.compile(_prefixed(r.time_line.replace("{DATE}", date), "tl_"), re.MULTILINE),
        filename=re.compile(r.filename_date),
        prefixes=re.compile(f"^(?:{rules.alternation(r.name_prefixes)})+") if r.name_prefixes else None,
        generic=frozenset(r.generic_names),
    )


def _patterns() -> _Compiled:
    """The patterns for the rules in force, compiled once per loaded rules file."""
    return rules.compiled(_compile, ("meeting", MeetingRules))


def _date(y: str, m: str, d: str) -> dt.date | None:
    year, month, day = numerals.parse(y), numerals.parse(m), numerals.parse(d)
    if year is None or month is None or day is None:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def filename_date(name: str) -> dt.date | None:
    """The date a file name carries (2023-10-12_…, 20231012…, 2023年10月12日…), or None."""
    for m in _patterns().filename.finditer(name):
        g = m.groupdict()
        # one (m…, d…) pair of groups per way of writing the date; the one that matched is set
        for key, month in g.items():
            if key.startswith("m") and month is not None:
                found = _date(g["y"], month, g.get("d" + key[1:]) or "")
                if found:
                    return found
    return None


def _name(c: _Compiled, m: re.Match[str], which: str) -> tuple[str, tuple[int, int]] | None:
    start, end = m.span(f"{which}_name")
    name = m.group(f"{which}_name")
    if c.prefixes is not None:
        cut = c.prefixes.match(name)
        if cut:
            start, name = start + cut.end(), name[cut.end():]
    return (name, (start, end)) if name and name not in c.generic else None


def run(doc: Doc) -> None:
    c = _patterns()
    meeting = doc.meeting
    head_date = None
    name_seen = False
    for m in c.opening.finditer(doc.text, 0, c.rules.head_chars):
        if m.lastgroup == "hd":
            head_date = head_date or m
        elif not name_seen:  # only the first name that matches counts, generic or not
            name_seen = True
            found = _name(c, m, m.lastgroup)
            if found:
                meeting.name, meeting.name_span = found
    if meeting.date is not None:  # given on the command line: it wins
        return
    opening = (c.time_line.search(doc.text, 0, c.rules.head_chars), "tl_")
    for m, prefix in (opening, (head_date, "hd_"), (c.dateline.search(doc.text), "dl_")):
        if m is not None:
            found = _date(m.group(f"{prefix}y"), m.group(f"{prefix}m"), m.group(f"{prefix}d"))
            if found:
                meeting.date, meeting.date_source, meeting.date_span = found, "text", m.span(f"{prefix}date")
                return
    found = filename_date(doc.name)
    if found:
        meeting.date, meeting.date_source = found, "filename"
