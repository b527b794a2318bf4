"""The clerk's scenario, run as a clerk would, through the `speech-tasks track` commands.

Import meeting A; two units report on the same task; the office edits a unit and a due date
in the 台账 xlsx and imports it; export again without losing anything; re-extract A after a
one-word change (ids kept); import follow-up meeting B (carried tasks continue their rows, a
dropped one flagged, a new one added); import an unrelated meeting C (no links); 销号 only after
review; history holds every change with who and when.
"""
from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from speech_tasks.cli import main
from speech_tasks.ledger import Ledger

from .sheets import edit_rows, sheet, task

A_DATE, B_DATE = dt.date(2024, 3, 1), dt.date(2025, 2, 20)
HAZCHEM = "持续开展危险化学品安全专项整治，全面排查储存、运输环节重大事故隐患，坚决防范化解重大安全风险。"
ROADS = "道路交通方面，严厉打击非法营运、超载超限和酒驾醉驾等违法行为，强化急弯陡坡和临水临崖路段管控。"
DUTY = "严格落实汛期值班值守，落实领导干部带班和二十四小时值班制度，确保信息报送及时准确。"
GAS = "开展燃气安全隐患排查整治，全面清理餐饮场所瓶装液化气违规使用行为，推广安装可燃气体报警装置。"
EBIKE = "开展电动自行车充电场所消防安全专项整治，严禁电动自行车进楼入户和飞线充电。"
FLOOD = "做好防汛物资储备，加强水库山塘巡查，严格执行汛期水库调度运行方案。"


def meeting_a(hazchem: str = HAZCHEM, hazchem_id: str = "TA00000001"):
    return [
        task(hazchem_id, "1", hazchem, due=dt.date(2024, 6, 30)),
        task("TA00000002", "2", ROADS, units=(("市交通运输局", "owner"), ("市公安局", "owner")), due=dt.date(2024, 4, 30)),
        task("TA00000003", "3", DUTY, deadline="长期坚持"),
        task("TA00000004", "4", GAS, units=(("市住建局", "lead"),), due=dt.date(2024, 5, 31)),
    ]


def write_sheet(folder, name, tasks, meeting, date, version=""):
    s = sheet(tasks, stem=name.rsplit("/", 1)[-1], version=name + version)  # sha256 of the speech
    s = s.model_copy(update={"meeting": s.meeting.model_copy(update={"name": meeting, "date": date})})
    path = folder / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(s.model_dump_json(), encoding="utf-8")
    return path


def track(*args: str) -> int:
    return main(["track", "--db", "ledger.sqlite", *args])


def out(capsys) -> str:
    captured = capsys.readouterr()
    return captured.out + captured.err


