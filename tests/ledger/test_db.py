import datetime as dt
import multiprocessing
import shutil
import sqlite3
from pathlib import Path

import pytest

from speech_tasks.ledger import ConflictError, Filters, Ledger, LedgerError, NotAllowed
from speech_tasks.ledger.db import SCHEMA_VERSION, migrate

from .sheets import base_tasks, sheet, task

SCHEMA2 = Path(__file__).parent.parent / "fixtures" / "ledger" / "schema2.sqlite"  # made by the code at 77b226d


def dump(path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def unit(ledger, tid, name):
    return ledger.find_assignment(tid, name)


def test_reimporting_the_same_sheet_changes_nothing(ledger, db_path):
    a = unit(ledger, "T0000000001", "应急")
    ledger.report(a.id, "alice", a.version, "已部署")
    before = dump(db_path)
    r = ledger.import_sheet(sheet(base_tasks()), "bob")
    assert (r.changes, r.unchanged) == (0, 3)
    assert dump(db_path) == before


def test_every_unit_of_a_task_is_an_assignment_and_the_task_status_is_derived(ledger):
    t = ledger.task("T0000000002")
    assert [(a.unit, a.role, a.generic, a.status) for a in t.active] == [
        ("各镇街", "owner", False, "未签收"), ("市住建局", "assist", False, "未签收")]
    towns, housing = t.active
    ledger.report(towns.id, "镇街", towns.version, "自查 30 处")
    assert ledger.task("T0000000002").status == "未签收"  # the least advanced unit
    ledger.report(housing.id, "住建", housing.version, "督导 5 次")
    assert ledger.task("T0000000002").status == "推进中"
    t = ledger.override_status("T0000000002", "已完成", "王科长", ledger.task("T0000000002").version, "现场核实")
    assert (t.status, t.override) == ("已完成", "已完成")
    assert ledger.override_status("T0000000002", None, "王科长", t.version).status == "推进中"
    with pytest.raises(LedgerError, match="已销号 comes from reviewing and closing each unit"):
        ledger.override_status("T0000000002", "已销号", "王科长", None)


def test_two_units_reporting_from_the_same_view_do_not_conflict_but_a_stale_edit_does(ledger):
    towns, housing = ledger.task("T0000000002").active
    ledger.report(towns.id, "镇街", towns.version, "第一次")
    ledger.report(housing.id, "住建", housing.version, "也在同一版本上")
    with pytest.raises(ConflictError, match=r"T0000000002 各镇街: changed by 镇街 at 20\d\d-.*Z \(version 1, you had 0\)"):
        ledger.report(towns.id, "镇街", towns.version, "旧页面")
    assert [f.text for f in ledger.assignment(towns.id).feedback] == ["第一次"]


@pytest.mark.parametrize("steps, refused", [
    ([("complete", "完成")], None),
    ([("complete", "完成"), ("close", "")], "销号: not possible in status 已完成"),
    ([("complete", "完成"), ("review", ""), ("close", "")], None),
    ([("complete", "完成"), ("send_back", "资料不全"), ("complete", "补齐")], None),
    ([("sign", ""), ("request_extension", "资金未到位"), ("approve_extension", "")], None),
    ([("sign", ""), ("reject_extension", "理由不足")], "no 延期 request to reject"),
    ([("report", "")], "报送进展 needs a text"),
    ([("review", "")], "审核通过: not possible in status 未签收"),
])
def test_lifecycle_steps_are_checked(ledger, steps, refused):
    a = unit(ledger, "T0000000001", "应急")
    *ok, last = steps
    calls = {
        "complete": lambda a, note: ledger.report(a.id, "x", a.version, note, done=True),
        "report": lambda a, note: ledger.report(a.id, "x", a.version, note),
        "request_extension": lambda a, note: ledger.request_extension(a.id, "x", a.version, dt.date(2024, 5, 31), note),
    }
    for action, note in steps:
        call = calls.get(action, lambda a, note, action=action: getattr(ledger, action)(a.id, "x", a.version, note))
        if (action, note) == last and refused:
            with pytest.raises(LedgerError, match=refused):
                call(a, note)
            return
        a = call(a, note)
    if steps[-1][0] == "approve_extension":
        assert (a.due, a.requested_due) == (dt.date(2024, 5, 31), None)


def test_evidence_files_are_kept_beside_the_database(ledger, tmp_path):
    photo = tmp_path / "现场.jpg"
    photo.write_bytes(b"jpeg")
    a = unit(ledger, "T0000000001", "应急")
    a = ledger.report(a.id, "alice", a.version, "整改前后对比", evidence=[photo, photo])
    assert a.feedback[-1].evidence == (f"{a.id}/现场.jpg", f"{a.id}/现场-1.jpg")
    assert (ledger.evidence_dir / f"{a.id}/现场-1.jpg").read_bytes() == b"jpeg"


def test_accounts_and_roles(ledger):
    ledger.set_account("王科长", "office", None, "anyone")
    ledger.set_account("交通张", "unit", "市交通局", "王科长")
    ledger.set_account("李四", "viewer", None, "王科长")
    assert ledger.account("交通张").unit == "市交通运输局"  # canonicalised
    ledger.edit_units("T0000000001", "王科长", None, add=[("市交通运输局", "assist")])
    police, traffic = unit(ledger, "T0000000001", "应急"), unit(ledger, "T0000000001", "交通")
    with pytest.raises(NotAllowed, match="acts for 市交通运输局, not 市应急管理局"):
        ledger.sign(police.id, "交通张", None)
    with pytest.raises(NotAllowed, match="李四"):
        ledger.edit_task("T0000000001", "李四", None, text="x")
    with pytest.raises(NotAllowed, match="nobody: no such account"):
        ledger.sign(traffic.id, "nobody", None)
    with pytest.raises(LedgerError, match="not allowed for role unit"):
        ledger.review(traffic.id, "交通张", None)


def test_office_edits_units_with_history_and_flags_unknown_names(ledger):
    t = ledger.edit_units("T0000000002", "王科长", 1, add=[("县应急局", "lead"), ("某某专班", "assist")], remove=["各镇街"],
                          reason="拆分到具体单位")
    assert [(a.unit, a.role, a.known) for a in t.active] == [
        ("县应急管理局", "lead", True), ("市住建局", "assist", True), ("某某专班", "assist", False)]
    assert [a.unit for a in t.assignments if a.removed] == ["各镇街"]  # kept with its history
    rows = [(h.field, h.unit, h.old, h.new) for h in ledger.history("T0000000002") if h.version == 2]
    assert ("unit", "各镇街", "责任 各镇街", None) in rows and ("unit", "某某专班", None, "配合 某某专班") in rows
    with pytest.raises(ConflictError, match="changed by 王科长"):
        ledger.edit_task("T0000000002", "王科长", 1, due=dt.date(2024, 5, 1))


def test_edited_fields_survive_reextraction(ledger):
    ledger.edit_task("T0000000001", "王科长", None, due=dt.date(2024, 4, 20), text="开展危化品安全专项整治（市级）。")
    r = ledger.import_sheet(sheet(base_tasks(), version="v2"), "bob")
    assert sorted(r.kept_edits) == []  # the sheet did not change them
    t1 = task("T0000000001", "1", "开展危化品安全专项整治行动。", due=dt.date(2024, 3, 25))
    r = ledger.import_sheet(sheet([t1, *base_tasks()[1:]], version="v3"), "bob")
    assert sorted(r.kept_edits) == ["T0000000001 due", "T0000000001 text"]
    t = ledger.task("T0000000001")
    assert (t.text, t.due) == ("开展危化品安全专项整治（市级）。", dt.date(2024, 4, 20))


def test_a_task_that_leaves_the_sheet_is_flagged_never_deleted(ledger):
    r = ledger.import_sheet(sheet(base_tasks()[:2] + [task("T0000000004", "3", "完善应急预案体系建设。")], version="v2"), "bob")
    assert [tid for tid, _ in r.left] == ["T0000000003"] and [tid for tid, _ in r.added] == ["T0000000004"]
    assert ledger.task("T0000000003").removed_from_sheet
    assert "T0000000003" not in [t.id for t in ledger.tasks()]
    assert "T0000000003" in [t.id for t in ledger.tasks(Filters(removed=True))]
    back = ledger.import_sheet(sheet(base_tasks(), version="v1"), "bob")
    assert [tid for tid, _ in back.restored] == ["T0000000003"]


@pytest.mark.parametrize("first, second, same", [
    (("2023/讲话", "a", dt.date(2023, 3, 1)), ("2024/讲话", "b", dt.date(2024, 3, 1)), False),  # same stem, two meetings
    (("讲话", "a", dt.date(2023, 3, 1)), ("讲话", "b", dt.date(2024, 3, 1)), False),  # same path, another date
    (("2023/讲话", "a", None), ("2023/讲话", "b", None), True),  # re-extracted after an edit
    (("2023/讲话", "a", None), ("renamed/会议讲话", "a", None), True),  # renamed file, same speech
])
def test_meeting_identity_from_path_and_content(tmp_path, first, second, same):
    with Ledger(tmp_path / "l.sqlite", create=True) as led:
        ids = []
        for path, content, date in (first, second):
            s = sheet([task("T1", "1", "开展危化品安全专项整治。")], stem=Path(path).name, version=content)
            s = s.model_copy(update={"meeting": s.meeting.model_copy(update={"date": date})})
            ids.append(led.import_sheet(s, "x", path=path).meeting)
        assert (ids[0] == ids[1]) is same
        assert len(led.meetings()) == (1 if same else 2)


def test_unrelated_meetings_are_never_linked(tmp_path):
    with Ledger(tmp_path / "l.sqlite", create=True) as led:
        for i, name in enumerate(["某市安全生产工作会议", "某县防汛抗旱工作会议", None]):
            s = sheet([task(f"T{i}", "1", "开展危化品安全专项整治，全面排查重大事故隐患。")], stem=f"m{i}", version=str(i))
            s = s.model_copy(update={"meeting": s.meeting.model_copy(update={"name": name})})
            r = led.import_sheet(s, "x")
            assert (r.follows, r.carried, r.added) == (None, [], [(f"T{i}", "开展危化品安全专项整治，全面排查重大事故隐患。")])


def test_history_is_append_only(ledger, db_path):
    conn = sqlite3.connect(db_path)
    for statement in ("UPDATE history SET new = 'y'", "DELETE FROM history", "DELETE FROM feedback"):
        conn.execute("INSERT INTO feedback (assignment, at, by, action) VALUES (1, 'now', 'x', 'report')")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(statement)
    conn.close()


def test_ledger_uses_wal_and_current_schema(ledger, db_path):
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_schema_2_ledger_is_migrated_keeping_every_row_and_history_entry(tmp_path):
    path = tmp_path / "old.sqlite"
    shutil.copy(SCHEMA2, path)
    old = sqlite3.connect(path)
    old_history = old.execute("SELECT id, task, at, by, field, old, new, note, version FROM history ORDER BY id").fetchall()
    old_tasks = old.execute("SELECT id, text, status, note FROM tasks ORDER BY id").fetchall()
    old.close()
    assert len(old_history) == 4 and len(old_tasks) == 3
    with Ledger(path) as led:
        assert led.schema_version() == SCHEMA_VERSION == 3
        history = led.history()
        kept = [(h.id, h.task, h.at, h.by, h.field, h.old, h.new, h.note, h.version) for h in history[: len(old_history)]]
        assert kept == old_history
        assert [(h.task, h.field, h.by) for h in history[len(old_history):]] == [
            (t[0], "migration", "speech-tasks") for t in old_tasks]
        tasks = {t.id: t for t in led.tasks()}
        assert sorted((t.id, t.text) for t in tasks.values()) == [(t[0], t[1]) for t in old_tasks]
        done, postponed, fresh = tasks["T0000000001"], tasks["T0000000002"], tasks["T0000000003"]
        assert [(a.unit, a.status, a.last_note) for a in done.active] == [("市应急管理局", "已完成", "整改完毕")]
        assert [(a.unit, a.status, a.due) for a in postponed.active] == [
            ("各镇街", "推进中", dt.date(2024, 5, 1)), ("市住建局", "推进中", dt.date(2024, 5, 1))]
        assert (fresh.status, fresh.sources) == ("未签收", ("2024-03-01_安委会",))
        a = done.active[0]
        led.review(a.id, "王科长", a.version)  # and it goes on working
        r = led.import_sheet(sheet(base_tasks()), "x", path="2024-03-01_安委会")
        assert (r.meeting, r.changes) == ("2024-03-01_安委会", 0)


def test_version_1_file_is_migrated(tmp_path):
    path = tmp_path / "v1.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, target=1)
    conn.execute("INSERT INTO meetings VALUES ('m', 'm.txt', 'abc', NULL, NULL, 1, 'now', 'now')")
    conn.execute(
        "INSERT INTO tasks (id, meeting, seq, number, path, text, units, lead, owner, assist, deadline, sectors,"
        " status, created_at, updated_at) VALUES ('T1', 'm', 0, '1', '一', '任务', '[]', '', '', '', '', '[]',"
        " '推进中', 'now', 'now')"
    )
    conn.close()
    with Ledger(path) as led:
        [a] = led.task("T1").active
        assert (a.unit, a.status) == ("（未明确单位）", "推进中")


def test_newer_schema_is_refused(db_path, ledger):
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(LedgerError, match="schema version 99 is newer"):
        Ledger(db_path)


def test_missing_or_foreign_file_is_one_clear_error(tmp_path):
    with pytest.raises(LedgerError, match="no ledger here"):
        Ledger(tmp_path / "none.sqlite")
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(LedgerError, match="not a usable ledger"):
        Ledger(junk)


def test_lock_held_beyond_the_timeout_is_reported(ledger, db_path):
    blocker = sqlite3.connect(db_path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    a = unit(ledger, "T0000000001", "应急")
    try:
        with Ledger(db_path, timeout=0.2) as other:
            with pytest.raises(LedgerError, match="ledger busy"):
                other.report(a.id, "alice", None, "x")
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()


WRITERS, UPDATES = 4, 100


def _writer(db_path, worker: int, start) -> None:
    with Ledger(db_path, timeout=60) as led:
        mine = [a for t in led.tasks() for a in t.active]
        start.wait()  # all processes ready: the updates overlap
        for i in range(UPDATES):
            a = mine[(i + worker) % len(mine)]
            led.report(a.id, f"w{worker}", None, f"w{worker}-{i}")


def test_four_writers_times_a_hundred_updates_lose_nothing(ledger, db_path):
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(WRITERS)
    procs = [ctx.Process(target=_writer, args=(db_path, w, start)) for w in range(WRITERS)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(180)
    assert [p.exitcode for p in procs] == [0] * WRITERS

    tasks = ledger.tasks()
    feedback = [f for t in tasks for a in t.active for f in a.feedback]
    assert sorted(f.text for f in feedback) == sorted(f"w{w}-{i}" for w in range(WRITERS) for i in range(UPDATES))
    writers = [f.by for f in sorted(feedback, key=lambda f: f.id)]
    assert writers != sorted(writers)  # they really interleaved
    history = [h for h in ledger.history() if h.assignment is not None and h.by.startswith("w")]
    assert len(history) == WRITERS * UPDATES
    for t in tasks:
        for a in t.active:
            versions = [h.version for h in history if h.assignment == a.id]
            assert versions == list(range(1, len(versions) + 1))  # no two writers took the same version
            assert a.version == len(versions) == len(a.feedback)


def _import_one(db_path, stem: str, start) -> None:
    start.wait()
    with Ledger(db_path, create=True) as led:
        led.import_sheet(sheet([task(f"T{stem}", "1", f"{stem}任务")], stem=stem, version=stem), "x")


def test_processes_creating_a_fresh_ledger_at_once_all_get_in(tmp_path):
    ctx = multiprocessing.get_context("fork")  # cheap enough to repeat: the race is brief
    stems = ("a", "b", "c", "d")
    for attempt in range(10):
        path = tmp_path / f"fresh{attempt}.sqlite"
        start = ctx.Barrier(len(stems))
        procs = [ctx.Process(target=_import_one, args=(path, stem, start)) for stem in stems]
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
        assert [p.exitcode for p in procs] == [0] * len(stems)
        with Ledger(path) as led:
            assert sorted(m.id for m in led.meetings()) == list(stems)


def test_mark_and_changed_since_tell_a_reader_what_to_read_again(ledger):
    before = ledger.mark()
    assert ledger.changed_since(before) == set()
    a = ledger.task("T0000000002").active[0]
    ledger.report(a.id, "x", a.version, "自查 30 处")  # a report: history and feedback
    ledger.edit_task("T0000000003", "王科长", None, text="加强节日值班值守。")
    after = ledger.mark()
    assert after.imports == before.imports and after.history > before.history and after.feedback > before.feedback
    assert ledger.changed_since(before) == {"T0000000002", "T0000000003"}
    assert ledger.changed_since(after) == set()
    ledger.import_sheet(sheet(base_tasks(), stem="2024-04-01_安委会", version="v2"), "x")
    assert ledger.mark().imports != after.imports  # new tasks: a reader selects everything again
