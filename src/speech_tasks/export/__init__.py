"""Task sheet exports: ``<stem>.json|xlsx|docx|csv|md|html`` beside each other in one folder.

:func:`write` is what ``speech-tasks extract --format …`` calls. Each format's writer lives in
its own module and imports its library (openpyxl, python-docx, Jinja2) only when used.
:func:`read_sheet` reads a JSON sheet back (`track import`, `diff`) with a one-line error.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from ..fsutil import all_or_nothing, atomic_file
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


# a speech up to this long (30 times the usual) has its sheet serialized in one piece
ONE_PIECE_CHARS = 100_000


def json_chunks(sheet: TaskSheet, one_piece_chars: int = ONE_PIECE_CHARS) -> Iterator[bytes]:
    """``sheet.model_dump_json(indent=2)`` and a newline, byte for byte: in one piece for a speech
    of up to *one_piece_chars* characters, else a task at a time, so that a large sheet never
    exists as one string (a 50 MB speech's would be hundreds of MB, twice over while pydantic
    hands it on)."""
    serializer = TaskSheet.__pydantic_serializer__
    empty = b'\n  "tasks": [],\n'
    head = b""
    if sheet.source.chars > one_piece_chars and sheet.tasks:
        head = serializer.to_json(sheet.model_copy(update={"tasks": []}), indent=2)
    if head.count(empty) != 1:  # a small sheet, or no tasks to write one at a time
        yield serializer.to_json(sheet, indent=2) + b"\n"
        return
    before, after = head.split(empty)
    yield before + b'\n  "tasks": [\n    '
    task_serializer = type(sheet.tasks[0]).__pydantic_serializer__
    for i, task in enumerate(sheet.tasks):
        # JSON strings hold no raw newline, so every newline is indentation to deepen
        yield (b",\n    " if i else b"") + task_serializer.to_json(task, indent=2).replace(b"\n", b"\n    ")
    yield b"\n  ],\n" + after + b"\n"


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

    The stem is the speech file's unless given. The set is written whole or not at all: every
    format goes to a temporary file first (``.<stem>.<format>.<random>.tmp``), and only when all
    are written are they renamed into place (:func:`.fsutil.all_or_nothing`), so a failure (a
    writer's error, a full disk, a read-only folder) leaves the previous outputs as they were,
    never a new .json beside an old .xlsx. *source_text*, the full decoded speech the task spans
    index into, lets the HTML report show the whole speech with each task's passage highlighted.
    Unknown formats raise ValueError before anything is written.
    """
    wanted = check_formats(formats)
    stem = stem or Path(sheet.source.file).stem
    paths = [Path(out_dir) / f"{stem}.{fmt}" for fmt in wanted]
    rows = None
    if any(f != "json" for f in wanted):
        from .frame import table

        rows = table(sheet)
    with all_or_nothing():
        for fmt, path in zip(wanted, paths):
            _write_one(sheet, fmt, path, rows, source_text)
    return paths


def _write_one(sheet: TaskSheet, fmt: str, path: Path, rows, source_text: str | None) -> None:
    """Write one format of the sheet to *path* (atomically, through its own temporary file: every
    writer goes through :mod:`.fsutil`, so that :func:`write` can hold back the renames)."""
    if fmt == "json":
        with atomic_file(path) as f:
            f.writelines(json_chunks(sheet))
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
