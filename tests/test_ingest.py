"""Ingest: encodings, .docx, unreadable input and hard-wrapped (PDF-extracted) text."""
from __future__ import annotations

import codecs
import hashlib
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from speech_tasks import normalize
from speech_tasks.ingest import IngestError, from_text, read_file

SPEECHES = sorted((Path(__file__).resolve().parents[1] / "speeches").glob("*.txt"))

SAMPLE = (
    "同志们：\r\n"
    "今天召开全市安全生产工作会议，**区、xxx同志汇报了情况，×月×日前、*月*日前完成整改。\r\n"
    "一、清醒认识当前形势\r\n"
    "要落实“三管三必须”，2023年1-8月事故起数下降12.5%（同比）……\r\n"
)
SAMPLE_SOURCE = SAMPLE.replace("\r\n", "\n")
BEYOND_GBK = "㐀𠮷"  # CJK Extension A/B: only GB18030 encodes them


@pytest.mark.parametrize(
    ("filename", "raw", "source", "encoding"),
    [
        pytest.param("speech.txt", SAMPLE.encode("utf-8"), SAMPLE_SOURCE, "utf-8", id="utf-8"),
        pytest.param("speech.md", codecs.BOM_UTF8 + SAMPLE.encode(), SAMPLE_SOURCE, "utf-8-sig", id="utf-8-bom"),
        pytest.param("speech.txt", SAMPLE.encode("gbk"), SAMPLE_SOURCE, "gb18030", id="gbk"),
        pytest.param(
            "speech.txt",
            (SAMPLE + BEYOND_GBK).encode("gb18030"),
            SAMPLE_SOURCE + BEYOND_GBK,
            "gb18030",
            id="gb18030",
        ),
        pytest.param(
            "speech.txt", codecs.BOM_UTF16_LE + SAMPLE.encode("utf-16-le"), SAMPLE_SOURCE, "utf-16-le", id="utf-16-le"
        ),
        pytest.param(
            "speech.txt", codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be"), SAMPLE_SOURCE, "utf-16-be", id="utf-16-be"
        ),
        pytest.param(
            "speech.txt", codecs.BOM_UTF32_LE + SAMPLE.encode("utf-32-le"), SAMPLE_SOURCE, "utf-32-le", id="utf-32-le"
        ),
        pytest.param("SPEECH.TXT", "一\r二\r\n三\n\r四".encode(), "一\n二\n三\n\n四", "utf-8", id="cr-crlf-mixed"),
        pytest.param("ascii.txt", b"Safety first.\n", "Safety first.\n", "utf-8", id="ascii"),
    ],
)
def test_text_file_round_trip(tmp_path, filename, raw, source, encoding):
    path = tmp_path / filename
    path.write_bytes(raw)
    doc = read_file(path)
    assert doc.source == source
    assert doc.text == source and doc.to_source is None and not doc.hard_wrapped
    assert doc.encoding == encoding
    assert doc.name == filename
    assert doc.sha256 == hashlib.sha256(raw).hexdigest()


@pytest.mark.parametrize(
    ("text", "source"),
    [
        pytest.param(SAMPLE, SAMPLE_SOURCE, id="crlf"),
        pytest.param("\ufeff同志们：\r今天开会。", "同志们：\n今天开会。", id="bom-and-cr"),
        pytest.param("请**区、xxx同志于×月×日、*月*日前报送。", "请**区、xxx同志于×月×日、*月*日前报送。", id="masked-kept"),
    ],
)
def test_from_text(text, source):
    doc = from_text(text, name="s.txt")
    assert (doc.source, doc.text, doc.name, doc.to_source) == (source, source, "s.txt", None)
    assert doc.sha256 == hashlib.sha256(text.encode()).hexdigest()


def test_docx_body_paragraphs_and_tables_in_order(tmp_path):
    from docx import Document

    paragraphs = ["同志们：", "今天召开全市安全生产工作会议。", "", "一、清醒认识当前形势", "要抓好落实，**区牵头。"]
    document = Document()
    document.sections[0].header.paragraphs[0].text = "页眉不是讲话"
    for p in paragraphs[:3]:
        document.add_paragraph(p)
    row = document.add_table(rows=1, cols=2).rows[0]
    row.cells[0].text, row.cells[1].text = "燃气安全整治", "市住建局"
    for p in paragraphs[3:]:
        document.add_paragraph(p)
    path = tmp_path / "speech.docx"
    document.save(path)
    doc = read_file(path)
    assert doc.source == "\n".join([*paragraphs[:3], "燃气安全整治\t市住建局", *paragraphs[3:]])
    assert doc.encoding == "docx" and doc.details["format"] == "docx" and doc.details["table_rows"] == 1
    assert doc.name == "speech.docx"
    assert doc.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def _empty_docx(path: Path) -> None:
    from docx import Document

    document = Document()
    document.add_paragraph("   ")
    document.save(path)


