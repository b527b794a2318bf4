"""Corpus summary: digests, tables (date order, per unit and role, sectors, deadlines, recurring
directives) and the files a person opens (xlsx sheets, HTML with SVG plots whose text is text)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from speech_tasks import summary
from speech_tasks.models import Deadline, Meeting, Source, Task, TaskSheet, Unit

D = dt.date


def unit(name: str, role: str = "owner", generic: bool = False) -> Unit:
    return Unit(text=name, name=name, role=role, generic=generic, span=(0, 1))


def task(text: str, units=(), sectors=(), deadlines=(), title=None, marker=None) -> Task:
    return Task(
        id=f"T{abs(hash(text)) % 10**8}",
        number="1",
        path="一",
        kind="numbered",
        marker=marker,
        title=title,
        text=text,
        span=(0, len(text)),
        units=list(units),
        sectors=list(sectors),
        deadlines=[Deadline(text=k, kind=k, due=due, span=(0, 1)) for k, due in deadlines],
    )


def sheet(file: str, date: dt.date | None, tasks=(), name: str | None = None) -> TaskSheet:
    return TaskSheet(
        tool_version="test",
        source=Source(file=file, sha256="0" * 64, encoding="utf-8", chars=100),
        meeting=Meeting(name=name, date=date),
        tasks=list(tasks),
    )


def digests(*sheets: TaskSheet) -> list[summary.Digest]:
    return [summary.digest(s, f"{s.source.file.rsplit('.', 1)[0]}.json") for s in sheets]


GAS = "一要开展燃气安全专项整治，全面排查餐饮场所燃气隐患。"
GAS_AGAIN = "一要深入开展燃气安全专项整治，全面排查餐饮场所隐患。"
ROADS = "二要加强道路交通安全管理，严查超速超载。"


def corpus() -> list[summary.Digest]:
    return digests(
        sheet(
            "b.txt",
            D(2023, 5, 1),
            [
                task(
                    GAS,
                    [unit("市住建局", "lead"), unit("市市场监管局", "assist")],
                    ["燃气"],
                    [("date", D(2023, 6, 30))],
                ),
                task(ROADS, [unit("市公安局", "lead"), unit("各地", generic=True)], ["道路交通"], [("urgency", None)]),
            ],
            name="五月会议",
        ),
        sheet("undated.txt", None, [task(ROADS, [unit("市公安局")], ["道路交通"])]),
        sheet(
            "a.txt",
            D(2023, 1, 10),
            [task(GAS_AGAIN, [unit("市住建局", "owner")], ["燃气"], [("date", D(2023, 2, 15)), ("cadence", None)])],
        ),
    )


def test_digest_counts_each_unit_and_sector_once_per_task():
    s = sheet(
        "x.txt",
        D(2024, 3, 1),
        [
            task("一要查燃气和燃气管道。", [unit("市住建局", "lead")] * 2, ["燃气", "燃气"], marker="一要"),
            task(
                "二要查。", [unit("市住建局", "assist"), unit("各地", generic=True)], [], [("date", D(2024, 4, 30))] * 2
            ),
        ],
    )
    d = summary.digest(s, "x.json")
    assert sorted(d.units) == [
        ["各地", "owner", True, 1],
        ["市住建局", "assist", False, 1],
        ["市住建局", "lead", False, 1],
    ]
    assert d.sectors == {"燃气": 1}
    assert d.deadlines == [["date", "2024-04", 2]]
    assert d.directives == [["市住建局", "燃气", "查燃气和燃气管道"]]  # generic units and sector-less tasks: none


def test_digest_keeps_the_order_of_mention_so_ties_sort_alike_on_every_run():
    sectors = ["燃气", "消防", "道路交通", "危险化学品", "建筑施工"]
    names = ["市住建局", "市消防救援支队", "市公安局", "市应急管理局", "市城管局"]
    d = summary.digest(sheet("x.txt", None, [task("一要查。", [unit(n) for n in names], sectors)]), "x.json")
    assert list(d.sectors) == sectors
    assert [u[0] for u in d.units] == names


@pytest.mark.parametrize("index", range(3))
def test_digest_survives_its_json_form(index):
    import json

    d = corpus()[index]
    assert summary.Digest.from_json(json.loads(json.dumps(d.to_json()))) == d


@pytest.mark.parametrize(
    "text,title,marker,expected",
    [
        ("一要突出重点，强化督查检查。各地要…", "突出重点，强化督查检查", "一要", "突出重点，强化督查检查"),
        ("一要开展燃气安全专项整治。其余", None, "一要", "开展燃气安全专项整治"),
        ("市安委办要牵头；各地配合", None, None, "市安委办要牵头"),
        ("很" * 100, None, None, "很" * 60),  # rules/summary.yaml headline_chars
    ],
)
def test_headline_is_the_heading_clause_without_marker(text, title, marker, expected):
    assert summary.headline(text, title, marker) == expected


def test_meetings_are_ordered_by_date_with_undated_last():
    t = summary.tables(corpus())
    assert t.meetings["文件"].tolist() == ["a.txt", "b.txt", "undated.txt"]
    assert t.meetings["任务数"].tolist() == [1, 2, 1]
    assert t.meetings["明确单位数"].tolist() == [1, 3, 1]  # 各地 is generic
    assert list(t.unit_meeting.columns) == ["2023-01-10", "2023-05-01 五月会议", "undated"]  # date and name; file name


def test_unit_table_counts_tasks_by_role():
    units = summary.tables(corpus()).units
    assert units.loc["市住建局", ["牵头", "责任", "配合", "合计", "会议数"]].tolist() == [1, 1, 0, 2, 2]
    assert units.loc["市市场监管局", ["牵头", "责任", "配合"]].tolist() == [0, 0, 1]
    assert units.loc["各地", "泛指"] == "是"
    assert units.index[0] in ("市住建局", "市公安局")  # busiest first


def test_sectors_per_meeting_and_deadlines_by_month():
    t = summary.tables(corpus())
    assert t.sectors[["燃气", "道路交通"]].values.tolist() == [[1, 0], [1, 1], [0, 1]]
    assert t.deadlines.loc["日期", ["2023-02", "2023-06", summary.NO_DUE]].tolist() == [1, 1, 0]
    assert t.deadlines.loc["周期", summary.NO_DUE] == 1
    assert t.deadlines["合计"].sum() == 4


def test_recurring_directive_needs_same_unit_sector_and_similar_text_in_two_meetings():
    rec = summary.tables(corpus()).recurring
    rows = {(r["单位"], r["行业领域"]): r for r in rec.to_dict("records")}
    gas = rows[("市住建局", "燃气")]
    assert gas["会议次数"] == 2 and gas["首次"] == "2023-01-10" and gas["最近"] == "2023-05-01 五月会议"
    assert ("市公安局", "道路交通") in rows  # same text, undated meeting included
    assert ("市市场监管局", "燃气") not in rows  # one meeting only


def test_dissimilar_directives_do_not_recur():
    ds = digests(
        sheet("a.txt", D(2023, 1, 1), [task(GAS, [unit("市住建局")], ["燃气"])]),
        sheet("b.txt", D(2023, 2, 1), [task("一要做好汛期地下室防水倒灌排查。", [unit("市住建局")], ["燃气"])]),
    )
    assert summary.tables(ds).recurring.empty


@pytest.mark.parametrize(
    "texts,expected",
    [
        (["开展燃气安全专项整治"], [[0]]),
        (["开展燃气安全专项整治", "深入开展燃气安全专项整治", "加强道路交通管理"], [[0, 1], [2]]),
        (["甲乙丙丁", "戊己庚辛"], [[0], [1]]),
    ],
)
def test_clusters_link_similar_texts(texts, expected):
    assert sorted(summary._clusters(texts)) == expected


def _svg_texts(html: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", html)


def test_write_makes_xlsx_sheets_and_html_with_plots(tmp_path):
    from openpyxl import load_workbook

    paths = summary.write(corpus(), tmp_path)
    assert [p.name for p in paths] == ["summary.xlsx", "summary.html"]
    wb = load_workbook(tmp_path / "summary.xlsx")
    assert wb.sheetnames == ["会议任务", "单位任务", "行业领域×会议", "时限分布", "反复部署"]
    meetings = [[c.value for c in row] for row in wb["会议任务"].iter_rows()]
    assert meetings[0][:4] == ["序号", "日期", "会议", "文件"]
    assert [r[3] for r in meetings[1:]] == ["a.txt", "b.txt", "undated.txt"]
    for ws in wb.worksheets:  # printable as the task sheets are
        assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$1"
        assert "&P" in ws.oddFooter.center.text and ws.freeze_panes == "B2"
        assert ws["A1"].font.b and ws["A1"].border.left.style == "thin"
        (grid,) = ws.conditional_formatting  # the body's grid: every cell of the table, blank or not
        assert str(grid.sqref) == f"A2:{ws.cell(ws.max_row, ws.max_column).coordinate}"
        assert grid.rules[0].dxf.border.left.style == "thin"
    sectors = wb["行业领域×会议"]  # a zero count is no cell at all; text and dates keep their column's look
    assert any(c.value is None for row in sectors.iter_rows(min_row=2) for c in row)
    assert sectors["B2"].number_format == "yyyy-mm-dd" and sectors["C3"].alignment.wrap_text
    html = (tmp_path / "summary.html").read_text(encoding="utf-8")
    assert '<table class="data">' in html and "<td class=\"num\">" in html
    assert html.count("<svg") == 3  # heatmap, sector trend, workload bars
    texts = _svg_texts(html)
    assert "市住建局" in texts and "燃气" in texts  # labels are real text for the browser to draw
    assert "五月会议" in html and "各单位任务数" in html


def test_tables_without_rows_get_no_sheet(tmp_path):
    from openpyxl import load_workbook

    summary.write(corpus()[:1], tmp_path)  # one meeting: nothing recurs
    assert "反复部署" not in load_workbook(tmp_path / "summary.xlsx").sheetnames


def test_large_corpus_writes_both_files_from_two_processes(tmp_path, monkeypatch):
    monkeypatch.setattr(summary, "PARALLEL_FROM", 2)
    summary.write(corpus(), tmp_path)
    assert "市住建局" in _svg_texts((tmp_path / "summary.html").read_text(encoding="utf-8"))
    assert (tmp_path / "summary.xlsx").stat().st_size > 0


def test_plots_keep_chinese_text_without_a_cjk_font(tmp_path, monkeypatch):
    monkeypatch.setattr(summary, "_CJK_FAMILIES", ("No Such CJK Font",))
    summary.write(corpus(), tmp_path)
    texts = _svg_texts((tmp_path / "summary.html").read_text(encoding="utf-8"))
    assert "市公安局" in texts


def test_many_meetings_are_plotted_by_month_without_the_undated_ones(tmp_path):
    dated = [
        sheet(f"m{i:03d}.txt", D(2023, 1, 1) + dt.timedelta(days=3 * i), [task(GAS, [unit("市住建局")], ["燃气"])])
        for i in range(summary.MAX_MEETING_COLUMNS + 10)
    ]
    undated = [sheet(f"u{i}.txt", None, [task(GAS, [unit("市住建局")], ["燃气"])]) for i in range(7)]
    summary.write(digests(*dated, *undated), tmp_path)
    html = (tmp_path / "summary.html").read_text(encoding="utf-8")
    texts = _svg_texts(html)
    assert "2023-01" in texts and "2023-01-01" not in texts
    assert summary.UNDATED not in texts and "u0" not in texts
    assert html.count("另有 7 次会议未注明日期，不在图中") == 2  # heatmap and trend captions


def test_few_meetings_are_plotted_one_by_one_with_undated_ones_last_in_the_heatmap(tmp_path):
    summary.write(corpus(), tmp_path)
    html = (tmp_path / "summary.html").read_text(encoding="utf-8")
    heatmap, trend = html.split("<svg")[1:3]
    assert "undated" in _svg_texts(heatmap)
    assert "undated" not in _svg_texts(trend) and "2023-05-01 五月会议" in _svg_texts(trend)


def test_sheets_without_tasks_still_give_a_summary(tmp_path):
    summary.write(digests(sheet("a.txt", None), sheet("b.txt", D(2023, 1, 1))), tmp_path)
    html = (tmp_path / "summary.html").read_text(encoding="utf-8")
    assert "2 次会议，0 项任务" in html and "<svg" not in html
