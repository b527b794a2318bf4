"""meeting stage (being written)."""
from __future__ import annotations

from .document import Doc


def run(doc: Doc) -> None:
    return None
