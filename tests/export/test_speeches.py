"""Every format from real speeches (the repo's speeches/): whatever the pipeline finds, the
exports hold one row per task and the report highlights every task in the full text."""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from speech_tasks.export import FORMATS, write, xlsx
from speech_tasks.ingest import read_file
from speech_tasks.pipeline import extract_doc

from .htmlcheck import parse

SPEECHES = sorted((Path(__file__).resolve().parents[2] / "speeches").glob("*.txt"))


@pytest.mark.skipif(not SPEECHES, reason="no speeches/ folder beside tests/")
@pytest.mark.parametrize("speech", SPEECHES, ids=lambda p: p.stem)
def test_real_speech_exports(speech, tmp_path):
    doc = read_file(speech)
    sheet = extract_doc(doc)
    paths = dict(zip(FORMATS, write(sheet, tmp_path, FORMATS, source_text=doc.source)))
    ws = openpyxl.load_workbook(paths["xlsx"]).active
    numbers = [ws.cell(r, 1).value for r in range(xlsx.HEADER_ROW + 1, ws.max_row + 1)]
    # a group row's 序号 is its section; a long 具体要求's continuation rows have none
    assert [n for n in numbers if n and n[0].isdigit()] == [t.number for t in sheet.tasks]
    page = parse(paths["html"].read_text(encoding="utf-8"), "fulltext")
    assert "".join(page.text) == doc.source
    assert all(f"src-{t.id}" in page.ids for t in sheet.tasks)
