"""Ingest: file bytes → working document (minimal version; being completed)."""
from __future__ import annotations

import hashlib
from pathlib import Path

from .document import Doc


class IngestError(Exception):
    """The file cannot be read as a speech; the message says why in one line."""


def from_text(text: str, name: str = "speech.txt") -> Doc:
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return Doc(source=text, text=text, name=name, sha256=hashlib.sha256(text.encode()).hexdigest())


def read_file(path: Path) -> Doc:
    raw = path.read_bytes()
    doc = from_text(raw.decode("utf-8-sig"), name=path.name)
    doc.sha256 = hashlib.sha256(raw).hexdigest()
    return doc
