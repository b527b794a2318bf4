import datetime as dt

import pytest

from speech_tasks.ledger.alerts import most_urgent, warning
from speech_tasks.ledger.lifecycle import policy

TODAY = dt.date(2024, 3, 20)


@pytest.mark.parametrize(
    "status, days_left, pending, unsigned_days, colour",
    [
        ("推进中", -1, False, None, "红"),  # overdue
        ("已签收", -5, True, None, "红"),  # overdue even while asking for more time
        ("推进中", 0, False, None, "黄"),  # due today
        ("已签收", 3, False, None, "黄"),
        ("已签收", 4, False, None, "蓝"),
        ("推进中", 7, False, None, "蓝"),
        ("推进中", 8, False, None, None),
        ("推进中", 30, True, None, "黄"),  # a 延期 request pending
        ("未签收", None, False, 3, "黄"),  # unsigned for three days
        ("未签收", None, False, 2, None),
        ("推进中", None, False, None, None),  # no due date, nothing to warn about
        ("已完成", -10, False, None, None),  # finished by the unit: no warning
        ("审核通过", -1, False, None, None),
        ("已销号", 1, False, None, None),
    ],
)
def test_three_colour_warnings(status, days_left, pending, unsigned_days, colour):
    due = None if days_left is None else TODAY + dt.timedelta(days=days_left)
    since = None if unsigned_days is None else TODAY - dt.timedelta(days=unsigned_days)
    assert warning(status, due, TODAY, policy(), pending_extension=pending, unsigned_since=since) == colour


@pytest.mark.parametrize("levels, most", [(["蓝", None, "红", "黄"], "红"), (["蓝", "黄"], "黄"), ([None], None), ([], None)])
def test_a_task_shows_its_most_urgent_unit(levels, most):
    assert most_urgent(levels) == most
