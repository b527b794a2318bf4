"""What the user sees in every export: column headers, their widths, labels and status values.

Kept in one place so the xlsx, docx, csv, Markdown and HTML sheets (and the ledger's exports)
all say the same thing. The statuses themselves live in :data:`speech_tasks.models.STATUSES`,
shared with the ledger.
"""
from __future__ import annotations

from ..models import STATUSES

SHEET_TITLE = "任务分解表"
INFO_TITLE = "说明"

COLUMNS = (
    "序号",
    "任务编号",
    "所属部分",
    "工作任务",
    "牵头单位",
    "责任单位",
    "配合单位",
    "完成时限",
    "截止日期",
    "行业领域",
    "原文位置",
    "状态",
    "进展情况",
    "备注",
)

# The HTML report's task table: 所属部分 becomes a group row, 任务编号 goes under 序号, and the
# tracking columns (状态, 进展情况), empty at extraction, are left to the xlsx.
HTML_COLUMNS = tuple(c for c in COLUMNS if c not in ("任务编号", "所属部分", "状态", "进展情况"))

# xlsx column widths (Excel units, ~2 per Chinese character), in COLUMNS order.
XLSX_WIDTHS = (8, 13, 18, 60, 14, 18, 14, 14, 12, 12, 13, 9, 20, 20)
# docx column widths in centimetres for landscape A4 with 1.3 cm margins (27.1 cm), COLUMNS order.
DOCX_WIDTHS_CM = (1.1, 1.75, 1.9, 6.25, 1.7, 1.9, 1.5, 1.6, 1.75, 1.4, 1.7, 1.25, 1.4, 1.8)
# short code-like columns, centred
CENTERED = ("序号", "任务编号", "截止日期", "原文位置", "状态")
# code-like columns, set smaller in the docx table
SMALL = ("任务编号", "原文位置")

ROLE_COLUMNS = {"lead": "牵头单位", "owner": "责任单位", "assist": "配合单位"}
ROLE_LABELS = {"lead": "牵头", "owner": "责任", "assist": "配合"}
DEFAULT_STATUS = STATUSES[0]

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
