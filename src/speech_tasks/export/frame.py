"""The 任务分解表 as a table: one row per task, the columns of :data:`columns.COLUMNS`.

:func:`table` computes the rows every export writes (xlsx, docx, csv, Markdown, HTML);
:func:`to_dataframe` is the same table as a pandas DataFrame, for analysis.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..models import Task, TaskSheet, Unit
from . import cells
from . import columns as C

if TYPE_CHECKING:
    import pandas as pd

_CLAUSE_END = re.compile(r"[，。；：！？,;:!?\n]")


@dataclass(frozen=True, slots=True)
class Row:
    """One task's row: its values in column order, its place in the task tree, the task."""

    task: Task
    depth: int
    has_children: bool
    values: tuple[Any, ...]

    def __getitem__(self, column: str) -> Any:
        return self.values[_INDEX[column]]


_INDEX = {name: i for i, name in enumerate(C.COLUMNS)}


def cell_text(value: object) -> str:
    """A cell value as plain text: empty for None, dates in ISO form (2024-06-30), control
    characters dropped (see :mod:`.cells`)."""
    return cells.cell_text(value)


def clean_text(text: str) -> str:
    """Speech text for a cell: each line stripped (full-width indents too), blank lines dropped."""
    lines = (line.strip(" \t\u3000\xa0") for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def own_text(task: Task, children: Iterable[Task]) -> str:
    """The task's text without its child tasks' text: the heading and lead-in of a parent task
    (and any closing sentences after its last child), the whole text of a leaf."""
    start, end = task.span
    pieces, pos = [], start
    for child in sorted(children, key=lambda c: c.span):
        c_start, c_end = child.span
        if c_start < pos or c_end > end:  # not inside the parent, or overlapping a sibling
            continue
        pieces.append(task.text[pos - start : c_start - start])
        pos = c_end
    pieces.append(task.text[pos - start :])
    return "\n".join(p for p in map(clean_text, pieces) if p)


def unit_label(unit: Unit) -> str:
    """``canonical`` or ``canonical（surface）``, with the inherited mark: ``市应急管理局（应急，承上）``."""
    notes = [unit.text] if unit.text and unit.text != unit.name else []
    if unit.inherited:
        notes.append(C.INHERITED_MARK)
    return f"{unit.name}（{'，'.join(notes)}）" if notes else unit.name


def key_task(task: Task, own: str) -> str:
    """重点任务: the task's heading clause, or the first clause of its own text (marker left
    out), at most :data:`columns.KEY_TASK_CHARS` characters."""
    text = task.title or ""
    if not text:
        text = own
        if task.marker and text.startswith(task.marker):
            text = text[len(task.marker) :]
        m = _CLAUSE_END.search(text)
        text = text[: m.start()] if m else text
    text = text.strip(" \t\u3000，。；：、,.;:")
    return text if len(text) <= C.KEY_TASK_CHARS else text[: C.KEY_TASK_CHARS - 1] + "…"


def units_by_role(task: Task) -> dict[str, list[Unit]]:
    """The task's units per role, in order of mention, one entry per canonical name."""
    out: dict[str, list[Unit]] = {role: [] for role in C.ROLE_COLUMNS}
    seen: set[tuple[str, str]] = set()
    for u in task.units:
        if (u.role, u.name) not in seen:
            seen.add((u.role, u.name))
            out[u.role].append(u)
    return out


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))


def earliest_due(task: Task) -> dt.date | None:
    dues = [d.due for d in task.deadlines if d.due is not None]
    return min(dues) if dues else None


def section_label(sheet: TaskSheet, section: int | None) -> str:
    """所属部分: the section's marker and title as the speech writes them (``一、压实责任``)."""
    for node in sheet.outline:
        if node.number == section:
            return f"{node.marker}{node.title}"
    return ""


def _notes(task: Task) -> str:
    notes = []
    if task.suggested_units and all(u.generic for u in task.units):
        notes.append(C.SUGGESTED_PREFIX + C.UNIT_SEP.join(_unique(task.suggested_units)))
    dated = [d for d in task.deadlines if d.due is not None]
    if dated:
        first = min(dated, key=lambda d: d.due)
        if first.approx:
            notes.append(C.APPROX_DUE_NOTE.format(text=first.text))
    return C.NOTE_SEP.join(notes)


