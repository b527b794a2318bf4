"""Deadlines stage: timing expressions of a task, their kind and due date (GUIDELINE §4)."""
from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from speech_tasks import deadlines, numerals, rules
from speech_tasks.deadlines import HEAD_DEPTH, find_deadlines, pattern_heads
from speech_tasks.document import Doc, TaskDraft

MEETING = dt.date(2023, 10, 12)  # a Thursday
D = dt.date


def found(sentence: str, meeting: dt.date | None = MEETING):
    return [(d.text, d.kind, d.due, d.approx) for d in find_deadlines(sentence, 0, len(sentence), meeting)]


# sentence → (text, kind, due for a meeting on 2023-10-12, approx)
GOLDEN = [
    # calendar dates: arabic and Chinese numerals, the year rolls when the day has passed
    ("各地要在6月30日前完成整改", "6月30日前", "date", D(2024, 6, 30), False),
    ("10月底前完成全部排查", "10月底前", "date", D(2023, 10, 31), True),
    ("确保十二月底前全面完成", "十二月底前", "date", D(2023, 12, 31), True),
    ("6月底全部完成", "6月底", "date", D(2024, 6, 30), True),
    ("考核巡查时间定于12月左右", "12月左右", "date", D(2023, 12, 31), True),
    ("各单位于2023年11月30日前报送", "2023年11月30日前", "date", D(2023, 11, 30), False),
    ("二〇二三年十一月三十日前报市安委办", "二〇二三年十一月三十日前", "date", D(2023, 11, 30), False),
    ("11月中旬组织验收", "11月中旬", "date", D(2023, 11, 20), True),
    ("11月上旬完成自查", "11月上旬", "date", D(2023, 11, 10), True),
    ("12月下旬前完成", "12月下旬前", "date", D(2023, 12, 31), True),
    ("12月初开展复查", "12月初", "date", D(2023, 12, 5), True),
    ("12月31日24时前完成", "12月31日24时前", "date", D(2023, 12, 31), False),
    ("11月30号前上报", "11月30号前", "date", D(2023, 11, 30), False),
    ("3月31日之前完成", "3月31日之前", "date", D(2024, 3, 31), False),
    ("确保11月15日以前整改到位", "11月15日以前", "date", D(2023, 11, 15), False),
    ("6月前完成", "6月前", "date", D(2024, 5, 31), False),
    ("于12月完成验收", "12月", "date", D(2023, 12, 31), False),
    ("于6月份完成", "6月份", "date", D(2024, 6, 30), False),
    ("明年3月底前全部完成", "明年3月底前", "date", D(2024, 3, 31), True),
    ("今年11月底前完成", "今年11月底前", "date", D(2023, 11, 30), True),
    ("11月中下旬组织抽查", "11月中下旬", "date", D(2023, 11, 30), True),
    ("今年10月份要完成", "今年10月份", "date", D(2023, 10, 31), False),
    ("2024年3月完成", "2024年3月", "date", D(2024, 3, 31), False),
    ("到2025年底实现动态清零", "2025年底", "date", D(2025, 12, 31), True),
    ("到2025年，重特大事故得到有效遏制", "2025年", "date", D(2025, 12, 31), False),
    ("10 月 31 日前完成", "10 月 31 日前", "date", D(2023, 10, 31), False),
    ("11月30日（周四）前报送", "11月30日（周四）前", "date", D(2023, 11, 30), False),
    ("15日前上报", "15日前", "date", D(2023, 10, 15), False),
    ("本月20日前报送", "本月20日前", "date", D(2023, 10, 20), False),
    ("下月10日前报送", "下月10日前", "date", D(2023, 11, 10), False),
    ("10日前上报", "10日前", "date", D(2023, 11, 10), False),
    # the year, quarter, half year, month, week
    ("年底前全部完成", "年底前", "date", D(2023, 12, 31), True),
    ("今年年底前全部完成", "今年年底前", "date", D(2023, 12, 31), True),
    ("2024年底前全部完成", "2024年底前", "date", D(2024, 12, 31), True),
    ("年末完成清零", "年末", "date", D(2023, 12, 31), True),
    ("年内完成整治", "年内", "date", D(2023, 12, 31), False),
    ("今年内完成整治", "今年内", "date", D(2023, 12, 31), False),
    ("三季度末前完成", "三季度末前", "date", D(2024, 9, 30), True),
    ("三季度末完成", "三季度末", "date", D(2024, 9, 30), True),
    ("本季度末完成", "本季度末", "date", D(2023, 12, 31), True),
    ("上半年末完成", "上半年末", "date", D(2024, 6, 30), True),
    ("月底前报送", "月底前", "date", D(2023, 10, 31), True),
    ("本月底前报送", "本月底前", "date", D(2023, 10, 31), True),
    ("本月内完成", "本月内", "date", D(2023, 10, 31), False),
    ("下月中旬前报送", "下月中旬前", "date", D(2023, 11, 20), True),
    ("本周内完成", "本周内", "date", D(2023, 10, 15), False),
    ("下周三前报送", "下周三前", "date", D(2023, 10, 18), False),
    ("本周五前报送", "本周五前", "date", D(2023, 10, 13), False),
    # relative to the meeting date
    ("一个月内完成", "一个月内", "date", D(2023, 11, 12), False),
    ("两个月内完成", "两个月内", "date", D(2023, 12, 12), False),
    ("三个月内完成", "三个月内", "date", D(2024, 1, 12), False),
    ("半个月内完成", "半个月内", "date", D(2023, 10, 27), False),
    ("两周内完成", "两周内", "date", D(2023, 10, 26), False),
    ("一周内完成", "一周内", "date", D(2023, 10, 19), False),
    ("30日内整改", "30日内", "date", D(2023, 11, 11), False),
    ("三十日内整改", "三十日内", "date", D(2023, 11, 11), False),
    ("7天内完成", "7天内", "date", D(2023, 10, 19), False),
    ("10个工作日内办结", "10个工作日内", "date", D(2023, 10, 26), False),
    ("十个工作日内办结", "十个工作日内", "date", D(2023, 10, 26), False),
    ("3个工作日内反馈", "3个工作日内", "date", D(2023, 10, 17), False),
    ("24小时内上报", "24小时内", "date", D(2023, 10, 13), False),
    ("一年内完成改造", "一年内", "date", D(2024, 10, 12), False),
    # windows and spans
    ("第四季度要全力攻坚", "第四季度", "period", D(2023, 12, 31), False),
    ("四季度要全力攻坚", "四季度", "period", D(2023, 12, 31), False),
    ("一季度要抓好复工", "一季度", "period", D(2024, 3, 31), False),
    ("上半年完成", "上半年", "period", D(2024, 6, 30), False),
    ("要在下半年完成", "下半年", "period", D(2023, 12, 31), False),
    ("即日起至12月31日开展专项整治", "即日起至12月31日", "period", D(2023, 12, 31), False),
    ("自即日起到年底", "即日起到年底", "period", D(2023, 12, 31), True),
    ("从即日起至2024年春节前", "即日起至2024年春节前", "period", D(2024, 2, 9), False),
    ("即日起，在全市开展排查", "即日起", "period", None, False),
    ("11月1日至15日开展专项检查", "11月1日至15日", "period", D(2023, 11, 15), False),
    ("11月1日至12月31日开展", "11月1日至12月31日", "period", D(2023, 12, 31), False),
    ("10月中旬至12月底开展", "10月中旬至12月底", "period", D(2023, 12, 31), True),
    ("4月至5月开展", "4月至5月", "period", D(2024, 5, 31), False),
    ("12月1日起开展夜查", "12月1日起", "period", None, False),
    ("开展为期60天的大检查", "为期60天", "period", None, False),
    ("利用3个月时间集中整治", "利用3个月时间", "period", None, False),
    # events and seasons from rules/events.yaml
    ("确保在党的二十大前全部落实到位", "党的二十大前", "event", D(2022, 10, 15), False),
    ("二十大前全部整改", "二十大前", "event", D(2022, 10, 15), False),
    ("二十大召开前完成", "二十大召开前", "event", D(2022, 10, 15), False),
    ("春节前开展一次检查", "春节前", "event", D(2024, 2, 9), False),
    ("节前要开展安全检查", "节前", "event", D(2023, 12, 31), False),
    ("节后要做好复工检查", "节后", "event", D(2024, 1, 4), False),
    ("节后第一天召开会议", "节后第一天", "event", D(2024, 1, 4), False),
    ("国庆节前完成", "国庆节前", "event", D(2024, 9, 30), False),
    ("国庆前夕开展检查", "国庆前夕", "event", D(2024, 9, 30), False),
    ("元旦前完成", "元旦前", "event", D(2023, 12, 31), False),
    ("汛前完成隐患排查", "汛前", "event", D(2024, 5, 31), False),
    ("入汛前完成隐患排查", "入汛前", "event", D(2024, 5, 31), False),
    ("考核巡查前完成自查", "考核巡查前", "event", None, False),
    ("开学前完成校园检查", "开学前", "event", None, False),
    ("复产前逐一组织验收", "复产前", "event", None, False),
    ("开海前对全市渔船进行检查", "开海前", "event", None, False),
    ("元旦春节期间加强值守", "元旦春节期间", "period", D(2024, 2, 16), False),
    ("春节至清明节期间", "春节至清明节期间", "period", D(2024, 4, 6), False),
    ("春节前后加强巡查", "春节前后", "period", D(2024, 2, 16), True),
    ("在国庆、中秋期间严格落实带班制度", "国庆、中秋期间", "period", D(2024, 10, 7), False),
    ("中秋、国庆“双节”期间", "中秋、国庆“双节”期间", "period", D(2024, 10, 7), False),
    ("9月20日至10月10日期间开展集中检查", "9月20日至10月10日期间", "period", D(2024, 10, 10), False),
    ("台风来临前完成渔船回港", "台风来临前", "event", None, False),
    ("督促渔船在恶劣天气来临前及时回港避风", "恶劣天气来临前", "event", None, False),
    ("强降雨期间加强巡查", "强降雨期间", "period", None, False),
    ("两会期间加强值守", "两会期间", "period", D(2024, 3, 11), False),
    ("全国“两会”期间加强值守", "“两会”期间", "period", D(2024, 3, 11), False),
    ("国庆节期间加强值守", "国庆节期间", "period", D(2024, 10, 7), False),
    ("春运期间加强道路巡查", "春运期间", "period", D(2024, 3, 5), False),
    ("汛期要加强值班值守", "汛期", "period", D(2024, 9, 30), False),
    ("主汛期要加强巡查", "主汛期", "period", D(2024, 8, 31), False),
    ("做好伏季休渔管理", "伏季休渔", "period", D(2024, 9, 16), False),
    ("伏季休渔期间严禁出海", "伏季休渔期间", "period", D(2024, 9, 16), False),
    ("持续推进冬春消防安全专项整治", "冬春", "period", D(2024, 3, 31), False),
    ("今冬明春要加强火灾防控", "今冬明春", "period", D(2024, 3, 31), False),
    ("岁末年初要加强检查", "岁末年初", "period", D(2024, 2, 29), True),
    ("二要强化节假日安全防范", "节假日", "period", None, False),
    ("节假日期间要加强值班", "节假日期间", "period", None, False),
    ("国庆假期要严格值班值守", "国庆假期", "period", D(2024, 10, 7), False),
    ("春节长假期间要加强巡查", "春节长假期间", "period", D(2024, 2, 16), False),
    ("党的二十大会议期间要严格值班", "党的二十大会议期间", "period", D(2022, 10, 22), False),
    ("重要节假日期间要加强值班", "重要节假日期间", "period", None, False),
    ("全力督促落实重点时段各项安全防范措施", "重点时段", "period", None, False),
    ("敏感时段要加强巡查", "敏感时段", "period", None, False),
    # recurrence
    ("每天都要对辖区进行调度", "每天", "cadence", None, False),
    ("每周都要进行集中研判", "每周", "cadence", None, False),
    ("每月要通报一次", "每月", "cadence", None, False),
    ("每季度要开展一次检查", "每季度", "cadence", None, False),
    ("每半年要进行一次评估", "每半年", "cadence", None, False),
    ("每年要开展应急演练", "每年", "cadence", None, False),
    ("每日要报送情况", "每日", "cadence", None, False),
    ("每月5日前报送上月情况", "每月5日前", "cadence", None, False),
    ("每季度末报送", "每季度末", "cadence", None, False),
    ("每年年底前报送", "每年年底前", "cadence", None, False),
    ("每两周开展一次", "每两周", "cadence", None, False),
    ("每半月调度一次", "每半月", "cadence", None, False),
    ("每周一上报", "每周一", "cadence", None, False),
    ("要采取定期约谈等手段", "定期", "cadence", None, False),
    ("并定期通报", "定期", "cadence", None, False),
    ("逐月通报进展", "逐月", "cadence", None, False),
    ("坚持一周一调度", "一周一调度", "cadence", None, False),
    ("实行“日报告”制度", "日报告", "cadence", None, False),
    # urgency
    ("尽快制定下发考核巡查细则", "尽快", "urgency", None, False),
    ("抓紧制定判定标准", "抓紧", "urgency", None, False),
    ("发现隐患要立即整改", "立即", "urgency", None, False),
    ("综合运用限期整改等手段", "限期", "urgency", None, False),
    ("也能在第一时间得到处置", "第一时间", "urgency", None, False),
    ("各镇街区主要负责同志近期都要吃住在乡镇", "近期", "urgency", None, False),
    ("尽早完成", "尽早", "urgency", None, False),
    ("马上整改", "马上", "urgency", None, False),
    ("及早部署", "及早", "urgency", None, False),
]


