"""A small task sheet built from the models: three levels of tasks, units of every role (one
inherited, one named differently from its canonical name), deadlines with and without a due
date, sectors, a task naming no body, and a speech containing markup."""
from __future__ import annotations

import datetime as dt

from speech_tasks.models import Deadline, Meeting, OutlineNode, SectorMention, Source, Task, TaskSheet, Unit

TEXT = (
    "在全市安全生产工作会议上的讲话\n"
    "一、压实安全责任\n"
    "各区县、各部门要按照要求，重点抓好以下工作：\n"
    "1、开展燃气安全排查。由市应急管理局牵头，住建部门配合，2024年6月30日前完成：①排查餐饮场所；②排查老旧管网。\n"
    "2、加强道路交通安全管理。公安交警要每周通报<script>alert(1)</script>情况，做到A|B两清。\n"
    "二、强化督查检查\n"
    "市安委办要在年底前组织督查，尽快形成报告。\n"
    "要加强危险化学品监管。\n"
)


def span(needle: str, after: int = 0) -> tuple[int, int]:
    i = TEXT.index(needle, after)
    return (i, i + len(needle))


def through(first: str, last: str) -> tuple[int, int]:
    """From the start of *first* to the end of *last*."""
    start = span(first)[0]
    return (start, span(last, start)[1])


def unit(text: str, role: str, name: str | None = None, generic: bool = False, inherited: bool = False) -> Unit:
    return Unit(text=text, name=name or text, role=role, generic=generic, inherited=inherited, span=span(text))


def task(tid: str, number: str, sp: tuple[int, int], parent: str | None = None, section: int = 1, **kw) -> Task:
    return Task(id=tid, number=number, parent=parent, section=section, path=number, kind="numbered",
                text=TEXT[sp[0]:sp[1]], span=sp, **kw)


def build_sheet() -> TaskSheet:
    lead_in_units = [unit("各区县", "owner", generic=True), unit("各部门", "owner", generic=True)]
    inherited = [u.model_copy(update={"inherited": True}) for u in lead_in_units]
    gas = SectorMention(sector="燃气", text="燃气", span=span("燃气"))
    tasks = [
        task("Ta", "1", through("各区县、各部门要", "两清。"), units=lead_in_units,
             sectors=["燃气", "道路交通"]),
        task("Tb", "1.1", through("1、开展燃气", "老旧管网。"), parent="Ta", marker="1、", title="开展燃气安全排查",
             units=[unit("市应急管理局", "lead"), unit("住建部门", "assist", name="市住房和城乡建设局"), *inherited],
             deadlines=[Deadline(text="2024年6月30日前", kind="date", due=dt.date(2024, 6, 30),
                                 span=span("2024年6月30日前"))],
             sectors=["燃气"], sector_mentions=[gas]),
        task("Tc", "1.1.1", span("①排查餐饮场所；"), parent="Tb", marker="①", units=inherited),
        task("Td", "1.1.2", span("②排查老旧管网。"), parent="Tb", marker="②", units=inherited),
        task("Te", "1.2", through("2、加强道路", "两清。"), parent="Ta", marker="2、",
             units=[unit("公安交警", "owner", name="市公安局交通警察支队"), *inherited],
             deadlines=[Deadline(text="每周", kind="cadence", span=span("每周"))],
             sectors=["道路交通"], suggested_units=["市交通运输局"]),
        task("Tf", "2", span("市安委办要在年底前组织督查，尽快形成报告。"), section=2,
             units=[unit("市安委办", "owner", name="市安全生产委员会办公室")],
             deadlines=[Deadline(text="年底前", kind="date", due=dt.date(2024, 12, 31), approx=True, span=span("年底前")),
                        Deadline(text="尽快", kind="urgency", span=span("尽快"))]),
        task("Tg", "3", span("要加强危险化学品监管。"), section=2, sectors=["危险化学品"],
             suggested_units=["市应急管理局"]),
    ]
    outline = [
        OutlineNode(id="S1", number=1, marker="一、", title="压实安全责任",
                    span=through("一、压实", "两清。\n"), title_span=span("压实安全责任")),
        OutlineNode(id="S2", number=2, marker="二、", title="强化督查检查",
                    span=(span("二、强化")[0], len(TEXT)), title_span=span("强化督查检查")),
    ]
    return TaskSheet(
        tool_version="0.1.0",
        source=Source(file="全市会议.txt", sha256="0" * 64, encoding="utf-8", chars=len(TEXT)),
        meeting=Meeting(name="全市安全生产工作会议", date=dt.date(2024, 3, 1)),
        outline=outline,
        tasks=tasks,
    )
