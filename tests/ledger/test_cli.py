import csv
import datetime as dt
import io
import json

import pytest
from docx import Document
from openpyxl import load_workbook

from speech_tasks.cli import main, parse_date

from .sheets import base_tasks, sheet


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
        (["sign", "T0000000001", "--by", "应急局"], 0, "T0000000001/1 市应急管理局: 未签收 → 已签收", ""),
        (["report", "T0000000002", "--unit", "住建", "--note", "已督导"], 0, "市住建局: 未签收 → 推进中", ""),
        (["report", "T0000000002", "--note", "x"], 1, "", "T0000000002: several units (各镇街、市住建局); name one with --unit"),
        (["report", "T0000000002", "--unit", "交通", "--note", "x"], 1, "", "no unit matching '交通'"),
        (["report", "T0000000001"], 1, "", "报送进展 needs a text (--note)"),
        (["close", "T0000000001"], 1, "", "销号: not possible in status 未签收"),
        (["request-extension", "T0000000001", "--due", "2024年5月1日", "--note", "资金未到位"], 0, "申请延期至 2024-05-01", ""),
        (["request-extension", "T0000000001", "--due", "2024/5/1"], 1, "", "申请延期 needs a text"),
        (["edit", "T0000000003", "--due", "2024/6/5", "--add-unit", "市公安局:配合", "--reason", "会商"], 0,
         "市公安局(未签收); 截止 2024-06-05 (version 3)", ""),
        (["edit", "T0000000003", "--add-unit", "某某专班"], 0, "某某专班(未签收)", "'某某专班' is not in the gazetteer"),
        (["edit", "T0000000003", "--status", "完成"], 1, "", "unknown status '完成'"),
        (["edit", "T0000000003"], 1, "", "nothing to edit"),
        (["edit", "T0000000003", "--text", "x", "--version", "0"], 1, "", "T0000000003: changed by"),
        (["show", "Tnope"], 1, "", "unknown task id 'Tnope'"),
        (["history", "Tnope"], 1, "", "unknown task id 'Tnope'"),
        (["list", "--status", "完成"], 1, "", "unknown status '完成'"),
        (["list", "--today", "2024-04-01", "--overdue"], 0, "1 tasks; 红 1, 黄 0, 蓝 0 (as of 2024-04-01)", ""),
        (["list", "--today", "2024/4/10", "--unit", "住建"], 0, "T0000000002", ""),
        (["list", "--due-before", "2024年4月1日"], 0, "T0000000001", ""),
        (["list", "--meeting", "全市安全生产"], 0, "3 tasks", ""),
        (["list", "--meeting", "other"], 0, "0 tasks", ""),
        (["units", "--today", "2024-04-01"], 0, "市应急管理局", ""),
        (["import", "sheets/missing.json"], 1, "", "sheets/missing.json: no such file or folder"),
        (["remind", "-o", "催办.pdf"], 1, "", "a 催办 list is written as .xlsx or .docx"),
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


@pytest.mark.parametrize("text", ["2023-06-05", "2023/6/5", "2023-6-5", "2023年6月5日", " 2023 年 6 月 5 日 ", "2023.6.5"])
def test_one_date_parser_reads_the_forms_clerks_type(text):
    assert parse_date(text).isoformat() == "2023-06-05"


@pytest.mark.parametrize("text", ["2023-13-01", "6/5/2023", "明天", "2023年6月"])
def test_bad_dates_name_the_accepted_forms(text):
    with pytest.raises(ValueError, match="2023-06-05, 2023/6/5, 2023-6-5 or 2023年6月5日"):
        parse_date(text)


def test_unreadable_sheet_names_the_file(workdir, capsys):
    (workdir / "bad.json").write_text("{not json", encoding="utf-8")
    assert track("import", "bad.json") == 1
    assert capsys.readouterr().err.startswith("speech-tasks track: bad.json: not valid JSON")


