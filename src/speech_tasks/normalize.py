"""Normalise: the working text the stages read, made from the source (rules/normalize.yaml).

Three steps, each keeping a map back to the source so that spans stay source offsets:
- **noise lines** (watermarks, truncation notes, page footers, a title repeated at page breaks)
  are cut out, and the paragraph they interrupt is joined around them;
- **punctuation variants** (half-width ``, : ; ! ? ( )`` next to Chinese text, corner quotes
  「」) read as the usual full-width form, so every rule treats them alike;
- **traditional script** reads as simplified (OpenCC), when the text is written in it.
The last two replace characters one for one: :attr:`Doc.surface` keeps the source's own
characters at the same positions, and the sheet takes every string it shows from there.
"""
from __future__ import annotations

import re
from array import array
from dataclasses import dataclass
from functools import cache

from pydantic import BaseModel, Field, field_validator

from . import rules


class NoiseRules(BaseModel):
    max_chars: int = Field(ge=1)
    patterns: list[str]
    repeated_title_max_chars: int = Field(ge=1)
    header_lines: int = Field(ge=0)
    header_line: str

    _header = field_validator("header_line")(rules.regex)

    @field_validator("patterns")
    @classmethod
    def _compile(cls, v: list[str]) -> list[str]:
        for p in v:
            rules.regex(p)
        return v


class ScriptRules(BaseModel):
    config: str
    min_share: float = Field(ge=0, le=1)
    min_chars: int = Field(ge=1)


class NormalizeRules(BaseModel):
    noise_lines: NoiseRules
    punctuation: dict[str, str]
    script: ScriptRules

    @field_validator("punctuation")
    @classmethod
    def _one_for_one(cls, v: dict[str, str]) -> dict[str, str]:
        for k, w in v.items():
            if len(k) != 1 or len(w) != 1:
                raise ValueError(f"{k!r}: {w!r}: each mark maps one character to one character")
        return v


@dataclass(frozen=True)
class _Compiled:
    rules: NormalizeRules
    noise: re.Pattern[str]
    header_line: re.Pattern[str]
    marks: re.Pattern[str]
    table: dict[int, str]


def _build(r: NormalizeRules) -> _Compiled:
    noise = "|".join(f"(?:{p})" for p in r.noise_lines.patterns) or "(?!)"
    marks = re.escape("".join(r.punctuation))
    return _Compiled(
        rules=r,
        noise=re.compile(rf"[ \t\u3000\xa0]*(?:{noise})[ \t\u3000\xa0]*"),
        header_line=re.compile(r.noise_lines.header_line),
        # a mark between two ASCII letters or digits (10:30, 1,000) is left alone; the pattern
        # opens with the marks themselves so that the engine skips ahead to the next one
        marks=re.compile(rf"[{marks}](?:(?<![A-Za-z0-9].)|(?![A-Za-z0-9]))"),
        table={ord(k): v for k, v in r.punctuation.items()},
    )


def compiled() -> _Compiled:
    return rules.compiled(_build, ("normalize", NormalizeRules))


# --- noise lines ------------------------------------------------------------------------------

_SENTENCE_CLOSE = "。！？；：!?;:…”’」』）)"


def _noise_lines(c: _Compiled, lines: list[str]) -> set[int]:
    """Indices of the lines that are not speech text."""
    r = c.rules.noise_lines
    out = set()
    for i, line in enumerate(lines):
        body = line.strip()
        if body and len(body) <= r.max_chars and c.noise.fullmatch(line):
            out.add(i)
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None:
        title = lines[first].strip()
        if len(title) <= r.repeated_title_max_chars and title[-1] not in _SENTENCE_CLOSE:
            for i in range(first + 1, len(lines)):
                if lines[i].strip() == title and not _opens_speech(c, lines, i):
                    out.add(i)
    return out


def _opens_speech(c: _Compiled, lines: list[str], i: int) -> bool:
    """The title line *i* is followed by a header (salutation, date line): another speech."""
    after = [line for line in lines[i + 1:i + 1 + 2 * c.rules.noise_lines.header_lines] if line.strip()]
    return any(c.header_line.fullmatch(line) for line in after[: c.rules.noise_lines.header_lines])


