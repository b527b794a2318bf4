"""A .docx as its reader sees it: body paragraphs and tables in document order, Word's
auto-numbering labels drawn, text boxes read.

python-docx gives a paragraph's text without the label Word draws from its numbering (the
一、 （二） 3. of a list made with the numbering button), and docx2python writes ``--`` for
``chineseCounting``, the format Chinese documents use. So the labels are computed here from
``numbering.xml`` through python-docx's XML: the paragraph's ``w:numPr`` (or its style's),
the level's ``numFmt``, ``lvlText`` and ``start``, ``lvlOverride``/``startOverride`` restarts,
and one counter per level that restarts when a higher level is used. Bullets draw no label.

Each table row is one line, its cells' text separated by tabs (empty cells left out). A text
box's paragraphs follow the paragraph it is anchored to. Headers, footers, footnotes and
comments are not speech text and are left out. Spans of the sheet refer to this rendered text.
The tab Word draws after a label is written as a space only after a label ending in a Latin
letter or digit (``1 ``, ``IV ``): Chinese labels (一、 （一） ① 一要) run straight into the text,
as they are typed.
"""
from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

from ..ingest import IngestError
from . import Reading

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_P, _TBL, _TR, _TC, _SDT, _SDT_CONTENT = (_W + t for t in ("p", "tbl", "tr", "tc", "sdt", "sdtContent"))
_TXBX = _W + "txbxContent"
_VAL = _W + "val"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")  # stream of a password-protected Office file
_MAX_LEVELS = 9

# run content → its text; anything else inside a run (fields codes, drawings) draws no text here
_RUN_TEXT = {_W + "tab": "\t", _W + "ptab": "\t", _W + "br": "\n", _W + "cr": "\n", _W + "noBreakHyphen": "-"}
# subtrees whose text is not the paragraph's: properties, deleted text, text boxes (read on their
# own), the fallback copy of an alternate-content drawing, field instructions
_SKIP = {_W + "pPr", _W + "rPr", _W + "del", _TXBX, _MC + "Fallback", _W + "instrText", _W + "delText"}


def read(path: Path, raw: bytes) -> Reading:
    if raw.startswith(_OLE_MAGIC):
        if _ENCRYPTED_PACKAGE in raw:
            raise IngestError(
                "password-protected (encrypted) .docx: open it in Word, remove the password "
                "(File → Info → Protect Document) and save it again"
            )
        from . import office  # an old Word .doc named .docx: convert it like a .doc

        return office.read(path, raw)
    if not raw.startswith(b"PK"):
        raise IngestError("corrupt .docx (not a zip archive)")
    _check_size(raw)
    from docx import Document

    try:
        document = Document(io.BytesIO(raw))
        return _Renderer(document).read()
    except zipfile.BadZipFile:
        raise IngestError("corrupt .docx (damaged zip archive)") from None
    except IngestError:
        raise
    except Exception as e:  # python-docx reports a damaged package as KeyError, ValueError, lxml errors …
        detail = str(e).strip().splitlines()
        raise IngestError(f"corrupt .docx ({detail[0] if detail else type(e).__name__})") from None


