"""Numerals as speeches write them: 3, ３, 十二, 二十一, 两, 一百零五, 二〇二三 → int.

One reader for every stage (list markers, deadlines, meeting dates), so 十二 means the same
everywhere. Chinese numerals are language, not a city's rules: they are not in rules/.
"""
from __future__ import annotations

DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
          "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def parse(text: str) -> int | None:
    """The value of *text*, or None when it is not a numeral."""
    text = text.translate(_FULLWIDTH)
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return int(text)
    if len(text) > 1 and all(c in DIGITS for c in text):  # digit by digit: 二〇二三
        return int("".join(str(DIGITS[c]) for c in text))
    total = current = 0
    for c in text:
        if c in DIGITS:
            current = DIGITS[c]
        elif c in UNITS:
            total += (current or 1) * UNITS[c]
            current = 0
        else:
            return None
    return total + current
