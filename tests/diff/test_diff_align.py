"""Alignment: optimal one-to-one pairing above the threshold, splits, merges, look-alikes."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from speech_tasks.diff import diff_sheets
from speech_tasks.diff.align import assign, assign_above

from .conftest import make_sheet

ROAD = "公安交管部门要严查超限超载、酒驾醉驾等违法行为，强化货车和客车源头管控。"
GAS = "排查餐饮场所液化石油气钢瓶和燃气报警装置，督促经营单位规范安装，年底前完成整治。"
FIRE = "消防救援部门要对商场市场、养老机构等人员密集场所开展消防检查，确保疏散通道畅通。"
DUTY = "要严格执行领导带班和24小时专人值班制度，遇有突发事件第一时间报告、第一时间处置。"
EDU = "宣传部门要组织观看安全生产警示教育片，普及安全常识，营造全社会重视安全的良好氛围。"

EARLIER = [
    {"id": "a1", "text": "一要加强道路交通安全管理。" + ROAD, "units": [("公安交管部门", "owner", False, False)], "sectors": ["道路交通"]},
    {"id": "a2", "text": "二要抓好城镇燃气安全整治。住建部门要" + GAS, "units": [("住建部门", "owner", False, False)],
     "deadlines": [("年底前", "date")], "sectors": ["燃气"]},
    {"id": "a3", "text": "三要做好消防安全检查。" + FIRE, "units": [("消防救援部门", "owner", False, False)], "sectors": ["消防"]},
    {"id": "a4", "text": "四要强化值班值守。各地、各部门" + DUTY, "units": [("各地", "owner", True, False), ("各部门", "owner", True, False)],
     "deadlines": [("第一时间", "urgency")]},
    {"id": "a5", "text": "五要开展宣传教育。" + EDU, "units": [("宣传部门", "owner", False, False)]},
]
LATER = [
    {"id": "b1", "text": "（一）严格值班值守。各地、各部门" + DUTY.replace("遇有", "凡遇"),
     "units": [("各地", "owner", True, False), ("各部门", "owner", True, False)], "deadlines": [("第一时间", "urgency")]},
    {"id": "b2", "text": "（二）深化燃气安全专项整治。由住建部门牵头，市场监管部门配合，" + GAS,
     "units": [("住建部门", "lead", False, False), ("市场监管部门", "assist", False, False)], "deadlines": [("年底前", "date")],
     "sectors": ["燃气"]},
    {"id": "b3", "text": "（三）加强消防安全检查。" + FIRE.replace("。", "，国庆节前完成一轮检查。"),
     "units": [("消防救援部门", "owner", False, False)], "deadlines": [("国庆节前", "event")], "sectors": ["消防"]},
    {"id": "b4", "text": "（四）强化道路交通管控。" + ROAD, "units": [("公安交管部门", "owner", False, False)], "sectors": ["道路交通"]},
    {"id": "b5", "text": "（五）推进燃气管网更新改造。发展改革部门要会同财政部门落实资金，加快城市老旧燃气管网和设施更新改造。",
     "units": [("发展改革部门", "owner", False, False)], "sectors": ["燃气"]},
    {"id": "b6", "text": "（六）做好森林防火。林业部门要加强野外火源管控，严防森林火灾。", "units": [("林业部门", "owner", False, False)]},
]


def _result(a, b, rules=None):
    d = diff_sheets(make_sheet(a, "a.txt"), make_sheet(b, "b.txt"), rules=rules)
    pairs = {(p.a.task.id, p.b.task.id): (p.changes.status, tuple(p.changes.why)) for p in d.pairs}
    return pairs, sorted(v.task.id for v in d.added), sorted(v.task.id for v in d.dropped)


def test_reordered_meeting_pairs_each_directive_with_its_continuation():
    pairs, added, dropped = _result(EARLIER, LATER)
    assert pairs == {
        ("a1", "b4"): ("same", ()),
        ("a2", "b2"): ("changed", ("units",)),
        ("a3", "b3"): ("changed", ("deadlines",)),
        ("a4", "b1"): ("same", ()),
    }
    assert added == ["b5", "b6"]  # b5 is a look-alike on the same sector (燃气), not a split of a2
    assert dropped == ["a5"]


def test_a_new_directive_under_a_dropped_ones_heading_is_new():
    earlier = [{"id": "a", "title": "道路交通", "text": "道路交通。公安交管部门要严查超限超载、酒驾醉驾等违法行为。"}]
    later = [{"id": "b", "title": "道路交通", "text": "道路交通。要针对雨雪冰冻天气，提前储备融雪物资，做好封路分流预案。"}]
    pairs, added, dropped = _result(earlier, later)
    assert (pairs, added, dropped) == ({}, ["b"], ["a"])


@pytest.mark.parametrize("a, b, added, dropped", [([], [], 0, 0), ([], LATER, len(LATER), 0), (EARLIER, [], 0, len(EARLIER))])
def test_a_meeting_without_tasks_diffs_cleanly(a, b, added, dropped):
    pairs, got_added, got_dropped = _result(a, b)
    assert (pairs, len(got_added), len(got_dropped)) == ({}, added, dropped)


def test_identical_meetings_pair_everything_as_same():
    pairs, added, dropped = _result(EARLIER, EARLIER)
    assert pairs == {(t["id"], t["id"]): ("same", ()) for t in EARLIER}
    assert added == dropped == []


def test_unrelated_meetings_pair_nothing():
    other = [{"id": "x", "text": "做好春季学校传染病防控工作，落实晨午检和因病缺勤追踪制度。"}]
    pairs, added, dropped = _result(EARLIER, other)
    assert pairs == {} and added == ["x"] and len(dropped) == len(EARLIER)


SPLIT_A = [{"id": "a", "text": "三要整治交通运输突出问题。重点排查货物装载源头、重型货车违法超限超载、拖拉机违法载人，"
            "以及船舶超员超载、超风险超航区航行等突出问题。"}]
SPLIT_B = [
    {"id": "b1", "text": "道路运输。从货物装载源头抓起，严查重型货车违法超限超载，坚决纠治拖拉机违法载人。"},
    {"id": "b2", "text": "水上交通。加大巡航检查力度，严查船舶超员超载、超风险等级和超航区航行行为。"},
]


def test_split_into_two_tasks_pairs_both_as_changed():
    pairs, added, dropped = _result(SPLIT_A, SPLIT_B)
    assert set(pairs) == {("a", "b1"), ("a", "b2")}
    assert all(status == "changed" and "split" in why for status, why in pairs.values())
    assert added == dropped == []


def test_two_tasks_merged_into_one_pair_both_as_changed():
    pairs, added, dropped = _result(SPLIT_B, SPLIT_A)
    assert set(pairs) == {("b1", "a"), ("b2", "a")}
    assert all(status == "changed" and "merged" in why for status, why in pairs.values())


def test_threshold_decides_what_counts_as_carried_over(rules):
    strict = rules.model_copy(update={"threshold": {"tfidf": 0.99}})
    pairs, added, dropped = _result(EARLIER, LATER, strict)
    assert pairs == {} and len(added) == len(LATER) and len(dropped) == len(EARLIER)


# --- the assignment itself -------------------------------------------------------------------


def _best_total(gain: np.ndarray) -> float:
    n, m = gain.shape
    if n > m:
        return _best_total(gain.T)
    return max(sum(gain[i, c] for i, c in enumerate(cols)) for cols in itertools.permutations(range(m), n))


@settings(max_examples=150, deadline=None)
@given(arrays(float, st.tuples(st.integers(1, 5), st.integers(1, 5)), elements=st.floats(0, 1, width=32)))
def test_assign_finds_a_maximum_total_one_to_one_assignment(gain):
    pairs = assign(gain)
    assert len({i for i, _ in pairs}) == len(pairs) == len({j for _, j in pairs}) == min(gain.shape)
    assert sum(gain[i, j] for i, j in pairs) == pytest.approx(_best_total(gain), abs=1e-6)


@pytest.mark.parametrize(
    "total, threshold, expected",
    [
        ([[0.9, 0.1], [0.1, 0.9]], 0.5, [(0, 0), (1, 1)]),
        ([[0.9, 0.8], [0.8, 0.1]], 0.5, [(0, 1), (1, 0)]),  # 1.6 beats 0.9 + nothing
        ([[0.3, 0.1], [0.1, 0.2]], 0.5, []),
        ([[0.6, 0.1, 0.7]], 0.5, [(0, 2)]),
        (np.zeros((0, 3)), 0.5, []),
    ],
)
def test_assign_above_keeps_only_pairs_over_the_threshold(total, threshold, expected):
    assert assign_above(np.array(total, dtype=float), threshold) == expected
