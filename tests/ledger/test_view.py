import datetime as dt

import pytest

from speech_tasks.ledger.lifecycle import Edit
from speech_tasks.ledger.view import Filters, select, unit_summary

from .sheets import base_tasks, sheet

TODAY = dt.date(2024, 4, 10)  # T1 overdue (03-31), T2 due in 5 days (04-15), T3 no date


def ids(ledger, **filters):
    return [r.task.id[-1] for r in select(ledger.tasks(), ledger.meetings(), Filters(**filters), TODAY, ledger.rules)]


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({}, ["1", "2", "3"]),
        ({"units": ("应急",)}, ["1", "3"]),
        ({"units": ("住建", "镇街")}, ["2"]),  # any role, any of the names
        ({"statuses": ("推进中",)}, ["2"]),
        ({"overdue": True}, ["1"]),
        ({"warnings": ("蓝",)}, ["2"]),
        ({"due_before": dt.date(2024, 4, 15)}, ["1"]),  # before, not on
        ({"meeting": "2024-03"}, ["1", "2", "3"]),
        ({"meeting": "安全生产工作会议"}, ["1", "2", "3"]),
        ({"meeting": "2023"}, []),
    ],
)
def test_filters(ledger, filters, expected):
    ledger.update("T0000000002", Edit(status="推进中"), "alice")
    assert ids(ledger, **filters) == expected


def test_tasks_gone_from_the_latest_sheet_are_shown_only_on_request(ledger):
    ledger.import_sheet(sheet(base_tasks()[:2], version="v2"), "bob")
    assert ids(ledger) == ["1", "2"]
    assert ids(ledger, removed=True) == ["1", "2", "3"]


def test_unit_summary_counts_status_and_warnings_per_unit(ledger):
    ledger.update("T0000000003", Edit(status="已完成"), "alice")
    rows = select(ledger.tasks(), ledger.meetings(), Filters(), TODAY, ledger.rules)
    summary = {s.unit: s.as_dict() for s in unit_summary(rows)}
    assert list(summary) == ["市应急管理局", "各镇街", "市住建局"]  # most red first
    assert summary["市应急管理局"] == {
        "unit": "市应急管理局", "tasks": 2, "未启动": 1, "推进中": 0, "已完成": 1, "已销号": 0, "延期": 0,
        "红": 1, "黄": 0, "蓝": 0,
    }
    assert summary["市住建局"]["蓝"] == 1


def test_unit_summary_of_some_units_only(ledger):
    rows = select(ledger.tasks(), ledger.meetings(), Filters(units=("住建",)), TODAY, ledger.rules)
    assert [s.unit for s in unit_summary(rows, ("住建",))] == ["市住建局"]  # not 各镇街, its co-owner
