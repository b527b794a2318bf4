"""Task views and similarity: normalisation, canonical units, deadlines, the TF-IDF backend."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from speech_tasks.diff.similarity import (
    BackendError,
    TfidfBackend,
    canonical_unit,
    deadline_sig,
    make_backend,
    normalise,
    ngram_codes,
    sigs_equal,
    similarity_matrix,
    task_views,
)
from speech_tasks.models import Deadline

from .conftest import make_sheet


@pytest.mark.parametrize(
    "text, expected",
    [
        ("一要突出重点，强化督查检查。", "突出重点强化督查检查"),
        ("（三）做好低温雨雪冰冻天气应对。", "做好低温雨雪冰冻天气应对"),
        ("3.抓好问题整改闭环。", "抓好问题整改闭环"),
        ("②旅游安全方面，要组织", "旅游安全方面要组织"),
        ("第二，紧盯节日", "紧盯节日"),
        ("二是严格值班值守。", "严格值班值守"),
        ("消防安全。要把“生命通道”", "消防安全要把生命通道"),
        ("一二三", "一二三"),  # no marker: nothing removed
    ],
)
def test_normalise_drops_the_marker_and_punctuation(rules, text, expected):
    assert normalise(text, rules) == expected


@pytest.mark.parametrize(
    "name, expected",
    [
        ("住建部门", "住建"),
        ("市住建局", "住建"),
        ("市场监管部门", "市场监管"),  # 市场 is not the city prefix
        ("市安委办", "安委办"),
        ("市政部门", "市政"),
        ("公安", "公安"),
        ("应急管理局", "应急管理"),
    ],
)
def test_canonical_unit_drops_affixes_that_name_the_same_body(rules, name, expected):
    assert canonical_unit(name, rules) == expected


def _d(text, kind="date", due=None):
    return Deadline(text=text, kind=kind, due=due, span=(0, len(text)))


@pytest.mark.parametrize(
    "a, b, equal",
    [
        ([_d("党的二十大前", "event")], [_d("党的二十大召开前", "event")], True),
        ([_d("尽快", "urgency")], [_d("抓紧", "urgency")], True),
        ([_d("每日", "cadence")], [_d("每天", "cadence")], True),
        ([_d("每月", "cadence")], [_d("每半月", "cadence")], False),
        ([_d("12月底前", due=dt.date(2023, 12, 31))], [_d("12月31日前", due=dt.date(2023, 12, 31))], True),
        ([], [], True),
        ([], [_d("9月底前")], False),
        ([_d("节假日", "period")], [_d("元旦春节期间", "period")], False),
        ([_d("12月左右")], [_d("12月下旬", "period")], False),
        ([_d("年底前"), _d("定期", "cadence")], [_d("年底前")], False),
    ],
)
def test_deadlines_compare_by_meaning_not_wording(rules, a, b, equal):
    sa, sb = [deadline_sig(d, rules) for d in a], [deadline_sig(d, rules) for d in b]
    assert sigs_equal(sa, sb) is equal
    assert sigs_equal(sb, sa) is equal


def test_parent_view_leaves_its_childrens_text_units_and_deadlines_out(rules):
    parent = "二要强化节假日安全防范。各级各部门要重点加强以下领域：①道路交通方面，公安部门要严查酒驾，国庆期间加强巡查。"
    sheet = make_sheet([
        {"id": "p", "text": parent, "units": [("各级各部门", "owner", True, False)], "deadlines": [("节假日", "period")]},
        {"id": "c", "parent": "p", "text": "①道路交通方面，公安部门要严查酒驾，国庆期间加强巡查。",
         "units": [("公安部门", "owner", False, False)], "deadlines": [("国庆期间", "period")]},
    ])
    p, c = task_views(sheet, rules)
    assert "酒驾" not in p.own and "酒驾" in p.full
    assert [d.text for d in p.deadlines] == ["节假日"]
    assert p.units == frozenset() and p.generic == {"各级各部门"}
    assert c.units == {("公安", "owner")} and c.depth == 1 and c.parent == 0


def test_inherited_units_count_only_when_the_task_names_none_itself(rules):
    sheet = make_sheet([
        {"text": "做好检查。", "units": [("应急管理局", "lead", False, True)]},
        {"text": "住建部门要做好检查。", "units": [("应急管理局", "lead", False, True), ("住建部门", "owner", False, False)]},
    ])
    inherited, own = task_views(sheet, rules)
    assert inherited.units == {("应急管理", "lead")} and inherited.units_inherited_only
    assert own.units == {("住建", "owner")} and not own.units_inherited_only


@given(st.text(alphabet="安全生产检查消防燃气道路", min_size=0, max_size=30), st.integers(1, 3))
def test_ngram_codes_has_one_code_per_ngram(text, n):
    assert len(ngram_codes(text, n)) == max(len(text) - n + 1, 0)


def test_tfidf_scores_identical_high_disjoint_zero_and_is_symmetric():
    texts = ["严查货车超限超载", "加强消防安全检查", "严查货车超限超载违法行为"]
    be = TfidfBackend(2)
    m = be.matrix(texts, texts, texts)
    assert np.allclose(np.diag(m), 1.0)
    assert m[0, 1] == pytest.approx(0.0)
    assert m[0, 2] > 0.7
    assert np.allclose(m, m.T)


def test_similarity_ranks_the_reworded_directive_above_a_look_alike(rules):
    a = make_sheet([{"text": "城镇燃气。住建部门牵头，重点排查餐饮场所液化石油气钢瓶和燃气报警装置。", "sectors": ["燃气"]}])
    b = make_sheet([
        {"text": "燃气入户安检。住建部门要督促燃气企业逐户开展入户安全检查，查看软管老化问题。", "sectors": ["燃气"]},
        {"text": "深化燃气整治。由住建部门牵头，排查餐饮场所液化石油气钢瓶，督促安装燃气报警装置。", "sectors": ["燃气"]},
    ])
    total = similarity_matrix(task_views(a, rules), task_views(b, rules), TfidfBackend(2), rules).total
    assert total[0, 1] > total[0, 0]
    assert ((0 <= total) & (total <= 1)).all()


@pytest.mark.parametrize("name, model, message", [
    ("word2vec", None, "unknown backend"),
    ("transformers", None, "needs --model"),
])
def test_make_backend_explains_what_is_wrong(rules, name, model, message):
    with pytest.raises(BackendError, match=message):
        make_backend(name, model, rules)