def _check_size(raw: bytes) -> None:
    """Refuse a zip whose parts unpack to too much, or too much for its size (a zip bomb)."""
    from .config import load

    limits = load().docx
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            unpacked = sum(info.file_size for info in z.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise IngestError("corrupt .docx (damaged zip archive)") from None
    mb = unpacked / 2**20
    if mb > limits.max_unpacked_mb:
        raise IngestError(
            f".docx unpacks to {mb:,.0f} MB, more than the limit of {limits.max_unpacked_mb:g} MB "
            "(docx.max_unpacked_mb in rules/readers.yaml)"
        )
    ratio = unpacked / len(raw)
    if ratio > limits.max_compression_ratio:
        raise IngestError(
            f".docx unpacks to {ratio:,.0f} times its size, more than the limit of "
            f"{limits.max_compression_ratio:g} (docx.max_compression_ratio in rules/readers.yaml): not a normal document"
        )


class _Renderer:
    """Walks the body once, in document order, keeping Word's numbering counters."""

    def __init__(self, document):
        self.body = document.element.body
        self.numbering = _Numbering(document)
        self.lines: list[str] = []
        self.labels = self.rows = self.boxes = 0

    def read(self) -> Reading:
        self._blocks(self.body)
        return Reading(
            "\n".join(self.lines),
            "docx",
            numbering_rendered=self.labels,
            table_rows=self.rows,
            text_boxes=self.boxes,
        )

    def _blocks(self, container) -> None:
        for el in _block_items(container):
            if el.tag == _P:
                text, boxes = self._paragraph(el)
                self.lines.append(text)
                for box in boxes:
                    self.boxes += 1
                    self._blocks(box)
            else:
                for tr in el.iter(_TR):
                    if _inside_nested_table(tr, el):
                        continue  # its text is read with the cell that holds the nested table
                    cells = [self._cell(tc) for tc in tr.iterchildren(_TC)]
                    self.lines.append("\t".join(c for c in cells if c))
                    self.rows += 1

    def _cell(self, tc) -> str:
        parts = []
        for el in _block_items(tc):
            if el.tag == _P:
                text, boxes = self._paragraph(el)
                parts.append(text)
                parts += [self._cell(box) for box in boxes]
                self.boxes += len(boxes)
            else:
                for tr in el.iterchildren(_TR):
                    parts += [self._cell(inner) for inner in tr.iterchildren(_TC)]
        return " ".join(p.strip() for p in parts if p.strip())

    def _paragraph(self, p) -> tuple[str, list]:
        """The paragraph's text with its numbering label, and the text boxes anchored in it."""
        pieces: list[str] = []
        boxes: list = []
        _runs_text(p, pieces, boxes)
        text = "".join(pieces)
        label = self.numbering.label(p)
        if label:
            self.labels += 1
            text = label + text
        return text, boxes


def _block_items(container) -> Iterator:
    """Paragraphs and tables of *container* in order, content controls opened."""
    for child in container.iterchildren():
        if child.tag in (_P, _TBL):
            yield child
        elif child.tag in (_SDT, _W + "customXml"):
            content = child.find(_SDT_CONTENT) if child.tag == _SDT else child
            if content is not None:
                yield from _block_items(content)


def _inside_nested_table(tr, table) -> bool:
    parent = tr.getparent()
    while parent is not None and parent.tag != _TBL:
        parent = parent.getparent()
    return parent is not table


def _runs_text(el, pieces: list[str], boxes: list) -> None:
    """Append the text of *el*'s runs (hyperlinks, insertions, smart tags included) to *pieces*,
    and the text boxes found to *boxes*."""
    for child in el.iterchildren():
        tag = child.tag
        if tag == _W + "t":
            pieces.append(child.text or "")
        elif tag in _RUN_TEXT:
            if tag != _W + "br" or child.get(_W + "type") in (None, "textWrapping"):
                pieces.append(_RUN_TEXT[tag])
        elif tag == _TXBX:
            boxes.append(child)
        elif tag not in _SKIP and isinstance(tag, str):
            _runs_text(child, pieces, boxes)


# --- numbering -----------------------------------------------------------------------------


class _Level:
    """One level of a list: how its number is written and where it starts."""

    __slots__ = ("start", "fmt", "text", "restart", "legal", "suffix", "style")

    def __init__(self, lvl):
        self.start = _int(_val(lvl, "start"), 1)
        self.fmt = _val(lvl, "numFmt") or "decimal"
        self.text = _val(lvl, "lvlText")
        self.restart = _int(_val(lvl, "lvlRestart"), None)  # None: restart after any higher level
        legal = lvl.find(_W + "isLgl")
        self.legal = legal is not None and legal.get(_VAL, "true") not in ("0", "false", "off")
        self.suffix = _val(lvl, "suff") or "tab"
        self.style = _val(lvl, "pStyle")


class _Numbering:
    """Labels of numbered paragraphs in document order (call :meth:`label` for each paragraph)."""

    def __init__(self, document):
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError):  # no numbering part: nothing is numbered
            root = None
        self.abstract: dict[str, list[_Level | None]] = {}
        self.abstract_style: dict[str, str] = {}  # numStyleLink: the numbering style it follows
        self.nums: dict[str, tuple[str, dict[int, int], dict[int, _Level]]] = {}
        if root is not None:
            for a in root.iterchildren(_W + "abstractNum"):
                levels: list[_Level | None] = [None] * _MAX_LEVELS
                for lvl in a.iterchildren(_W + "lvl"):
                    i = _int(lvl.get(_W + "ilvl"), -1)
                    if 0 <= i < _MAX_LEVELS:
                        levels[i] = _Level(lvl)
                aid = a.get(_W + "abstractNumId")
                self.abstract[aid] = levels
                link = _val(a, "numStyleLink")
                if link:
                    self.abstract_style[aid] = link
            for num in root.iterchildren(_W + "num"):
                starts: dict[int, int] = {}
                levels_over: dict[int, _Level] = {}
                for over in num.iterchildren(_W + "lvlOverride"):
                    i = _int(over.get(_W + "ilvl"), -1)
                    start = _val(over, "startOverride")
                    if start is not None:
                        starts[i] = _int(start, 1)
                    lvl = over.find(_W + "lvl")
                    if lvl is not None:
                        levels_over[i] = _Level(lvl)
                        if i not in starts and lvl.find(_W + "start") is not None:
                            starts[i] = levels_over[i].start
                self.nums[num.get(_W + "numId")] = (_val(num, "abstractNumId"), starts, levels_over)
        self.styles = _styles(document)
        self.counters: dict[str, list[int | None]] = {}
        self.seen: set[str] = set()

    def label(self, p) -> str:
        """The label Word draws before paragraph *p* ("" if none), counting it."""
        if not self.nums:
            return ""
        found = self._num_pr(p)
        if found is None:
            return ""
        num_id, ilvl = found
        abstract_id, levels = self._abstract(num_id)
        if levels is None or not 0 <= ilvl < _MAX_LEVELS:
            return ""
        _, starts, overrides = self.nums[num_id]

        def level(i: int) -> _Level | None:
            return overrides.get(i) or levels[i]

        def start(i: int) -> int:
            lv = level(i)
            return starts.get(i, lv.start if lv else 1)

        lv = level(ilvl)
        if lv is None:
            return ""
        counters = self.counters.setdefault(abstract_id, [None] * _MAX_LEVELS)
        if num_id not in self.seen:  # a list instance with its own start values restarts them
            self.seen.add(num_id)
            for i in starts:
                if 0 <= i < _MAX_LEVELS:
                    counters[i] = None
        counters[ilvl] = start(ilvl) if counters[ilvl] is None else counters[ilvl] + 1
        for deeper in range(ilvl + 1, _MAX_LEVELS):
            d = level(deeper)
            restart = d.restart if d is not None else None
            if restart is None or (restart and ilvl < restart):
                counters[deeper] = None
        if lv.fmt in ("bullet", "none") or not lv.text:
            return ""

        def number(m: re.Match) -> str:
            i = int(m.group(1)) - 1
            if not 0 <= i < _MAX_LEVELS:
                return ""
            value = counters[i] if counters[i] is not None else start(i)
            fmt = "decimal" if lv.legal else (level(i).fmt if level(i) else "decimal")
            return format_number(value, fmt)

        text = re.sub(r"%([1-9])", number, lv.text)
        if text and (lv.suffix == "space" or (lv.suffix == "tab" and text[-1].isascii() and text[-1].isalnum())):
            text += " "  # Word's space, or its tab after 1 or IV (一、 （一） ① 一要 need none)
        return text

    def _num_pr(self, p) -> tuple[str, int] | None:
        """(numId, level) of paragraph *p*: its own numPr, else its style's; None if not numbered."""
        ppr = p.find(_W + "pPr")
        num_id = ilvl = None
        style_id = None
        if ppr is not None:
            num_pr = ppr.find(_W + "numPr")
            if num_pr is not None:
                num_id, ilvl = _val(num_pr, "numId"), _val(num_pr, "ilvl")
            style_id = _val(ppr, "pStyle")
        if num_id is None:
            found = self.styles.num_pr(style_id)
            if found is None:
                return None
            num_id, style_ilvl = found
            if ilvl is None:
                ilvl = style_ilvl if style_ilvl is not None else self._style_level(num_id, style_id)
        if num_id == "0" or num_id not in self.nums:
            return None
        return num_id, _int(ilvl, 0)

    def _style_level(self, num_id: str, style_id: str | None) -> int:
        """The level of a list that names *style_id* as its paragraph style (0 if none does)."""
        _, levels = self._abstract(num_id)
        for i, lv in enumerate(levels or ()):
            if lv is not None and style_id is not None and lv.style == style_id:
                return i
        return 0

    def _abstract(self, num_id: str) -> tuple[str, list[_Level | None] | None]:
        """The abstract numbering of list *num_id*, through a numbering style link if it has one."""
        abstract_id = self.nums[num_id][0]
        for _ in range(3):  # a numStyleLink points to a style whose numPr names the real list
            link = self.abstract_style.get(abstract_id)
            if link is None:
                break
            found = self.styles.num_pr(link)
            if found is None or found[0] not in self.nums:
                break
            abstract_id = self.nums[found[0]][0]
        return abstract_id, self.abstract.get(abstract_id)