@pytest.mark.parametrize(("sentence", "text", "kind", "due", "approx"), GOLDEN, ids=[row[1] + "|" + row[0][:8] for row in GOLDEN])
def test_golden(sentence, text, kind, due, approx):
    assert found(sentence) == [(text, kind, due, approx)]


NOT_DEADLINES = [
    "发现问题要及时整改",
    "持续推进专项整治",
    "长期坚持抓好落实",
    "常态化开展隐患排查治理",
    "今年以来，我市安全形势总体平稳",
    "1-8月份各类生产安全事故、死亡人数同比分别下降",
    "从11月18号以来每天到包靠的镇街进行督导检查",
    "4至5月，国务院、省、市相继印发了专项方案",
    "我们前几个月发生的安全事故占全年指标的70％以上",
    "上半年，我市认真贯彻落实上级安全工作部署，推动各项工作落实，全市安全生产形势总体平稳。",
    "全市上半年安全生产形势总体稳定，事故起数同比大幅下降。",
    "7月下旬起，市安委办综合督查组深入各地进行了督导检查",
    "近期，市安委办对重点工作进行了梳理",
    "但从数据分析和近期的检查情况看，仍存在不少问题",
    "第四季度是全年重点任务总结收官的关键阶段",
    "截至10月底，全市共排查隐患383项",
    "去年年底发生的事故",
    "近一个月内发生3起事故",
    "每一起事故背后都有隐患",
    "对不定期抽查发现的问题",
    "严肃处理情节严重的",
    "9月份以来，我们先后组织了3轮督导检查",
    "10月8日召开的全省安全生产会议",
    "今年1—10月，全市共发生生产安全事故12起，同比下降20%",
    "下半年以来，全市安全生产形势总体平稳",
    "要严格执行24小时值班制度",
    "做好节日排查",
]


