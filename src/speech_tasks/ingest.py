"""Ingest: a speech file → the working :class:`~speech_tasks.document.Doc`.

Text files (.txt, .md) are decoded by what their bytes say, never by their extension: a
byte-order mark (UTF-8, UTF-16, UTF-32) wins; otherwise strict UTF-8; otherwise GB18030 (a
superset of GBK and GB2312), accepted only when the result looks like Chinese, i.e. its
multi-byte characters are mostly in the GB2312 block every GBK text leans on (Big5, Shift-JIS
or Latin-1 bytes that happen to decode fail this test). Other formats (.docx, .pdf, and .doc,
.wps, .rtf, .odt through LibreOffice) are read by :mod:`speech_tasks.readers`, imported only
when such a file is read.

``Doc.source`` is the decoded text with the BOM dropped and ``\\r\\n``/``\\r`` turned into ``\\n``;
every span in the output refers to it. Control characters are replaced one for one, so every
offset still points where it did in the decoded text: the other line breaks (form feed, which
pdftotext writes between pages, vertical tab, U+001C–U+001E, U+0085, U+2028, U+2029) become
``\\n``, so ``\\f三要…`` opens a line like any item; every other C0 control but tab,
U+FFFE, U+FFFF and lone surrogates become a space in the source and are left out of the working
text (``Doc.to_source`` maps around them), so ``市应\\x01急局`` still reads 市应急局. Masked
placeholders (``**``, ``xxx``, ``×月×日``) are ordinary text and stay.

Text pulled from a PDF is often hard-wrapped: each paragraph broken into lines of ~30–40
characters. Such text is detected (most lines have one length and do not end a sentence) and
``Doc.text`` gets the soft line breaks removed, so stages see whole sentences;
``Doc.to_source`` maps each working offset back to the source. A line break stays when the
line is clearly short, ends in closing punctuation before the wrap width, or is a whole
heading, or when the next line is indented or, right after closing punctuation, opens with a
list marker (一、 第一， （一） 1、 一要 …) of a kind this speech uses to open paragraphs rather
than inside them. A paragraph that exactly fills its last line and is followed by an
unindented paragraph with no marker cannot be told from a wrapped sentence and is joined to
it. Page headers, footers and page numbers of a PDF read by the PDF reader are already gone;
those of text pulled from a PDF by another tool are not removed.
"""
from __future__ import annotations

import codecs
import errno
import hashlib
import re
import stat
from array import array
from collections import Counter
from functools import cache
from pathlib import Path
from typing import NamedTuple

from . import normalize
from .document import Doc
from .readers import READERS, read

TEXT_SUFFIXES = (".txt", ".md")
SUFFIXES = TEXT_SUFFIXES + tuple(READERS)
DEFAULT_MAX_SIZE = 20 * 1024 * 1024  # bytes of text per speech (`extract --max-size`)

# Longest first: the UTF-32-LE mark begins with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97–2003 .doc and other old Office files
_MAGIC = (
    (b"%PDF-", "a PDF"),
    (b"PK\x03\x04", "a zip archive such as .docx"),
    (_OLE_MAGIC, "an old Word .doc file"),
)
_GB2312_SHARE = 0.8  # least share of multi-byte characters in the GB2312 block for GB18030 text

_WRAP_TOLERANCE = 2  # a wrapped line may fall short of the width by this much (punctuation rules)
_MIN_WRAP_WIDTH = 8
_MIN_WRAPPED_LINES = 4
_SENTENCE_ENDS = "。！？!?"
_SENTENCE_END = re.compile(f"[{_SENTENCE_ENDS}]")
_CLOSING = frozenset("。！？：；…”’」』）》!?:;)")
_NO_LINE_START = frozenset("，。、；：！？）」』》”’,.;:!?)")  # never opens a paragraph
_LINE_BREAKS = re.compile("[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")  # line breaks besides \n (str.splitlines)
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x1f\ufffe\uffff\ud800-\udfff]")  # left out of the working text
_MISSING = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)  # what Path.exists() reads as absent
_UNUSUAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x85\u2028\u2029\ufffe\uffff\ud800-\udfff]")  # either: one scan


class IngestError(Exception):
    """The file cannot be read as a speech; the message says why in one line."""