def read_csv(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_has_bom_chinese_headers_inert_formulas_and_a_header_when_empty(workdir, capsys):
    track("edit", "T0000000001", "--text", "=HYPERLINK(\"http://x\")", "--note", "@SUM(A1)\f")
    capsys.readouterr()
    assert track("list", "--format", "csv") == 0
    rows = read_csv(capsys.readouterr().out)
    assert rows[0] == ["任务编号", "会议", "序号", "工作任务", "单位（状态）", "截止日期", "状态", "预警", "版本"]
    assert rows[1][3] == "'=HYPERLINK(\"http://x\")"
    assert track("list", "--status", "已销号", "--format", "csv") == 0
    assert read_csv(capsys.readouterr().out) == [rows[0]]
    assert track("history", "T0000000001", "--format", "csv") == 0
    history = read_csv(capsys.readouterr().out)
    assert history[0][:4] == ["时间", "任务编号", "单位", "事项"]
    assert ["'=HYPERLINK(\"http://x\")", "'@SUM(A1)"] == [r[5] for r in history[1:] if r[3] in ("工作任务", "进展情况")]


def test_history_shows_local_time_and_json_keeps_utc(workdir, capsys, monkeypatch):
    import time

    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        assert track("history", "T0000000001", "--format", "json") == 0
        [h, *_] = json.loads(capsys.readouterr().out)
        assert h["at"].endswith("Z")
        assert track("history", "T0000000001") == 0
        table = capsys.readouterr().out
        from speech_tasks.ledger.model import local_text
        assert local_text(h["at"]) in table and h["at"][:16].replace("T", " ") not in table
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_accounts_limit_what_each_may_do(workdir, capsys):
    assert track("account", "王科长", "--role", "office") == 0
    assert track("account", "住建小李", "--role", "unit", "--unit", "市住建局", "--by", "王科长") == 0
    assert track("report", "T0000000002", "--unit", "住建", "--note", "已督导", "--by", "住建小李") == 0
    assert track("report", "T0000000002", "--unit", "镇街", "--note", "代填", "--by", "住建小李") == 1
    assert "acts for 市住建局, not 各镇街" in capsys.readouterr().err
    assert track("edit", "T0000000002", "--text", "x", "--by", "住建小李") == 1
    assert "only the office may do this" in capsys.readouterr().err


@pytest.mark.parametrize("days_after_import, said, reasons", [
    (1, "3 assignments of 3 units", {"逾期未完成"}),  # just imported: only the overdue ones
    (3, "4 assignments of 3 units", {"逾期且未签收", "未签收"}),  # unsigned for three days as well
])
def test_remind_writes_docx_and_xlsx_per_unit(workdir, capsys, days_after_import, said, reasons):
    today = (dt.date.today() + dt.timedelta(days=days_after_import)).isoformat()
    assert track("remind", "-o", "催办.docx", "--today", today) == 0
    assert said in capsys.readouterr().out
    text = "\n".join(p.text for p in Document("催办.docx").paragraphs)
    assert "市应急管理局：催办通知" in text and "各镇街：催办通知" in text
    assert track("remind", "-o", "催办.xlsx", "--today", today) == 0
    rows = list(load_workbook("催办.xlsx")["催办"].iter_rows(values_only=True))[1:]
    assert {r[8] for r in rows} == reasons
    [overdue] = [r for r in rows if r[1] == "T0000000001"]
    assert overdue[7] == (dt.date.today() + dt.timedelta(days=days_after_import) - dt.date(2024, 3, 31)).days


def test_db_option_after_the_subcommand_and_missing_ledger(workdir, capsys):
    assert main(["track", "list", "--db", "elsewhere.sqlite"]) == 1
    assert "elsewhere.sqlite: no ledger here" in capsys.readouterr().err
    assert main(["track", "list", "--db", "ledger.sqlite"]) == 0


def test_import_lists_what_changed_by_id_and_title(workdir, capsys):
    t1, t2, _ = base_tasks()
    (workdir / "sheets" / "m1.json").write_text(sheet([t1, t2], version="v2").model_dump_json(), encoding="utf-8")
    assert track("import", "sheets") == 0
    out = capsys.readouterr().out
    assert "1 left the sheet, 2 unchanged" in out and "left the sheet: T0000000003「加强值班值守。」" in out
