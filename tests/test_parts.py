"""Kinds of document (GUIDELINE §7): one speech, a compilation, a meeting record, minutes."""
from __future__ import annotations

import pytest

from speech_tasks.pipeline import extract_text

HEADER = "在全县安全生产工作会议上的讲话\n县长　王××\n（2025年2月18日）\n同志们：\n"
SPEECH = (
    "一、压实责任\n一要落实属地责任，各乡镇要每月开展一次检查。\n二要落实部门责任，县应急管理局要牵头督导。\n"
    "二、突出重点\n县住建局要在年底前完成燃气管道改造。\n"
)
RECORD = (
    "主持人：县委常委、副县长李***\n"
    "副县长李***：今天召开调度会，先请几个部门汇报。\n"
    "县应急管理局局长：今年以来，我局会同县消防救援大队开展了检查。\n"
    "县住建局局长：我局从去年12月开始排查了42个项目。\n"
    "副县长李***：刚才几个部门作了汇报。下面我提三点要求：一是县应急管理局要在1月25日前完成整改。二是由县公安局牵头，县市场监管局配合，严查烟花爆竹。三是县文化和旅游局要督促景区落实限流。\n"
)
MINUTES = (
    "县安委会2025年第一次全体会议纪要\n"
    "2025年4月15日上午，县长主持召开县安委会全体会议。\n"
    "会议听取了县应急管理局的汇报。\n"
    "会议要求，各乡镇（街道）要认真贯彻落实：\n"
    "一、压紧压实安全生产责任链条。各乡镇（街道）要严格落实党政同责。\n"
    "二、深入推进专项排查整治。县应急管理局要牵头组织排查。\n"
    "会议强调，县公安局要立即开展打非治违行动。\n"
    "出席：王××　李××\n"
)


@pytest.mark.parametrize(
    ("text", "kind_warning", "sections", "tasks"),
    [
        pytest.param(HEADER + SPEECH, None, ["压实责任", "突出重点"], ["落实属地责任", "落实部门责任", None], id="speech-with-header"),
        pytest.param(
            HEADER + SPEECH + "同志们，谢谢大家！\n\n" + HEADER.replace("县长　王××", "县委书记　孙××") + SPEECH,
            "2篇讲话", ["压实责任", "突出重点", "压实责任", "突出重点"],
            ["落实属地责任", "落实部门责任", None, "落实属地责任", "落实部门责任", None], id="compilation",
        ),
        pytest.param(RECORD, "发言人", [], ["县应急管理局要在1月25日前完成整改", "由县公安局牵头", "县文化和旅游局要督促景区落实限流"], id="record"),
        pytest.param(MINUTES, None, [], ["压紧压实安全生产责任链条", "深入推进专项排查整治", None], id="minutes"),
    ],
)
def test_kinds(text, kind_warning, sections, tasks):
    sheet = extract_text(text)
    assert [s.title for s in sheet.outline] == sections
    assert [t.title for t in sheet.tasks] == tasks
    if kind_warning:
        assert any(kind_warning in w for w in sheet.warnings), sheet.warnings


def test_record_reports_of_past_work_are_no_tasks():
    sheet = extract_text(RECORD)
    assert not any("我局" in t.text for t in sheet.tasks)
    assert [u.text for u in sheet.tasks[1].units] == ["县公安局", "县市场监管局"]


def test_minutes_points_inherit_the_addressees_of_会议要求():
    sheet = extract_text(MINUTES)
    assert [(u.text, u.inherited) for u in sheet.tasks[0].units] == [("各乡镇（街道）", False)]
    assert [(u.text, u.role) for u in sheet.tasks[1].units] == [("县应急管理局", "lead")]
    assert sheet.tasks[2].text.startswith("会议强调") or sheet.tasks[2].text.startswith("县公安局")