def drop_noise(text: str) -> tuple[str, array, list[str]] | None:
    """The text without its noise lines, the map of each kept character to its offset in
    *text* (plus ``len(text)``), and the lines dropped; None when there are none.

    A paragraph cut by a noise line (the line before it does not close a sentence, the line after
    it goes on) is joined: the noise line and the line breaks around it go. Otherwise the
    paragraph break stays.
    """
    lines = text.split("\n")
    noise = _noise_lines(compiled(), lines)
    if not noise:
        return None
    starts, pos = [], 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    keep: list[tuple[int, int]] = []  # source ranges kept
    dropped = []
    prev = -1  # last kept non-blank line
    for i, line in enumerate(lines):
        if i in noise:
            dropped.append(line.strip())
            continue
        if not line.strip() and i - 1 in noise:
            continue  # the blank line after a noise line goes with it
        end = starts[i] + len(line) + (1 if i + 1 < len(lines) else 0)
        if i - 1 in noise and prev >= 0:
            before = lines[prev].rstrip()
            joins = before and before[-1] not in _SENTENCE_CLOSE and line.strip()
            if joins and keep and text[keep[-1][1] - 1] == "\n":
                keep[-1] = (keep[-1][0], keep[-1][1] - 1)  # rejoin: drop the line break before the noise
                keep.append((starts[i] + len(line) - len(line.lstrip()), end))
                prev = i
                continue
        keep.append((starts[i], end))
        if line.strip():
            prev = i
    out = "".join(text[s:e] for s, e in keep)
    if not out.strip():
        return None  # nothing but such lines: keep them, there is no other text
    to_input = array("q")  # an array, not a list: a 50 MB speech's map stays ~150 MB
    for s, e in keep:
        to_input.extend(range(s, e))
    to_input.append(len(text))
    return out, to_input, dropped


# --- characters -------------------------------------------------------------------------------


@cache
def _converter(config: str):
    import opencc

    return opencc.OpenCC(config)


_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
_SAMPLE_CHARS = 4000
_CHUNK = 64  # characters compared at once when counting differences


def simplified(text: str) -> str | None:
    """A simplified-script view of *text*, character for character, when it is written in
    traditional script; None otherwise."""
    r = compiled().rules.script
    conv = _converter(r.config)
    sample = text[:_SAMPLE_CHARS]  # a simplified text shows it in its opening: convert no more
    if len(text) > _SAMPLE_CHARS and not _traditional_share(sample, conv.convert(sample), r):
        return None
    out = conv.convert(text)
    if out == text:
        return None  # nothing to convert: not traditional (min_chars is at least 1)
    if len(out) != len(text):  # a phrase rule changed the length: convert line by line, then by character
        out = "".join(
            x if len(x := conv.convert(line)) == len(line) else "".join(conv.convert(ch) or ch for ch in line)
            for line in text.splitlines(keepends=True)
        )
    return out if _traditional_share(text, out, r) else None


def _traditional_share(text: str, simple: str, r: ScriptRules) -> bool:
    """Enough characters of *text* differ from their simplified form to call it traditional."""
    changed = _differences(text, simple)
    if changed < r.min_chars:
        return False
    han = sum(map(len, _HAN_RUN.findall(text)))
    return bool(han) and changed >= r.min_share * han


def _differences(a: str, b: str) -> int:
    """How many positions of *a* and *b* (up to the shorter's length) hold different characters;
    equal stretches are compared a chunk at a time."""
    changed = 0
    for i in range(0, min(len(a), len(b)), _CHUNK):
        x, y = a[i:i + _CHUNK], b[i:i + _CHUNK]
        if x != y:
            changed += sum(1 for p, q in zip(x, y) if p != q)
    return changed


def full_width(text: str) -> str:
    """*text* with its punctuation variants in the usual full-width form."""
    c = compiled()
    return c.marks.sub(lambda m: m[0].translate(c.table), text)
