"""The ledger pages and API over a confirmed meeting: units act on their own assignments only,
the office reviews and closes, versions protect against lost edits."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest

from speech_tasks.ledger import Ledger

from .test_meetings import SPEECH, upload

ZHUJIAN, GONGAN = "市住房和城乡建设局", "市公安局"


@pytest.fixture
def meeting(browser, db_path):
    """One confirmed meeting: task 1 for 市住建局 (lead), task 2 for 市公安局 (owner)."""
    office = browser("office1")
    draft_id = upload(office, SPEECH)
    assert office.post(f"/meetings/drafts/{draft_id}/confirm", {"version": "0"}).status_code == 302
    with Ledger(db_path) as led:
        tasks = led.tasks()
    ids = {a.unit: (t.id, a.id) for t in tasks for a in t.active}
    assert set(ids) == {ZHUJIAN, GONGAN}
    return ids


def act(b, assignment, action, version, **fields):
    return b.post(f"/assignments/{assignment}/act", {"action": action, "version": str(version), **fields},
                  content_type="multipart/form-data")


def version_of(db_path, assignment):
    with Ledger(db_path) as led:
        return led.assignment(assignment).version


@pytest.mark.parametrize("user, url, expected", [
    ("zhujian", "/tasks/{own_task}", 200),
    ("zhujian", "/tasks/{other_task}", 403),
    ("zhujian", "/api/tasks/{other_task}", 403),
    ("zhujian", "/api/assignments/{other}", 403),
    ("zhujian", "/api/assignments/{own}", 200),
    ("gongan", "/tasks/{own_task}", 403),
    ("viewer", "/tasks/{own_task}", 200),
    ("zhujian", "/tasks/T0000000000", 404),
    ("zhujian", "/review", 403),
    ("office1", "/mine", 403),
    ("zhujian", "/meetings/{meeting}/changes", 403),
])
def test_units_cannot_read_other_units_by_guessing_ids(browser, meeting, user, url, expected):
    own_task, own = meeting[ZHUJIAN]
    other_task, other = meeting[GONGAN]
    b = browser(user)
    r = b.get(url.format(own_task=own_task, other_task=other_task, own=own, other=other, meeting="2024-03-01_安委会"))
    assert r.status_code == expected


@pytest.mark.parametrize("user, action, expected", [
    ("zhujian", "sign", 403),  # another unit's assignment
    ("viewer", "sign", 403),
    ("gongan", "sign", 302),
    ("gongan", "close", 403),  # office only (ledger rules)
])
def test_units_cannot_change_other_units_assignments(browser, meeting, db_path, user, action, expected):
    _, target = meeting[GONGAN]
    b = browser(user)
    assert act(b, target, action, version_of(db_path, target)).status_code == expected


def test_unit_list_shows_only_its_tasks(browser, meeting):
    page = browser("zhujian").get("/tasks").get_data(as_text=True)
    assert meeting[ZHUJIAN][0] in page and meeting[GONGAN][0] not in page
    assert browser().client.get("/api/tasks").status_code == 401  # the API needs credentials or a session …
    data = browser("zhujian").client.get("/api/tasks").json  # … which a logged-in browser has
    assert [t["id"] for t in data["tasks"]] == [meeting[ZHUJIAN][0]]
    assert [a["unit"] for a in data["tasks"][0]["assignments"]] == [ZHUJIAN]


def test_unit_signs_reports_with_evidence_office_reviews_and_closes(browser, meeting, db_path):
    task, aid = meeting[ZHUJIAN]
    unit, office = browser("zhujian"), browser("office1")
    assert act(unit, aid, "sign", 0).status_code == 302
    r = unit.post(f"/assignments/{aid}/act", {"action": "report", "version": "1", "note": "已排查管道 35 处",
                                              "evidence": (io.BytesIO(b"%PDF-1.4 test"), "排查台账.pdf")},
                  content_type="multipart/form-data")
    assert r.status_code == 302
    r = act(unit, aid, "complete", 2, note="整治完成")
    assert r.status_code == 302
    page = unit.get(f"/tasks/{task}").get_data(as_text=True)
    assert "已排查管道 35 处" in page and "排查台账.pdf" in page
    link = re.search(rf'href="(/evidence/{aid}/[0-9a-f]{{32}}\.pdf)"', page).group(1)
    got = unit.get(link)
    assert got.status_code == 200 and got.data == b"%PDF-1.4 test" and "attachment" in got.headers["Content-Disposition"]
    assert browser("gongan").get(link).status_code == 403
    assert unit.get(link.replace("/evidence/", "/api/assignments/").replace(f"/{aid}/", f"/{aid}/evidence/")).data == b"%PDF-1.4 test"
    assert browser("gongan").get(link.replace("/evidence/", "/api/assignments/").replace(f"/{aid}/", f"/{aid}/evidence/")).status_code == 403
    assert "待审核（1）" in office.get("/review").get_data(as_text=True)
    assert act(office, aid, "review", 3).status_code == 302
    assert act(office, aid, "close", 4).status_code == 302
    with Ledger(db_path) as led:
        a = led.assignment(aid)
        history = led.history(task)
    assert a.status == "已销号"
    assert [h.by for h in history if h.assignment == aid][-5:] == ["zhujian", "zhujian", "zhujian", "office1", "office1"]


def test_second_editor_gets_changed_by_x_at_t(browser, meeting):
    _, aid = meeting[GONGAN]
    first, second = browser("gongan"), browser("office1")
    assert act(first, aid, "sign", 0).status_code == 302
    r = act(second, aid, "report", 0, note="办公室代报")
    body = r.get_data(as_text=True)
    assert r.status_code == 409
    assert "此记录已被 gongan 于" in body and "请刷新页面后再操作" in body


def test_api_with_basic_credentials_needs_no_csrf(app, meeting):
    import base64

    _, aid = meeting[GONGAN]
    auth = {"Authorization": "Basic " + base64.b64encode("gongan:correct-horse-1".encode()).decode()}
    c = app.test_client()
    r = c.post(f"/api/assignments/{aid}/sign", json={"version": 0}, headers=auth)
    assert r.status_code == 200 and r.json["assignment"]["status"] == "已签收"
    r = c.post(f"/api/assignments/{aid}/report", json={"version": 0, "note": "x"}, headers=auth)
    assert r.status_code == 409 and "gongan" in r.json["error"]
    bad = {"Authorization": "Basic " + base64.b64encode(b"gongan:wrong").decode()}
    assert c.get("/api/tasks", headers=bad).status_code == 401


def test_api_session_changes_need_the_csrf_header(browser, meeting):
    _, aid = meeting[GONGAN]
    b = browser("gongan")
    assert b.client.post(f"/api/assignments/{aid}/sign", json={"version": 0}).status_code == 400
    r = b.client.post(f"/api/assignments/{aid}/sign", json={"version": 0}, headers={"X-CSRFToken": b.token})
    assert r.status_code == 200


@pytest.mark.parametrize("payload", ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>'])
def test_feedback_and_evidence_names_render_inert(browser, meeting, payload):
    task, aid = meeting[GONGAN]
    b = browser("gongan")
    name = payload.replace('"', "") + ".pdf"
    r = b.post(f"/assignments/{aid}/act", {"action": "report", "version": "0", "note": payload,
                                           "evidence": (io.BytesIO(b"%PDF-1.4"), name)}, content_type="multipart/form-data")
    assert r.status_code == 302
    page = b.get(f"/tasks/{task}").get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page or "&#34;&gt;&lt;img" in page


def test_pages_render_for_every_role(browser, meeting):
    for user, urls in {
        "office1": ["/", "/tasks", "/review", "/meetings", "/meetings/2024-03-01_安委会/changes"],
        "zhujian": ["/", "/tasks", "/mine"],
        "viewer": ["/", "/tasks", "/meetings/2024-03-01_安委会/changes"],
    }.items():
        b = browser(user)
        for url in urls:
            assert b.get(url).status_code == 200, (user, url)


def test_kept_selection_follows_every_change(app, meeting, db_path):
    """The selection the pages reuse is brought up to date by the ledger's history and feedback:
    after each change it equals a fresh view.select."""
    from flask import g

    from speech_tasks.ledger import Filters
    from speech_tasks.ledger.view import select
    from speech_tasks.portal import accounts, work
    from speech_tasks.portal.store import connect

    def state(rows):
        return [(r.task.id, r.task.status, r.warning, tuple(sorted(r.warnings.items())),
                 tuple((a.status, a.version, len(a.feedback)) for a in r.task.active)) for r in rows]

    _, aid = meeting[GONGAN]
    steps = [
        lambda led: led.sign(aid, "gongan", 0),
        lambda led: led.report(aid, "gongan", 1, "进展一"),
        lambda led: led.request_extension(aid, "gongan", 2, dt.date(2024, 12, 31), "待验收"),
        lambda led: led.approve_extension(aid, "office1", 3),
    ]
    with app.test_request_context("/"), connect(db_path) as conn, Ledger(db_path) as led:
        g.user = accounts.get(conn, led, "office1")
        work.rows_for(g.user)
        for step in steps:
            with Ledger(db_path) as led:
                step(led)
                fresh = select(led, Filters(), app.config["TODAY"])
            assert state(work.rows_for(g.user)) == state(fresh)


@pytest.mark.parametrize("user, url, expected, magic", [
    ("office1", "/downloads/ledger.xlsx", 200, b"PK"),
    ("viewer", "/downloads/ledger.xlsx", 200, b"PK"),
    ("zhujian", "/downloads/ledger.xlsx", 403, None),
    ("office1", "/downloads/reminders.xlsx", 200, b"PK"),
    ("office1", "/downloads/reminders.docx", 200, b"PK"),
    ("viewer", "/downloads/reminders.docx", 403, None),
])
def test_ledger_and_reminder_downloads(browser, meeting, user, url, expected, magic):
    r = browser(user).get(url)
    assert r.status_code == expected
    if magic:
        assert r.data.startswith(magic) and "attachment" in r.headers["Content-Disposition"]


@pytest.mark.parametrize("name, data, message", [
    ("evil.exe", b"MZ\x90\x00", "不支持的文件类型 .exe"),
    ("photo.png", b"GIF89a", "文件内容与扩展名 .png 不符"),
    ("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "超过 10 MB"),
    ("../../etc/passwd.pdf", b"%PDF-1.4", None),
])
def test_evidence_uploads_are_checked_and_stored_under_generated_names(browser, meeting, db_path, name, data, message):
    _, aid = meeting[GONGAN]
    b = browser("gongan")
    r = b.post(f"/assignments/{aid}/act", {"action": "report", "version": "0", "note": "附件",
                                           "evidence": (io.BytesIO(data), name)}, content_type="multipart/form-data")
    with Ledger(db_path) as led:
        a = led.assignment(aid)
    if message:
        assert r.status_code == 400 and message in r.get_data(as_text=True)
        assert a.version == 0 and not a.feedback  # nothing recorded
    else:
        assert r.status_code == 302
        (stored,) = a.feedback[0].evidence
        assert re.fullmatch(rf"{aid}/[0-9a-f]{{32}}\.pdf", stored)
        assert (led.evidence_dir / stored).read_bytes() == data


def test_office_edits_a_task_and_splits_its_units(browser, meeting, db_path):
    task, _ = meeting[GONGAN]
    office = browser("office1")
    with Ledger(db_path) as led:
        seen = led.task(task).version
    r = office.post(f"/tasks/{task}/edit", {"version": str(seen), "due": "2024-05-31", "remove": GONGAN,
                                            "add": "市交通运输局、交警支队", "add_role": "owner", "reason": "分解到具体单位"})
    assert r.status_code == 302
    with Ledger(db_path) as led:
        t = led.task(task)
        history = led.history(task)
    assert t.due.isoformat() == "2024-05-31"
    assert GONGAN not in t.unit_names and "市交通运输局" in t.unit_names
    assert all(h.by == "office1" for h in history[-3:])
    stale = office.post(f"/tasks/{task}/edit", {"version": str(seen), "note": "旧页面上的修改"})
    assert stale.status_code == 409 and "office1" in stale.get_data(as_text=True)
    assert browser("viewer").post(f"/tasks/{task}/edit", {"version": str(t.version), "note": "x"}).status_code == 403


def test_api_task_edit_is_office_only(app, meeting, db_path):
    import base64

    task, _ = meeting[GONGAN]
    with Ledger(db_path) as led:
        seen = led.task(task).version

    def auth(name):
        return {"Authorization": "Basic " + base64.b64encode(f"{name}:correct-horse-1".encode()).decode()}

    c = app.test_client()
    body = {"version": seen, "add": [["市应急局", "assist"]], "reason": "协助"}
    assert c.post(f"/api/tasks/{task}/edit", json=body, headers=auth("gongan")).status_code == 403
    r = c.post(f"/api/tasks/{task}/edit", json=body, headers=auth("office1"))
    assert r.status_code == 200 and "市应急管理局" in [a["unit"] for a in r.json["task"]["assignments"]]
    assert c.post(f"/api/tasks/{task}/edit", json=body, headers=auth("office1")).status_code == 409


def test_follow_up_meeting_changes_page(browser, meeting):
    """Meeting B of the same series: the 公安 task carried, the 住建 task dropped, a new one added."""
    office = browser("office1")
    text_b = (
        "今天召开全市安全生产工作会议。\n"
        "一、强化道路交通安全\n"
        "市公安局要严查超速超载。\n"
        "二、加强消防安全\n"
        "市消防救援支队要开展高层建筑消防检查。\n"
    )
    draft_id = upload(office, text_b, name="2024-06-01_安委会.txt")
    r = office.post(f"/meetings/drafts/{draft_id}/confirm", {"version": "0"})
    assert r.status_code == 302
    assert "延续上次会议 1 项" in office.get("/meetings").get_data(as_text=True)
    with Ledger(office.client.application.config["DB_PATH"]) as led:
        later = [m for m in led.meetings() if m.date and m.date.month == 6][0]
    page = office.get(f"/meetings/{later.id}/changes").get_data(as_text=True)
    sections = {m.group(1): m.group(2) for m in re.finditer(r'<h2 id="(\w+)">[^（]+（(\d+)）</h2>', page)}
    assert sections == {"added": "1", "carried": "1", "changed": "0", "dropped": "1"}
    assert meeting[GONGAN][0] in page and meeting[ZHUJIAN][0] in page


def test_task_list_pages_filters_and_sorts(db_path, browser):
    """12 tasks, 5 per page: three pages; filters and sorting apply before paging."""
    import hashlib

    from speech_tasks.models import Deadline, Meeting, Source, Task, TaskSheet, Unit
    from speech_tasks.portal.app import create_app

    from .conftest import Browser

    tasks = []
    for n in range(12):
        unit = (ZHUJIAN, GONGAN)[n % 2]
        text = f"第{n}项整治任务"
        tasks.append(Task(id=f"T{n:010x}", number=str(n + 1), path=str(n + 1), kind="numbered", text=text, span=(0, len(text)),
                          units=[Unit(text=unit, name=unit, role="owner", generic=False, span=(0, 1))],
                          deadlines=[Deadline(text="x", kind="date", due=dt.date(2024, 3, 20 - n), span=(0, 1))],
                          sectors=["燃气" if n < 4 else "消防"]))
    sheet = TaskSheet(tool_version="t", meeting=Meeting(name="会议", date=dt.date(2024, 3, 1)), tasks=tasks,
                      source=Source(file="m.txt", sha256=hashlib.sha256(b"m").hexdigest(), encoding="utf-8", chars=9))
    with Ledger(db_path) as led:
        led.import_sheet(sheet, "office1")
    b = Browser(create_app(db_path, TODAY=dt.date(2024, 3, 10), PAGE_SIZE=5).test_client())
    b.login("office1")

    def ids(url):
        return re.findall(r'<tr data-task="(T[0-9a-f]+)"', b.get(url).get_data(as_text=True))

    assert [len(ids(f"/tasks?page={p}")) for p in (1, 2, 3)] == [5, 5, 2]
    assert "第 3 / 3 页" in b.get("/tasks?page=9").get_data(as_text=True)  # past the end: the last page
    assert ids("/tasks?sort=due")[:2] == ["T000000000b", "T000000000a"]  # earliest due first
    assert len(ids("/tasks?sector=燃气")) == 4
    assert len(ids(f"/tasks?unit={GONGAN}&page=1")) + len(ids(f"/tasks?unit={GONGAN}&page=2")) == 6
    assert ids("/tasks?colour=红") == ["T000000000b"]  # due 03-09, the only one past 03-10
    assert ids("/tasks?q=第7项") == ["T0000000007"]