@pytest.mark.parametrize("sentence", NOT_DEADLINES)
def test_not_a_deadline(sentence):
    assert found(sentence) == []


def test_several_in_one_sentence_in_order_and_once_each():
    s = "各镇街区主要负责同志近期都要吃住在乡镇，每天都要对各辖区进行调度，每周都要集中研判；各部门单位每天要调度本行业"
    assert [(t, k) for t, k, _, _ in found(s)] == [("近期", "urgency"), ("每天", "cadence"), ("每周", "cadence")]


def test_spans_point_at_the_text_in_working_coordinates():
    text = "前言。确保在党的二十大前全部落实到位。"
    (d,) = find_deadlines(text, 3, len(text), MEETING)
    assert text[d.span[0]:d.span[1]] == d.text == "党的二十大前"


def test_only_the_given_range_is_searched():
    text = "年底前完成。每天要调度。"
    assert [d.text for d in find_deadlines(text, 6, len(text), MEETING)] == ["每天"]


@pytest.mark.parametrize(
    ("sentence", "meeting", "due"),
    [
        ("6月30日前完成", D(2023, 10, 12), D(2024, 6, 30)),
        ("6月30日前完成", D(2023, 5, 1), D(2023, 6, 30)),
        ("6月30日前完成", D(2023, 6, 30), D(2023, 6, 30)),
        ("12月左右", D(2024, 1, 5), D(2024, 12, 31)),
        ("2023年6月30日前完成", D(2023, 10, 12), D(2023, 6, 30)),  # a written year never rolls
        ("春节前完成", D(2024, 3, 1), D(2025, 1, 28)),
        ("节前完成", D(2023, 9, 1), D(2023, 9, 28)),  # 中秋 2023-09-29
        ("汛期", D(2023, 7, 1), D(2023, 9, 30)),  # the season under way
        ("10个工作日内", D(2023, 10, 13), D(2023, 10, 27)),  # from a Friday
        ("本周内", D(2023, 10, 15), D(2023, 10, 15)),  # on the Sunday
        ("第一季度", D(2023, 2, 1), D(2023, 3, 31)),
    ],
)
def test_due_depends_on_the_meeting_date(sentence, meeting, due):
    assert found(sentence, meeting)[0][2] == due