def read_file(path: Path, max_size: int = DEFAULT_MAX_SIZE) -> Doc:
    """Read a speech file (.txt, .md or a format of :data:`READERS`) into a Doc; any problem raises
    :class:`IngestError`.

    A text file larger than *max_size* bytes, or another file whose text is, is refused before any
    stage runs (a speech is a few dozen KB; a file of many MB is some other document)."""
    path = Path(path)
    try:
        st = path.stat()  # once: it answers both whether the file is there and how large it is
    except OSError as e:
        if e.errno in _MISSING:
            raise IngestError("no such file") from None
        raise IngestError(f"cannot read the file ({e.strerror or e})") from None
    if stat.S_ISDIR(st.st_mode):
        raise IngestError("is a folder, not a file")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise IngestError(unsupported(suffix))
    try:
        if suffix in TEXT_SUFFIXES:
            _check_size(st.st_size, max_size)  # refused before it is read
        raw = path.read_bytes()
    except PermissionError:
        raise IngestError("cannot read the file (permission denied)") from None
    except OSError as e:
        raise IngestError(f"cannot read the file ({e.strerror or e})") from None
    if not raw:
        raise IngestError("empty file")
    if suffix in TEXT_SUFFIXES:
        (text, encoding), details = _decode(raw), {"format": suffix[1:]}
    else:
        reading = read(path, raw)
        text, encoding, details = reading.text, reading.format, reading.details()
        _check_size(len(text.encode("utf-8", "surrogatepass")), max_size)
    return _make_doc(text, path.name, hashlib.sha256(raw).hexdigest(), encoding, details)


def unsupported(suffix: str) -> str:
    """Why a file with *suffix* (lower case, "" for none) is not read."""
    if not suffix:
        return f"unsupported file type (no extension; expected {', '.join(SUFFIXES)})"
    return f"unsupported file type {suffix} (save it as .docx, .pdf or .txt)"


def _check_size(size: int, max_size: int) -> None:
    if size > max_size:
        raise IngestError(f"too large: {_size(size)} of text, more than the limit of {_size(max_size)} (--max-size)")


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 100 * 1024 else f"{n / 1024:.1f} KB"


def from_text(text: str, name: str = "speech.txt") -> Doc:
    """A Doc for a speech given as a string; sha256 is that of its UTF-8 encoding."""
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return _make_doc(text, name, digest, "utf-8")


def _compose(to_source, to_previous):
    """The map of a text made from an earlier working text, composed with that text's own map."""
    if to_source is None:
        return to_previous if isinstance(to_previous, array) else array("q", to_previous)
    return array("q", (to_source[i] for i in to_previous))


def _make_doc(text: str, name: str, sha256: str, encoding: str, details: dict | None = None) -> Doc:
    source = text[1:] if text.startswith("\ufeff") else text
    if "\r" in source:
        source = source.replace("\r\n", "\n").replace("\r", "\n")
    text, to_source = source, None
    if _UNUSUAL.search(source):  # most texts hold neither other line breaks nor controls
        source = _LINE_BREAKS.sub("\n", source)
        text = source
        if _CONTROLS.search(source):
            text, to_source = _without_controls(source)
            source = _CONTROLS.sub(" ", source)
    if not text.strip():
        raise IngestError("no text (only whitespace)" if text is source else "no text (only whitespace and control characters)")
    doc = Doc(source=source, text=text, name=name, sha256=sha256, encoding=encoding, to_source=to_source,
              details=details or {})
    cleaned = normalize.drop_noise(doc.text)
    if cleaned is not None:
        doc.text, kept, dropped = cleaned
        doc.to_source = _compose(doc.to_source, kept)
        doc.noise_lines = len(dropped)
        shown = "、".join(f"“{line[:20]}”" for line in dropped[:3])
        doc.warnings.append(f"已跳过{len(dropped)}行非正文内容（网页水印、页码、截断提示等）：{shown}{'等' if len(dropped) > 3 else ''}")
    unwrapped = _unwrap(doc.text)
    if unwrapped is not None:
        doc.text, working = unwrapped
        doc.to_source = _compose(doc.to_source, working)
        doc.hard_wrapped = True
    surface = doc.text
    simple = normalize.simplified(surface)
    if simple is not None:
        doc.traditional = True
        doc.warnings.append("原文为繁体字：已按简体识别，表中文字保持原文写法")
    doc.text = normalize.full_width(simple if simple is not None else surface)
    doc.surface = surface if doc.text != surface else None
    return doc


