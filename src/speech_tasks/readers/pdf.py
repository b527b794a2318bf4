"""A PDF's text layer, line by line in reading order, without running headers, footers and page
numbers (pypdfium2, BSD/Apache-licensed bindings to Chrome's PDF engine).

The characters of each page are placed by their position: grouped into lines by their baseline
(boxes differ: a full stop sits low, a quotation mark high), top to bottom, each line left to
right (content-stream order puts a quotation mark in another font at the end of its line). A
space is kept where the PDF has one or where a gap is wider than a third of the line's height,
and then dropped again next to Chinese characters (``2024 年`` → ``2024年``): Chinese text has
none, the engine and the fonts put them there. Kangxi radicals that some producers write for
common characters (⼀ for 一) are turned into the characters themselves.

Where paragraphs open with an indent (the 公文 layout), the page itself shows where each ends,
and the lines of a paragraph are joined here. Otherwise every line stays a line, keeping its
indent as full-width spaces, and the unwrapping of :mod:`speech_tasks.ingest` re-joins them.

Running headers and footers (a line among the first or last few of a page that is the same,
its digits aside, on many pages) and page-number lines are left out; the limits and patterns
are in ``rules/readers.yaml``. A PDF without a text layer (a scan) is refused with one line.
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..ingest import IngestError
from . import Reading

_GAP = 1 / 3  # a gap wider than this share of the line height is a space
_SAME_LINE = 0.3  # characters whose baselines differ by less than this share of the font size share a line
_INDENT = 1.5  # a line starting this many character widths right of the left edge is indented
_MAX_INDENT = 4
_INDENTED_SHARE = 0.8  # share of the lines after a short line that open a paragraph visibly in an indented layout
_INDENTED_USED = 0.3  # … and that are indented (the others open with a list marker, as Word's numbering draws them)
_PARAGRAPH_GAP = 1.25  # baselines this many times the usual distance apart: a paragraph break
_CJK = "\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef“”‘’"
_SPACE_BY_CJK = re.compile(f"(?<=[{_CJK}]) +| +(?=[{_CJK}])")
_RADICALS = re.compile("[\u2e80-\u2ef3\u2f00-\u2fd5]")


@dataclass
class _Line:
    text: str
    left: float
    height: float
    right: float = 0.0
    baseline: float = 0.0


def read(path: Path, raw: bytes) -> Reading:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(raw)
    except pdfium.PdfiumError as e:
        if "password" in str(e).lower():
            raise IngestError("password-protected PDF: save a copy without the password first") from None
        raise IngestError(f"corrupt PDF ({e})") from None
    try:
        pages = [_page_lines(page) for page in pdf]
    finally:
        pdf.close()
    if not any(line.text.strip() for page in pages for line in page):
        raise IngestError("no text layer: scanned PDF, run OCR first (e.g. ocrmypdf -l chi_sim)")
    kept, dropped = _drop_running_lines(pages)
    lines = _paragraphs(kept)
    if not any(line.strip() for line in lines):
        raise IngestError("no text layer: scanned PDF, run OCR first (e.g. ocrmypdf -l chi_sim)")
    return Reading("\n".join(lines), "pdf", pages=len(pages), dropped_lines=dropped)


def _page_lines(page) -> list[_Line]:
    """The page's lines, top to bottom, each with its left edge and height."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    textpage = page.get_textpage()
    x, y = ctypes.c_double(), ctypes.c_double()
    try:
        chars = []  # (char, left, bottom, right, top, baseline, size)
        for i in range(textpage.count_chars()):
            if pdfium_c.FPDFText_IsGenerated(textpage.raw, i) == 1:
                continue  # a space or line break the engine made up; gaps are judged below
            ch = chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i))
            if ch in "\r\n\x00\ufffe\uffff":
                continue
            left, bottom, right, top = textpage.get_charbox(i)
            if top <= bottom and not ch.isspace():
                continue
            pdfium_c.FPDFText_GetCharOrigin(textpage.raw, i, ctypes.byref(x), ctypes.byref(y))
            size = max(pdfium_c.FPDFText_GetFontSize(textpage.raw, i), top - bottom)  # a scaled font says 1
            chars.append((ch, left, bottom, right, top, y.value, size))
    finally:
        textpage.close()
    chars.sort(key=lambda c: -c[5])
    rows: list[list[tuple]] = []
    baseline = size = 0.0
    for c in chars:
        if rows and abs(c[5] - baseline) <= _SAME_LINE * max(size, c[6]):
            rows[-1].append(c)
        else:
            rows.append([c])
            baseline, size = c[5], c[6]
    return [line for line in map(_line, rows) if line.text]


