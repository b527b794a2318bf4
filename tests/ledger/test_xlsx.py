import datetime as dt
import json

import pytest
from openpyxl import load_workbook

from speech_tasks.ledger import Filters, LedgerError
from speech_tasks.ledger import xlsx
from speech_tasks.ledger.view import select, unit_summary

from .sheets import edit_rows

TODAY = dt.date(2024, 4, 1)


def export(ledger, path, force=False):
    rows = select(ledger, Filters(), TODAY)
    return xlsx.export(ledger, path, rows, ledger.history(), unit_summary(rows, ledger.rules.statuses), TODAY, force=force)


def cells(path, sheet):
    wb = load_workbook(path)
    return wb, [list(r) for r in wb[sheet].iter_rows()]


def key(ledger, tid, unit):
    return f"{tid}/{ledger.find_assignment(tid, unit).id}"


def test_export_has_unit_rows_dropdown_conditional_colours_history_and_hidden_base(ledger, tmp_path):
    path = tmp_path / "ledger.xlsx"
    export(ledger, path)
    wb, rows = cells(path, "台账")
    assert wb.sheetnames == ["台账", "历史", "单位汇总", "_ledger"]
    assert wb["_ledger"].sheet_state == "hidden"
    header = [c.value for c in rows[0]]
    assert header[:4] == ["编号", "会议", "序号", "工作任务"] and "分办单位" in header
    keys = [r[0].value for r in rows[1:]]
    assert keys == ["T0000000001", key(ledger, "T0000000001", "应急"), "T0000000002", key(ledger, "T0000000002", "镇街"),
                    key(ledger, "T0000000002", "住建"), "T0000000003", key(ledger, "T0000000003", "应急")]
    unit_row = rows[5]
    assert unit_row[header.index("分办单位")].value == "配合：市住建局"
    assert unit_row[header.index("截止日期")].value.date() == dt.date(2024, 4, 15)
    ws = wb["台账"]
    rules = [r for rng in ws.conditional_formatting for r in rng.rules]
    assert len(rules) == 3 and all("TODAY()" in r.formula[0] for r in rules)
    assert any("已销号" in r.formula[0] for r in rules)
    assert any("J2" in str(dv.sqref) or "K2" in str(dv.sqref) for dv in ws.data_validations.dataValidation)
    history = [r[4].value for r in list(wb["历史"].iter_rows())[1:]]
    assert history.count("单位") == 4 and history.count("会议") == 3


def test_formula_like_text_and_control_characters_stay_plain_text(ledger, tmp_path):
    a = ledger.find_assignment("T0000000001", "应急")
    ledger.report(a.id, "=HYPERLINK(\"x\")", a.version, "=1+1\f第二页 @SUM(A1) -3 +4")
    ledger.edit_units("T0000000003", "王科长", None, add=[("@某专班", "assist")])
    path = tmp_path / "ledger.xlsx"
    export(ledger, path)  # a \f used to break openpyxl
    wb = load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
    values = {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row}
    assert "=1+1第二页 @SUM(A1) -3 +4" in values and '=HYPERLINK("x")' in values and "配合：@某专班" in values
    result = xlsx.import_edits(ledger, path, "carol")  # read back untouched: nothing to apply, nothing pending
    assert (result.applied, result.errors, result.conflicts) == ([], [], [])
    export(ledger, path)


def test_round_trip_applies_edits_and_reports_conflicts_without_overwriting(ledger, tmp_path):
    path = tmp_path / "ledger.xlsx"
    export(ledger, path)
    towns, housing = ledger.task("T0000000002").active
    ledger.report(towns.id, "镇街", towns.version, "已自查")  # after the export, in the ledger
    edit_rows(path, {
        key(ledger, "T0000000001", "应急"): {"状态": "已完成", "进展情况": "专项整治完成"},
        f"T0000000002/{towns.id}": {"进展情况": "表格里写的"},
        f"T0000000002/{housing.id}": {"申请延期至": "2024/5/20", "延期原因": "汛期"},
        "T0000000003": {"工作任务": "加强节假日值班值守。", "截止日期": "2024年4月30日", "配合单位": "市公安局"},
    })
    result = xlsx.import_edits(ledger, path, "carol")
    assert [(k, what) for _, k, what in result.applied] == [
        (key(ledger, "T0000000001", "应急"), "进展情况、状态"),
        (f"T0000000002/{housing.id}", "申请延期至、延期原因"),
        ("T0000000003", "工作任务、截止日期、配合单位"),
    ]
    [conflict] = result.conflicts
    assert f"T0000000002/{towns.id}" in conflict and "changed by 镇街" in conflict and "not applied" in conflict
    assert ledger.assignment(towns.id).last_note == "已自查"  # the newer ledger change stands
    a1 = ledger.find_assignment("T0000000001", "应急")
    assert (a1.status, a1.last_note) == ("已完成", "专项整治完成")
    assert ledger.assignment(housing.id).requested_due == dt.date(2024, 5, 20)
    t3 = ledger.task("T0000000003")
    assert (t3.text, t3.due, t3.assist) == ("加强节假日值班值守。", dt.date(2024, 4, 30), "市公安局")
    assert {h.by for h in ledger.history("T0000000003") if h.version == 2} == {"carol"}
    again = xlsx.import_edits(ledger, path, "carol")  # the same file twice: nothing new applied
    assert again.applied == [] and len(again.conflicts) == 1


