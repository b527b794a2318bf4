"""``rules/readers.yaml``: limits and patterns of the non-text readers."""
from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .. import rules


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DocxRules(_Section):
    max_unpacked_mb: float = Field(300, gt=0)
    max_compression_ratio: float = Field(100, gt=1)


class PdfRules(_Section):
    edge_lines: int = Field(2, ge=0)
    repeat_share: float = Field(0.5, gt=0, le=1)
    page_number: list[str] = Field(default_factory=list)

    @field_validator("page_number")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        return [rules.regex(p) for p in patterns]


class OfficeRules(_Section):
    timeout_seconds: float = Field(120, gt=0)


class ReadersRules(_Section):
    docx: DocxRules = Field(default_factory=DocxRules)
    pdf: PdfRules = Field(default_factory=PdfRules)
    libreoffice: OfficeRules = Field(default_factory=OfficeRules)


def load() -> ReadersRules:
    return rules.load("readers", ReadersRules)


def page_number() -> re.Pattern[str]:
    """A whole line that is only a page number, from ``pdf.page_number``."""
    return rules.compiled(_page_number, ("readers", ReadersRules))


def _page_number(r: ReadersRules) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in r.pdf.page_number) or "(?!)")
