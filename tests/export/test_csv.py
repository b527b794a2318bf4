"""CSV for Excel: BOM first, every column, one line per task, nothing runs as a formula."""
from __future__ import annotations

import csv
import io

import pytest

from speech_tasks.export import columns as C
from speech_tasks.export import csv as csv_export

from .conftest import build_sheet


def test_bom_header_and_rows(tmp_path):
    path = csv_export.write(build_sheet(), tmp_path / "s.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == list(C.COLUMNS)
    assert len(rows) == 1 + len(build_sheet().tasks)
    by_number = {r[0]: r for r in rows[1:]}
    assert by_number["1.1"][C.COLUMNS.index("截止日期")] == "2024-06-30"
    assert by_number["1.2"][C.COLUMNS.index("截止日期")] == ""
    assert "<script>alert(1)</script>" in by_number["1.2"][C.COLUMNS.index("具体要求")]


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ("+86", "'+86"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("各地、各部门", "各地、各部门"),
        (None, ""),
    ],
)
def test_cells_are_never_formulas(value, expected):
    assert csv_export.cell(value) == expected