FOLDER = object()
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@pytest.mark.parametrize(
    ("filename", "content", "problem"),
    [
        pytest.param("gone.txt", None, "no such file", id="missing"),
        pytest.param("folder.txt", FOLDER, "is a folder", id="folder"),
        pytest.param("empty.txt", b"", "empty file", id="empty"),
        pytest.param("blank.txt", " \r\n\t\n\u3000\n".encode(), "no text (only whitespace)", id="whitespace-only"),
        pytest.param("blank.docx", _empty_docx, "no text (only whitespace)", id="docx-without-text"),
        pytest.param("data.txt", b"abc\x00\x01\x02\xff", "binary file", id="nul-bytes"),
        pytest.param("speech.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "looks like a PDF", id="pdf-named-txt"),
        pytest.param("speech.txt", b"\x80\x81\xff\xfe abc", "cannot decode", id="undecodable"),
        pytest.param("speech.txt", "同志們：今天召開全市安全生產工作會議。".encode("big5"), "cannot decode", id="big5"),
        pytest.param("speech.txt", "Café crème".encode("latin-1"), "cannot decode", id="latin-1"),
        pytest.param("speech.txt", codecs.BOM_UTF16_LE + b"a", "not valid UTF-16", id="truncated-utf-16"),
        pytest.param("speech.docx", b"PK\x03\x04 truncated zip", "corrupt .docx", id="corrupt-docx"),
        pytest.param("speech.docx", b"plain text, not a zip", "corrupt .docx (not a zip archive)", id="docx-not-zip"),
        pytest.param("speech.pdf", b"%PDF-1.7", "corrupt PDF", id="truncated-pdf"),
        pytest.param("speech.ofd", b"PK\x03\x04", "unsupported file type .ofd (save it as .docx, .pdf or .txt)", id="ofd"),
        pytest.param("speech", "同志们".encode(), "no extension", id="no-extension"),
    ],
)
def test_unreadable_input_gives_one_line_reason(tmp_path, filename, content, problem):
    path = tmp_path / filename
    if content is FOLDER:
        path.mkdir()
    elif callable(content):
        content(path)
    elif content is not None:
        path.write_bytes(content)
    with pytest.raises(IngestError) as excinfo:
        read_file(path)
    message = str(excinfo.value)
    assert problem in message
    assert "\n" not in message


@pytest.mark.parametrize("text", ["", " \n\u3000\r\n\xa0"], ids=["empty", "whitespace"])
def test_from_text_without_text_is_an_error(text):
    with pytest.raises(IngestError, match="no text"):
        from_text(text)


# --- hard-wrapped text ----------------------------------------------------------------------

# Paragraph openers the reader treats as headings when a paragraph exactly fills its last line.
HEADING = re.compile(r"[一二三四五六七八九十]+[、要]|第[一二三四五六七八九十]+[，、]")


def wrap(paragraphs: list[str], width: int, indent: str = "", margin: str = "") -> str:
    """Lay paragraphs out as a PDF extract does: indented, cut every *width* characters."""
    lines = []
    for p in paragraphs:
        if not p.strip():
            lines.append(p)
            continue
        p = indent + p
        lines.extend(margin + p[k:k + width] for k in range(0, len(p), width))
    return "\n".join(lines)


def unwrapped(paragraphs: list[str], width: int, indent: str = "", margin: str = "") -> str:
    """What the reader should make of ``wrap(paragraphs, …)``.

    A paragraph that exactly fills its last line, followed by one that is neither indented nor
    opened by a heading marker, looks just like a sentence running on: it is joined to it.
    """
    out = ""
    run_on = False
    for i, p in enumerate(paragraphs):
        if p.strip():
            out += indent + p if run_on else margin + indent + p
        else:
            out += p
        if i + 1 == len(paragraphs):
            break
        nxt = paragraphs[i + 1]
        run_on = bool(
            not indent and p.strip() and len(p) % width == 0 and nxt.strip() and not HEADING.match(nxt)
        )
        out += "" if run_on else "\n"
    return out


def assert_maps_to_source(doc) -> None:
    assert len(doc.to_source) == len(doc.text) + 1
    assert doc.to_source[-1] == len(doc.source)
    assert all(a < b for a, b in zip(doc.to_source, doc.to_source[1:]))
    assert all(doc.source[j] == c for j, c in zip(doc.to_source, doc.written))


@pytest.mark.parametrize("width", [30, 35, 40])
@pytest.mark.parametrize(
    ("indent", "margin"),
    [("", ""), ("\u3000\u3000", ""), ("    ", ""), ("\u3000\u3000", " "), ("", "  ")],
    ids=["flush", "fullwidth-indent", "halfwidth-indent", "indent-and-margin", "margin"],
)
@pytest.mark.parametrize("speech", SPEECHES, ids=[p.stem[:3] for p in SPEECHES])
def test_hard_wrapped_speech_reads_like_the_original(speech, width, indent, margin):
    paragraphs = speech.read_text(encoding="utf-8").split("\n")
    source = wrap(paragraphs, width, indent, margin)
    doc = from_text(source)
    assert doc.source == source
    assert doc.hard_wrapped
    assert doc.written == unwrapped(paragraphs, width, indent, margin)
    assert_maps_to_source(doc)


@pytest.mark.parametrize("speech", SPEECHES, ids=[p.stem[:3] for p in SPEECHES])
def test_speech_that_is_not_wrapped_is_untouched(speech):
    doc = read_file(speech)
    assert doc.written == doc.source
    assert doc.to_source is None and not doc.hard_wrapped


@pytest.mark.parametrize(
    ("paragraphs", "width"),
    [
        pytest.param(
            ["同志们：", "今天召开全市安全生产工作会议，我讲三点意见。", "一、清醒认识当前形势", "全市上半年安全生产形势总体稳定，但近期各类事故频发多发。"],
            11,
            id="heading-line-stays",
        ),
        pytest.param(
            ["二、聚焦关键环节，强化安全风险隐患排查整治", "各级各部门要提高政治站位，强化安全防范，全力防大事故。"],
            12,
            id="two-line-heading",
        ),
        pytest.param(
            ["要抓好落实：", "一要压实责任，抓好安全生产关键在于落实。", "二要重点攻坚，奔着重大事故隐患去。"],
            10,
            id="item-after-a-full-line",
        ),
    ],
)
def test_small_wrapped_texts(paragraphs, width):
    doc = from_text(wrap(paragraphs, width))
    assert doc.written == "\n".join(paragraphs)
    assert_maps_to_source(doc)


@pytest.mark.parametrize(
    ("source", "text"),
    [
        pytest.param(  # 点 pushed down with its comma leaves a line one short
            "安全生产工作须臾不可\n放松，各级各部门要压\n实责任，盯紧盯牢重\n点，防范各类事故。\n同志们：",
            "安全生产工作须臾不可放松，各级各部门要压实责任，盯紧盯牢重点，防范各类事故。\n同志们：",
            id="line-one-short",
        ),
        pytest.param(  # 任 pushed down: the item's first line is short, yet no heading
            "要抓好落实：\n一要压实安全生产责\n任，落实监管责任，抓\n好安全生产各项工作。\n二要全面排查隐患。",
            "要抓好落实：\n一要压实安全生产责任，落实监管责任，抓好安全生产各项工作。\n二要全面排查隐患。",
            id="pushed-character-is-no-heading",
        ),
        pytest.param(
            "各级要牢记总书记强调的\n“时时放心不下。\n”的责任感，抓好安全生\n产各项工作，压实各级各\n部门责任，盯紧重点行业\n领域。\n同志们：",
            "各级要牢记总书记强调的“时时放心不下。”的责任感，抓好安全生产各项工作，压实各级各部门责任，盯紧重点行业领域。\n同志们：",
            id="no-paragraph-opens-with-punctuation",
        ),
        pytest.param(
            "要强化重点领域专项整治\r\n，严格落实检查组组长负\r\n责制，切实做到全覆盖、\r\n零容忍。\r\n",
            "要强化重点领域专项整治，严格落实检查组组长负责制，切实做到全覆盖、零容忍。\n",
            id="crlf",
        ),
        pytest.param(
            "同志们：\n\n今天召开全市安全生产工\n作会议，主要任务是贯彻\n落实上级部署，分析研判\n形势。\n\n一、清醒认识当前形势\n",
            "同志们：\n\n今天召开全市安全生产工作会议，主要任务是贯彻落实上级部署，分析研判形势。\n\n一、清醒认识当前形势\n",
            id="blank-line-paragraphs",
        ),
        pytest.param(  # this speech runs its items on inside a paragraph, so 三要 after a full line does too
            "各级要做到：一要压实\n责任；二要排查隐患。\n三要严格执法，从严处\n罚；四要加强宣传教育\n，营造良好氛围。\n",
            "各级要做到：一要压实责任；二要排查隐患。三要严格执法，从严处罚；四要加强宣传教育，营造良好氛围。\n",
            id="inline-items-run-on",
        ),
    ],
)
def test_wrapped_golden(source, text):
    doc = from_text(source)
    assert doc.written == text
    assert_maps_to_source(doc)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("同志们：\n今天召开会议。\n一、清醒认识当前形势\n要抓好落实。\n", id="short-speech"),
        pytest.param("一、清醒认识当前形势\n二、统筹兼顾各项工作\n三、狠抓攻坚措施落实\n四、健全完善制度措施\n", id="equal-headings"),
        pytest.param("要抓好安全生产工作。\n要压实安全生产责任。\n要严格安全生产执法。\n要强化安全生产宣传。\n", id="equal-sentences"),
    ],
)
def test_short_lines_that_are_not_wrapped_stay(text):
    doc = from_text(text)
    assert doc.written == doc.source
    assert doc.to_source is None and not doc.hard_wrapped