@pytest.mark.parametrize(
    ("sentence", "due"),
    [
        ("2023年11月30日前报送", D(2023, 11, 30)),
        ("2024年底前全部完成", D(2024, 12, 31)),
        ("确保在党的二十大前全部落实到位", D(2022, 10, 15)),  # one-off event
        ("6月30日前完成", None),
        ("年底前完成", None),
        ("一个月内完成", None),
        ("春节前完成", None),
        ("即日起至12月31日", None),
        ("第四季度要全力攻坚", None),
    ],
)
def test_without_a_meeting_date_only_written_years_resolve(sentence, due):
    assert found(sentence, None)[0][2] == due


def test_periods_carry_their_first_day():
    (d,) = find_deadlines("第四季度", 0, 4, MEETING)
    assert (d.start, d.due) == (D(2023, 10, 1), D(2023, 12, 31))
    (d,) = find_deadlines("即日起至12月31日", 0, 10, MEETING)
    assert (d.start, d.due) == (MEETING, D(2023, 12, 31))
    (d,) = find_deadlines("元旦春节期间", 0, 6, MEETING)
    assert (d.start, d.due) == (D(2024, 1, 1), D(2024, 2, 16))


def test_impossible_day_is_kept_without_a_due_date():
    assert found("2月30日前完成") == [("2月30日前", "date", None, False)]


