"""One numeral reader for markers, deadlines and meeting dates."""
from __future__ import annotations

import pytest

from speech_tasks import numerals


@pytest.mark.parametrize(
    ("text", "value"),
    [("3", 3), ("１２", 12), ("一", 1), ("两", 2), ("十", 10), ("十二", 12), ("二十", 20), ("二十一", 21),
     ("一百零五", 105), ("三百六十五", 365), ("二〇二三", 2023), ("二○二四", 2024), ("零", 0),
     ("", None), ("半", None), ("十x", None), ("第一", None)],
)
def test_parse(text, value):
    assert numerals.parse(text) == value
