import datetime as dt

import pytest
from openpyxl import load_workbook

from speech_tasks.export.xlsx_style import FILL_RED, FILL_YELLOW
from speech_tasks.ledger import xlsx
from speech_tasks.ledger.db import LedgerError
from speech_tasks.ledger.lifecycle import Edit
from speech_tasks.ledger.view import Filters, select, unit_summary

from .sheets import edit_rows

TODAY = dt.date(2024, 4, 1)  # T1 (due 03-31) is overdue, T2 (due 04-15) is not yet near


def export(ledger, path, today=TODAY):
    rows = select(ledger.tasks(), ledger.meetings(), Filters(), today, ledger.rules)
    xlsx.export(path, rows, ledger.history(), unit_summary(rows), today)


def test_export_has_status_dropdown_warning_fills_history_and_hidden_base(ledger, tmp_path):
    ledger.update("T0000000002", Edit(status="延期", due=dt.date(2024, 5, 1), reason="汛期"), "alice")
    path = tmp_path / "ledger.xlsx"
    export(ledger, path)
    wb = load_workbook(path)
    assert wb.sheetnames == ["台账", "历史", "单位汇总", "_ledger"]
    assert wb["_ledger"].sheet_state == "hidden"
    ws = wb["台账"]
    header = [c.value for c in ws[1]]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    t1, t2, t3 = rows["T0000000001"], rows["T0000000002"], rows["T0000000003"]
    assert [t1[header.index("预警")].value, t2[header.index("预警")].value, t3[header.index("预警")].value] == ["红", "黄", None]
    assert t1[0].fill.fgColor.rgb.endswith(FILL_RED) and t2[0].fill.fgColor.rgb.endswith(FILL_YELLOW)
    assert t2[header.index("延期至")].value.date() == dt.date(2024, 5, 1)
    assert t2[header.index("截止日期")].value.date() == dt.date(2024, 5, 1)  # the postponed date counts
    status_column = "ABCDEFGHIJKLMNOP"[header.index("状态")]
    assert any(status_column + "2" in str(dv.sqref) for dv in ws.data_validations.dataValidation)
    history = list(wb["历史"].iter_rows(min_row=2, values_only=True))
    assert [(h[1], h[3], h[4], h[5]) for h in history] == [
        ("T0000000002", "状态", "未启动", "延期"),
        ("T0000000002", "延期至", "2024-04-15", "2024-05-01"),
    ]


def test_round_trip_applies_edits_and_reports_a_conflict_without_overwriting(ledger, tmp_path):
    path = tmp_path / "ledger.xlsx"
    export(ledger, path)
    # after the export, someone updates T2 and T3 directly in the ledger
    ledger.update("T0000000002", Edit(status="推进中", note="镇街已自查"), "bob")
    ledger.update("T0000000003", Edit(note="值班表已排"), "bob")
    edit_rows(path, {
        "T0000000001": {"状态": "已完成", "进展情况": "专项整治完成"},
        "T0000000002": {"状态": "延期", "延期至": dt.datetime(2024, 5, 20), "延期原因": "汛期"},
        # T3 untouched in the file: bob's newer note is no conflict
    })

    result = xlsx.import_edits(ledger, path, "carol via ledger.xlsx")
    assert [(row, a.task, a.version) for row, a in result.applied] == [(2, "T0000000001", 1)]
    assert result.unchanged == 1 and result.errors == []
    [conflict] = result.conflicts
    assert (conflict.row, conflict.task, conflict.exported_version, conflict.ledger_version) == (3, "T0000000002", 0, 1)
    assert conflict.fields == [("状态", "推进中", "延期"), ("延期至", "", "2024-05-20"), ("延期原因", "", "汛期")]
    assert "last by bob" in str(conflict)

    t1, t2 = ledger.task("T0000000001"), ledger.task("T0000000002")
    assert (t1.status, t1.note) == ("已完成", "专项整治完成")
    assert (t2.status, t2.note, t2.extended_due) == ("推进中", "镇街已自查", None)  # bob's change stands
    assert ledger.history("T0000000001")[-1].by == "carol via ledger.xlsx"
    assert ledger.task("T0000000003").note == "值班表已排"

    again = xlsx.import_edits(ledger, path, "carol")  # the same file twice: nothing new applied
    assert again.applied == [] and len(again.conflicts) == 1 and again.unchanged == 2


def test_postponing_in_excel_needs_a_new_date_and_typos_name_the_row(ledger, tmp_path):
    path = tmp_path / "ledger.xlsx"
    export(ledger, path)
    edit_rows(path, {
        "T0000000001": {"状态": "延期", "延期至": "2024/5/10", "延期原因": "资金未到位"},
        "T0000000002": {"状态": "延期"},
        "T0000000003": {"状态": "推进"},
    })
    result = xlsx.import_edits(ledger, path, "carol")
    assert [a.task for _, a in result.applied] == ["T0000000001"]
    t1 = ledger.task("T0000000001")
    assert (t1.status, t1.extended_due, t1.delay_reason) == ("延期", dt.date(2024, 5, 10), "资金未到位")
    assert result.errors == [
        f"{path} row 3: T0000000002: 延期 needs a new due date and a reason (--due YYYY-MM-DD --reason TEXT)",
        f"{path} row 4 (T0000000003): 状态 '推进' is not one of 未启动/推进中/已完成/已销号/延期; row skipped",
    ]
    assert ledger.task("T0000000002").status == "未启动"


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "no such file"),
        (b"PK\x03\x04 broken", "not a readable xlsx workbook"),
    ],
)
def test_unreadable_workbook_is_one_clear_error(ledger, tmp_path, content, message):
    path = tmp_path / "in.xlsx"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(LedgerError, match=message):
        xlsx.import_edits(ledger, path, "carol")


def test_a_workbook_that_is_not_a_ledger_export_is_refused(ledger, tmp_path):
    from openpyxl import Workbook

    path = tmp_path / "other.xlsx"
    Workbook().save(path)
    with pytest.raises(LedgerError, match="not a ledger export"):
        xlsx.import_edits(ledger, path, "carol")


def test_failed_export_leaves_the_previous_file(ledger, tmp_path, monkeypatch):
    path = tmp_path / "ledger.xlsx"
    export(ledger, path)
    before = path.read_bytes()

    def broken_save(self, filename):
        open(filename, "wb").write(b"half")
        raise OSError("disk full")

    monkeypatch.setattr("openpyxl.Workbook.save", broken_save)
    with pytest.raises(OSError):
        export(ledger, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name != "ledger.sqlite" and not p.name.startswith("ledger.sqlite-")] == ["ledger.xlsx"]
