import json

import pytest

from speech_tasks.cli import main

from .sheets import base_tasks, edit_rows, sheet


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """A folder with one meeting's sheet already imported into ledger.sqlite."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sheets").mkdir()
    (tmp_path / "sheets" / "m1.json").write_text(sheet(base_tasks()).model_dump_json(), encoding="utf-8")
    assert main(["track", "--db", "ledger.sqlite", "import", "sheets"]) == 0
    return tmp_path


def track(*args: str) -> int:
    return main(["track", "--db", "ledger.sqlite", *args])


@pytest.mark.parametrize(
    "args, code, stdout, stderr",
    [
        (["set", "T0000000001", "--status", "推进中", "--note", "已部署"], 0, "T0000000001: 状态 未启动 → 推进中 (version 1)", ""),
        (["set", "T0000000001", "--status", "未启动"], 0, "nothing changed (still 未启动, version 0)", ""),
        (["set", "T0000000001", "--status", "已销号"], 1, "", "T0000000001: 未启动 → 已销号 is not allowed"),
        (["set", "T0000000001", "--status", "延期", "--due", "2024-05-01"], 1, "", "needs a new due date and a reason"),
        (["set", "T0000000001"], 1, "", "nothing to set"),
        (["set", "Tnope", "--note", "x"], 1, "", "unknown task id 'Tnope'"),
        (["history", "Tnope"], 1, "", "unknown task id 'Tnope'"),
        (["list", "--status", "完成"], 1, "", "unknown status '完成'"),
        (["list", "--today", "2024-04-01", "--overdue"], 0, "1 tasks; 红 1, 黄 0, 蓝 0 (as of 2024-04-01)", ""),
        (["list", "--today", "2024-04-10", "--unit", "住建"], 0, "T0000000002", ""),
        (["list", "--due-before", "2024-04-01"], 0, "T0000000001", ""),
        (["list", "--meeting", "全市安全生产"], 0, "3 tasks", ""),
        (["list", "--meeting", "other"], 0, "0 tasks", ""),
        (["units", "--today", "2024-04-01"], 0, "市应急管理局", ""),
        (["import", "sheets/missing.json"], 1, "", "sheets/missing.json: no such file or folder"),
    ],
)
def test_commands_print_one_line_results_and_errors(workdir, capsys, args, code, stdout, stderr):
    assert track(*args) == code
    out, err = capsys.readouterr()
    assert stdout in out
    assert stderr in err
    assert "Traceback" not in err
    if code == 1:
        assert len(err.strip().splitlines()) == 1


def test_unreadable_sheet_names_the_file(workdir, capsys):
    (workdir / "bad.json").write_text("{not json", encoding="utf-8")
    assert track("import", "bad.json") == 1
    assert capsys.readouterr().err.startswith("speech-tasks track: bad.json: not valid JSON")


def test_list_filters_and_formats_for_scripts(workdir, capsys):
    track("set", "T0000000002", "--status", "延期", "--due", "2024-04-20", "--reason", "汛期")
    capsys.readouterr()
    assert track("list", "--today", "2024-04-18", "--format", "json") == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert {k: (r["status"], r["due"], r["warning"]) for k, r in rows.items()} == {
        "T0000000001": ("未启动", "2024-03-31", "红"),
        "T0000000002": ("延期", "2024-04-20", "黄"),
        "T0000000003": ("未启动", None, None),
    }
    assert track("list", "--today", "2024-04-18", "--status", "延期", "--format", "csv") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("id,meeting,meeting_name,number") and len(lines) == 2


def test_db_option_after_the_subcommand_and_missing_ledger(workdir, capsys):
    assert main(["track", "list", "--db", "elsewhere.sqlite"]) == 1
    assert "elsewhere.sqlite: no ledger here" in capsys.readouterr().err
    assert main(["track", "list", "--db", "ledger.sqlite"]) == 0


def test_daily_workflow_export_edit_import_xlsx_list_overdue(workdir, capsys):
    assert track("export", "-o", "out/ledger.xlsx", "--today", "2024-04-01") == 0
    assert "out/ledger.xlsx: 3 tasks, 0 history rows; 红 1" in capsys.readouterr().out
    track("set", "T0000000002", "--note", "已自查", "--by", "bob")  # newer than the export
    edit_rows(workdir / "out" / "ledger.xlsx", {
        "T0000000001": {"状态": "已完成", "进展情况": "整治完成"},
        "T0000000002": {"进展情况": "未自查"},
    })
    capsys.readouterr()
    assert track("import-xlsx", "out/ledger.xlsx", "--by", "carol") == 3  # a conflict happened
    out, err = capsys.readouterr()
    assert "row 2 T0000000001: 状态 未启动 → 已完成 (version 1)" in out
    assert "out/ledger.xlsx: 1 rows applied, 1 unchanged, 1 conflicts, 0 refused" in out
    assert "conflict: row 3 T0000000002: 进展情况: ledger 已自查 ≠ file 未自查" in err
    assert track("list", "--overdue", "--today", "2024-04-01") == 0
    assert "0 tasks" in capsys.readouterr().out  # T1 is done now
    assert track("history", "T0000000001", "--format", "json") == 0
    [h] = json.loads(capsys.readouterr().out)
    assert (h["by"], h["new"], h["note"]) == ("carol via ledger.xlsx", "已完成", "整治完成")
