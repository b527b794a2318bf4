import datetime as dt

import pytest

from speech_tasks.ledger.alerts import warning
from speech_tasks.ledger.lifecycle import policy

TODAY = dt.date(2024, 3, 20)


@pytest.mark.parametrize(
    "status, days_left, colour",
    [
        ("推进中", -1, "红"),  # overdue
        ("延期", -5, "红"),  # overdue even after postponing
        ("推进中", 0, "黄"),  # due today
        ("未启动", 3, "黄"),
        ("未启动", 4, "蓝"),
        ("推进中", 7, "蓝"),
        ("推进中", 8, None),
        ("延期", 30, "黄"),  # behind however far the new date
        ("延期", None, "黄"),
        ("推进中", None, None),  # no due date, nothing to warn about
        ("已完成", -10, None),  # finished tasks carry no warning
        ("已销号", 1, None),
    ],
)
def test_three_colour_warnings(status, days_left, colour):
    due = None if days_left is None else TODAY + dt.timedelta(days=days_left)
    assert warning(status, due, TODAY, policy()) == colour
