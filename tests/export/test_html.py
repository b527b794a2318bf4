"""The HTML report, read back with a parser: well-formed nesting, working links, inert speech text."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from speech_tasks.export import html
from speech_tasks.export.cells import clean
from speech_tasks.export.html import Highlight, nest

from .conftest import TEXT, build_sheet
from .htmlcheck import parse


@pytest.fixture(scope="module")
def report() -> str:
    return html.render(build_sheet(), source_text=TEXT)


def test_speech_markup_renders_as_text(report):
    page = parse(report, "fulltext")
    assert page.tags["script"] == 0
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in report
    assert "".join(page.text) == TEXT  # the full text, every character, nothing added


def test_self_contained(report):
    page = parse(report)
    assert page.tags["link"] == page.tags["img"] == page.tags["script"] == 0
    assert not any("src" in a for a in page.attrs)
    assert "http" not in report


def test_every_task_has_a_row_and_a_highlighted_passage_linked_both_ways(report):
    page = parse(report)
    for t in build_sheet().tasks:
        assert f"task-{t.id}" in page.ids and f"src-{t.id}" in page.ids
        assert f"#src-{t.id}" in page.hrefs and f"#task-{t.id}" in page.hrefs
    assert all(h[1:] in page.ids for h in page.hrefs if h.startswith("#"))


def test_child_passages_nest_inside_their_parents(report):
    ids = parse(report).ids
    assert "src-Ta" in ids["src-Tb"]
    assert {"src-Ta", "src-Tb"} <= set(ids["src-Tc"])
    assert "src-Tb" not in ids["src-Te"]


def test_outline_table_and_unit_groups(report):
    assert report.count('<tr class="section">') == 2
    for expected in ("一、压实安全责任", "市应急管理局", "市住房和城乡建设局（住建部门）", "（未明确单位）", "建议责任单位：市应急管理局"):
        assert expected in report


def test_without_source_text_each_task_text_is_shown(tmp_path):
    path = html.write(build_sheet(), tmp_path / "r.html")
    markup = path.read_text(encoding="utf-8")
    page = parse(markup)
    assert all(f"src-{t.id}" in page.ids for t in build_sheet().tasks)
    assert 'class="fulltext"' not in markup
    assert "&lt;script&gt;" in markup and page.tags["script"] == 0


def test_source_text_of_another_length_is_refused():
    with pytest.raises(ValueError, match="characters"):
        html.render(build_sheet(), source_text=TEXT + "多")


@pytest.mark.parametrize(
    "spans, expected",
    [
        ([(0, 4, "a"), (1, 3, "b")], '<mark class="a">x<mark class="b">yz</mark>w</mark>'),
        # crossing spans: the inner element is closed and reopened around the boundary
        ([(0, 3, "a"), (2, 4, "b")], '<mark class="a">xy<mark class="b">z</mark></mark><mark class="b">w</mark>'),
        ([(1, 1, "a")], "xyzw"),  # empty: dropped
        ([(-5, 2, "a"), (3, 99, "b")], '<mark class="a">xy</mark>z<mark class="b">w</mark>'),
    ],
)
def test_nest(spans, expected):
    assert str(nest("xyzw", [Highlight(s, e, "mark", c) for s, e, c in spans])) == expected


def test_nest_puts_anchor_and_badge_on_the_first_piece_only():
    out = str(nest("abcd", [Highlight(0, 3, "mark", "t", anchor="src-1", badge="<b>1</b>"), Highlight(2, 4, "span", "u")]))
    assert out.count('id="src-1"') == 1 and out.count("<b>1</b>") == 1
    assert out.startswith('<mark id="src-1" class="t"><b>1</b>ab')


@given(
    text=st.text(alphabet="安全<>&\"'a\n\x01\x0c\ufffe", min_size=0, max_size=30),
    spans=st.lists(st.tuples(st.integers(-3, 33), st.integers(-3, 33), st.sampled_from(["mark", "span"])), max_size=8),
)
def test_nest_always_well_formed_and_lossless(text, spans):
    highlights = [Highlight(min(a, b), max(a, b), tag, "h", tooltip=text) for a, b, tag in spans]
    markup = f'<div class="root">{nest(text, highlights)}</div>'
    page = parse(markup, "root")
    assert "".join(page.text) == clean(text)  # every character but those a file should not hold
    assert all(a.get("title", "") == clean(text) for a in page.attrs[1:])


def test_text_taken_as_plain_is_what_clean_and_escape_leave_alone():
    for c in map(chr, range(0x10000)):
        assert (html._NOT_PLAIN.search(c) is None) == (html._text(c) == c), repr(c)


@pytest.mark.parametrize(
    "bad, shown",
    [
        ("甲\x01乙\x0c丙\ufffe丁", "甲乙\n丙丁"),
        ("<b>&'\"</b>", "&lt;b&gt;&amp;&#39;&#34;&lt;/b&gt;"),
        ("<i>\x7f</i>\x7f", "&lt;i&gt;\x7f&lt;/i&gt;\x7f"),  # the character html._texts joins values with
    ],
)
def test_every_value_is_cleaned_and_escaped(bad, shown):
    sheet = build_sheet()
    tasks = [
        t.model_copy(update={"title": bad, "units": [u.model_copy(update={"name": bad}) for u in t.units]})
        for t in sheet.tasks
    ]
    sheet = sheet.model_copy(update={"tasks": tasks, "meeting": sheet.meeting.model_copy(update={"name": bad})})
    source = TEXT.replace("市安委办", "\x01<\x0c\ufffe")  # spans keep their offsets
    for report in (html.render(sheet, source_text=source), html.render(sheet)):
        page = parse(report)
        assert page.tags["b"] == page.tags["i"] == 0
        assert not {"\x01", "\x0c", "\ufffe"} & set(report)
        assert f'<td class="key">{shown}</td>' in report and f"<h3>{shown} <small>" in report
        assert f'title="{shown}（' in report and f'<span class="num">1.1</span>{shown}</a>' in report
    assert "&lt;\n" in html.render(sheet, source_text=source)