def _task(start, end, own, parent=None):
    return TaskDraft(start=start, end=end, kind="numbered", marker=None, title=None, parent=parent,
                     section=1, path="一", own=own)


def test_run_reads_each_tasks_own_text_and_dedupes_across_segments():
    text = "一要每天调度，年底前完成。1、每周研判，6月30日前完成。另外每天都要检查，定期通报。"
    child_start, child_end = text.index("1、"), text.index("另外")
    parent = _task(0, len(text), [(0, child_start), (child_end, len(text))])
    child = _task(child_start, child_end, [(child_start, child_end)], parent=0)
    doc = Doc(source=text, text=text, tasks=[parent, child])
    doc.meeting.date = MEETING
    deadlines.run(doc)
    assert [(d.text, d.due) for d in parent.deadlines] == [
        ("每天", None), ("年底前", D(2023, 12, 31)), ("定期", None)]
    assert [(d.text, d.due) for d in child.deadlines] == [("每周", None), ("6月30日前", D(2024, 6, 30))]


@pytest.mark.parametrize("n", [1, 2, 9, 10, 11, 19, 20, 21, 30, 31, 99, 100, 105, 110, 365, 1000, 2023, 9999])
def test_chinese_numerals_read_like_cn2an(n):
    cn2an = pytest.importorskip("cn2an")
    assert numerals.parse(cn2an.an2cn(n)) == n


