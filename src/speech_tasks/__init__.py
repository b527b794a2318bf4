"""speech-tasks: Chinese work-safety meeting speeches → trackable task sheets."""
from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "extract_file", "extract_text", "to_dataframe"]


def __getattr__(name: str):
    # Lazy: `import speech_tasks` stays cheap for the CLI's cold start.
    if name in ("extract_file", "extract_text"):
        from . import pipeline

        return getattr(pipeline, name)
    if name == "to_dataframe":
        from .export.frame import to_dataframe

        return to_dataframe
    raise AttributeError(name)
