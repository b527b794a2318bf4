"""The 任务分解表 as printed: xlsx and docx rendered by LibreOffice to PDF (and PNG pages to look
at). Skips where LibreOffice (soffice) or poppler (pdftotext, pdftoppm) are not installed."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from speech_tasks.export import columns as C
from speech_tasks.export import write, xlsx
from speech_tasks.export import xlsx_style as xs
from speech_tasks.ingest import read_file
from speech_tasks.pipeline import extract_doc

TOOLS = ("soffice", "pdftotext", "pdftoppm")
SPEECH = Path(__file__).resolve().parents[2] / "speeches" / "000_742e7b63984abebe.txt"
A4_LANDSCAPE = (841.89, 595.3)  # points

pytestmark = [
    pytest.mark.skipif(not all(map(shutil.which, TOOLS)), reason="needs LibreOffice and poppler-utils"),
    pytest.mark.skipif(not SPEECH.exists(), reason="no speeches/ folder beside tests/"),
]

_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


def render(path: Path) -> list[tuple[tuple[float, float], list[tuple[float, float, float, float, str]]]]:
    """Pages of *path* printed to PDF by LibreOffice: (width, height) and words with boxes.
    PNG pages (60 dpi) are left beside the PDF for a person to look at."""
    out = path.parent / f"{path.suffix[1:]}-pages"
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{path.parent}/lo-profile",
         "--convert-to", "pdf", "--outdir", str(out), str(path)],
        check=True, capture_output=True, timeout=180,
    )
    pdf = out / f"{path.stem}.pdf"
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(out / "page")], check=True, timeout=120)
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    pages = []
    for w, h, body in _PAGE.findall(xml):
        words = [(float(a), float(b), float(c), float(d), t) for a, b, c, d, t in _WORD.findall(body)]
        pages.append(((float(w), float(h)), words))
    return pages


@pytest.fixture(scope="module")
def sheet():
    return extract_doc(read_file(SPEECH))


@pytest.fixture(scope="module")
def printed(tmp_path_factory, sheet):
    folder = tmp_path_factory.mktemp("render")
    paths = dict(zip(("xlsx", "docx"), write(sheet, folder, ("xlsx", "docx"))))
    return {fmt: render(path) for fmt, path in paths.items()}


def _text(words) -> str:
    return "".join(w[4] for w in words)


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_pages_are_a4_landscape_with_header_and_footer_on_each(printed, fmt):
    pages = printed[fmt]
    total = len(pages)
    if fmt == "xlsx":  # the workbook's last page is its 说明 sheet
        assert "项目内容" in _text(pages[-1][1])
        pages = pages[:-1]
    assert len(pages) >= 2  # the sample speech needs more than one page
    for n, (size, words) in enumerate(pages, start=1):
        assert size == pytest.approx(A4_LANDSCAPE, abs=1)
        text = _text(words)
        assert "具体要求" in text and "牵头单位" in text  # the header row repeats
        assert f"第{n}页共{total}页" in text.replace(" ", "")


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_title_whole_on_the_first_page_and_text_at_least_10_pt(printed, fmt):
    (width, height), words = printed[fmt][0]
    assert "任务分解表" in _text(words)
    title = next(w for w in words if "任务分解表" in w[4])
    assert 0 < title[0] and title[2] < width and title[1] > 0  # inside the page, not cut
    for label in ("具体要求", "责任单位"):  # header cells: four CJK characters each
        x0, y0, x1, y1, _ = next(w for w in words if w[4] == label)
        assert (x1 - x0) / 4 >= 10  # a CJK character is one em wide: ≥ 10 pt printed


def test_every_requirement_prints_whole(sheet, tmp_path):
    """The 具体要求 column as printed, line by line over the pages, holds every task's text: none
    clipped at a row's height (one task here needs ~55 lines, twice Excel's tallest row), none
    dropped at a page's end."""
    from speech_tasks.export.frame import table

    last = sheet.tasks[-1]
    long_text = "".join(f"（{n}）要加强危险化学品监管，落实企业主体责任，严防各类事故发生。" for n in range(1, 41))
    sheet = sheet.model_copy(update={"tasks": [*sheet.tasks[:-1], last.model_copy(update={"text": long_text})]})
    (path,) = write(sheet, tmp_path, ["xlsx"])
    rows = table(sheet)
    texts = [re.sub(r"\s", "", row["具体要求"]) for row in rows]
    # the words above the footer (in the bottom margin), page after page
    words = [w for (_, height), page in render(path) for w in page if w[3] < height - 72 * xlsx.MARGINS["bottom"]]
    # the column starts where the first task's first line does and is ~245 pt wide (327 px)
    left = next(w[0] for w in words if texts[0].startswith(w[4]) and len(w[4]) > 3)
    column = "".join(w[4] for w in words if left - 1 < w[0] < left + 235 and w[4] != "具体要求")  # not the header
    width = C.SHEET_COLUMNS[C.COLUMNS.index("具体要求")].xlsx_width
    assert xs.line_count(long_text, width) > 2 * xlsx.ROW_MAX_LINES
    assert [t for t in texts if t not in column] == []


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_internal_columns_are_not_printed(printed, fmt):
    text = "".join(_text(words) for _, words in printed[fmt] if "具体要求" in _text(words))
    assert "任务编号" not in text and "原文位置" not in text


def test_summary_workbook_prints_as_bordered_tables_with_page_numbers(tmp_path):
    from speech_tasks import summary

    speeches = sorted(SPEECH.parent.glob("*.txt"))[:3]
    digests = [summary.digest(extract_doc(read_file(p)), f"{p.stem}.json") for p in speeches]
    (path,) = [p for p in summary.write(digests, tmp_path) if p.suffix == ".xlsx"]
    pages = render(path)
    assert len(pages) >= 3  # one table per sheet, no empty sheets in between
    for n, (size, words) in enumerate(pages, start=1):
        text = _text(words)
        assert size == pytest.approx(A4_LANDSCAPE, abs=1)
        assert "安全生产会议任务汇总" in text and f"第{n}页共{len(pages)}页" in text.replace(" ", "")
    assert "各级各部门" in "".join(_text(w) for _, w in pages)  # a unit, by its name
