"""The Word 任务分解表, read back with python-docx."""
from __future__ import annotations

import docx
import pytest
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from speech_tasks.export import columns as C
from speech_tasks.export import docx as docx_export

from .conftest import build_sheet


@pytest.fixture(scope="module")
def document(tmp_path_factory):
    path = tmp_path_factory.mktemp("docx") / "sheet.docx"
    docx_export.write(build_sheet(), path)
    return docx.Document(str(path))


def _fonts(paragraph) -> tuple[str, float]:
    run = paragraph.runs[0]
    return run._element.rPr.rFonts.get(qn("w:eastAsia")), run.font.size.pt


def test_title_and_attachment_label(document):
    paragraphs = [p for p in document.paragraphs if p.text]
    texts = [p.text for p in paragraphs]
    assert texts[:2] == ["附件", "全市安全生产工作会议任务分解表"]
    assert _fonts(paragraphs[0]) == ("黑体", 16) and _fonts(paragraphs[1]) == ("黑体", 22)
    assert "会议日期：2024年3月1日" in texts[2] and "共7项任务" in texts[2]
    assert document.core_properties.title == "全市安全生产工作会议任务分解表"


def test_table_has_the_sheet_columns_and_one_row_per_task(document):
    (grid,) = document.tables
    assert [c.text for c in grid.rows[0].cells] == list(C.PRINTED_COLUMNS)  # no internal columns
    assert len(grid.rows) == 1 + len(build_sheet().tasks) + 2  # two sections as group rows
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in grid.rows[1:]}
    group = rows["一、压实安全责任"]
    assert set(group) == {"一、压实安全责任"}  # one cell across the table
    assert rows["1.1"][C.PRINTED_COLUMNS.index("完成时限")] == "2024年6月30日前"
    assert rows["1.1"][C.PRINTED_COLUMNS.index("配合单位")] == "市住房和城乡建设局（住建部门）"
    assert "<script>alert(1)</script>" in rows["1.2"][C.PRINTED_COLUMNS.index("具体要求")]
    body = document.styles["任务表正文"]
    assert body.font.size.pt >= 10 and body.element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋"
    assert sum(c.width.cm for c in grid.rows[0].cells) <= 29.7 - 2 * docx_export.SIDE_MARGIN_CM + 0.01


def test_fonts_are_declared_with_their_alternative_names(tmp_path):
    import zipfile

    path = tmp_path / "f.docx"
    docx_export.write(build_sheet(), path)
    table = zipfile.ZipFile(path).read("word/fontTable.xml").decode("utf-8")
    assert '<w:font w:name="仿宋"><w:altName w:val="FangSong"/>' in table
    assert '<w:font w:name="黑体"><w:altName w:val="SimHei"/>' in table
    assert docx.Document(str(path)).paragraphs[0].text == "附件"  # still a valid document


def test_landscape_with_repeated_header_row(document):
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE and section.page_width > section.page_height
    header_flag = document.tables[0].rows[0]._tr.trPr.find(qn("w:tblHeader"))
    assert header_flag is not None
    footer = document.sections[0].footer.paragraphs[0]
    assert footer.text.startswith("第 ") and "共" in footer.text
    assert [f.get(qn("w:instr")) for f in footer._p.iter(qn("w:fldSimple"))] == ["PAGE", "NUMPAGES"]


def test_task_tree_is_indented(document):
    grid = document.tables[0]
    text_col = C.PRINTED_COLUMNS.index("重点任务")
    indents = {r.cells[0].text: r.cells[text_col].paragraphs[0].paragraph_format.left_indent for r in grid.rows[1:]}
    assert indents["1"] is None
    assert indents["1.1.1"].cm == pytest.approx(docx_export.INDENT_CM * 2, abs=0.01)
