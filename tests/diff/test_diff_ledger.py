"""Ledger carry-over: `track import` links a later meeting's tasks to the earlier tasks they continue."""
from __future__ import annotations

import json

import pytest

from speech_tasks.cli import main
from speech_tasks.diff.carry import ledger_sheet
from speech_tasks.ledger.db import Ledger
from speech_tasks.ledger.lifecycle import Edit

from .conftest import make_sheet
from .test_diff_align import EARLIER, LATER

CARRIED = {("b1", "a4"), ("b2", "a2"), ("b3", "a3"), ("b4", "a1")}


def _links(led: Ledger) -> set[tuple[str, str]]:
    return {tuple(r) for r in led.conn.execute("SELECT task, carried_from FROM links").fetchall()}


@pytest.fixture
def sheets():
    return make_sheet(EARLIER, "a.txt", "2023-09-01"), make_sheet(LATER, "b.txt", "2023-10-01")


@pytest.mark.parametrize("order", ["earlier first", "later first"])
def test_import_links_carried_over_tasks_whatever_the_import_order(tmp_path, sheets, order):
    a, b = sheets
    with Ledger(tmp_path / "l.sqlite", create=True) as led:
        for s in (a, b) if order == "earlier first" else (b, a):
            led.import_sheet(s, "tester")
            led.link_carried_over(s.source.file[:-4], "tester")
        assert _links(led) == CARRIED
        dropped = led.task("a5")  # not carried over: stays open until staff close it
        assert (dropped.status, dropped.removed_from_sheet) == ("未启动", False)
        assert led.link_carried_over("b", "tester") == 0  # linking again adds nothing


def test_history_of_a_carried_task_continues_the_earlier_one(tmp_path, sheets):
    a, b = sheets
    with Ledger(tmp_path / "l.sqlite", create=True) as led:
        led.import_sheet(a, "tester")
        led.update("a2", Edit(status="推进中", note="已排查餐饮场所"), "alice")
        led.import_sheet(b, "tester")
        led.link_carried_over("b", "tester")
        led.update("b2", Edit(note="市场监管部门已配合"), "bob")
        assert led.carried_from("b2") == ["a2"]
        assert [(h.task, h.by) for h in led.history("b2", carried=True)] == [("a2", "alice"), ("b2", "bob")]
        assert [h.task for h in led.history("b2")] == ["b2"]


def test_links_chain_through_the_meetings_in_between(tmp_path, sheets):
    a, b = sheets
    c = make_sheet([{**t, "id": "c" + t["id"][1:]} for t in LATER[:4]], "c.txt", "2023-11-01")
    with Ledger(tmp_path / "l.sqlite", create=True) as led:
        for s in (a, b, c):
            led.import_sheet(s, "tester")
            led.link_carried_over(s.source.file[:-4], "tester")
        assert set(led.carried_from("c2")) == {"a2", "b2"}
        assert led.carried_from("b2") == ["a2"] and led.carried_from("a2") == []


def test_track_commands_report_links_and_show_earlier_history(tmp_path, sheets, capsys):
    a, b = sheets
    for s in (a, b):
        (tmp_path / s.source.file.replace(".txt", ".json")).write_text(s.model_dump_json(), encoding="utf-8")
    db = str(tmp_path / "l.sqlite")
    assert main(["track", "--db", db, "import", str(tmp_path / "a.json")]) == 0
    assert main(["track", "--db", db, "set", "a3", "--note", "已检查商场", "--by", "alice"]) == 0
    assert main(["track", "--db", db, "import", str(tmp_path / "b.json")]) == 0
    assert "4 carried-over links to other meetings" in capsys.readouterr().out
    assert main(["track", "--db", db, "history", "b3", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["task"], r["by"], r["new"]) for r in rows] == [("a3", "alice", "已检查商场")]


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
