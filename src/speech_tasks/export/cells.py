"""What every writer puts into a cell, a paragraph or a line: text a file format can hold, never a formula.

One place for the whole class of problems the writers share:

- control characters (``\\x00``–``\\x08``, ``\\v``, ``\\f``, ``\\x0e``–``\\x1f``), U+FFFE/U+FFFF and lone
  surrogates are not allowed in XML, so openpyxl and python-docx refuse them: ``\\f`` and ``\\v``
  become line breaks, the rest are dropped (:func:`clean`);
- text that starts like a formula (``=``, ``+``, ``-``, ``@``, tab, CR) is run by spreadsheet
  programs: in a workbook it is stored as a string cell (:func:`xlsx_value` and
  :func:`mark_text`), in CSV it gets a leading apostrophe (:func:`csv_text`, OWASP "CSV
  injection").

Writers of xlsx go through :func:`speech_tasks.export.xlsx_style.append_rows`, writers of CSV
through :func:`speech_tasks.export.csv.cell`; both call this module.
"""
from __future__ import annotations

import datetime as dt
import re

_ILLEGAL = re.compile("[\x00-\x08\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_BREAKS = re.compile("[\x0b\x0c]")
_EITHER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")  # one search for most text
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAX_CHARS = 32767  # Excel's limit for one cell


def clean(text: str) -> str:
    """*text* without characters XML cannot hold; form feed and vertical tab become line breaks."""
    if _EITHER.search(text) is None:
        return text
    if _ILLEGAL.search(text):
        text = _ILLEGAL.sub("", text)
    if _BREAKS.search(text):
        text = _BREAKS.sub("\n", text)
    return text


def clean_value(value: object) -> object:
    """*value* with :func:`clean` applied when it is text; other values as they are."""
    return clean(value) if isinstance(value, str) else value


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_START)


def cell_text(value: object) -> str:
    """A value as plain text: empty for None, dates in ISO form (2024-06-30), cleaned."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return clean(str(value))


def csv_text(value: object) -> str:
    """A value as CSV text: cleaned, formula-like text made inert by a leading apostrophe."""
    text = cell_text(value)
    return "'" + text if is_formula_like(text) else text


def xlsx_value(value: object) -> object:
    """A value for a workbook cell: text cleaned and cut to Excel's cell limit, empty text as no
    value; other values as they are. Store it with :func:`mark_text` so it stays text."""
    if isinstance(value, str):
        if value == "":
            return None
        value = clean(value)
        if len(value) > XLSX_MAX_CHARS:
            value = value[: XLSX_MAX_CHARS - 1] + "…"
    return value


def jinja_finalize(value):
    """Jinja2 ``finalize``: every printed value cleaned (escaped markup stays markup)."""
    import markupsafe

    if isinstance(value, markupsafe.Markup):
        return markupsafe.Markup(clean(str(value)))
    return clean(value) if isinstance(value, str) else value


def mark_text(cell) -> None:
    """Keep an openpyxl cell whose text looks like a formula a string (openpyxl would store ``=…``
    as a formula)."""
    if cell.data_type == "f":
        cell.data_type = "s"
