"""Task sheets built from the models, as `speech-tasks extract` would write them, and the edit
staff make to an exported ledger workbook in Excel."""
from __future__ import annotations

import datetime as dt
import hashlib

from openpyxl import load_workbook

MAIN = "台账"
from speech_tasks.models import Deadline, Meeting, Source, Task, TaskSheet, Unit

MEETING_DATE = dt.date(2024, 3, 1)


def task(tid: str, number: str, text: str, units=(("市应急管理局", "lead"),), due: dt.date | None = None,
         deadline: str | None = None) -> Task:
    return Task(
        id=tid,
        number=number,
        parent=None,
        section=1,
        path=f"一/{number}",
        kind="numbered",
        text=text,
        span=(0, len(text)),
        units=[Unit(text=n, name=n, role=r, generic=False, span=(0, 1)) for n, r in units],
        deadlines=[Deadline(text=deadline or f"{due:%m月%d日}前", kind="date", due=due, span=(0, 1))] if due or deadline else [],
        sectors=["危化品"],
    )


def sheet(tasks: list[Task], stem: str = "2024-03-01_安委会", version: str = "v1") -> TaskSheet:
    return TaskSheet(
        tool_version="test",
        source=Source(file=f"{stem}.txt", sha256=hashlib.sha256(version.encode()).hexdigest(), encoding="utf-8", chars=100),
        meeting=Meeting(name="全市安全生产工作会议", date=MEETING_DATE),
        tasks=tasks,
    )


def base_tasks() -> list[Task]:
    return [
        task("T0000000001", "1", "开展危化品安全专项整治。", due=dt.date(2024, 3, 31)),
        task("T0000000002", "2", "各镇街开展隐患排查。", units=(("各镇街", "owner"), ("市住建局", "assist")), due=dt.date(2024, 4, 15)),
        task("T0000000003", "3", "加强值班值守。", deadline="长期坚持"),
    ]


def edit_rows(path, changes: dict[str, dict[str, object]]) -> None:
    """What staff do in Excel: overwrite cells of the 台账 rows of some tasks."""
    wb = load_workbook(path)
    ws = wb[MAIN]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        for column, value in changes.get(row[0].value, {}).items():
            row[header.index(column)].value = value
    wb.save(path)
