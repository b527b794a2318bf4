"""What the user sees in every export: the columns of the 任务分解表, their widths and labels.

Kept in one place so the xlsx, docx, csv, Markdown and HTML sheets (and the ledger's exports)
all say the same thing. The sheet carries no status: that is tracked in the ledger's 台账.
"""
from __future__ import annotations

from dataclasses import dataclass

SHEET_TITLE = "任务分解表"
INFO_TITLE = "说明"


@dataclass(frozen=True, slots=True)
class Column:
    """One column of the 任务分解表 and how every export lays it out."""

    name: str
    xlsx_width: float  # Excel units (a CJK character is about 2)
    docx_cm: float  # width in the docx table (0 for an internal column, which the docx leaves out)
    centered: bool = False
    internal: bool = False  # for tools and the ledger, not the document: right of the printed table


# The one definition: the columns an office sends (序号 … 备注), then the internal ones, which the
# xlsx keeps hidden at the right, outside the print area, and the docx leaves out.
# docx widths fill landscape A4 less 2 × 1.8 cm margins (26.1 cm); xlsx widths (135 units)
# print A4 landscape at 100 %.
SHEET_COLUMNS = (
    Column("序号", 6, 1.1, centered=True),
    Column("重点任务", 17, 3.2),
    Column("具体要求", 46, 9.4),
    Column("牵头单位", 13, 2.3),
    Column("责任单位", 14, 2.9),
    Column("配合单位", 13, 2.3),
    Column("完成时限", 12, 2.0),
    Column("备注", 14, 2.9),
    Column("任务编号", 13, 0, centered=True, internal=True),
    Column("所属部分", 24, 0, internal=True),
    Column("截止日期", 12, 0, centered=True, internal=True),
    Column("行业领域", 16, 0, internal=True),
    Column("原文位置", 14, 0, centered=True, internal=True),
)
COLUMNS = tuple(c.name for c in SHEET_COLUMNS)
PRINTED = tuple(c for c in SHEET_COLUMNS if not c.internal)
PRINTED_COLUMNS = tuple(c.name for c in PRINTED)

# The HTML report's task table: the printed columns and, as links and notes for the reader of
# the report, the due date, sectors and where in the speech the task is (所属部分 is a group row).
HTML_COLUMNS = (*PRINTED_COLUMNS[:-1], "截止日期", "行业领域", "原文位置", PRINTED_COLUMNS[-1])

KEY_TASK_CHARS = 20  # 重点任务 is a heading: longer first clauses are cut with "…"

ROLE_COLUMNS = {"lead": "牵头单位", "owner": "责任单位", "assist": "配合单位"}
ROLE_LABELS = {"lead": "牵头", "owner": "责任", "assist": "配合"}

# how a unit named in the lead-in or the parent task (not the task itself) is marked
INHERITED_MARK = "承上"
UNIT_SEP = "、"
DEADLINE_SEP = "；"
SECTOR_SEP = "、"
NOTE_SEP = "；"
SUGGESTED_PREFIX = "建议责任单位："
APPROX_DUE_NOTE = "截止日期为约数（{text}）"
NO_SECTION = "（未分部分）"
NO_UNIT = "（未明确单位）"


def position(span: tuple[int, int]) -> str:
    """原文位置 of a ``[start, end)`` span, 1-based and inclusive: ``第12–345字``."""
    return f"第{span[0] + 1}–{span[1]}字"


def column_index(name: str) -> int:
    """1-based position of column *name* in :data:`COLUMNS` (as openpyxl counts)."""
    return COLUMNS.index(name) + 1