class _Styles:
    """Numbering a paragraph style carries, through its basedOn chain."""

    def __init__(self, styles: dict[str, tuple[str | None, str | None, str | None]], default: str | None):
        self._styles = styles  # styleId → (numId, ilvl, basedOn)
        self._default = default

    def num_pr(self, style_id: str | None) -> tuple[str, str | None] | None:
        style_id = style_id or self._default
        for _ in range(10):
            if style_id is None or style_id not in self._styles:
                return None
            num_id, ilvl, based_on = self._styles[style_id]
            if num_id is not None:
                return num_id, ilvl
            style_id = based_on
        return None


def _styles(document) -> _Styles:
    try:
        root = document.styles.element
    except (KeyError, NotImplementedError):
        return _Styles({}, None)
    styles = {}
    default = None
    for style in root.iterchildren(_W + "style"):
        if style.get(_W + "type") != "paragraph":
            continue
        sid = style.get(_W + "styleId")
        if style.get(_W + "default") in ("1", "true"):
            default = sid
        num_id = ilvl = None
        ppr = style.find(_W + "pPr")
        num_pr = ppr.find(_W + "numPr") if ppr is not None else None
        if num_pr is not None:
            num_id, ilvl = _val(num_pr, "numId"), _val(num_pr, "ilvl")
        styles[sid] = (num_id, ilvl, _val(style, "basedOn"))
    return _Styles(styles, default)


