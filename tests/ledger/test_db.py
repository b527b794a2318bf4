import datetime as dt
import multiprocessing
import sqlite3
import time

import pytest

from speech_tasks.ledger.db import SCHEMA_VERSION, Ledger, LedgerError, migrate
from speech_tasks.ledger.lifecycle import Edit

from .sheets import base_tasks, sheet, task


def dump(path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def test_reimporting_the_same_sheet_changes_nothing(ledger, db_path):
    ledger.update("T0000000001", Edit(status="推进中", note="已部署"), "alice")
    before = dump(db_path)
    summary = ledger.import_sheet(sheet(base_tasks()), "bob")
    assert (summary.added, summary.updated, summary.removed, summary.unchanged) == (0, 0, 0, 3)
    assert dump(db_path) == before


def test_reextracted_sheet_keeps_status_and_history_and_flags_removed_tasks(ledger):
    ledger.update("T0000000001", Edit(status="推进中", note="已部署"), "alice")
    ledger.update("T0000000002", Edit(status="延期", due=dt.date(2024, 5, 1), reason="汛期"), "alice")
    history_before = ledger.history("T0000000001")
    t1, t2, _ = base_tasks()
    t1 = task(t1.id, "1", t1.text, units=(("市应急管理局", "lead"), ("市公安局", "assist")), due=dt.date(2024, 3, 31))
    new = task("T0000000004", "3", "完善应急预案。")
    summary = ledger.import_sheet(sheet([t1, t2, new], version="v2"), "bob")
    assert (summary.added, summary.updated, summary.unchanged, summary.removed) == (1, 1, 1, 1)

    kept = ledger.task("T0000000001")
    assert (kept.status, kept.note, kept.assist) == ("推进中", "已部署", "市公安局")
    assert ledger.history("T0000000001") == history_before
    assert ledger.task("T0000000002").extended_due == dt.date(2024, 5, 1)
    gone = ledger.task("T0000000003")  # never deleted, only flagged
    assert gone.removed_from_sheet
    assert [(h.field, h.old, h.new) for h in ledger.history("T0000000003")] == [("sheet", "在表", "移出")]
    assert ledger.task("T0000000004").status == "未启动"

    back = ledger.import_sheet(sheet(base_tasks()), "bob")  # the earlier extraction again
    assert (back.restored, back.removed) == (1, 1)
    assert not ledger.task("T0000000003").removed_from_sheet


def test_lifecycle_through_to_closed_with_history(ledger):
    tid = "T0000000001"
    steps = [
        Edit(status="推进中", note="已召开部署会"),
        Edit(status="延期", due=dt.date(2024, 4, 30), reason="整改资金未到位"),
        Edit(status="已完成", note="整改完毕"),
        Edit(status="已销号"),
    ]
    for edit in steps:
        ledger.update(tid, edit, "alice")
    with pytest.raises(LedgerError, match=f"{tid}: 已销号 is final"):
        ledger.update(tid, Edit(status="推进中"), "alice")
    ledger.update(tid, Edit(status="推进中", reopen=True, note="复查发现反弹"), "bob")
    rows = [(h.field, h.old, h.new, h.note, h.version) for h in ledger.history(tid)]
    assert rows == [
        ("status", "未启动", "推进中", "已召开部署会", 1),
        ("status", "推进中", "延期", "整改资金未到位", 2),
        ("due", "2024-03-31", "2024-04-30", "整改资金未到位", 2),
        ("status", "延期", "已完成", "整改完毕", 3),
        ("status", "已完成", "已销号", "", 4),
        ("status", "已销号", "推进中", "复查发现反弹", 5),
    ]
    t = ledger.task(tid)
    assert (t.status, t.note, t.version, t.effective_due) == ("推进中", "复查发现反弹", 5, dt.date(2024, 4, 30))
    assert {h.by for h in ledger.history(tid)} == {"alice", "bob"}


def test_unknown_task_is_one_clear_error(ledger):
    with pytest.raises(LedgerError, match="unknown task id 'T404'"):
        ledger.update("T404", Edit(status="推进中"), "alice")


def test_history_is_append_only(ledger, db_path):
    ledger.update("T0000000001", Edit(note="x"), "alice")
    conn = sqlite3.connect(db_path)
    for statement in ("UPDATE history SET new = 'y'", "DELETE FROM history"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(statement)
    conn.close()


def test_ledger_uses_wal_and_current_schema(ledger, db_path):
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_version_1_file_is_migrated_keeping_its_rows(tmp_path):
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, target=1)
    conn.execute("INSERT INTO meetings VALUES ('m', 'm.txt', 'abc', NULL, NULL, 1, 'now', 'now')")
    conn.execute(
        "INSERT INTO tasks (id, meeting, seq, number, path, text, units, lead, owner, assist, deadline, sectors,"
        " status, created_at, updated_at) VALUES ('T1', 'm', 0, '1', '一', '任务', '[]', '', '', '', '', '[]',"
        " '推进中', 'now', 'now')"
    )
    conn.close()
    assert dump(path) and "links" not in " ".join(dump(path))
    with Ledger(path) as led:
        assert led.schema_version() == SCHEMA_VERSION == 2
        assert led.task("T1").status == "推进中"
        with led.write() as c:  # the table meeting linking fills in
            c.execute("INSERT INTO links VALUES ('T1', 'T1', 'now', 'x')")
        with pytest.raises(LedgerError, match="FOREIGN KEY"):
            with led.write() as c:
                c.execute("INSERT INTO links VALUES ('T1', 'T-missing', 'now', 'x')")


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
    try:
        with Ledger(db_path, timeout=0.2) as other:
            with pytest.raises(LedgerError, match="ledger busy"):
                other.update("T0000000001", Edit(note="x"), "alice")
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()


UPDATES = 200
TASKS = ("T0000000001", "T0000000002", "T0000000003")


def _worker(db_path, worker: int, start) -> None:
    with Ledger(db_path, timeout=60) as led:
        start.wait()  # both processes ready: the updates overlap
        for i in range(UPDATES):
            status = ("推进中", "已完成")[(i + worker) % 2]
            led.update(TASKS[i % len(TASKS)], Edit(status=status, note=f"w{worker}-{i}"), f"worker{worker}")
            time.sleep(0.001)  # a process does other work between updates: lets the other one in


def test_two_processes_updating_at_once_lose_nothing(ledger, db_path):
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(2)
    procs = [ctx.Process(target=_worker, args=(db_path, w, start)) for w in (1, 2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0]

    history = ledger.history()
    assert len(history) == 2 * UPDATES
    writers = [h.by for h in history]
    assert writers != sorted(writers)  # the two really interleaved
    recorded = {h.note if h.field == "status" else h.new for h in history}
    assert recorded == {f"w{w}-{i}" for w in (1, 2) for i in range(UPDATES)}
    for tid in TASKS:
        versions = [h.version for h in history if h.task == tid]
        assert versions == list(range(1, len(versions) + 1))  # no two writers took the same version
        assert ledger.task(tid).version == len(versions)


def _import_one(db_path, stem: str, start) -> None:
    start.wait()
    with Ledger(db_path, create=True) as led:
        led.import_sheet(sheet([task(f"T{stem}", "1", f"{stem}任务")], stem=stem), "x")


def test_processes_creating_a_fresh_ledger_at_once_all_get_in(tmp_path):
    ctx = multiprocessing.get_context("fork")  # cheap enough to repeat: the race is brief
    stems = ("a", "b", "c", "d")
    for attempt in range(25):
        path = tmp_path / f"fresh{attempt}.sqlite"
        start = ctx.Barrier(len(stems))
        procs = [ctx.Process(target=_import_one, args=(path, stem, start)) for stem in stems]
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
        assert [p.exitcode for p in procs] == [0] * len(stems)
        with Ledger(path) as led:
            assert [m.id for m in led.meetings()] == list(stems)
