"""The table every export writes: one row per task, the printed and internal columns, values a user reads."""
from __future__ import annotations

import datetime as dt

import pytest

import speech_tasks
from speech_tasks.export import columns as C
from speech_tasks.export.frame import (
    MEETING_COLUMNS,
    Row,
    key_task,
    own_text,
    table,
    title,
    to_dataframe,
    unit_label,
    units_by_role,
    with_sections,
)
from speech_tasks.models import Task, Unit

from .conftest import build_sheet


def rows_by_number() -> dict[str, Row]:
    return {r["序号"]: r for r in table(build_sheet())}


@pytest.mark.parametrize(
    "number, column, expected",
    [
        ("1", "所属部分", "一、压实安全责任"),
        ("2", "所属部分", "二、强化督查检查"),
        ("1.1", "牵头单位", "市应急管理局"),
        ("1.1", "配合单位", "市住房和城乡建设局（住建部门）"),
        ("1.1", "责任单位", "各区县（承上）、各部门（承上）"),
        ("1", "责任单位", "各区县、各部门"),
        ("1.2", "责任单位", "市公安局交通警察支队（公安交警）、各区县（承上）、各部门（承上）"),
        ("2", "完成时限", "年底前；尽快"),
        ("1.1", "截止日期", dt.date(2024, 6, 30)),
        ("1.2", "截止日期", None),
        ("1", "行业领域", "燃气、道路交通"),
        ("1.1", "原文位置", "第49–106字"),
        ("1.1", "重点任务", "开展燃气安全排查"),  # the heading clause
        ("1.1.1", "重点任务", "排查餐饮场所"),  # no heading: the first clause, marker left out
        ("2", "重点任务", "市安委办要在年底前组织督查"),
        ("1", "重点任务", "各区县、各部门要按照要求"),
        ("3", "备注", "建议责任单位：市应急管理局"),  # names no body: suggestion shown
        ("1.2", "备注", ""),  # names its own body: suggestion not shown
        ("2", "备注", "截止日期为约数（年底前）"),
        ("1.1", "任务编号", "Tb"),
    ],
)
def test_cell_values(number, column, expected):
    assert rows_by_number()[number][column] == expected


def test_one_row_per_task_in_sheet_order_with_every_column():
    sheet = build_sheet()
    rows = table(sheet)
    assert [r.task.id for r in rows] == [t.id for t in sheet.tasks]
    assert all(len(r.values) == len(C.COLUMNS) for r in rows)


def test_tree_depth_and_parents():
    rows = rows_by_number()
    assert {n: (r.depth, r.has_children) for n, r in rows.items()} == {
        "1": (0, True), "1.1": (1, True), "1.1.1": (2, False), "1.1.2": (2, False),
        "1.2": (1, False), "2": (0, False), "3": (0, False),
    }


def test_parent_row_shows_its_own_text_not_its_childrens():
    rows = rows_by_number()
    assert rows["1"]["具体要求"] == "各区县、各部门要按照要求，重点抓好以下工作："
    assert rows["1.1"]["具体要求"].endswith("2024年6月30日前完成：")
    assert "排查餐饮场所" in rows["1.1.1"]["具体要求"]


def test_own_text_keeps_text_after_the_last_child_and_strips_indents():
    parent = Task(id="P", number="1", path="1", kind="numbered", text="　　引语：\nAB\n　　结语。", span=(10, 20))
    child = Task(id="C", number="1.1", parent="P", path="1/1", kind="numbered", text="AB", span=(16, 18))
    assert own_text(parent, [child]) == "引语：\n结语。"


@pytest.mark.parametrize(
    "text, name, inherited, expected",
    [
        ("市应急管理局", "市应急管理局", False, "市应急管理局"),
        ("应急", "市应急管理局", False, "市应急管理局（应急）"),
        ("应急", "市应急管理局", True, "市应急管理局（应急，承上）"),
        ("各地", "各地", True, "各地（承上）"),
    ],
)
def test_unit_label(text, name, inherited, expected):
    u = Unit(text=text, name=name, role="owner", generic=False, inherited=inherited, span=(0, 1))
    assert unit_label(u) == expected