def test_read_file_unwraps_too(tmp_path):
    paragraphs = ["同志们：", "今天召开全市安全生产工作会议，主要任务是贯彻落实上级部署，分析研判形势。", "一、清醒认识当前形势"]
    path = tmp_path / "wrapped.txt"
    path.write_bytes(wrap(paragraphs, 12).replace("\n", "\r\n").encode("gbk"))
    doc = read_file(path)
    assert (doc.encoding, doc.hard_wrapped, doc.written) == ("gb18030", True, "\n".join(paragraphs))


PARAGRAPH = st.text(alphabet="安全生产责任落实重点隐患排查12。，、；：！？“”一二三要（）\u3000 \xa0", max_size=90)


@settings(max_examples=150, deadline=None)
@given(
    paragraphs=st.lists(PARAGRAPH, min_size=1, max_size=12),
    width=st.integers(8, 45),
    indent=st.sampled_from(["", "\u3000\u3000", "  "]),
)
def test_working_text_always_maps_back(paragraphs, width, indent):
    source = wrap(paragraphs, width, indent)
    if not source.strip():
        return
    doc = from_text(source)
    if doc.to_source is None:
        assert doc.written == doc.source
        return
    assert_maps_to_source(doc)
    # only line breaks and the whitespace around them are dropped, and whole noise lines (a page number)
    kept = set(doc.to_source)
    noise = normalize.drop_noise(doc.source)
    dropped = set(noise[2]) if noise else set()
    lines = {j: line for line, pos in _line_starts(doc.source) for j in range(pos, pos + len(line))}
    assert all(doc.source[j].isspace() or lines[j].strip() in dropped for j in range(len(doc.source)) if j not in kept)


