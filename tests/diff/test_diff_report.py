"""Reports: the JSON the scorer reads, and HTML/Markdown that show a speech's text inertly."""
from __future__ import annotations

import re

import pytest

from speech_tasks.diff import diff_sheets
from speech_tasks.diff.report import diff_html, diff_json, diff_markdown, series_html, series_markdown

from .conftest import make_sheet

EVIL = "<script>alert('x')</script>"
A = [
    {"id": "a1", "text": "一要强化值班值守。各地要严格执行领导带班制度，遇有突发事件及时报告。" + EVIL},
    {"id": "a2", "text": "二要抓好燃气安全。住建部门要排查液化石油气钢瓶|报警装置，年底前完成。",
     "units": [("住建部门", "owner", False, False)], "deadlines": [("年底前", "date")]},
    {"id": "a3", "text": "三要开展宣传教育。宣传部门要组织观看警示教育片，普及安全常识。"},
]
B = [
    {"id": "b1", "text": "（一）严格值班值守。各地要严格执行领导带班制度，遇有突发事件立即报告。" + EVIL},
    {"id": "b2", "text": "（二）深化燃气整治。住建部门要排查液化石油气钢瓶|报警装置，10月底前完成。",
     "units": [("住建部门", "owner", False, False)], "deadlines": [("10月底前", "date")]},
    {"id": "b3", "text": "（三）做好森林防火。林业部门要加强野外火源管控，严防森林火灾。"},
]


def _data():
    return diff_json(diff_sheets(make_sheet(A, "a.txt"), make_sheet(B, "b.txt")), "a.txt", "b.txt")


def test_json_has_what_the_scorer_reads_and_what_changed():
    d = _data()
    pairs = {(p["a"]["id"], p["b"]["id"]): p for p in d["pairs"]}
    assert set(pairs) == {("a1", "b1"), ("a2", "b2")}
    assert [t["id"] for t in d["added"]] == ["b3"] and [t["id"] for t in d["dropped"]] == ["a3"]
    assert pairs[("a1", "b1")]["status"] == "same"
    changed = pairs[("a2", "b2")]
    assert changed["status"] == "changed" and changed["why"] == ["deadlines"]
    assert changed["changes"]["deadlines_added"] == ["10月底前"] and changed["changes"]["deadlines_removed"] == ["年底前"]
    assert 0 < changed["similarity"] <= 1 and set(changed["features"]) >= {"own", "head"}
    for ref in (changed["a"], changed["b"], *d["added"], *d["dropped"]):
        s, e = ref["span"]
        assert isinstance(s, int) and s < e
    assert d["summary"] == {"pairs": 2, "same": 1, "changed": 1, "split": 0, "merged": 0, "added": 1, "dropped": 1}


def test_html_is_self_contained_escaped_and_filterable():
    html = diff_html(_data())
    assert EVIL not in html and "&lt;script&gt;alert(" in html
    assert len(re.findall(r"<script>", html)) == 1  # the report's own filter script only
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # nothing fetched from elsewhere
    for kind in ("same", "changed", "added", "dropped"):
        assert f'data-kind="{kind}"' in html
    # character level: 年底前 → 10月底前 marks just 年 and 10月
    assert "<del>年</del>底前" in html and "<ins>10月</ins>底前" in html


def test_markdown_keeps_each_pair_on_one_table_row():
    md = diff_markdown(_data())
    assert EVIL not in md
    rows = [line for line in md.splitlines() if line.startswith("| 2 ")]
    assert len(rows) == 1 and rows[0].count(" | ") == 4  # the pipe in the text does not add a column


def _visible_words(page: str) -> set[str]:
    """Latin words a reader sees: tags, style and script left out."""
    import html

    page = re.sub(r"<(style|script)>.*?</\1>", "", page, flags=re.S)
    return set(re.findall(r"[A-Za-z][A-Za-z-]+", html.unescape(re.sub(r"<[^>]+>", " ", page))))


def _series_data():
    from speech_tasks.diff.series import build_series, series_json

    from .test_diff_series import MEETINGS

    return series_json(build_series(MEETINGS))


@pytest.mark.parametrize(
    "render, data",
    [
        (diff_html, _data),
        (diff_markdown, _data),
        (series_html, _series_data),
        (series_markdown, _series_data),
    ],
)
def test_reports_label_everything_in_chinese(render, data):
    # what is left: file names, the speech's own text (EVIL) and the name of the similarity method
    allowed = {"a", "b", "m1", "m2", "m3", "txt", "json", "script", "alert", "x", "TF-IDF"}
    assert _visible_words(render(data())) - allowed == set()
