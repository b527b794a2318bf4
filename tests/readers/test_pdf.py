"""The PDF reader: lines in reading order, spaces next to Chinese dropped, running headers,
footers and page numbers left out, scans and locked files refused with one line."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from speech_tasks.ingest import IngestError, read_file
from speech_tasks.readers.pdf import _drop_running_lines, _Line, _line

from .conftest import SAMPLE, add_running_lines, plain_docx, soffice_convert


def row(text: str, x: float = 100.0, width: float = 10.0, gaps: dict[int, float] | None = None) -> list[tuple]:
    """Characters of one line as the engine gives them: (char, left, bottom, right, top, baseline, size)."""
    chars = []
    for i, ch in enumerate(text):
        x += (gaps or {}).get(i, 0.0)
        low = ch in "。，.,"
        chars.append((ch, x, 700.0, x + width, 703.0 if low else 710.0, 701.0, 10.0))
        x += width
    return chars


@pytest.mark.parametrize(
    ("chars", "text"),
    [
        pytest.param(row("2024年3月") , "2024年3月", id="no-gap"),
        pytest.param(row("2024年", gaps={4: 4.0}), "2024年", id="gap-before-chinese"),
        pytest.param(row("共12起", gaps={1: 5.0, 3: 5.0}), "共12起", id="gaps-around-digits"),
        pytest.param(row("PM2.5浓度", gaps={5: 6.0}), "PM2.5浓度", id="latin-then-chinese"),
        pytest.param(row("Safetyfirst", gaps={6: 6.0}), "Safety first", id="latin-words-keep-their-space"),
        pytest.param(list(reversed(row("要落实“三管三必须”"))), "要落实“三管三必须”", id="left-to-right"),
        pytest.param(row("⼀要压实责任"), "一要压实责任", id="kangxi-radical"),
    ],
)
def test_a_line_reads_as_typed(chars, text):
    assert _line(chars).text == text


def lines(*texts: str) -> list[_Line]:
    return [_Line(t, 100.0, 10.0) for t in texts]


@pytest.mark.parametrize(
    ("pages", "kept", "dropped"),
    [
        pytest.param(
            [lines("某市安委办", "同志们：", "今天开会。", "- 1 -"), lines("某市安委办", "要抓好落实。", "- 2 -"),
             lines("某市安委办", "各地要排查。", "- 3 -")],
            [["同志们：", "今天开会。"], ["要抓好落实。"], ["各地要排查。"]],
            6,
            id="header-and-page-numbers",
        ),
        pytest.param(
            [lines("讲话稿", "第一页正文。", "2024年3月12日 第1页 共2页"), lines("讲话稿", "第二页正文。", "2024年3月12日 第2页 共2页")],
            [["第一页正文。"], ["第二页正文。"]],
            4,
            id="footer-with-date-and-page",
        ),
        pytest.param(
            [lines("同志们：", "今天开会。", "1")],
            [["同志们：", "今天开会。"]],
            1,
            id="one-page-with-its-number",
        ),
        pytest.param(
            [lines(f"{n}、要压实责任", f"正文{n}。", "要抓好落实。", "要抓好落实。", f"又{n}。", f"{n}要落实") for n in "一二三"],
            [[f"{n}、要压实责任", f"正文{n}。", "要抓好落实。", "要抓好落实。", f"又{n}。", f"{n}要落实"] for n in "一二三"],
            0,
            id="repeated-body-lines-stay",
        ),
        pytest.param(
            [lines("标题", "正文。", "续文。", "2023", "第 3 页"), lines("另起。", "正文？", "又一行。", "- 4 -")],
            [["标题", "正文。", "续文。", "2023"], ["另起。", "正文？", "又一行。"]],
            2,
            id="page-numbers-but-no-year",
        ),
    ],
)
def test_running_lines_are_dropped(pages, kept, dropped):
    got, n = _drop_running_lines(pages)
    assert [[line.text for line in page] for page in got] == kept
    assert n == dropped


def test_scanned_pdf_without_text_is_refused(tmp_path):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    pdf.new_page(595, 842)
    pdf.new_page(595, 842)
    path = tmp_path / "scan.pdf"
    pdf.save(path)
    with pytest.raises(IngestError, match="^no text layer: scanned PDF, run OCR first"):
        read_file(path)


@pytest.mark.parametrize(
    ("content", "problem"),
    [(b"%PDF-1.7\n", "corrupt PDF"), (b"not a pdf at all", "corrupt PDF")],
    ids=["truncated", "garbage"],
)
def test_damaged_pdf_gives_one_line(tmp_path, content, problem):
    path = tmp_path / "s.pdf"
    path.write_bytes(content)
    with pytest.raises(IngestError) as e:
        read_file(path)
    assert problem in str(e.value) and "\n" not in str(e.value)


def test_password_protected_pdf_gives_one_line(tmp_path):
    docx = plain_docx(tmp_path / "s.docx", "同志们：\n今天开会。")
    options = {"EncryptFile": {"type": "boolean", "value": "true"},
               "DocumentOpenPassword": {"type": "string", "value": "secret"}}
    pdf = soffice_convert(docx, "pdf:writer_pdf_Export:" + json.dumps(options), tmp_path)
    with pytest.raises(IngestError, match="^password-protected PDF"):
        read_file(pdf)


def test_pdf_of_a_speech_reads_as_its_text(tmp_path):
    text = SAMPLE.read_text(encoding="utf-8")
    pdf = soffice_convert(add_running_lines(plain_docx(tmp_path / "s.docx", text)), "pdf", tmp_path)
    doc = read_file(pdf)
    assert doc.hard_wrapped
    assert doc.written.split("\n") == [line.replace("\xa0", "") for line in text.split("\n") if line]  # no space by Chinese
    assert doc.details["pages"] >= 2 and doc.details["dropped_lines"] == 2 * doc.details["pages"]


def at(text: str, left: float = 0.0, right: float = 300.0, baseline: float = 0.0) -> _Line:
    return _Line(text, left, 10.0, right, baseline)


def page(*lines: tuple, top: float = 700.0, pitch: float = 15.0) -> list[_Line]:
    """Lines (text, indent in characters, fills the line?, extra gap above) down one page."""
    out, y = [], top
    for text, indent, full, gap in lines:
        y -= pitch + gap
        out.append(at(text, left=100 + 10 * indent, right=400 if full else 250, baseline=y))
    return out


@pytest.mark.parametrize(
    ("pages", "text"),
    [
        pytest.param(
            [page(("题目", 8, False, 0), ("同志们：", 2, False, 0), ("今天召开会议，", 2, True, 0), ("研究部署工作。", 0, False, 0),
                  ("一要压实责任，", 2, True, 0), ("抓好落实；", 0, True, 0)),
             page(("二要排查隐患。", 0, False, 0), ("三要严格执法。", 2, False, 0), ("四要加强宣传。", 2, False, 0))],
            ["题目", "同志们：", "今天召开会议，研究部署工作。", "一要压实责任，抓好落实；二要排查隐患。", "三要严格执法。", "四要加强宣传。"],
            id="indented-paragraphs-joined-across-pages",
        ),
        pytest.param(
            [page(("同志们：", 2, False, 0), ("今天召开会议，", 2, True, 0), ("研究部署工作。", 0, False, 0),
                  ("一、压实责任", 0, False, 10), ("要抓好落实，", 2, True, 0), ("排查隐患。", 0, False, 0),
                  ("二、严格执法", 0, False, 10), ("要依法查处。", 2, False, 0))],
            ["同志们：", "今天召开会议，研究部署工作。", "一、压实责任", "要抓好落实，排查隐患。", "二、严格执法", "要依法查处。"],
            id="flush-headings-with-space-before",
        ),
        pytest.param(
            [page(("同志们：", 0, False, 0), ("今天召开会议，", 0, True, 0), ("研究部署工作。", 0, False, 0),
                  ("一要压实责任，", 0, True, 0), ("抓好落实。", 0, False, 0), ("二要排查隐患。", 0, False, 0))],
            ["同志们：", "今天召开会议，", "研究部署工作。", "一要压实责任，", "抓好落实。", "二要排查隐患。"],
            id="no-indents-lines-left-to-the-unwrapping",
        ),
    ],
)
def test_paragraphs_from_the_layout(pages, text):
    from speech_tasks.readers.pdf import _paragraphs

    assert _paragraphs(pages) == text