def _line_starts(text: str):
    pos = 0
    for line in text.split("\n"):
        yield line, pos
        pos += len(line) + 1


SPAN_KEYS = ("span", "name_span", "date_span", "title_span")


def _comparable(value, offset_map: list[int] | None = None):
    """A dumped sheet with its spans moved through *offset_map* and its source cuttings dropped.

    A text that has a span next to it is cut from the source, soft line breaks included.
    """
    if isinstance(value, list):
        return [_comparable(v, offset_map) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, v in value.items():
        if key in SPAN_KEYS and v is not None and offset_map is not None:
            s, e = v
            out[key] = [offset_map[s], offset_map[e - 1] + 1 if e > s else offset_map[s]]
        elif key != "text" or "span" not in value:
            out[key] = _comparable(v, offset_map)
    return out


def _offsets_in(wrapped: str, plain: str) -> list[int]:
    """Where each character of *plain* sits in *wrapped*, which is *plain* with line breaks added."""
    offsets, j = [], 0
    for c in plain:
        while wrapped[j] != c:  # a soft break
            j += 1
        offsets.append(j)
        j += 1
    return offsets + [len(wrapped)]


@pytest.mark.parametrize(("width", "indent"), [(35, ""), (30, "\u3000\u3000")], ids=["flush-35", "indented-30"])
@pytest.mark.parametrize("speech", SPEECHES, ids=[p.stem[:3] for p in SPEECHES])
def test_wrapped_speech_gives_the_same_task_sheet(speech, width, indent):
    from speech_tasks.pipeline import extract_text

    paragraphs = speech.read_text(encoding="utf-8").split("\n")
    plain = unwrapped(paragraphs, width, indent)
    wrapped = wrap(paragraphs, width, indent)
    plain_to_wrapped = _offsets_in(wrapped, plain)
    expected = extract_text(plain, name=speech.name)
    got = extract_text(wrapped, name=speech.name)
    assert expected.tasks and got.source.hard_wrapped
    assert _comparable(got.model_dump(mode="json", exclude={"source"})) == _comparable(
        expected.model_dump(mode="json", exclude={"source"}), plain_to_wrapped
    )
    for task, plain_task in zip(got.tasks, expected.tasks):
        assert task.text == plain_task.text  # the sheet shows the text without soft line breaks
