"""Meeting stage: the meeting's name as the speech states it, and the meeting date."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from speech_tasks import meeting, rules
from speech_tasks.ingest import from_text


def run(text: str, name: str = "speech.txt", cli: dt.date | None = None):
    doc = from_text(text, name=name)
    if cli is not None:
        doc.meeting.date, doc.meeting.date_source = cli, "cli"
    meeting.run(doc)
    return doc


@pytest.mark.parametrize(
    "text, expected",
    [
        ("同志们：\n今天，我们召开全市第四季度防范重特大生产安全事故视频会议，就是要坚决贯彻部署要求。",
         "全市第四季度防范重特大生产安全事故视频会议"),
        ("同志们：\n时隔十天，我们再次召开全市安全生产工作紧急会议，主要是贯彻落实昨天下午**书记在**安全生产工作会议上的讲话精神。",
         "全市安全生产工作紧急会议"),
        ("在全县安全生产暨消防安全、烟花爆竹专项整治工作会议上的讲话\n同志们:\n", "全县安全生产暨消防安全、烟花爆竹专项整治工作会议"),
        ("——在全县“安全生产月”活动动员讲话\n今年6月是安全生产月。\n", "全县“安全生产月”活动动员"),
        ("同志们：\n今天这次调度会，主要是深入贯彻近期市委安全生产工作部署。", "调度会"),
        ("在全市安全生产工作会议上的讲话\n（2023年10月12日）\n同志们：\n", "全市安全生产工作会议"),
        ("——在2023年全县消防安全工作会议上的讲话\n同志们：\n", "2023年全县消防安全工作会议"),
        ("张三同志在全市防汛工作部署会上的讲话\n同志们：", "全市防汛工作部署会"),
        ("同志们：\n今天召开的全市安全生产工作会议，是市委、市政府决定召开的一次重要会议。", "全市安全生产工作会议"),
        ("同志们：\n这次全市安全生产电视电话会议，主要任务是传达学习上级精神。", "全市安全生产电视电话会议"),
        ("同志们：\n市委、市政府决定召开这次全市安全生产大会，目的是动员全市上下。", "全市安全生产大会"),
        ("同志们：\n今天我们在这里召开全县消防安全工作推进会。", "全县消防安全工作推进会"),
        ("现在开会。今天召开的是全市安全生产形势分析会。", "全市安全生产形势分析会"),
        ("今天，市政府召开全市安全生产工作会议暨百日攻坚行动推进会，主要任务是部署工作。",
         "全市安全生产工作会议暨百日攻坚行动推进会"),
        ("今天，我们召开全市重大事故隐患专项排查整治2023行动动员部署专题会议，主要任务是……",
         "全市重大事故隐患专项排查整治2023行动动员部署专题会议"),
        ("同志们：\n今天，我们在这里召开市安委会第一次全体（扩大）会议，主要任务是……", "市安委会第一次全体（扩大）会议"),
        ("同志们：\n今天召开全市“安全生产月”活动启动会，就是要……", "全市“安全生产月”活动启动会"),
        ("全县安全生产工作会议讲话稿\n同志们：\n", "全县安全生产工作会议"),
        ("同志们：\n这次全市安全生产工作会议的主要任务是传达全省安全生产电视电话会议精神。", "全市安全生产工作会议"),
        ("同志们：\n今天召开的全县安全生产工作会议是一次十分重要的会议。", "全县安全生产工作会议"),
        # an unnamed meeting stays unnamed, even when another meeting is named after it
        ("今天的会议，主要任务是贯彻落实全省“迎二十大安全生产百日攻坚战”视频调度会议精神。", None),
        ("同志们：\n本次会议的主要任务是部署下一阶段工作。", None),
        ("同志们：\n这次会议的主要任务是传达全省安全生产工作会议，部署下步工作。", None),
        ("同志们：\n今天我们召开这个会，就是要部署下步工作。", None),
        ("同志们：\n今天召开这次会议，主要是部署工作。", None),
        # a meeting mentioned past the opening is not this one
        ("同志们：\n" + "要坚决贯彻落实上级部署要求，扎实做好各项工作。" * 30 + "*月*日全市召开安全生产会议，专门安排部署工作。", None),
    ],
)
def test_name(text, expected):
    doc = run(text)
    assert doc.meeting.name == expected
    if expected:
        s, e = doc.meeting.name_span
        assert doc.text[s:e] == expected


@pytest.mark.parametrize(
    "text, name, expected, source",
    [
        # a dateline under the title, or at the end
        ("在全市安全生产工作会议上的讲话\n（2023年10月12日）\n同志们：\n", "a.txt", dt.date(2023, 10, 12), "text"),
        # minutes: the day of the meeting, not the day they were issued; a record's time line
        ("县安委会2025年第一次全体会议纪要\n县安委会办公室　　2025年4月18日\n2025年4月15日上午，县长王××在县政府三楼会议室主持召开县安委会全体会议。\n",
         "a.txt", dt.date(2025, 4, 15), "text"),
        ("全县春节前安全生产工作调度会会议记录\n时间：2026年1月20日下午3:00\n地点：县政府四楼会议室\n", "a.txt", dt.date(2026, 1, 20), "text"),
        ("同志们：\n" + "要扎实做好各项工作。\n" * 100 + "我就讲这些。\n2022年9月1日\n", "a.txt", dt.date(2022, 9, 1), "text"),
        ("在全县安全生产工作会议上的讲话\n（二〇二三年十月十二日）\n", "a.txt", dt.date(2023, 10, 12), "text"),
        ("同志们：\n2023年6月5日，我们召开全市安全生产工作会议。", "a.txt", dt.date(2023, 6, 5), "text"),
        ("在全市安全生产工作会议上的讲话（2023年10月12日）\n同志们：", "a.txt", dt.date(2023, 10, 12), "text"),
        # the date of an event the speech recalls is not the meeting's
        ("同志们：\n2023年6月21日，宁夏银川发生一起燃气爆炸事故，造成31人死亡。", "a.txt", None, None),
        # the text wins over the file name
        ("（2023年10月12日）\n同志们：", "2021-01-02_讲话.txt", dt.date(2023, 10, 12), "text"),
        # dates inside directives are deadlines, not the meeting date
        ("同志们：\n要在2023年6月30日前完成全部整改任务。", "a.txt", None, None),
        ("同志们：\n自2023年10月1日起开展为期60天的大检查。", "a.txt", None, None),
        ("同志们：\n各地要在6月30日前完成整改。", "a.txt", None, None),
        ("同志们：\n各地要在2023年12月31日前召开专题会议。", "a.txt", None, None),
        # file name styles
        ("同志们：\n今天的会议。", "2023-10-12_安全生产会议讲话.txt", dt.date(2023, 10, 12), "filename"),
        ("同志们：\n今天的会议。", "20231012讲话.docx", dt.date(2023, 10, 12), "filename"),
        ("同志们：\n今天的会议。", "2023.1.5 讲话.txt", dt.date(2023, 1, 5), "filename"),
        ("同志们：\n今天的会议。", "2023年10月12日调度会讲话.txt", dt.date(2023, 10, 12), "filename"),
        ("同志们：\n今天的会议。", "000_742e7b63984abebe.txt", None, None),
        ("同志们：\n今天的会议。", "20231345讲话.txt", None, None),  # not a date
    ],
)
def test_date(text, name, expected, source):
    doc = run(text, name)
    assert (doc.meeting.date, doc.meeting.date_source) == (expected, source)
    if source == "text":
        s, e = doc.meeting.date_span
        assert doc.text[s:e].endswith("日") and doc.text[s].isalnum()
    else:
        assert doc.meeting.date_span is None


@pytest.mark.parametrize(
    "text, name",
    [
        ("（2023年10月12日）\n同志们：", "a.txt"),
        ("同志们：\n今天的会议。", "2023-10-12_讲话.txt"),
        ("同志们：\n今天的会议。", "a.txt"),
    ],
)
def test_cli_date_wins(text, name):
    doc = run(text, name, cli=dt.date(2024, 3, 1))
    assert (doc.meeting.date, doc.meeting.date_source, doc.meeting.date_span) == (dt.date(2024, 3, 1), "cli", None)


def test_pipeline_keeps_cli_date():
    from speech_tasks.pipeline import extract_text

    text = "同志们：\n今天这次调度会，主要是部署工作。"
    sheet = extract_text(text, name="2023-10-12_x.txt", meeting_date=dt.date(2024, 3, 1))
    assert sheet.meeting.date == dt.date(2024, 3, 1) and sheet.meeting.date_source == "cli"
    assert sheet.meeting.name == "调度会"
    s, e = sheet.meeting.name_span
    assert text[s:e] == "调度会"


def _add_name_pattern(rules_dir, pattern: str) -> None:
    """Put *pattern* first among the name patterns of the rules in *rules_dir*."""
    path = rules_dir / "meeting.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("name_patterns:\n", f"name_patterns:\n  - '{pattern}'\n", 1), encoding="utf-8")


def test_user_pattern_is_picked_up(rules_copy):
    _add_name_pattern(rules_copy, "欢迎参加(?P<name>{NAME})(?=[，。])")
    assert run("同志们：\n欢迎参加全区安全生产例会。").meeting.name == "全区安全生产例会"


@pytest.mark.parametrize(
    "pattern, problem",
    [("(?P<name>{NAME}", "invalid regular expression"), ("欢迎参加{NAME}", "no group 'name'")],
    ids=["invalid-regex", "no-name-group"],
)
def test_bad_name_pattern_is_reported(rules_copy, pattern, problem):
    _add_name_pattern(rules_copy, pattern)
    with pytest.raises(rules.RulesError, match=r"meeting\.yaml: name_patterns: .*" + re.escape(problem)):
        run("同志们：")