def _spelled(regex: str) -> set[str] | None:
    """The heads of *regex* as plain strings (every character of each set in turn)."""
    heads = pattern_heads(regex)
    return None if heads is None else {"".join(chars) for seq in heads for chars in itertools.product(*seq)}


@pytest.mark.parametrize(
    ("regex", "heads"),
    [
        ("(?<![不])定期|逐月", {"定期", "逐月"}),
        ("(?:今年|明年)?[1-3]月", {"今年1", "今年2", "今年3", "明年1", "明年2", "明年3", "1月", "2月", "3月"}),
        ("x{2,}y", {"xxy", "xxx"}),  # cut to HEAD_DEPTH characters
        ("a*b", {"b", "ab", "aab", "aaa"}),
        ("第(?P<n>[一二])季度", {"第一季", "第二季"}),
        ("(?!)abc|de", {"de"}),  # a branch that never matches adds nothing
        ("半年(?=内)", {"半年"}),  # look-arounds consume nothing
        (".前", None),  # may begin with any character
        ("x?", None),  # may match nothing
        ("[^，。]{2}结束前", None),
        ("(?i)ab", None),  # case-insensitive: the written case says nothing
        ("(a)\\1", {"a"}),  # what a back-reference repeats is not known
    ],
)
def test_heads_every_match_begins_with(regex, heads):
    assert HEAD_DEPTH == 3
    assert _spelled(regex) == heads


# what speeches are made of, for texts that put the patterns' beginnings side by side
PIECES = ["一", "二", "十", "两", "半", "〇", "1", "12", "30", "123", "2023", "２０", " ", "年", "月", "日", "号", "份", "季度",
          "周", "天", "个", "内", "前", "后", "底", "初", "中旬", "起", "至", "-", "期间", "左右", "本", "下", "今年", "明年",
          "每", "第", "于", "到", "即日", "为期", "半年", "上", "工作日", "小时", "春节", "节", "假", "汛", "两会",
          "安全生产", "安全生产月", "党的二十大", "“", "”", "、", "召开", "来临", "定期", "调度", "尽快", "近期", "要",
          "，", "。", "以来", "同比", "检查", "的"]


def _every_pattern_everywhere(m, text: str, start: int, end: int) -> list[tuple[int, tuple[int, int]]]:
    """(pattern, span) found by trying every pattern at every position, the first listed winning."""
    found_, pos = [], start
    for s in range(start, end):
        if s < pos:
            continue
        for i, rx in enumerate(m.patterns):
            hit = rx.match(text, s, end)
            if hit:
                found_.append((i, hit.span()))
                pos = hit.end()
                break
    return found_


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=16), st.integers(0, 3), st.integers(0, 3))
def test_trying_only_where_heads_fit_finds_what_trying_everywhere_finds(pieces, cut_start, cut_end):
    text = "".join(pieces)
    start = min(cut_start, len(text))
    end = max(start, len(text) - cut_end)
    m = deadlines.matcher()
    assert [(i, hit.span()) for i, hit in m.matches(text, start, end)] == _every_pattern_everywhere(m, text, start, end)


