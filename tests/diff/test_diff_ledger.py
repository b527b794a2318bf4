"""Ledger carry-over: a later meeting of the same series (or one that says which meeting it
follows) continues the earlier meeting's rows; unrelated meetings are never linked."""
from __future__ import annotations

import pytest

from speech_tasks.cli import main
from speech_tasks.diff.carry import ledger_sheet
from speech_tasks.ledger import Filters, Ledger

from .conftest import make_sheet
from .test_diff_align import EARLIER, LATER

CARRIED = {("b1", "a4"), ("b2", "a2"), ("b3", "a3"), ("b4", "a1")}


def named(sheet, name, sha):
    return sheet.model_copy(update={"meeting": sheet.meeting.model_copy(update={"name": name}),
                                    "source": sheet.source.model_copy(update={"sha256": sha * 64})})


@pytest.fixture
def sheets():
    return (named(make_sheet(EARLIER, "a.txt", "2023-09-01"), "2023年9月全市安全生产例会", "a"),
            named(make_sheet(LATER, "b.txt", "2023-10-01"), "2023年10月全市安全生产例会", "b"))


def continued(led: Ledger) -> set[tuple[str, str]]:
    """(later sheet id, ledger row) for every row the later meeting b continues."""
    return {tuple(r) for r in led.conn.execute("SELECT sheet_id, task FROM sources WHERE meeting = 'b' AND sheet_id != task")}


@pytest.mark.parametrize("rename, follows, linked", [
    (False, None, True),  # one series: the names differ only in their dates
    (True, None, False),  # unrelated meeting names: never linked
    (True, "a", True),  # unless told which meeting it follows
])
def test_a_later_meeting_continues_the_rows_of_its_series(tmp_path, sheets, rename, follows, linked):
    a, b = sheets
    if rename:
        b = named(b, "某县森林防火工作会议", "b")
    with Ledger(tmp_path / "l.sqlite", create=True) as led:
        led.import_sheet(a, "tester")
        r = led.import_sheet(b, "tester", follows=follows)
        assert continued(led) == (CARRIED if linked else set())
        assert {t.id for t in led.tasks()} == ({"a1", "a2", "a3", "a4", "a5", "b5", "b6"} if linked
                                               else {"a1", "a2", "a3", "a4", "a5", "b1", "b2", "b3", "b4", "b5", "b6"})
        assert [tid for tid, _ in r.dropped] == (["a5"] if linked else [])
        if linked:
            gas = led.task("a2")  # one row: b's wording, units and deadline, both meetings as sources
            assert gas.sources == ("a", "b") and gas.meeting == "b" and gas.unit_names == ["住建部门", "市场监管部门"]
            assert led.task("a5").dropped == "b"
            assert {t.id for t in led.tasks(Filters(dropped_only=True))} == {"a5"}
        assert led.import_sheet(b, "tester").changes == 0  # importing again changes nothing


def test_history_of_a_carried_task_goes_on(tmp_path, sheets):
    a, b = sheets
    with Ledger(tmp_path / "l.sqlite", create=True) as led:
        led.import_sheet(a, "tester")
        gas = led.find_assignment("a2", "住建")
        led.report(gas.id, "alice", gas.version, "已排查餐饮场所")
        led.import_sheet(b, "tester")
        gas = led.find_assignment("a2", "住建")
        assert (gas.status, gas.last_note, gas.role) == ("推进中", "已排查餐饮场所", "lead")
        led.report(gas.id, "bob", gas.version, "市场监管部门已配合")
        fields = [(h.field, h.by) for h in led.history("a2")]
        assert ("status", "alice") in fields and ("feedback", "bob") in fields and ("meeting", "tester") in fields


def test_rows_continue_through_a_chain_of_meetings(tmp_path, sheets):
    a, b = sheets
    c = named(make_sheet([{**t, "id": "c" + t["id"][1:]} for t in LATER[:4]], "c.txt", "2023-11-01"),
              "2023年11月全市安全生产例会", "c")
    with Ledger(tmp_path / "l.sqlite", create=True) as led:
        for s in (a, b, c):
            led.import_sheet(s, "tester")
        assert led.task("a2").sources == ("a", "b", "c")
        assert {t.id for t in led.tasks(Filters(meeting="c"))} == {"a1", "a2", "a3", "a4"}


def test_track_import_reports_carried_and_dropped_tasks(tmp_path, sheets, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for s in sheets:
        (tmp_path / s.source.file.replace(".txt", ".json")).write_text(s.model_dump_json(), encoding="utf-8")
    assert main(["track", "--db", "l.sqlite", "import", "a.json"]) == 0
    assert main(["track", "--db", "l.sqlite", "import", "b.json"]) == 0
    out = capsys.readouterr().out
    assert "meeting b (continues a): 2 new, 4 carried over, 1 not deployed again" in out
    assert "a 本次会议未再部署: a5" in out


def test_ledger_sheet_nests_children_inside_their_parent():
    class Row:
        def __init__(self, id, parent, text):
            self.id, self.parent, self.text = id, parent, text
            self.number = self.path = id
            self.title, self.units, self.deadline, self.sectors = None, [{"name": "住建部门", "role": "lead", "generic": False}], "年底前；每月", []

    class M:
        id, date = "m", None

    sheet = ledger_sheet(M(), [Row("p", None, "二要做好以下工作："), Row("c1", "p", "1.排查燃气。"), Row("c2", "p", "2.检查消防。"),
                               Row("x", "gone", "三要加强值班。")])
    by_id = {t.id: t for t in sheet.tasks}
    assert by_id["p"].text == "二要做好以下工作：\n1.排查燃气。\n2.检查消防。\n"
    assert by_id["c1"].parent == "p" and by_id["x"].parent is None  # a parent not in the ledger: top level
    (ps, pe), (cs, ce) = by_id["p"].span, by_id["c2"].span
    assert ps < cs and ce <= pe
    assert [d.text for d in by_id["c1"].deadlines] == ["年底前", "每月"] and by_id["c1"].units[0].role == "lead"
