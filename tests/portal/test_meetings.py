"""New meeting: upload → preview → correct → confirm into the ledger; downloads."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from speech_tasks.ledger.db import Ledger, canonical_unit

SPEECH = (
    "今天召开全市安全生产工作会议。\n"
    "一、加强燃气安全管理\n"
    "一要开展燃气安全专项整治，市住建局牵头，年底前完成。\n"
    "二、强化道路交通安全\n"
    "市公安局要严查超速超载。\n"
)


def upload(b, text=SPEECH, name="2024-03-01_安委会.txt", date=""):
    r = b.post("/meetings/new", {"speech": (io.BytesIO(text.encode()), name), "date": date}, content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)
    return r.headers["Location"].rsplit("/", 1)[1]


def draft_page(b, draft_id):
    r = b.get(f"/meetings/drafts/{draft_id}")
    assert r.status_code == 200
    return r.get_data(as_text=True)


def task_ids(page: str) -> list[str]:
    import re

    return re.findall(r'<article class="task[^"]*" id="task-(T[0-9a-f]+)"', page)


def correct(b, draft_id, task_id, version=0, **fields):
    data = {"version": str(version), "title": "", "lead": "", "owner": "", "assist": "", "due": ""} | fields
    return b.post(f"/meetings/drafts/{draft_id}/tasks/{task_id}", data)


def test_upload_shows_the_tasks_with_their_passages_and_flags(browser):
    b = browser("office1")
    draft_id = upload(b)
    page = draft_page(b, draft_id)
    assert len(task_ids(page)) == 2
    assert '<span class="unit lead" title="市住房和城乡建设局（牵头）">市住建局</span>' in page
    assert "无截止日期" in page and "截止日期为约数" in page


@pytest.mark.parametrize("fields, expected_units, expected_due, line", [
    ({"owner": "市公安局、住建局"}, [("市公安局", "owner"), ("住房和城乡建设局", "owner")], None,
     "责任单位：市公安局 → 市公安局、住房和城乡建设局"),
    ({"lead": "市公安局", "assist": "交警支队"}, [("市公安局", "lead"), (canonical_unit("交警支队")[0], "assist")], None,
     "牵头单位：（无） → 市公安局"),
    ({"owner": "市公安局", "due": "2024-06-30"}, [("市公安局", "owner")], "2024-06-30", "截止日期：（无） → 2024-06-30"),
    ({"owner": "城关镇人武部"}, [("城关镇人武部", "owner")], None, "责任单位：市公安局 → 城关镇人武部"),
])
def test_corrections_reach_the_ledger(browser, db_path, fields, expected_units, expected_due, line):
    b = browser("office1")
    draft_id = upload(b)
    second = task_ids(draft_page(b, draft_id))[1]
    r = correct(b, draft_id, second, **fields)
    assert r.status_code == 302
    page = b.get(r.headers["Location"].split("#")[0]).get_data(as_text=True)
    assert line in page and "office1" in page  # the change and who made it
    r = b.post(f"/meetings/drafts/{draft_id}/confirm", {"version": "1"})
    assert r.status_code == 302
    with Ledger(db_path) as led:
        task = led.task(second)
    assert [(u["name"], u["role"]) for u in task.units] == expected_units
    assert (task.due.isoformat() if task.due else None) == expected_due


def test_wording_of_a_task_with_sub_tasks_cannot_be_replaced(browser, sample_speeches):
    b = browser("office1")
    draft_id = upload(b, sample_speeches[0].read_text(encoding="utf-8"), name=sample_speeches[0].name)
    parent = task_ids(draft_page(b, draft_id))[4]  # 5, with 5.1 … 5.4 under it
    r = correct(b, draft_id, parent, text="全部改写")
    assert r.status_code == 400 and "含子任务的任务只能修改标题" in r.get_data(as_text=True)
    r = correct(b, draft_id, parent, title="新的标题")
    assert r.status_code == 302
    assert "标题：" in draft_page(b, draft_id)


def test_second_editor_gets_changed_by_and_nothing_is_overwritten(browser):
    first, second = browser("office1"), browser("office2")
    draft_id = upload(first)
    task = task_ids(draft_page(first, draft_id))[1]
    draft_page(second, draft_id)  # both have version 0 on screen
    assert correct(first, draft_id, task, 0, owner="市公安局", due="2024-05-01").status_code == 302
    r = correct(second, draft_id, task, 0, owner="市应急局")
    body = r.get_data(as_text=True)
    assert r.status_code == 409
    assert "草稿已被 office1 于" in body and "请刷新后再改" in body
    page = draft_page(second, draft_id)
    assert "2024-05-01" in page and "市应急管理局" not in page
    r = second.post(f"/meetings/drafts/{draft_id}/confirm", {"version": "0"})
    assert r.status_code == 409


def test_confirm_twice_and_discard(browser, db_path):
    b = browser("office1")
    draft_id = upload(b)
    assert b.post(f"/meetings/drafts/{draft_id}/confirm", {"version": "0"}).status_code == 302
    assert b.post(f"/meetings/drafts/{draft_id}/confirm", {"version": "0"}).status_code == 400
    other = upload(b, name="2024-04-01_安委会.txt")
    assert b.post(f"/meetings/drafts/{other}/discard", {"version": "0"}).status_code == 302
    with Ledger(db_path) as led:
        assert [m.id for m in led.meetings()] == ["2024-03-01_安委会"]


@pytest.mark.parametrize("fmt, magic", [("xlsx", b"PK"), ("docx", b"PK")])
def test_sheet_downloads(browser, fmt, magic):
    b = browser("office1")
    draft_id = upload(b)
    b.post(f"/meetings/drafts/{draft_id}/confirm", {"version": "0"})
    for url in (f"/downloads/drafts/{draft_id}.{fmt}", f"/downloads/meetings/2024-03-01_安委会.{fmt}"):
        r = b.get(url)
        assert r.status_code == 200 and r.data.startswith(magic)
        assert "attachment" in r.headers["Content-Disposition"]
    viewer = browser("viewer")
    assert viewer.get(f"/downloads/meetings/2024-03-01_安委会.{fmt}").status_code == 200


def test_corrected_sheet_download_holds_the_correction(browser, tmp_path):
    b = browser("office1")
    draft_id = upload(b)
    task = task_ids(draft_page(b, draft_id))[1]
    correct(b, draft_id, task, owner="市公安局、市应急局")
    r = b.get(f"/downloads/drafts/{draft_id}.xlsx")
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(r.data)
    ws = load_workbook(path).worksheets[0]
    cells = [str(c.value) for row in ws.iter_rows() for c in row if c.value]
    assert any("市应急管理局" in c for c in cells)


@pytest.mark.parametrize("fmt", ["xlsx", "html"])
def test_corpus_summary_download(browser, fmt):
    b = browser("office1")
    assert b.get(f"/downloads/summary.{fmt}").status_code == 404  # nothing confirmed yet
    for name in ("2024-03-01_安委会.txt", "2024-06-01_安委会.txt"):
        b.post(f"/meetings/drafts/{upload(b, name=name)}/confirm", {"version": "0"})
    r = b.get(f"/downloads/summary.{fmt}")
    assert r.status_code == 200 and len(r.data) > 1000


def test_unreadable_speech_gets_one_line(browser):
    b = browser("office1")
    r = b.post("/meetings/new", {"speech": (io.BytesIO("   \n  ".encode()), "empty.txt"), "date": ""},
               content_type="multipart/form-data")
    assert r.status_code == 400 and "无法读取：no text" in r.get_data(as_text=True)


def test_meeting_date_from_the_form(browser, db_path):
    b = browser("office1")
    text = SPEECH.replace("今天召开全市安全生产工作会议。", "召开安全生产工作会议。")
    draft_id = upload(b, text, name="speech.txt", date="2025-01-15")
    assert "2025-01-15" in draft_page(b, draft_id)
    r = b.post("/meetings/new", {"speech": (io.BytesIO(SPEECH.encode()), "x.txt"), "date": "15/01/2025"},
               content_type="multipart/form-data")
    assert r.status_code == 400 and "会议日期格式不对" in r.get_data(as_text=True)
