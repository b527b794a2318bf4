"""The Markdown sheet: a GitHub table whose cells nothing in a speech can break."""
from __future__ import annotations

import re

import pytest

from speech_tasks.export import columns as C
from speech_tasks.export import markdown

from .conftest import build_sheet


def table_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("|")]


def test_title_outline_and_one_table_row_per_task():
    text = markdown.render(build_sheet())
    assert text.startswith("# 全市安全生产工作会议任务分解表\n")
    assert "1. 一、压实安全责任" in text
    lines = table_lines(text)
    assert len(lines) == 2 + len(build_sheet().tasks)
    unescaped_pipe = re.compile(r"(?<!\\)\|")
    assert all(len(unescaped_pipe.findall(line)) == len(C.PRINTED_COLUMNS) + 1 for line in lines)


def test_speech_markup_is_escaped():
    text = markdown.render(build_sheet())
    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "A\\|B" in text


@pytest.mark.parametrize(
    "value, expected",
    [
        ("a|b", "a\\|b"),
        ("**个行动", "\\*\\*个行动"),
        ("<b>&", "&lt;b&gt;&amp;"),
        ("一\n二", "一<br>二"),
        (None, ""),
    ],
)
def test_md_text(value, expected):
    assert markdown.md_text(value) == expected
