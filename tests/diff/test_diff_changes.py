"""What changed in a carried-over directive, and when that makes it "changed"."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from speech_tasks.diff.align import Link
from speech_tasks.diff.changes import compare, text_diff, units_differ
from speech_tasks.diff.similarity import task_views

from .conftest import make_sheet

TEXT = "要严格落实检查组组长负责制，持续加强监管执法。"


def _views(rules, a_units, b_units, a_deadlines=(), b_deadlines=()):
    a = make_sheet([{"text": TEXT, "units": list(a_units), "deadlines": list(a_deadlines)}])
    b = make_sheet([{"text": TEXT, "units": list(b_units), "deadlines": list(b_deadlines)}])
    return task_views(a, rules)[0], task_views(b, rules)[0]


NAMED = ("住建部门", "owner", False, False)
NAMED_LEAD = ("住建部门", "lead", False, False)
NAMED_INHERITED = ("住建部门", "owner", False, True)
OTHER = ("市场监管部门", "owner", False, False)
GENERIC = ("各地", "owner", True, False)
GENERIC2 = ("有关部门", "owner", True, False)


@pytest.mark.parametrize(
    "a_units, b_units, differ",
    [
        ([NAMED], [NAMED], False),
        ([NAMED], [("市住建局", "owner", False, False)], False),  # same body, other wording
        ([NAMED], [NAMED_LEAD], True),  # role changed
        ([NAMED], [NAMED, OTHER], True),  # a body added
        ([GENERIC], [], False),  # generic addressees do not decide
        ([GENERIC], [GENERIC2], False),
        ([GENERIC], [NAMED_LEAD, OTHER], True),  # generic → named bodies: reassigned
        ([NAMED_INHERITED], [], False),  # inheritance missed on one side: not a change
        ([NAMED_INHERITED], [NAMED], False),  # inherited and stated: same body
        ([NAMED_INHERITED], [OTHER], True),
    ],
)
def test_units_differ_on_named_bodies_and_roles_only(rules, a_units, b_units, differ):
    a, b = _views(rules, a_units, b_units)
    assert units_differ(a, b) is differ
    assert units_differ(b, a) is differ


def test_compare_lists_units_roles_and_deadlines_that_moved(rules):
    a, b = _views(rules, [NAMED, GENERIC], [NAMED_LEAD, OTHER], [("年底前", "date")], [("10月底前", "date")])
    c = compare(a, b, Link(0, 0, 0.5), rules)
    assert c.status == "changed" and c.why == ["units", "deadlines"]
    assert c.units_added == [("市场监管", "owner")]
    assert c.roles_changed == [("住建", "owner", "lead")]
    assert c.addressees_removed == ["各地"]
    assert c.deadlines_added == ["10月底前"] and c.deadlines_removed == ["年底前"]


def test_rewording_alone_is_same(rules):
    a = make_sheet([{"text": "要严格落实检查组组长负责制。", "units": [NAMED], "deadlines": [("党的二十大前", "event")]}])
    b = make_sheet([{"text": "严格执行检查组组长负责制度。", "units": [NAMED], "deadlines": [("党的二十大召开前", "event")]}])
    c = compare(task_views(a, rules)[0], task_views(b, rules)[0], Link(0, 0, 0.5), rules)
    assert (c.status, c.why, c.deadlines_added, c.deadlines_removed) == ("same", [], [], [])
    assert any(op.op != "equal" for op in c.text)


@pytest.mark.parametrize("relation", ["split", "merged"])
def test_split_or_merge_is_always_changed(rules, relation):
    a, b = _views(rules, [NAMED], [NAMED])
    c = compare(a, b, Link(0, 0, 0.5, relation), rules)
    assert c.status == "changed" and c.why == [relation]


def test_status_fields_choose_what_counts(rules):
    only_units = rules.model_copy(update={"status_fields": ["units"]})
    a, b = _views(rules, [NAMED], [NAMED], [("年底前", "date")], [])
    assert compare(a, b, Link(0, 0, 0.5), only_units).status == "same"
    assert compare(a, b, Link(0, 0, 0.5), rules).status == "changed"


@given(st.text(alphabet="安全生产检查消防燃气要的。", max_size=40), st.text(alphabet="安全生产检查消防燃气要的。", max_size=40))
def test_text_diff_rebuilds_both_texts(a, b):
    ops = text_diff(a, b)
    assert "".join(op.a for op in ops) == a
    assert "".join(op.b for op in ops) == b
    assert all((op.a == op.b) == (op.op == "equal") for op in ops)