def _val(el, child: str) -> str | None:
    found = el.find(_W + child)
    return None if found is None else found.get(_VAL)


def _int(value: str | None, default):
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


# --- number formats ------------------------------------------------------------------------

_CN_DIGITS = "零一二三四五六七八九"
_CN_UNITS = ("", "十", "百", "千")
_CN_LEGAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_CN_LEGAL_UNITS = ("", "拾", "佰", "仟")
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"
_DIZHI = "子丑寅卯辰巳午未申酉戌亥"
_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
          (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


def _counting(n: int, digits: str = _CN_DIGITS, units: tuple[str, ...] = _CN_UNITS, short_ten: bool = True) -> str:
    """1 → 一, 10 → 十, 21 → 二十一, 105 → 一百零五 (below 10,000; else decimal)."""
    if not 0 < n < 10000:
        return str(n)
    s = str(n)
    out: list[str] = []
    zero = False
    for i, ch in enumerate(s):
        d, pos = int(ch), len(s) - 1 - i
        if d == 0:
            zero = True
            continue
        if zero:
            out.append(digits[0])
            zero = False
        if not (short_ten and d == 1 and pos == 1 and i == 0):
            out.append(digits[d])
        out.append(units[pos])
    return "".join(out)


def _roman(n: int) -> str:
    out = []
    for value, numeral in _ROMAN:
        while n >= value:
            out.append(numeral)
            n -= value
    return "".join(out)


def _letter(n: int) -> str:
    """1 → a, 26 → z, 27 → aa (Word repeats the letter)."""
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def _enclosed(first: int, last: int):
    """A format of characters for 1…last-first+1 (①…⑳), decimal beyond."""
    return lambda n: chr(first + n - 1) if 1 <= n <= last - first + 1 else str(n)


_FORMATS = {
    "decimal": str,
    "decimalZero": lambda n: f"{n:02d}",
    "decimalFullWidth": lambda n: str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９")),
    "decimalHalfWidth": str,
    "upperRoman": lambda n: _roman(n).upper(),
    "lowerRoman": _roman,
    "upperLetter": lambda n: _letter(n).upper(),
    "lowerLetter": _letter,
    "chineseCounting": _counting,
    "chineseCountingThousand": _counting,
    "taiwaneseCounting": _counting,
    "taiwaneseCountingThousand": _counting,
    "japaneseCounting": _counting,
    "chineseLegalSimplified": lambda n: _counting(n, _CN_LEGAL_DIGITS, _CN_LEGAL_UNITS, short_ten=False),
    "ideographLegalTraditional": lambda n: _counting(n, "零壹貳參肆伍陸柒捌玖", ("", "拾", "佰", "仟"), short_ten=False),
    "ideographTraditional": lambda n: _TIANGAN[(n - 1) % 10],
    "ideographZodiac": lambda n: _DIZHI[(n - 1) % 12],
    "ideographDigital": lambda n: "".join("〇一二三四五六七八九"[int(c)] for c in str(n)),
    "taiwaneseDigital": lambda n: "".join("〇一二三四五六七八九"[int(c)] for c in str(n)),
    "decimalEnclosedCircle": _enclosed(0x2460, 0x2473),  # ①…⑳
    "decimalEnclosedCircleChinese": _enclosed(0x2460, 0x2473),
    "decimalEnclosedParen": _enclosed(0x2474, 0x2487),  # ⑴…⒇
    "decimalEnclosedFullstop": _enclosed(0x2488, 0x249B),  # ⒈…⒛
    "ideographEnclosedCircle": _enclosed(0x3280, 0x3289),  # ㊀…㊉
}


def format_number(n: int, fmt: str) -> str:
    """*n* written in Word's number format *fmt* (decimal for formats not listed)."""
    return _FORMATS.get(fmt, str)(n)
