"""Task sheet exports: ``<stem>.json|xlsx|docx|csv|md|html`` beside each other in one folder.

:func:`write` is what ``speech-tasks extract --format …`` calls. Each format's writer lives in
its own module and imports its library (openpyxl, python-docx, Jinja2) only when used.
:func:`read_sheet` reads a JSON sheet back (`track import`, `diff`) with a one-line error.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..fsutil import write_atomic
from ..models import TaskSheet

FORMATS = ("json", "xlsx", "docx", "csv", "md", "html")
DEFAULT_FORMATS = ("json", "xlsx", "html")

__all__ = ["DEFAULT_FORMATS", "FORMATS", "SheetError", "check_formats", "read_sheet", "write"]


class SheetError(ValueError):
    """A JSON task sheet cannot be read; the message names the file and the problem."""


def read_sheet(path: Path) -> TaskSheet:
    """The task sheet in JSON file *path*, as :func:`write` wrote it; SheetError if it is not one."""
    from pydantic import ValidationError

    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise SheetError(f"{path}: cannot read ({e.strerror or e})") from None
    try:
        return TaskSheet.model_validate_json(data)
    except ValidationError as e:
        errors = e.errors()
        first = errors[0]
        if first["type"] == "json_invalid":
            raise SheetError(f"{path}: not valid JSON ({first['msg']})") from None
        where = ".".join(str(x) for x in first["loc"]) or "(top level)"
        more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
        raise SheetError(f"{path}: not a task sheet ({where}: {first['msg']}){more}") from None


def check_formats(formats: Sequence[str]) -> list[str]:
    """*formats* lower-cased, without repeats, in the given order; ValueError naming any unknown."""
    wanted = list(dict.fromkeys(f.strip().lower() for f in formats))
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown export format {', '.join(map(repr, unknown))}; known: {', '.join(FORMATS)}")
    return wanted


def write(
    sheet: TaskSheet, out_dir: Path, formats: Sequence[str], source_text: str | None = None, stem: str | None = None
) -> list[Path]:
    """Write *sheet* to ``out_dir/<stem>.<format>`` for each of *formats*; return the paths.

    The stem is the speech file's unless given. Each file is written atomically. *source_text*, the full
    decoded speech the task spans index into, lets the HTML report show the whole speech with
    each task's passage highlighted. Unknown formats raise ValueError before anything is written.
    """
    wanted = check_formats(formats)
    out_dir = Path(out_dir)
    stem = stem or Path(sheet.source.file).stem
    rows = None
    if any(f != "json" for f in wanted):
        from .frame import table

        rows = table(sheet)
    paths = []
    for fmt in wanted:
        path = out_dir / f"{stem}.{fmt}"
        if fmt == "json":
            write_atomic(path, sheet.model_dump_json(indent=2) + "\n")
        elif fmt == "xlsx":
            from . import xlsx

            xlsx.write(sheet, path, rows)
        elif fmt == "docx":
            from . import docx

            docx.write(sheet, path, rows)
        elif fmt == "csv":
            from . import csv

            csv.write(sheet, path, rows)
        elif fmt == "md":
            from . import markdown

            markdown.write(sheet, path, rows)
        else:
            from . import html

            html.write(sheet, path, rows, source_text)
        paths.append(path)
    return paths