def depths(sheet: TaskSheet) -> dict[str, int]:
    """Depth of each task in the task tree (0 for a task with no parent task)."""
    parent = {t.id: t.parent for t in sheet.tasks}
    out: dict[str, int] = {}
    for t in sheet.tasks:
        depth, p, seen = 0, t.parent, {t.id}
        while p is not None and p in parent and p not in seen:
            seen.add(p)
            depth, p = depth + 1, parent[p]
        out[t.id] = depth
    return out


def children_map(sheet: TaskSheet) -> dict[str | None, list[Task]]:
    out: dict[str | None, list[Task]] = {}
    for t in sheet.tasks:
        out.setdefault(t.parent, []).append(t)
    return out


def table(sheet: TaskSheet) -> list[Row]:
    """The rows of the 任务分解表, in the sheet's task order (a parent before its children)."""
    depth = depths(sheet)
    kids = children_map(sheet)
    rows = []
    for t in sheet.tasks:
        by_role = units_by_role(t)
        own = own_text(t, kids.get(t.id, ()))
        values = {
            "序号": t.number,
            "重点任务": key_task(t, own),
            "具体要求": own,
            "牵头单位": C.UNIT_SEP.join(map(unit_label, by_role["lead"])),
            "责任单位": C.UNIT_SEP.join(map(unit_label, by_role["owner"])),
            "配合单位": C.UNIT_SEP.join(map(unit_label, by_role["assist"])),
            "完成时限": C.DEADLINE_SEP.join(_unique(d.text for d in t.deadlines)),
            "备注": _notes(t),
            "任务编号": t.id,
            "所属部分": section_label(sheet, t.section),
            "截止日期": earliest_due(t),
            "行业领域": C.SECTOR_SEP.join(_unique(t.sectors)),
            "原文位置": C.position(t.span),
        }
        rows.append(
            Row(
                task=t,
                depth=depth[t.id],
                has_children=t.id in kids,
                values=tuple(values[c] for c in C.COLUMNS),
            )
        )
    return rows


def with_sections(sheet: TaskSheet, rows: list[Row]) -> Iterator[str | Row]:
    """*rows* with each section's label (``一、压实责任``) before its first row: the group rows of
    the printed sheet. A speech without sections gives the rows alone."""
    if not sheet.outline:
        yield from rows
        return
    current = None
    for row in rows:
        label = row["所属部分"] or C.NO_SECTION
        if label != current:
            current = label
            yield label
        yield row


def title(sheet: TaskSheet) -> str:
    """Document title: ``<meeting name>任务分解表``, or ``任务分解表（<file stem>）`` when the
    meeting's name is unknown."""
    if sheet.meeting.name:
        return f"{sheet.meeting.name}{C.SHEET_TITLE}"
    return f"{C.SHEET_TITLE}（{Path(sheet.source.file).stem}）"


def subtitle(sheet: TaskSheet, rows: list[Row]) -> str:
    """The line under the title: meeting date, source file and number of tasks."""
    parts = []
    if sheet.meeting.date:
        d = sheet.meeting.date
        parts.append(f"会议日期：{d.year}年{d.month}月{d.day}日")
    parts.append(f"来源：{sheet.source.file}")
    parts.append(f"共{len(rows)}项任务")
    return "　".join(parts)


# Columns the DataFrame adds after the sheet's columns, so that the frames of several meetings
# can be concatenated and still tell which meeting each row comes from.
MEETING_COLUMNS = ("会议名称", "会议日期", "来源文件")


def to_dataframe(sheet: TaskSheet) -> pd.DataFrame:
    """The 任务分解表 as a DataFrame: the columns of every export, one row per task, then the
    meeting's name, date and source file (:data:`MEETING_COLUMNS`) on every row, so that
    ``pd.concat`` of several meetings' frames keeps them apart.

    截止日期 and 会议日期 are datetime64 columns (NaT when unknown); the task tree depth is in
    ``df.attrs["depth"]`` (a list, in row order) and the title in ``df.attrs["title"]``.
    """
    import pandas as pd

    rows = table(sheet)
    meeting = (sheet.meeting.name, sheet.meeting.date, sheet.source.file)
    df = pd.DataFrame([(*r.values, *meeting) for r in rows], columns=[*C.COLUMNS, *MEETING_COLUMNS])
    df["截止日期"] = pd.to_datetime(df["截止日期"])
    df["会议日期"] = pd.to_datetime(df["会议日期"])
    df.attrs["title"] = title(sheet)
    df.attrs["depth"] = [r.depth for r in rows]
    return df
