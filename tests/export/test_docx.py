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


def test_title_and_attachment_label(document):
    texts = [p.text for p in document.paragraphs if p.text]
    assert texts[:2] == ["附件", "全市安全生产工作会议任务分解表"]
    assert "会议日期：2024年3月1日" in texts[2] and "共7项任务" in texts[2]
    assert document.core_properties.title == "全市安全生产工作会议任务分解表"


def test_table_has_the_sheet_columns_and_one_row_per_task(document):
    (grid,) = document.tables
    assert [c.text for c in grid.rows[0].cells] == list(C.COLUMNS)
    assert len(grid.rows) == 1 + len(build_sheet().tasks)
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in grid.rows[1:]}
    assert rows["1.1"][C.COLUMNS.index("截止日期")] == "2024-06-30"
    assert rows["1.1"][C.COLUMNS.index("配合单位")] == "市住房和城乡建设局（住建部门）"
    assert "<script>alert(1)</script>" in rows["1.2"][C.COLUMNS.index("工作任务")]


def test_landscape_with_repeated_header_row(document):
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE and section.page_width > section.page_height
    header_flag = document.tables[0].rows[0]._tr.trPr.find(qn("w:tblHeader"))
    assert header_flag is not None


def test_task_tree_is_indented(document):
    grid = document.tables[0]
    text_col = C.COLUMNS.index("工作任务")
    indents = {r.cells[0].text: r.cells[text_col].paragraphs[0].paragraph_format.left_indent for r in grid.rows[1:]}
    assert indents["1"] is None
    assert indents["1.1.1"].cm == pytest.approx(docx_export.INDENT_CM * 2, abs=0.01)