def _without_controls(source: str) -> tuple[str, array]:
    """*source* without its control characters, and the map of each kept offset (plus the end)."""
    to_source = array("q")
    pieces = []
    pos = 0
    for m in _CONTROLS.finditer(source):
        pieces.append(source[pos:m.start()])
        to_source.extend(range(pos, m.start()))
        pos = m.end()
    pieces.append(source[pos:])
    to_source.extend(range(pos, len(source) + 1))
    return "".join(pieces), to_source


# --- decoding -------------------------------------------------------------------------------


def _decode(raw: bytes) -> tuple[str, str]:
    """Decode text bytes; returns the text and the encoding's name."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw[len(bom):].decode(encoding.removesuffix("-sig")), encoding
            except UnicodeDecodeError as e:
                label = encoding.removesuffix("-sig").upper()
                raise IngestError(
                    f"not valid {label} text despite its byte-order mark (bad bytes at offset {e.start + len(bom)})"
                ) from None
    for magic, what in _MAGIC:
        if raw.startswith(magic):
            raise IngestError(f"not a text file: it looks like {what}")
    if b"\x00" in raw:
        raise IngestError("binary file, not text (contains NUL bytes; UTF-16 text needs a byte-order mark)")
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as e:
        utf8_error = e
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        pass
    else:
        if _looks_like_gb(raw):
            return text, "gb18030"
    pos = utf8_error.start
    raise IngestError(
        f"cannot decode the text: not UTF-8 (byte 0x{raw[pos]:02x} at offset {pos}), "
        "not GB18030/GBK Chinese, not UTF-16 with a byte-order mark; save it as UTF-8"
    )


@cache
def _gb_char_pattern() -> re.Pattern[bytes]:
    # group 1: a two-byte character in the GB2312 block; otherwise any other GB18030 multi-byte one
    return re.compile(rb"([\xa1-\xf7][\xa1-\xfe])|[\x81-\xfe](?:[\x30-\x39][\x81-\xfe][\x30-\x39]|[\x40-\x7e\x80-\xfe])")


def _looks_like_gb(raw: bytes) -> bool:
    """True when most multi-byte characters of *raw* (valid GB18030) are common GB2312 ones."""
    chars = _gb_char_pattern().findall(raw)
    common = sum(1 for c in chars if c)
    return bool(chars) and common >= _GB2312_SHARE * len(chars)


# --- hard-wrapped text ----------------------------------------------------------------------


def _heading_marker() -> re.Pattern[str]:
    """A list marker of any style in rules/structure.yaml; the matching group names its style."""
    from . import structure

    c = structure.compiled()
    return c.markers(frozenset(c.styles))


@cache
def _after_clause_end(pattern: str) -> re.Pattern[str]:
    """*pattern* right after the end of a clause (。；：！？): a list marker inside a line."""
    return re.compile(r"(?<=[。；：！？;:!?])(?:" + pattern + ")")


def _leading(line: str) -> str:
    """The whitespace *line* begins with."""
    return line[: len(line) - len(line.lstrip())]


def _indent_width(line: str) -> int:
    """Width of the whitespace *line* begins with, in half-width columns (a full-width space or
    tab is two)."""
    lead = _leading(line)
    return len(lead) + lead.count("\u3000") + lead.count("\t")


def _margin_chars(lead: str, margin: int) -> int:
    """How many characters of *lead* make up the page margin every wrapped line carries."""
    width = 0
    for k, ch in enumerate(lead):
        width += 2 if ch in "\u3000\t" else 1
        if width > margin:
            return k
    return len(lead)


class _Layout(NamedTuple):
    width: int  # characters in a full wrapped line
    margin: int  # leading whitespace every wrapped line carries, in half-width columns
    heading: re.Pattern[str]  # a list marker at the start of a line (see _heading_marker)
    inline_families: frozenset[str]  # marker families this text uses inside paragraphs


def _layout(source: str, lines: list[str], lengths: list[int]) -> _Layout | None:
    """The wrap layout when *lines* look hard-wrapped, else None.

    Hard-wrapped: at least half of the lines (the last one aside) have one length give or take
    the tolerance, few of those end a sentence, and hardly any line is far longer.
    """
    last = max(i for i, n in enumerate(lengths) if n)  # the text's last line may have any shape
    judged = [n for n in lengths[:last] if n]
    if len(judged) < _MIN_WRAPPED_LINES - 1:
        return None
    counts = Counter(judged)
    width = max(counts, key=lambda n: (counts[n], n))
    if width < _MIN_WRAP_WIDTH:
        return None
    full = sentence_ends = too_long = 0
    margin: int | None = None
    for line, n in zip(lines[:last], lengths):
        if not n:
            continue
        if n > 2 * width:
            too_long += 1
        elif width - _WRAP_TOLERANCE <= n <= width + width // 4:
            full += 1
            if line[n - 1] in _SENTENCE_ENDS:
                sentence_ends += 1
            lead = _indent_width(line)
            margin = lead if margin is None else min(margin, lead)
    if (
        full < 3
        or full < 0.5 * len(judged)
        or sentence_ends > full / 3
        or too_long > 0.1 * len(judged)
    ):
        return None
    margin = margin or 0
    heading = _heading_marker()
    return _Layout(width, margin, heading, _inline_families(source, lines, lengths, width, margin, heading))


def _inline_families(
    source: str, lines: list[str], lengths: list[int], width: int, margin: int, heading: re.Pattern[str]
) -> frozenset[str]:
    """Marker families found inside paragraphs (after 。；： mid-line) more often than opening one.

    A full line ending in 。 followed by 一要 … is a paragraph break in a speech whose items
    open paragraphs, and a soft break in one that runs its items on inside a paragraph: the
    unambiguous occurrences elsewhere in the same text tell which.
    """
    opening: Counter[str] = Counter()
    for i, line in enumerate(lines):
        body = line.lstrip()
        marker = heading.match(body)
        if marker is None:
            continue
        if (
            i == 0
            or lengths[i - 1] < width - _WRAP_TOLERANCE  # also a blank line before it
            or _indent_width(line) >= margin + 2
        ):
            opening[marker.lastgroup] += 1
    inside = Counter(m.lastgroup for m in _after_clause_end(heading.pattern).finditer(source))
    return frozenset(family for family, k in inside.items() if k > opening[family])


def _is_paragraph_break(line: str, n: int, nxt: str, layout: _Layout, para_start: bool) -> bool:
    """Whether the newline between *line* (rstripped length *n*) and *nxt* ends a paragraph;
    *para_start*: *line* opens a paragraph."""
    body = nxt.lstrip()
    if not n or not body:
        return True  # blank lines separate paragraphs
    if body[0] in _NO_LINE_START:
        return False
    if _indent_width(nxt) >= layout.margin + 2:
        return True  # the next line is indented
    width = layout.width
    if n < width - _WRAP_TOLERANCE:
        return True  # clearly short
    marker = layout.heading.match(body)
    if n < width and marker is None and body[1:2] in _NO_LINE_START:
        return False  # a character pushed down to keep the punctuation after it off the line start
    closes = line[n - 1] in _CLOSING
    if closes and n < width:
        return True
    next_is_heading = marker is not None and marker.lastgroup not in layout.inline_families
    if next_is_heading and (closes or n < width):
        return True
    if para_start and (n < width or next_is_heading):
        own = line.lstrip()
        # a whole heading line: opens with a marker and holds no sentence
        return layout.heading.match(own) is not None and _SENTENCE_END.search(own) is None
    return False


def _unwrap(source: str) -> tuple[str, array] | None:
    """Working text and its map to source offsets when *source* is hard-wrapped, else None.

    The map has ``len(text) + 1`` entries: the source index of each working character, then
    ``len(source)``. Soft breaks go, along with the page margin that the following line
    carries (leading whitespace shared by every wrapped line); paragraph indentation stays.
    """
    if source.count("\n") < _MIN_WRAPPED_LINES - 1:
        return None
    lines = source.split("\n")
    lengths = [len(line.rstrip()) for line in lines]
    layout = _layout(source, lines, lengths)
    if layout is None:
        return None
    pieces: list[tuple[int, int]] = []
    keep_from = pos = 0
    para_start = True
    for i in range(len(lines) - 1):
        line, nxt = lines[i], lines[i + 1]
        newline = pos + len(line)
        para_start = _is_paragraph_break(line, lengths[i], nxt, layout, para_start)
        if not para_start:
            pieces.append((keep_from, newline))
            keep_from = newline + 1
            if layout.margin:
                keep_from += _margin_chars(_leading(nxt), layout.margin)
        pos = newline + 1
    if not pieces:
        return None
    pieces.append((keep_from, len(source)))
    text = "".join([source[s:e] for s, e in pieces])
    to_source = array("q")
    for s, e in pieces:
        to_source.extend(range(s, e))
    to_source.append(len(source))
    return text, to_source