@pytest.fixture
def clerk(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_clerks_year(clerk, capsys):
    sheets = clerk / "sheets"
    # 1. meeting A
    write_sheet(sheets, "2024/讲话", meeting_a(), "2024年全市安全生产工作会议", A_DATE)
    assert track("import", "sheets", "--by", "王科长") == 0
    assert "4 new" in out(capsys)

    # 2. two units report on the same task: both kept, no conflict
    assert track("sign", "TA00000002", "--unit", "交通运输", "--by", "交通局") == 0
    assert track("report", "TA00000002", "--unit", "交通运输", "--note", "已查处非法营运 12 起", "--by", "交通局",
                 "--version", "1") == 0
    assert track("report", "TA00000002", "--unit", "公安", "--note", "查处酒驾 40 起", "--by", "公安局",
                 "--version", "0") == 0
    assert track("report", "TA00000002", "--unit", "公安", "--note", "旧版本", "--by", "公安局", "--version", "0") == 1
    assert "changed by 公安局" in out(capsys)
    with Ledger("ledger.sqlite") as led:
        roads = led.task("TA00000002")
        assert [(a.unit, a.status, a.last_note) for a in roads.active] == [
            ("市交通运输局", "推进中", "已查处非法营运 12 起"), ("市公安局", "推进中", "查处酒驾 40 起")]

    # 3. the office edits a unit and a due date in the 台账 and imports it
    assert track("export", "-o", "ledger.xlsx", "--today", "2024-04-01") == 0
    capsys.readouterr()
    edit_rows("ledger.xlsx", {"TA00000004": {"牵头单位": "市住建局、市城管局"}, "TA00000001": {"截止日期": "2024年7月15日"}})
    assert track("import-xlsx", "ledger.xlsx", "--by", "王科长") == 0
    assert "2 rows applied" in out(capsys)
    with Ledger("ledger.sqlite") as led:
        gas = led.task("TA00000004")
        assert gas.unit_names == ["市住建局", "市城市管理局"]  # canonicalised through the gazetteer
        assert led.task("TA00000001").due == dt.date(2024, 7, 15)

    # 4. export again: nothing lost; a typed but unimported 进展 is never overwritten
    assert track("export", "-o", "ledger.xlsx") == 0
    edit_rows("ledger.xlsx", {f"TA00000004/{gas.active[0].id}": {"进展情况": "已排查餐饮场所 210 家"}})
    capsys.readouterr()
    assert track("export", "-o", "ledger.xlsx") == 1
    assert "holds 1 edited rows not yet imported" in out(capsys)
    assert track("import-xlsx", "ledger.xlsx", "--by", "住建局") == 0
    assert track("export", "-o", "ledger.xlsx") == 0
    wb = load_workbook("ledger.xlsx")
    notes = [row[11].value for row in wb["台账"].iter_rows(min_row=2)]
    assert "已排查餐饮场所 210 家" in notes and "查处酒驾 40 起" in notes

    # 5. A re-extracted after a one-word change: same row, id, status and history
    with Ledger("ledger.sqlite") as led:
        history_before = led.history("TA00000001")
    changed = HAZCHEM.replace("持续开展", "持续深入开展")
    write_sheet(sheets, "2024/讲话", meeting_a(changed, "TA0000000X"), "2024年全市安全生产工作会议", A_DATE, version="v2")
    capsys.readouterr()
    assert track("import", "sheets", "--by", "王科长") == 0
    said = out(capsys)
    assert "1 changed" in said and "TA00000001" in said and "new" not in said
    with Ledger("ledger.sqlite") as led:
        t = led.task("TA00000001")
        assert t.text == changed and t.due == dt.date(2024, 7, 15)  # the office's due date stays
        assert led.history("TA00000001")[: len(history_before)] == history_before
        assert [t.id for t in led.tasks()] == ["TA00000001", "TA00000002", "TA00000003", "TA00000004"]

    # 6. follow-up meeting B of the same series
    b = [
        task("TB00000001", "1", ROADS.replace("超载超限", "超载超限、疲劳驾驶"),
             units=(("市交通运输局", "owner"), ("市公安局", "owner")), due=dt.date(2025, 5, 31)),
        task("TB00000002", "2", changed, due=dt.date(2025, 6, 30)),
        task("TB00000003", "3", EBIKE, units=(("市消防救援支队", "lead"),)),
    ]
    write_sheet(sheets, "2025/讲话", b, "2025年全市安全生产工作会议", B_DATE)
    capsys.readouterr()
    assert track("import", "sheets/2025", "--by", "王科长") == 0
    said = out(capsys)
    assert "continues 讲话" in said and "2 carried over" in said and "1 new" in said and "2 not deployed again" in said
    with Ledger("ledger.sqlite") as led:
        roads = led.task("TA00000002")  # one row, its history goes on
        assert roads.sources == ("讲话", led.meetings()[1].id) and roads.due == dt.date(2025, 5, 31)
        assert [a.last_note for a in roads.active] == ["已查处非法营运 12 起", "查处酒驾 40 起"]
        assert {"TB00000001", "TB00000002"}.isdisjoint(t.id for t in led.tasks())
        assert led.task("TB00000003").status == "未签收"
        assert {t.id for t in led.tasks() if t.dropped} == {"TA00000003", "TA00000004"}
        assert any(h.field == "dropped" for h in led.history("TA00000004"))
        before_c = {t.id: t.version for t in led.tasks()}

    # 7. an unrelated meeting C: no links to anything
    write_sheet(sheets, "other/县防汛会", [task("TC00000001", "1", FLOOD), task("TC00000002", "2", DUTY)],
                "某县防汛抗旱工作会议", dt.date(2024, 6, 1))
    assert track("import", "sheets/other", "--by", "王科长") == 0
    assert "continues" not in out(capsys)
    with Ledger("ledger.sqlite") as led:
        assert {t.id: t.version for t in led.tasks() if t.id in before_c} == before_c
        assert led.task("TC00000002").sources == ("县防汛会",)

    # 8. 销号 only after review
    with Ledger("ledger.sqlite") as led:
        ids = [a.id for a in led.task("TA00000002").active]
    for aid in ids:
        assert track("complete", f"TA00000002/{aid}", "--note", "整治完成", "--by", "单位") == 0
    assert track("close", "TA00000002", "--by", "王科长") == 1
    assert "needs every unit reviewed" in out(capsys)
    for aid in ids:
        assert track("review", f"TA00000002/{aid}", "--by", "王科长") == 0
    assert track("close", "TA00000002", "--by", "王科长") == 0
    with Ledger("ledger.sqlite") as led:
        assert led.task("TA00000002").status == "已销号"
        history = led.history("TA00000002")
    # 9. every change with who and when
    assert all(h.by and h.at.endswith("Z") for h in history)
    statuses = [(h.unit, h.old, h.new, h.by) for h in history if h.field == "status"]
    assert ("市公安局", "推进中", "已完成", "单位") in statuses
    assert ("市公安局", "已完成", "审核通过", "王科长") in statuses
    assert ("市公安局", "审核通过", "已销号", "王科长") in statuses
    assert {h.field for h in history} >= {"meeting", "unit", "status", "text", "due"}
    assert ("市交通运输局", "已签收", "推进中", "交通局") in statuses
