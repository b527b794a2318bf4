"""任务分解表 as CSV: UTF-8 with a BOM, so Excel opens the Chinese text correctly."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from ..fsutil import write_atomic
from ..models import TaskSheet
from . import columns as C
from .frame import Row, cell_text, table
from .xlsx_style import strip_controls

# A cell starting with one of these is run as a formula by spreadsheet programs; such cells get
# a leading apostrophe so a speech can never inject one (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    """A value as CSV text: dates in ISO form, control characters dropped, formula-like text made inert."""
    text = strip_controls(cell_text(value))
    return "'" + text if text.startswith(_FORMULA_START) else text


def render(rows: list[Row]) -> str:
    """The CSV text (header and one line per task, CRLF line ends, no BOM)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(C.COLUMNS)
    writer.writerows([cell(v) for v in row.values] for row in rows)
    return buf.getvalue()


def write(sheet: TaskSheet, path: Path, rows: list[Row] | None = None) -> Path:
    """Write the CSV, BOM first, to *path* atomically."""
    write_atomic(path, render(table(sheet) if rows is None else rows), encoding="utf-8-sig")
    return Path(path)
