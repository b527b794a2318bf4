import datetime as dt

import pytest

from speech_tasks.ledger.lifecycle import Edit, FieldChange, LifecycleError, State, plan, policy

D = dt.date(2024, 5, 1)


def state(status="未启动", note="", due=None, reason=""):
    return State(status, note, due, reason)


@pytest.mark.parametrize(
    "old, new, reopen, ok",
    [
        ("未启动", "推进中", False, True),
        ("未启动", "已完成", False, True),
        ("推进中", "已完成", False, True),
        ("已完成", "已销号", False, True),
        ("已完成", "推进中", False, True),
        ("延期", "推进中", False, True),
        ("未启动", "已销号", False, False),  # must be 已完成 first
        ("推进中", "未启动", False, False),
        ("已销号", "推进中", False, False),  # final unless reopened
        ("已销号", "推进中", True, True),
        ("已销号", "已完成", True, False),  # reopening only goes back to 推进中
    ],
)
def test_transitions_follow_rules_ledger_yaml(old, new, reopen, ok):
    edit = Edit(status=new, reopen=reopen)
    if ok:
        after, changes = plan(state(old), edit, None, policy())
        assert after.status == new
        assert changes == [FieldChange("status", old, new, "")]
    else:
        with pytest.raises(LifecycleError):
            plan(state(old), edit, None, policy())


def test_refusal_is_one_line_naming_the_allowed_moves():
    with pytest.raises(LifecycleError) as e:
        plan(state("推进中"), Edit(status="未启动"), None, policy())
    assert str(e.value) == "推进中 → 未启动 is not allowed (from 推进中: 延期/已完成)"
    with pytest.raises(LifecycleError, match="--reopen"):
        plan(state("已销号"), Edit(status="推进中"), None, policy())
    with pytest.raises(LifecycleError, match="unknown status '完成'"):
        plan(state(), Edit(status="完成"), None, policy())


@pytest.mark.parametrize(
    "edit",
    [
        Edit(status="延期"),
        Edit(status="延期", due=D),
        Edit(status="延期", reason="设备未到"),
        Edit(status="延期", due=D, reason="  "),
    ],
)
def test_postponing_needs_due_and_reason(edit):
    with pytest.raises(LifecycleError, match="needs a new due date and a reason"):
        plan(state("推进中"), edit, None, policy())


def test_due_and_reason_go_only_with_postponement():
    with pytest.raises(LifecycleError, match="new due date goes only with 延期"):
        plan(state("推进中"), Edit(status="已完成", due=D, reason="x"), None, policy())
    with pytest.raises(LifecycleError, match="reason goes only with 延期"):
        plan(state("推进中"), Edit(reason="x"), None, policy())


def test_postponement_records_status_and_due_explained_by_the_reason():
    after, changes = plan(state("推进中"), Edit(status="延期", due=D, reason="设备未到"), dt.date(2024, 4, 1), policy())
    assert after == State("延期", "", D, "设备未到")
    assert changes == [
        FieldChange("status", "推进中", "延期", "设备未到"),
        FieldChange("due", "2024-04-01", "2024-05-01", "设备未到"),
    ]
    # a further postponement: only the due date moves
    later = dt.date(2024, 6, 1)
    after2, changes2 = plan(after, Edit(status="延期", due=later, reason="再延"), None, policy())
    assert after2.extended_due == later
    assert changes2 == [FieldChange("due", "2024-05-01", "2024-06-01", "再延")]


@pytest.mark.parametrize(
    "edit, rows",
    [
        (Edit(status="推进中", note="已部署"), [FieldChange("status", "未启动", "推进中", "已部署")]),
        (Edit(note="已部署"), [FieldChange("note", "", "已部署", "")]),
        (Edit(status="未启动", note=""), []),  # nothing differs: nothing recorded
    ],
)
def test_a_note_rides_on_the_status_row_or_stands_alone(edit, rows):
    assert plan(state(), edit, None, policy())[1] == rows