def test_unsupported_edits_are_reported_not_dropped(ledger, tmp_path):
    path = tmp_path / "ledger.xlsx"
    export(ledger, path)
    edit_rows(path, {
        key(ledger, "T0000000001", "应急"): {"状态": "已销号"},
        key(ledger, "T0000000002", "住建"): {"截止日期": "2024-06-01"},
        "T0000000002": {"截止日期": "明年"},
        "T0000000003": {"状态": "已销号", "完成时限": "月底前"},
        key(ledger, "T0000000003", "应急"): {"分办单位": "牵头：市公安局"},
    })
    result = xlsx.import_edits(ledger, path, "carol")
    assert result.applied == [] and len(result.errors) == 6
    assert "状态 未签收 → 已销号 is not a step of the lifecycle" in result.errors[0]
    assert "截止日期 '明年' is not a date (2023-06-05, 2023/6/5, 2023-6-5 or 2023年6月5日)" in result.errors[1]
    assert "a unit's 截止日期 changes by an approved 延期" in result.errors[2]
    assert "已销号 comes from reviewing and closing each unit" in result.errors[3]
    assert "完成时限 not read back (a unit row takes 截止日期/状态/进展情况/申请延期至/延期原因" in result.errors[4]
    assert "分办单位 not read back" in result.errors[5]
    assert sum(e.endswith("not applied") for e in result.errors) == 4


def test_merged_progress_cells_keep_the_lower_rows_note(ledger, tmp_path):
    towns, housing = ledger.task("T0000000002").active
    ledger.report(housing.id, "住建", housing.version, "住建局的进展")
    path = tmp_path / "ledger.xlsx"
    export(ledger, path)
    wb = load_workbook(path)
    ws = wb["台账"]
    column = [c.value for c in ws[1]].index("进展情况") + 1
    top = [r[0].value for r in ws.iter_rows()].index(f"T0000000002/{towns.id}") + 1
    ws.cell(top, column).value = "两个单位合并填写"
    ws.merge_cells(start_row=top, start_column=column, end_row=top + 1, end_column=column)
    wb.save(path)
    result = xlsx.import_edits(ledger, path, "carol")
    assert [k for _, k, _ in result.applied] == [f"T0000000002/{towns.id}"] and result.errors == []
    assert ledger.assignment(housing.id).last_note == "住建局的进展"
    assert ledger.assignment(towns.id).last_note == "两个单位合并填写"


def test_export_refuses_to_overwrite_unimported_edits_and_force_keeps_a_backup(ledger, tmp_path):
    path = tmp_path / "ledger.xlsx"
    export(ledger, path)
    export(ledger, path)  # nothing typed: overwriting is fine
    edit_rows(path, {key(ledger, "T0000000001", "应急"): {"进展情况": "还没导入"}})
    with pytest.raises(LedgerError, match=r"holds 1 edited rows not yet imported \(rows 3\); import them first"):
        export(ledger, path)
    backup = export(ledger, path, force=True)
    assert backup.exists() and "backup" in backup.name
    assert "还没导入" in {c.value for row in load_workbook(backup)["台账"].iter_rows() for c in row}
    assert "还没导入" not in {c.value for row in load_workbook(path)["台账"].iter_rows() for c in row}


@pytest.mark.parametrize("mangle, message", [
    (lambda wb: wb["_ledger"].delete_rows(1), "hidden sheet _ledger was modified; export again"),
    (lambda wb: wb["_ledger"].cell(2, 3, "{not json"), "hidden sheet _ledger was modified"),
    (lambda wb: wb["_ledger"].cell(2, 2, "v1"), "hidden sheet _ledger was modified"),
    (lambda wb: wb["_ledger"].cell(3, 1, "T0000000001/x"), "hidden sheet _ledger was modified"),
    (lambda wb: wb.remove(wb["_ledger"]), "not a ledger export"),
    (lambda wb: wb["台账"].delete_cols(1), "sheet 台账 has no column 编号"),
])
def test_a_mangled_workbook_is_one_clear_line(ledger, tmp_path, mangle, message):
    path = tmp_path / "ledger.xlsx"
    export(ledger, path)
    wb = load_workbook(path)
    mangle(wb)
    wb.save(path)
    with pytest.raises(LedgerError, match=message):
        xlsx.import_edits(ledger, path, "carol")


@pytest.mark.parametrize("content, message", [(None, "no such file"), (b"PK\x03\x04 broken", "not a readable xlsx workbook")])
def test_unreadable_workbook_is_one_clear_error(ledger, tmp_path, content, message):
    path = tmp_path / "in.xlsx"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(LedgerError, match=message):
        xlsx.import_edits(ledger, path, "carol")


def test_failed_export_leaves_the_previous_file(ledger, tmp_path, monkeypatch):
    path = tmp_path / "ledger.xlsx"
    export(ledger, path)
    before = path.read_bytes()

    def broken_save(self, filename):
        open(filename, "wb").write(b"half")
        raise OSError("disk full")

    monkeypatch.setattr("openpyxl.Workbook.save", broken_save)
    with pytest.raises(LedgerError, match="cannot write"):
        export(ledger, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".xlsx" or p.name.endswith(".tmp")) == ["ledger.xlsx"]


def test_base_sheet_holds_versions_and_exported_values(ledger, tmp_path):
    path = tmp_path / "ledger.xlsx"
    export(ledger, path)
    rows = list(load_workbook(path)["_ledger"].iter_rows(values_only=True))
    assert rows[0] == ("编号", "version", "values")
    assert rows[1][:2] == ("T0000000001", 1) and json.loads(rows[1][2])["截止日期"] == "2024-03-31"