def test_a_unit_named_twice_in_one_role_is_listed_once():
    units = [
        Unit(text="应急", name="市应急管理局", role="lead", generic=False, span=(0, 2)),
        Unit(text="应急管理局", name="市应急管理局", role="lead", generic=False, span=(5, 10)),
        Unit(text="应急", name="市应急管理局", role="assist", generic=False, span=(12, 14)),
    ]
    t = Task(id="T", number="1", path="1", kind="numbered", text="x", span=(0, 20), units=units)
    by_role = units_by_role(t)
    assert [u.text for u in by_role["lead"]] == ["应急"]
    assert [u.text for u in by_role["assist"]] == ["应急"]


@pytest.mark.parametrize(
    "title, marker, text, expected",
    [
        ("强化值班值守", "一要", "一要强化值班值守。各地要……", "强化值班值守"),
        (None, "（一）", "（一）各地要严格执行领导带班制度，遇有突发事件及时报告。", "各地要严格执行领导带班制度"),
        (None, None, "要" + "加强" * 30 + "。", "要" + "加强" * 9 + "…"),  # a long clause is cut
        (None, None, "", ""),
    ],
)
def test_key_task_is_the_heading_or_the_first_clause(title, marker, text, expected):
    task = Task(id="T", number="1", path="1", kind="numbered", text=text or "x", span=(0, 1), title=title, marker=marker)
    key = key_task(task, text)
    assert key == expected and len(key) <= C.KEY_TASK_CHARS


def test_sections_become_group_rows_before_their_first_task():
    sheet = build_sheet()
    items = [i if isinstance(i, str) else i["序号"] for i in with_sections(sheet, table(sheet))]
    assert items == ["一、压实安全责任", "1", "1.1", "1.1.1", "1.1.2", "1.2", "二、强化督查检查", "2", "3"]
    no_outline = sheet.model_copy(update={"outline": []})
    assert all(isinstance(i, Row) for i in with_sections(no_outline, table(no_outline)))


def test_title_from_meeting_or_file():
    sheet = build_sheet()
    assert title(sheet) == "全市安全生产工作会议任务分解表"
    sheet.meeting.name = None
    assert title(sheet) == "任务分解表（全市会议）"


def test_dataframe_is_the_table():
    sheet = build_sheet()
    df = speech_tasks.to_dataframe(sheet)
    assert speech_tasks.to_dataframe is to_dataframe
    assert list(df.columns) == [*C.COLUMNS, *MEETING_COLUMNS]
    assert len(df) == len(sheet.tasks)
    assert str(df["截止日期"].dtype).startswith("datetime64")
    assert df["截止日期"].iloc[1].date() == dt.date(2024, 6, 30)
    assert df["截止日期"].isna().sum() == 5
    assert df.attrs["depth"] == [0, 1, 2, 2, 1, 0, 0]
    assert df.loc[df["序号"] == "1.1", "牵头单位"].item() == "市应急管理局"


def test_empty_sheet_gives_empty_table_with_columns():
    sheet = build_sheet()
    sheet.tasks = []
    assert table(sheet) == []
    df = to_dataframe(sheet)
    assert df.empty and list(df.columns) == [*C.COLUMNS, *MEETING_COLUMNS]


def test_frames_of_several_meetings_concatenate_and_keep_their_meeting():
    import pandas as pd

    a, b = build_sheet(), build_sheet()
    b.meeting.name, b.meeting.date, b.source.file = None, None, "later.docx"
    df = pd.concat([to_dataframe(a), to_dataframe(b)], ignore_index=True)
    assert len(df) == len(a.tasks) + len(b.tasks)
    assert df.groupby("来源文件", sort=False).size().to_dict() == {a.source.file: len(a.tasks), "later.docx": len(b.tasks)}
    first = df.iloc[0]
    assert (first["会议名称"], first["会议日期"].date()) == (a.meeting.name, a.meeting.date)
    assert df["会议名称"].iloc[-1] is None and pd.isna(df["会议日期"].iloc[-1])
    assert str(df["会议日期"].dtype).startswith("datetime64")
