import re

import pytest

from speech_tasks import rules
from speech_tasks.ledger.lifecycle import LifecycleError, policy


@pytest.mark.parametrize("action, status, role, refused", [
    ("sign", "未签收", "unit", None),
    ("sign", "已签收", "unit", "签收: not possible in status 已签收"),
    ("sign", "未签收", "viewer", "签收: not allowed for role viewer"),
    ("complete", "推进中", "unit", None),
    ("review", "已完成", "unit", "审核通过: not allowed for role unit"),
    ("review", "已完成", "office", None),
    ("close", "已完成", "office", "销号: not possible in status 已完成 (only from 审核通过)"),
    ("close", "审核通过", "office", None),
    ("send_back", "审核通过", "office", None),
    ("approve_extension", "推进中", "unit", "批准延期: not allowed for role unit"),
    ("reopen", "已销号", "office", None),
    ("archive", "已销号", "office", "unknown action 'archive'"),
])
def test_who_may_do_what_is_the_rules(action, status, role, refused):
    p = policy()
    if refused:
        with pytest.raises(LifecycleError, match=re.escape(refused)):
            p.check(action, status, role)
    else:
        assert p.check(action, status, role).label


@pytest.mark.parametrize("statuses, task", [
    (["推进中", "未签收"], "未签收"), (["已完成", "审核通过"], "已完成"), (["已销号", "已销号"], "已销号"), ([], "未签收"),
])
def test_task_status_is_its_least_advanced_unit(statuses, task):
    assert policy().task_status(statuses) == task


@pytest.mark.parametrize("name, series", [
    ("2023年全市安全生产工作会议", "全市安全生产工作会议"),
    ("2024年度全市安全生产工作会议", "全市安全生产工作会议"),
    ("全市第四季度防范重特大生产安全事故视频会议", "全市防范重特大生产安全事故视频会议"),
    ("某县防汛抗旱工作会议", "某县防汛抗旱工作会议"),
    (None, None),
])
def test_series_key_drops_years_and_ordinals(name, series):
    assert policy().series_key(name) == series


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.replace("initial: 未签收", "initial: 未开始"), "unknown status '未开始'"),
    (lambda t: t.replace("  close:", "  closed:"), "actions: missing close"),
    (lambda t: t.replace("to: 已销号", "to: 销号"), "actions.close: unknown status '销号'"),
    (lambda t: t.replace("roles: [office]}", "roles: [boss]}", 1), "ledger.yaml: actions.approve_extension.roles"),
])
def test_bad_rules_name_the_file_and_key(tmp_path, edit, message):
    for f in rules.rules_dir().glob("*.yaml"):
        (tmp_path / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    target = tmp_path / "ledger.yaml"
    target.write_text(edit(target.read_text(encoding="utf-8")), encoding="utf-8")
    rules.use_directory(tmp_path)
    try:
        with pytest.raises(rules.RulesError, match=message):
            policy()
    finally:
        rules.use_directory(None)