def _line(row: list[tuple]) -> _Line:
    row.sort(key=lambda c: c[1])
    height = max((c[4] - c[2] for c in row), default=0.0)
    pieces: list[str] = []
    prev_right = None
    for ch, left, _, right, *_ in row:
        if prev_right is not None and left - prev_right > _GAP * height and pieces and pieces[-1] != " ":
            pieces.append(" ")
        pieces.append(ch)
        prev_right = right if not ch.isspace() else max(prev_right or right, right)
    text = "".join(pieces).strip()
    text = _RADICALS.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    text = re.sub(r"[ \t\xa0]+", " ", text)
    text = _SPACE_BY_CJK.sub("", text)
    ink = [c for c in row if not c[0].isspace()] or row
    return _Line(text, min(c[1] for c in ink), height, max(c[3] for c in ink), row[0][5])


def _key(text: str) -> str:
    """A line as it repeats from page to page: digits (page numbers, dates) and spaces aside."""
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def _drop_running_lines(pages: list[list[_Line]]) -> tuple[list[list[_Line]], int]:
    """*pages* without running headers, footers and page-number lines; and how many went."""
    from .config import load, page_number

    rules = load().pdf
    number = page_number()
    k = rules.edge_lines
    edges = [(page[:k], page[max(k, len(page) - k):]) for page in pages]
    top = Counter(key for head, _ in edges for key in {_key(line.text) for line in head})
    bottom = Counter(key for _, foot in edges for key in {_key(line.text) for line in foot})
    enough = max(2, math.ceil(rules.repeat_share * len(pages)))
    kept_pages = []
    dropped = 0
    for page, (head, foot) in zip(pages, edges):
        running = {id(line) for line in head if top[_key(line.text)] >= enough}
        running |= {id(line) for line in foot if bottom[_key(line.text)] >= enough}
        running |= {id(line) for line in (*head, *foot) if number.fullmatch(line.text.strip())}
        kept_pages.append([line for line in page if id(line) not in running])
        dropped += len(running)
    return kept_pages, dropped


def _paragraphs(pages: list[list[_Line]]) -> list[str]:
    """The text, one line per line of the page; or, in a layout whose paragraphs open with an
    indent (公文), one line per paragraph, the page telling where each ends.

    Indented (most lines after a short line are indented or, drawn by Word's numbering, open
    with a list marker): a paragraph ends where the next line is indented, where a line stops
    short of the right edge, or before a wider gap than between the lines of a paragraph. Otherwise each line
    keeps the indent it has (as full-width spaces) and the unwrapping of :mod:`speech_tasks.ingest`
    judges the line breaks.
    """
    lines = [line for page in pages for line in page]
    if not lines:
        return []
    lefts = Counter(round(line.left) for line in lines)
    edge = min(left for left, n in lefts.items() if n >= lefts.most_common(1)[0][1] / 4)
    rights = sorted(line.right for line in lines)
    right_edge = rights[int(0.9 * (len(rights) - 1))]
    pitches = sorted(
        a.baseline - b.baseline for page in pages for a, b in zip(page, page[1:]) if a.baseline > b.baseline
    )
    pitch = pitches[len(pitches) // 2] if pitches else 0.0

    def indent(line: _Line) -> int:
        width = (line.left - edge) / line.height if line.height else 0
        return min(_MAX_INDENT, round(width)) if width >= _INDENT else 0

    def ends_paragraph(line: _Line, nxt: _Line, same_page: bool) -> bool:
        return (
            indent(nxt) > 0
            or line.right < right_edge - line.height
            or (same_page and pitch > 0 and line.baseline - nxt.baseline > _PARAGRAPH_GAP * pitch)
        )

    follows = [(a, b, True) for page in pages for a, b in zip(page, page[1:])]
    follows += [(a[-1], b[0], False) for a, b in zip([p for p in pages if p], [p for p in pages if p][1:])]
    after_short = [b for a, b, _ in follows if a.right < right_edge - a.height]
    indented = sum(indent(b) > 0 for b in after_short)
    marker = _list_marker()
    opened = sum(indent(b) > 0 or marker.match(b.text) is not None for b in after_short)
    if indented < max(3, _INDENTED_USED * len(after_short)) or opened < _INDENTED_SHARE * len(after_short):
        return ["\u3000" * indent(line) + line.text for line in lines]
    breaks = {id(a): ends_paragraph(a, b, same) for a, b, same in follows}
    out: list[str] = []
    joined = False
    for line in lines:
        out[-1:] = [out[-1] + line.text] if joined else [*out[-1:], line.text]
        joined = not breaks.get(id(line), True)
    return out


def _list_marker() -> re.Pattern[str]:
    """A list marker of any style in rules/structure.yaml (一、 （一） 1. ① 一要 …)."""
    from .. import structure

    c = structure.compiled()
    return c.markers(frozenset(c.styles))
