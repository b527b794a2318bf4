"""Series: chains of directives over several meetings, in date order, with returns."""
from __future__ import annotations

import json

from speech_tasks.cli import main
from speech_tasks.diff.series import build_series, order_meetings

from .conftest import make_sheet
from .test_diff_align import DUTY, EDU, FIRE, GAS, ROAD

DUTY_T = {"id": "duty", "text": "要强化值班值守。各地、各部门" + DUTY, "units": [("各地", "owner", True, False)]}
GAS_T = {"id": "gas", "text": "要抓好燃气安全整治。住建部门要" + GAS, "units": [("住建部门", "owner", False, False)],
         "deadlines": [("年底前", "date")]}
GAS_LEAD = {**GAS_T, "units": [("住建部门", "lead", False, False), ("市场监管部门", "assist", False, False)]}
FIRE_T = {"id": "fire", "text": "要做好消防安全检查。" + FIRE}
ROAD_T = {"id": "road", "text": "要加强道路交通安全管理。" + ROAD}
EDU_T = {"id": "edu", "text": "要开展宣传教育。" + EDU}

# given out of date order: the series must sort them
MEETINGS = [
    ("m2.json", make_sheet([GAS_T, ROAD_T], "m2.txt", "2023-09-20")),
    ("m1.json", make_sheet([DUTY_T, GAS_T, FIRE_T], "m1.txt", "2023-08-01")),
    ("m3.json", make_sheet([GAS_LEAD, FIRE_T, EDU_T], "m3.txt", "2023-11-05")),
]


def _chains(series):
    return {
        tuple((series.names[m], series.views[m][i].task.id) for m, i in c.nodes): c for c in series.chains
    }


def test_meetings_are_ordered_by_date_when_all_have_one():
    ordered, how = order_meetings(MEETINGS)
    assert [n for n, _ in ordered] == ["m1.json", "m2.json", "m3.json"] and how == "date"
    undated = [(n, s.model_copy(update={"meeting": s.meeting.model_copy(update={"date": None})})) for n, s in MEETINGS]
    ordered, how = order_meetings(undated)
    assert [n for n, _ in ordered] == ["m2.json", "m1.json", "m3.json"] and how == "given"


def test_chains_follow_directives_and_the_ones_that_come_back():
    s = build_series(MEETINGS)
    chains = _chains(s)
    gas = chains[(("m1.json", "gas"), ("m2.json", "gas"), ("m3.json", "gas"))]
    assert len(gas.meetings) == 3 and not gas.returned
    assert [st.changes.status for n in gas.nodes[1:] for st in gas.steps[n]] == ["same", "changed"]
    fire = chains[(("m1.json", "fire"), ("m3.json", "fire"))]  # dropped at m2, raised again at m3
    assert fire.returned and fire.meetings == [0, 2]
    assert list(chains)[0] == (("m1.json", "gas"), ("m2.json", "gas"), ("m3.json", "gas"))  # most frequent first
    assert len(chains) == 2  # duty, road and edu were raised once


def test_series_command_writes_the_recurring_list(tmp_path, capsys):
    paths = []
    for name, sheet in MEETINGS:
        (tmp_path / name).write_text(sheet.model_dump_json(), encoding="utf-8")
        paths.append(str(tmp_path / name))
    assert main(["diff", "--series", *paths, "-o", str(tmp_path / "out"), "--format", "json,html,md"]) == 0
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == [f"series__m1__m3.{x}" for x in ("html", "json", "md")]
    data = json.loads((out / "series__m1__m3.json").read_text(encoding="utf-8"))
    assert data["ordered_by"] == "date" and [m["file"] for m in data["meetings"]] == ["m1.json", "m2.json", "m3.json"]
    gas = data["recurring"][0]
    assert (gas["meetings"], gas["first"], gas["last"], gas["units_moved"], gas["returned"]) == (3, 0, 2, True, False)
    assert [o["units"] for o in gas["occurrences"]][-1] == [{"name": "住建", "role": "lead"}, {"name": "市场监管", "role": "assist"}]
    assert [o["status"] for o in gas["occurrences"]] == [None, "same", "changed"]
    assert "反复强调" in (out / "series__m1__m3.html").read_text(encoding="utf-8")
    assert "3 meetings (by meeting date): 2 directives raised more than once" in capsys.readouterr().out
