"""`speech-tasks diff`: files written, speeches extracted on the way, bad input in one line."""
from __future__ import annotations

import json

import pytest

from speech_tasks.cli import main

from .conftest import make_sheet
from .test_diff_align import EARLIER, LATER


@pytest.fixture
def sheets(tmp_path):
    a, b = tmp_path / "earlier.json", tmp_path / "later.json"
    a.write_text(make_sheet(EARLIER, "earlier.txt").model_dump_json(), encoding="utf-8")
    b.write_text(make_sheet(LATER, "later.txt").model_dump_json(), encoding="utf-8")
    return a, b


def test_writes_every_format_asked_for_under_the_pair_name(sheets, tmp_path, capsys):
    a, b = sheets
    out = tmp_path / "out"
    assert main(["diff", str(a), str(b), "-o", str(out), "--format", "json,html,md"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["earlier__later.html", "earlier__later.json", "earlier__later.md"]
    data = json.loads((out / "earlier__later.json").read_text(encoding="utf-8"))
    assert data["summary"]["pairs"] == 4 and data["summary"]["added"] == 2 and data["summary"]["dropped"] == 1
    assert "4 carried over (2 same, 2 changed" in capsys.readouterr().out


def test_default_formats_are_json_and_html(sheets, tmp_path):
    a, b = sheets
    assert main(["diff", str(a), str(b), "-o", str(tmp_path / "out")]) == 0
    assert sorted(p.suffix for p in (tmp_path / "out").iterdir()) == [".html", ".json"]


def test_threshold_option_overrides_the_rules(sheets, tmp_path):
    a, b = sheets
    assert main(["diff", str(a), str(b), "-o", str(tmp_path), "--format", "json", "--threshold", "1"]) == 0
    data = json.loads((tmp_path / "earlier__later.json").read_text(encoding="utf-8"))
    assert data["pairs"] == [] and data["threshold"] == 1.0


SPEECH_A = """同志们：
下面，我讲三点意见。
一、抓好安全生产重点工作
一要加强道路交通安全管理。公安交管部门要严查超限超载、酒驾醉驾等违法行为，强化货车和客车源头管控。
二要抓好城镇燃气安全整治。住建部门要全面排查餐饮场所液化石油气钢瓶和燃气报警装置，年底前完成整治。
"""
SPEECH_B = """同志们：
下面，我讲两点意见。
一、持续抓好重点工作
一要抓好城镇燃气安全整治。住建部门要全面排查餐饮场所液化石油气钢瓶和燃气报警装置，10月底前完成整治。
二要做好森林防火。林业部门要加强野外火源管控，严防森林火灾。
"""


def test_speeches_are_extracted_before_the_diff(tmp_path):
    (tmp_path / "a.txt").write_text(SPEECH_A, encoding="utf-8")
    (tmp_path / "b.txt").write_text(SPEECH_B, encoding="utf-8")
    assert main(["diff", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "-o", str(tmp_path), "--format", "json"]) == 0
    data = json.loads((tmp_path / "a__b.json").read_text(encoding="utf-8"))
    assert data["a"]["tasks"] > 0 and data["b"]["tasks"] > 0
    text = SPEECH_B
    assert any("燃气" in text[p["b"]["span"][0]:p["b"]["span"][1]] for p in data["pairs"])


@pytest.mark.parametrize(
    "make_args, message",
    [
        (lambda a, b, d: ["diff", str(d / "missing.json"), str(b)], "missing.json: no such file"),
        (lambda a, b, d: ["diff", str(d / "broken.json"), str(b)], "broken.json: not valid JSON"),
        (lambda a, b, d: ["diff", str(d / "other.json"), str(b)], "other.json: not a task sheet"),
        (lambda a, b, d: ["diff", str(d), str(b)], "is a folder"),
        (lambda a, b, d: ["diff", str(a)], "give exactly two meetings"),
        (lambda a, b, d: ["diff", str(a), str(b), str(a)], "give exactly two meetings"),
        (lambda a, b, d: ["diff", "--series", str(a)], "at least two meetings"),
        (lambda a, b, d: ["diff", str(a), str(b), "--backend", "transformers"], "needs --model"),
    ],
)
def test_bad_input_is_one_clear_line(sheets, tmp_path, capsys, monkeypatch, make_args, message):
    a, b = sheets
    monkeypatch.chdir(tmp_path)
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "other.json").write_text(json.dumps({"tasks": "none"}), encoding="utf-8")
    code = main(make_args(a, b, tmp_path))
    err = capsys.readouterr().err
    assert code in (1, 2)
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "outputs").exists()  # nothing written, not even the default folder


def test_unknown_format_is_refused_by_the_parser(sheets, capsys):
    a, b = sheets
    with pytest.raises(SystemExit) as e:
        main(["diff", str(a), str(b), "--format", "pdf"])
    assert e.value.code == 2 and "unknown format 'pdf'" in capsys.readouterr().err
