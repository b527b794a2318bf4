"""任务分解表 as Markdown (GitHub tables): for wikis, issues and reading in a diff.

Rendered from ``templates/sheet.md.j2``. Cell text is escaped so that nothing in a speech
(``|``, ``*``, ``<script>``) can break the table or turn into markup.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

from ..fsutil import write_atomic
from ..models import TaskSheet
from . import columns as C
from .frame import Row, cell_text, table, title

_SPECIAL = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\n": "<br>"}


@functools.cache
def _special():
    return re.compile(r"[&<>\n]|([\\|*_`\[\]~#])")


def md_text(value: object) -> str:
    """*value* as inline Markdown text: HTML-escaped, Markdown punctuation backslashed,
    newlines as ``<br>`` (table cells are one line)."""
    return _special().sub(lambda m: "\\" + m[1] if m[1] else _SPECIAL[m[0]], cell_text(value))


def render(sheet: TaskSheet, rows: list[Row] | None = None) -> str:
    from .html import environment

    return environment().get_template("sheet.md.j2").render(
        title=title(sheet),
        sheet=sheet,
        columns=C.PRINTED_COLUMNS,
        rows=table(sheet) if rows is None else rows,
    )


def write(sheet: TaskSheet, path: Path, rows: list[Row] | None = None) -> Path:
    """Write the Markdown sheet to *path* atomically."""
    write_atomic(path, render(sheet, rows))
    return Path(path)