# ── rules files ────────────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize(
    ("file", "edit", "message"),
    [
        pytest.param("deadlines.yaml", lambda s: s.replace("regex: '尽快|", "regex: '(尽快|", 1),
                     "patterns: Value error, ", id="bad-regex"),
        pytest.param("deadlines.yaml", lambda s: s.replace("regex: '尽快|", "regex: '{NOPE}尽快|", 1),
                     "unknown fragment {NOPE}", id="unknown-fragment"),
        pytest.param("deadlines.yaml", lambda s: s.replace("regex: '尽快|", "regex: '(?P<when>尽快)|", 1),
                     "unknown group name 'when'", id="unknown-group"),
        pytest.param("deadlines.yaml", lambda s: s.replace("kind: urgency", "kind: hurry"),
                     "patterns.", id="unknown-kind"),
        pytest.param("deadlines.yaml", lambda s: s.replace("  底: {day: last, approx: true}", "  底: {day: end}"),
                     "parts.底.day", id="bad-part"),
        pytest.param("deadlines.yaml", lambda s: s.replace("  since: [起, 开始]\n", ""),
                     "words.since: Field required", id="missing-words"),
        pytest.param("events.yaml", lambda s: s.replace('every_year: "10-01"', 'every_year: "13-01"'),
                     "every_year", id="bad-month-day"),
        pytest.param("events.yaml", lambda s: s.replace("2024: 2024-02-10", "2024: 2025-02-10"),
                     "dates.2024", id="date-in-wrong-year"),
        pytest.param("events.yaml", lambda s: s.replace("  - names: [寒假]", "  - names: [春节]"),
                     "already used", id="duplicate-name"),
    ],
)
def test_bad_rules_name_file_key_and_problem(rules_copy, file, edit, message):
    path = rules_copy / file
    text = path.read_text(encoding="utf-8")
    assert edit(text) != text
    path.write_text(edit(text), encoding="utf-8")
    with pytest.raises(rules.RulesError) as err:
        find_deadlines("年底前", 0, 3, MEETING)
    assert file in str(err.value) and message in str(err.value)


def test_users_teach_new_events_and_phrases_in_yaml(rules_copy):
    events = rules_copy / "events.yaml"
    events.write_text(events.read_text(encoding="utf-8")
                      + '  - names: [进博会]\n    every_year: "11-05"\n    days: 6\n', encoding="utf-8")
    path = rules_copy / "deadlines.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("regex: '尽快|", "regex: '火速|尽快|", 1), encoding="utf-8")
    assert found("进博会前完成，火速整改") == [("进博会前", "event", D(2023, 11, 4), False), ("火速", "urgency", None, False)]


def test_users_teach_what_a_new_word_means_in_yaml(rules_copy):
    path = rules_copy / "deadlines.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("(?P<rel_year>今年|明年|", "(?P<rel_year>今年|明年|翌年|", 1)
    path.write_text(text.replace("  next: [明年,", "  next: [翌年, 明年,", 1), encoding="utf-8")
    assert found("翌年3月底前完成") == [("翌年3月底前", "date", D(2024, 3, 31), True)]


@pytest.mark.parametrize(
    ("pattern", "sentence", "first"),
    [
        ("'(?<=务必在)[^，。]{2}结束前'", "务必在会议结束前报送，", ("会议结束前", "event", None, False)),  # may begin anywhere
        ("'急'", "急，", ("急", "event", None, False)),  # one character long
    ],
)
def test_patterns_of_any_shape_are_found_before_the_shipped_ones(rules_copy, pattern, sentence, first):
    path = rules_copy / "deadlines.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("patterns:\n", f"patterns:\n  - kind: event\n    regex: {pattern}\n", 1), encoding="utf-8")
    assert found(sentence + "年底前完成") == [first, ("年底前", "date", D(2023, 12, 31), True)]


# ── the dev set ──────────────────────────────────────────────────────────────────────
def test_gold_deadlines_of_the_dev_set_are_found_with_their_kind(shared_eval):
    """Each gold deadline, searched in its own sentence, is found with the gold kind."""
    speeches = shared_eval.parent / "speeches"
    for gold_path in sorted((shared_eval / "gold").glob("*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        text = (speeches / gold["speech"]).read_text(encoding="utf-8-sig")
        for task in gold["tasks"]:
            anchor = text.index(task["anchor"])
            for d in task["deadlines"]:
                at = text.index(d["text"], anchor)
                start = max(text.rfind(c, 0, at) for c in "。；\n") + 1
                end = min(i for i in (text.find(c, at) for c in "。；\n") if i >= 0)
                got = {(x.text, x.kind) for x in find_deadlines(text, start, end, None)}
                assert any(d["text"] in t or t in d["text"] for t, k in got if k == d["kind"]), (gold["speech"], d, got)
