"""催办 list: per unit, its overdue or unsigned assignments, as an xlsx or a docx ready to send.

`speech-tasks track remind -o 催办.docx` (or .xlsx). Which assignments are listed is
:func:`view.reminders`; due dates and days overdue are as of *today*.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..export import xlsx_style as style
from ..fsutil import atomic_path
from .db import ROLE_LABELS, LedgerError
from .model import Assignment
from .view import Row

HEADER = ["单位", "任务编号", "序号", "工作任务", "角色", "截止日期", "状态", "逾期天数", "催办原因", "最近进展"]


WIDTHS_CM = [2.4, 1.0, 8.0, 1.2, 2.2, 1.6, 1.4, 2.2, 5.0]  # docx columns (单位 is the heading)


def _line(unit: str, r: Row, a: Assignment, why: str, today: dt.date) -> list:
    late = (today - a.due).days if a.due and a.due < today else ""
    return [unit, r.task.id, r.task.number, r.task.text, ROLE_LABELS.get(a.role, a.role), a.due or "", a.status, late,
            why, a.last_note]


def write_xlsx(path: Path, items: dict[str, list[tuple[Row, Assignment, str]]], today: dt.date) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "催办"
    style.append_rows(ws, [HEADER] + [_line(unit, r, a, why, today) for unit, rows in items.items() for r, a, why in rows])
    style.style_table(ws, widths=[18, 13, 7, 48, 6, 11, 9, 8, 12, 30], date_columns=[6], centered_columns=[3, 5, 6, 7, 8])
    wb.properties.title = f"催办清单 {today.isoformat()}"
    with atomic_path(path) as tmp:
        wb.save(tmp)


def write_docx(path: Path, items: dict[str, list[tuple[Row, Assignment, str]]], today: dt.date) -> None:
    """One page per unit: a 催办通知 heading, a sentence, and a table of its assignments."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm

    clean = style.strip_controls
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    section.left_margin = section.right_margin = Cm(2)
    doc.add_heading(f"催办清单（截至 {today.year}年{today.month}月{today.day}日）", level=1)
    columns = [c for c in HEADER if c != "单位"]
    for n, (unit, rows) in enumerate(items.items()):
        if n:
            doc.add_page_break()
        doc.add_heading(clean(f"{unit}：催办通知"), level=2)
        doc.add_paragraph(clean(f"{unit}：下列 {len(rows)} 项督办事项逾期未完成或尚未签收，请于收到后及时签收、"
                                f"推进并报送进展情况。"))
        table = doc.add_table(rows=1, cols=len(columns))
        table.style = "Table Grid"
        table.autofit = False
        for cell, text in zip(table.rows[0].cells, columns):
            cell.text = text
        for r, a, why in rows:
            values = _line(unit, r, a, why, today)[1:]
            for cell, value in zip(table.add_row().cells, values):
                cell.text = clean(value.isoformat() if isinstance(value, dt.date) else str(value))
        for row in table.rows:
            for cell, width in zip(row.cells, WIDTHS_CM):
                cell.width = Cm(width)
    if not items:
        doc.add_paragraph("没有逾期或未签收的督办事项。")
    with atomic_path(path) as tmp:
        doc.save(tmp)


def write(path: str | Path, items: dict[str, list[tuple[Row, Assignment, str]]], today: dt.date) -> None:
    """The 催办 list as .xlsx or .docx, by *path*'s suffix."""
    path = Path(path)
    writers = {".xlsx": write_xlsx, ".docx": write_docx}
    if path.suffix.lower() not in writers:
        raise LedgerError(f"{path}: a 催办 list is written as .xlsx or .docx")
    try:
        writers[path.suffix.lower()](path, items, today)
    except OSError as e:
        raise LedgerError(f"{path}: cannot write ({e.strerror or e})") from None
