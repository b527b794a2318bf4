"""Which ledger rows a task sheet's tasks are: meeting identity, task identity across small edits,
and carry-over within a series. Called by :meth:`Ledger.import_sheet` inside its transaction.

- A meeting is recognised by the sha256 of its speech (a renamed or moved file is the same
  meeting), else by the sheet's relative path with a compatible date (a re-extracted speech);
  otherwise it is new — ``2023/讲话`` and ``2024/讲话`` are two meetings.
- A task keeps its row when its sheet id is known for the meeting; otherwise, among the
  meeting's rows that left the sheet, the diff's alignment (speech_tasks.diff: text, units,
  deadlines) finds the one it is a small edit of.
- A meeting continues the earlier meeting it ``follows`` (``--follows``), or else the latest
  earlier meeting with the same series key. Its tasks aligned with that meeting's open tasks
  continue their rows (the new meeting is added to the sources, changed wording/units/deadline
  recorded); the earlier meeting's open tasks it did not deploy again are flagged
  本次会议未再部署. Unrelated meetings are never linked.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from ..export.frame import children_map
from ..models import TaskSheet
from .db import (
    DROPPED_NOTE, IN_SHEET, REMOVED, SHEET_FIELDS, LedgerError, _role_names, _sheet_columns, _units_text, same_units,
)
from .model import ImportResult, Meeting, Task, iso, loads, utc_now

if TYPE_CHECKING:
    from .db import Ledger

CLOSED = "已销号"


def _find_meeting(ledger: Ledger, sheet: TaskSheet, path: str) -> Meeting | None:
    conn = ledger.conn
    row = conn.execute("SELECT * FROM meetings WHERE sha256 = ? ORDER BY imported_at LIMIT 1", (sheet.source.sha256,)).fetchone()
    if row is None:
        date = iso(sheet.meeting.date)
        row = conn.execute(
            "SELECT * FROM meetings WHERE path = ? AND (date IS NULL OR ? IS NULL OR date = ?) ORDER BY imported_at DESC LIMIT 1",
            (path, date, date),
        ).fetchone()
    return Meeting.from_row(row) if row else None


def _new_meeting_id(ledger: Ledger, sheet: TaskSheet, path: str) -> str:
    stem = Path(path).name or "meeting"
    taken = lambda mid: ledger.conn.execute("SELECT 1 FROM meetings WHERE id = ?", (mid,)).fetchone() is not None  # noqa: E731
    if not taken(stem):
        return stem
    candidate = f"{stem}-{sheet.source.sha256[:8]}"
    n = 2
    while taken(candidate):
        candidate = f"{stem}-{sheet.source.sha256[:8]}-{n}"
        n += 1
    return candidate


def _before(x: Meeting, y: Meeting) -> bool:
    """Meeting *x* took place before *y*: by date when both have one, else by import order."""
    if x.date is not None and y.date is not None and x.date != y.date:
        return x.date < y.date
    return (x.imported_at, x.id) < (y.imported_at, y.id)


def _predecessor(ledger: Ledger, me: Meeting) -> Meeting | None:
    """The meeting *me* continues: the one it follows, else the latest earlier one of its series."""
    if me.follows:
        return ledger.meeting(me.follows)
    if not me.series:
        return None
    same = [m for m in ledger.meetings() if m.series == me.series and m.id != me.id and _before(m, me)]
    return max(same, key=lambda m: (m.date is not None, m.date or "", m.imported_at, m.id), default=None)


def _align(ledger: Ledger, meeting: Meeting, old: list[Task], sheet: TaskSheet, free_old: set[str],
           free_new: set[str]) -> dict[str, str]:
    """{sheet task id: ledger task id} for the free sheet tasks the diff pairs with free ledger tasks."""
    if not free_old or not free_new:
        return {}
    from ..diff.carry import ledger_sheet
    from ..diff.core import diff_sheets

    d = diff_sheets(ledger_sheet(meeting, old), sheet)
    out: dict[str, str] = {}
    for p in sorted(d.pairs, key=lambda p: -p.link.similarity):
        a, b = p.a.task.id, p.b.task.id
        if a in free_old and b in free_new and b not in out and a not in out.values():
            out[b] = a
    return out


def import_sheet(ledger: Ledger, sheet: TaskSheet, by: str, path: str, follows: str | None,
                 series: str | None) -> ImportResult:
    """Store *sheet* as meeting rows (inside the caller's write transaction); see the module doc."""
    conn, rules = ledger.conn, ledger.rules
    now = utc_now()
    found = _find_meeting(ledger, sheet, path)
    if follows is not None:
        ledger.meeting(follows)  # must exist
    values = {
        "path": path, "file": sheet.source.file, "sha256": sheet.source.sha256, "name": sheet.meeting.name,
        "date": iso(sheet.meeting.date), "series": series or (found.series if found else rules.series_key(sheet.meeting.name)),
        "tasks": len(sheet.tasks),
    }
    if found is None:
        mid = _new_meeting_id(ledger, sheet, path)
        conn.execute(
            "INSERT INTO meetings (id, path, file, sha256, name, date, series, follows, tasks, imported_at, updated_at)"
            " VALUES (:id, :path, :file, :sha256, :name, :date, :series, :follows, :tasks, :now, :now)",
            {**values, "id": mid, "follows": follows, "now": now},
        )
    else:
        mid = found.id
        old_values = {k: getattr(found, k) for k in values}
        old_values["date"] = iso(found.date)
        if old_values != values or (follows and follows != found.follows):
            conn.execute(
                "UPDATE meetings SET path = :path, file = :file, sha256 = :sha256, name = :name, date = :date,"
                " series = :series, follows = COALESCE(:follows, follows), tasks = :tasks, updated_at = :now WHERE id = :id",
                {**values, "id": mid, "follows": follows, "now": now},
            )
    me = ledger.meeting(mid)
    result = ImportResult(mid, new_meeting=found is None)
    if follows == mid:
        raise LedgerError(f"{sheet.source.file}: a meeting cannot follow itself")

    sheet_ids = [t.id for t in sheet.tasks]
    sources = {r["sheet_id"]: r for r in conn.execute("SELECT * FROM sources WHERE meeting = ?", (mid,))}
    matched: dict[str, str] = {}  # sheet id → ledger task id
    how: dict[str, str] = {}
    for sid in sheet_ids:
        if sid in sources:
            matched[sid], how[sid] = sources[sid]["task"], "same"
        elif conn.execute("SELECT 1 FROM tasks WHERE id = ?", (sid,)).fetchone() and sid not in matched.values():
            matched[sid], how[sid] = sid, "same"
    # small edits within the meeting: its rows no sheet task claims, aligned with the unclaimed sheet tasks
    own = ledger._load_tasks("WHERE t.id IN (SELECT task FROM sources WHERE meeting = ?)", (mid,))
    free_old = {t.id for t in own} - set(matched.values())
    for sid, tid in _align(ledger, me, own, sheet, free_old, set(sheet_ids) - set(matched)).items():
        matched[sid], how[sid] = tid, "edited"

    # carry-over from the meeting this one continues
    before = _predecessor(ledger, me)
    candidates: list[Task] = []
    if before is not None:
        result.follows = before.id
        candidates = [t for t in ledger._load_tasks("WHERE t.meeting = ?", (before.id,))
                      if not t.removed_from_sheet and t.id not in matched.values()]
        free = {t.id for t in candidates if t.status != CLOSED}
        for sid, tid in _align(ledger, before, candidates, sheet, free, set(sheet_ids) - set(matched)).items():
            matched[sid], how[sid] = tid, "carried"

    children = children_map(sheet)
    for seq, st in enumerate(sheet.tasks):
        cols = _sheet_columns(st, children.get(st.id, []))
        parent = matched.get(st.parent, st.parent) if st.parent else None
        tid = matched.get(st.id)
        if tid is None:
            _insert(ledger, st.id, mid, seq, parent, cols, by, now, sheet.source.file)
            tid = st.id
            result.added.append((tid, st.title or cols["text"][:30]))
        else:
            kind = _update(ledger, tid, me, seq, parent, cols, by, now, how[st.id], sheet.source.file, result)
            if kind:
                getattr(result, kind).append((tid, st.title or cols["text"][:30]))
            else:
                result.unchanged += 1
        conn.execute(
            "INSERT INTO sources (meeting, sheet_id, task, seq, number, in_sheet, at) VALUES (?, ?, ?, ?, ?, 1, ?)"
            " ON CONFLICT(meeting, sheet_id) DO UPDATE SET task = excluded.task, seq = excluded.seq,"
            " number = excluded.number, in_sheet = 1",
            (mid, st.id, tid, seq, st.number, now),
        )
    # this meeting's rows that left its sheet
    claimed = set(matched.values()) | {t.id for t in sheet.tasks}
    for sid, r in sources.items():
        if sid in sheet_ids or r["task"] in claimed:
            if sid not in sheet_ids:
                conn.execute("DELETE FROM sources WHERE meeting = ? AND sheet_id = ?", (mid, sid))  # the row lives on under its new id
            continue
        if r["in_sheet"]:
            conn.execute("UPDATE sources SET in_sheet = 0 WHERE meeting = ? AND sheet_id = ?", (mid, sid))
            t = ledger._task_row(r["task"])
            if t["meeting"] == mid and not t["removed_from_sheet"]:
                _bump(ledger, r["task"], by, now, [("sheet", IN_SHEET, REMOVED, f"not in {sheet.source.file} ({sheet.source.sha256[:12]})")],
                      removed_from_sheet=1)
                result.left.append((r["task"], t["title"] or t["text"][:30]))
    # the earlier meeting's open tasks this one did not deploy again
    for t in candidates:
        if t.id not in claimed and t.status != CLOSED and t.dropped is None:
            _bump(ledger, t.id, by, now, [("dropped", None, mid, f"{DROPPED_NOTE}（{me.label}）")], dropped=mid)
            result.dropped.append((t.id, t.label))
    return result


def _bump(ledger: Ledger, tid: str, by: str, now: str, changes: list[tuple], **columns) -> int:
    """Store *columns* on task *tid*, bump its version and log *changes* with it."""
    row = ledger._task_row(tid)
    version = row["version"] + 1
    sets = {**columns, "version": version, "updated_at": now}
    ledger.conn.execute(f"UPDATE tasks SET {', '.join(f'{k} = ?' for k in sets)} WHERE id = ?", (*sets.values(), tid))
    ledger._log(tid, by, now, version, changes)
    return version


def _insert(ledger: Ledger, tid: str, mid: str, seq: int, parent: str | None, cols: dict, by: str, now: str, file: str) -> None:
    names = _role_names(cols["units"])
    ledger.conn.execute(
        "INSERT INTO tasks (id, meeting, seq, number, parent, path, title, text, units, lead, owner, assist, deadline, due,"
        " sectors, status, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
        (tid, mid, seq, cols["number"], parent, cols["path"], cols["title"], cols["text"],
         json.dumps(cols["units"], ensure_ascii=False), names["lead"], names["owner"], names["assist"], cols["deadline"],
         cols["due"], json.dumps(cols["sectors"], ensure_ascii=False), ledger.rules.initial, now, now),
    )
    ledger._log(tid, by, now, 1, [("meeting", None, mid, f"新增（{file}）")])
    ledger._sync_units(tid, cols["units"], by, now, 1, "任务表")


def _update(ledger: Ledger, tid: str, me: Meeting, seq: int, parent: str | None, cols: dict, by: str, now: str,
            how: str, file: str, result: ImportResult) -> str | None:
    """Refresh a matched task from the sheet; the ImportResult list it belongs in (None: unchanged)."""
    row = ledger._task_row(tid)
    latest = ledger.meeting(row["meeting"])
    if row["meeting"] != me.id and _before(me, latest):
        return None  # an earlier meeting re-imported: the task's current wording is the later one's
    edited = set(loads(row["edited"], []))
    sheet_values = loads(row["sheet_values"], {})
    why = {"same": f"重新提取（{file}）", "edited": f"重新提取，措辞变动（{file}）", "carried": f"{me.label} 再次部署"}[how]
    changes: list[tuple] = []
    sets: dict = {}
    for k in SHEET_FIELDS:
        new = cols[k]
        old = loads(row[k], []) if k == "units" else row[k]
        if k in edited:
            said = sheet_values.get(k)
            if not (same_units(new, said or []) if k == "units" else new == said):
                result.kept_edits.append(f"{tid} {k}")
                sheet_values[k] = new
                sets["sheet_values"] = json.dumps(sheet_values, ensure_ascii=False)
            continue
        if not (same_units(new, old) if k == "units" else new == old):
            if k == "units":
                changes.append(("units", _units_text(old), _units_text(new), why))
                sets["units"] = json.dumps(new, ensure_ascii=False)
                sets.update(_role_names(new))
            else:
                changes.append((k, old, new, why))
                sets[k] = new
    if row["meeting"] != me.id:
        changes.append(("meeting", row["meeting"], me.id, why))
    if row["removed_from_sheet"]:
        changes.append(("sheet", REMOVED, IN_SHEET, f"back in {file}"))
    if row["dropped"] and how == "carried":
        changes.append(("dropped", row["dropped"], None, why))
        sets["dropped"] = None
    place = {"meeting": me.id, "seq": seq, "number": cols["number"], "parent": parent, "path": cols["path"],
             "sectors": json.dumps(cols["sectors"], ensure_ascii=False), "removed_from_sheet": 0}
    quiet = {k: v for k, v in place.items() if row[k] != v}
    if not changes:
        quiet.update(sets)  # at most the sheet values behind kept office edits
        if quiet:
            ledger.conn.execute(f"UPDATE tasks SET {', '.join(f'{k} = ?' for k in quiet)} WHERE id = ?", (*quiet.values(), tid))
        return None
    version = _bump(ledger, tid, by, now, changes, **sets, **quiet)
    if "units" in sets:
        ledger._sync_units(tid, cols["units"], by, now, version, why)
    if how == "carried":
        return "carried"
    if row["removed_from_sheet"] and len(changes) == 1:
        return "restored"
    return "changed"

