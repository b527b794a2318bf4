"""Readers for speech files that are not plain text: .docx, PDF, and through LibreOffice .doc,
.wps, .rtf and .odt.

Each reader turns a file into the text a person sees when reading it (Word's numbering labels
drawn, a PDF's running headers left out) plus a note of how it got there, which the sheet keeps
in ``source``. A reader's module, and the library it needs (python-docx, pypdfium2), is imported
only when a file of its type is read, so extracting a .txt does not pay for them.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

# suffix → module of this package that reads it
READERS = {
    ".docx": "docx",
    ".pdf": "pdf",
    ".doc": "office",
    ".wps": "office",
    ".rtf": "office",
    ".odt": "office",
}


@dataclass
class Reading:
    """The text a reader got from a file, and how (fields of :class:`~speech_tasks.models.Source`)."""

    text: str
    format: str
    converted_by: str | None = None
    numbering_rendered: int = 0
    table_rows: int = 0
    text_boxes: int = 0
    pages: int | None = None
    dropped_lines: int = 0

    def details(self) -> dict[str, object]:
        """The Source fields besides the text."""
        return {k: v for k, v in vars(self).items() if k != "text"}


def read(path: Path, raw: bytes) -> Reading:
    """Read *raw*, the bytes of *path*, with the reader for its suffix; IngestError if it cannot."""
    module = importlib.import_module(f"{__name__}.{READERS[path.suffix.lower()]}")
    return module.read(path, raw)
