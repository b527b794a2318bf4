"""The ledger's pages: 工作台, 任务 list and detail, 我的任务, 审核, evidence files, meeting diff."""
from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, send_file, url_for
from markupsafe import Markup
from werkzeug.security import safe_join

from ..ledger import Filters, LedgerError
from ..ledger.alerts import LEVELS
from ..ledger.model import local_text
from . import charts, drafts, uploads, work
from .app import PortalError, db, ledger, today

bp = Blueprint("tasks", __name__)
COLOURS = {"红": "#d93025", "黄": "#f2b600", "蓝": "#1a73e8"}
LIST_ROWS = 15  # rows of the 工作台's overdue and due-soon lists (the 任务 list has them all)
STATUS_COLOURS = ("#bdc1c6", "#8ab4f8", "#1a73e8", "#f2b600", "#34a853", "#188038", "#5f6368")
# history fields as the pages name them (others are shown as stored)
FIELD_LABELS = {"status": "状态", "feedback": "反馈", "due": "截止日期", "extension": "延期申请", "unit": "单位",
                "role": "角色", "text": "任务内容", "title": "标题", "note": "备注", "deadline": "完成时限",
                "override": "状态（指定）", "sheet": "任务表", "source": "会议来源", "dropped": "未再部署"}
SORTS = {  # key → (label, sort key or None for the ledger's order, newest first)
    "number": ("会议与序号", None, False),
    "due": ("截止日期", lambda r: (r.task.due or dt.date.max, r.task.id), False),
    "warning": ("预警", lambda r: (LEVELS.index(r.warning) if r.warning else 9, r.task.due or dt.date.max), False),
    "status": ("状态", lambda r: (ledger().rules.rank(r.task.status), r.task.id), False),
    "updated": ("最近更新", lambda r: r.task.updated_at, True),
}


def _date_arg(name: str) -> dt.date | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise PortalError(400, f"日期格式不对：{value}") from None


# ---- 工作台 ---------------------------------------------------------------------------------


@bp.route("/")
def dashboard():
    user, rules = g.user, ledger().rules
    rows = work.rows_for(user)
    statuses = rules.statuses
    colours = Counter()
    per_unit: dict[str, Counter] = {}
    per_sector: dict[str, Counter] = {}
    overdue, soon = [], []
    horizon = today() + dt.timedelta(days=rules.warning_days.blue)
    for r in rows:
        for a in work.my_assignments(user, r):
            w = r.warnings.get(a.id)
            colours[w or "无"] += 1
            per_unit.setdefault(a.unit, Counter())[a.status] += 1
            if w:
                per_unit[a.unit][w] += 1
            for sector in r.task.sectors or ["（未分领域）"]:
                per_sector.setdefault(sector, Counter())[a.status] += 1
                if w:
                    per_sector[sector][w] += 1
            if w == "红":
                overdue.append((r, a))
            elif a.due and a.status not in rules.done and a.due <= horizon:
                soon.append((r, a))
    overdue.sort(key=lambda x: x[1].due or dt.date.min)
    soon.sort(key=lambda x: x[1].due)
    units = sorted(per_unit.items(), key=lambda kv: (-kv[1]["红"], -kv[1]["黄"], -sum(kv[1][s] for s in statuses), kv[0]))
    sectors = sorted(per_sector.items(), key=lambda kv: (-sum(kv[1][s] for s in statuses), kv[0]))
    palette = dict(zip(statuses, STATUS_COLOURS))
    chart = charts.stacked_bars([(u, dict(c)) for u, c in units[:15]], palette)
    sector_chart = charts.stacked_bars([(sector, dict(c)) for sector, c in sectors[:15]], {**COLOURS})
    return render_template(
        "dashboard.html.j2", rows=rows, colours=colours, levels=LEVELS, statuses=statuses, units=units,
        sectors=sectors, overdue=overdue[:LIST_ROWS], overdue_total=len(overdue), soon=soon[:LIST_ROWS], soon_total=len(soon),
        horizon=horizon,
        chart=chart, sector_chart=sector_chart, tasks_total=len(rows),
    )


# ---- 任务 -----------------------------------------------------------------------------------


def filtered_rows(user):
    """The tasks *user* may see that the request's filters select, sorted: (all visible, selected)."""
    args = request.args
    statuses = tuple(s for s in args.getlist("status") if s)
    filters = Filters(
        units=(), statuses=statuses if all(s in ledger().rules.statuses for s in statuses) else (),
        meeting=args.get("meeting") or None, removed=bool(args.get("removed")),
        dropped_only=bool(args.get("dropped")),
    )
    due_from, due_to = _date_arg("due_from"), _date_arg("due_to")
    unit, sector, colour = args.get("unit", ""), args.get("sector", ""), args.get("colour", "")
    q = args.get("q", "").strip()
    rows = work.rows_for(user, filters)
    out = []
    for r in rows:
        t = r.task
        if unit and not any(a.unit == unit for a in t.active):
            continue
        if sector and sector not in t.sectors:
            continue
        if colour and (colour not in r.warnings.values() if colour in LEVELS else r.warning is not None):
            continue
        if due_from and (t.due is None or t.due < due_from):
            continue
        if due_to and (t.due is None or t.due > due_to):
            continue
        if q and not any(q in (x or "") for x in (t.id, t.number, t.title, t.text, t.lead, t.owner, t.assist)):
            continue
        out.append(r)
    sort = args.get("sort", "number")
    _, key, newest_first = SORTS.get(sort, SORTS["number"])
    if key:
        out.sort(key=key, reverse=newest_first)
    return rows, out


def _page(items: list, size: int) -> tuple[list, int, int]:
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    pages = max(1, -(-len(items) // size))
    page = min(page, pages)
    return items[(page - 1) * size: page * size], page, pages


@bp.route("/tasks")
def task_list():
    everything, rows = filtered_rows(g.user)
    shown, page, pages = _page(rows, current_app.config["PAGE_SIZE"])
    meetings = ledger().meetings()
    units = sorted({a.unit for r in everything for a in r.task.active})
    sectors = sorted({s for r in everything for s in r.task.sectors})
    args = request.args.to_dict(flat=True)
    return render_template(
        "tasks.html.j2", rows=shown, total=len(rows), page=page, pages=pages, meetings=meetings, units=units,
        sectors=sectors, statuses=ledger().rules.statuses, levels=LEVELS, sorts=SORTS, args=args,
        page_url=lambda n: url_for("tasks.task_list", **{**args, "page": n}),
    )


def _passage(task):
    """The task's passage in its speech, with context, if the meeting was confirmed in the portal."""
    from ..export.html import entity_highlights, nest

    for meeting in reversed(task.sources or (task.meeting,)):
        d = drafts.for_meeting(db(), meeting)
        if d is None:
            continue
        sheet_task = next((t for t in d.sheet.tasks if t.id == task.id), None)
        if sheet_task is None:
            continue
        start, end = sheet_task.span
        before, after = max(0, start - 120), min(len(d.source_text), end + 120)
        marked = nest(d.source_text[start:end], entity_highlights([sheet_task]), offset=start)
        return {
            "meeting": d.sheet.meeting.name or d.file_name,
            "before": d.source_text[before:start], "marked": Markup(f'<mark class="source">{marked}</mark>'),
            "after": d.source_text[end:after], "cut_before": before > 0, "cut_after": after < len(d.source_text),
        }
    return None


@bp.route("/tasks/<task_id>")
def task_detail(task_id: str):
    user = g.user
    task = work.task_for(user, task_id)
    history = ledger().history(task_id)
    if user.role == "unit":  # a unit sees the task's own changes and those of its assignment
        history = [h for h in history if h.unit in (None, user.unit)]
    meetings = {m.id: m for m in ledger().meetings()}
    evidence = work.evidence_names([p for a in task.active for f in a.feedback for p in f.evidence])
    return render_template(
        "task.html.j2", task=task, passage=_passage(task), history=history, meetings=meetings,
        assignments=[a for a in task.assignments if work.sees_assignment(user, a)],
        offers=lambda a: work.offers(user, a), warning=lambda a: _warning(a), evidence=evidence,
        field_labels=FIELD_LABELS, action_labels={k: v.label for k, v in ledger().rules.actions.items()}, roles=ROLES,
    )


ROLES = {"lead": "牵头", "owner": "责任", "assist": "配合"}


@bp.route("/tasks/<task_id>/edit", methods=["POST"])
def edit(task_id: str):
    """安委办 修改任务: the form on the task page."""
    form = request.form
    try:
        version = int(form.get("version", ""))
    except ValueError:
        raise PortalError(400, "缺少版本号，请刷新页面后重试") from None
    task = work.task_for(g.user, task_id)
    fields = {}
    for name in ("title", "text", "deadline", "note"):
        value = form.get(name)
        if value is not None and value.strip() != (getattr(task, name) or "").strip():
            fields[name] = value
    due = form.get("due", "").strip()
    if due and due != (task.due.isoformat() if task.due else ""):
        try:
            fields["due"] = dt.date.fromisoformat(due)
        except ValueError:
            raise PortalError(400, f"日期格式不对：{due}") from None
    add = [(n, form.get("add_role", "owner")) for n in re.split(r"[、,，;；\s]+", form.get("add", "")) if n]
    if any(role not in ROLES for _, role in add):
        raise PortalError(400, "未知的单位角色")
    remove = form.getlist("remove")
    if not fields and not add and not remove:
        flash("没有改动")
    else:
        work.edit_task(g.user, task_id, version, fields=fields, add=add, remove=remove, reason=form.get("reason", "").strip())
        flash("任务已修改，记录见变更记录")
    return redirect(url_for("tasks.task_detail", task_id=task_id))


def _warning(a):
    from ..ledger.alerts import assignment_warning

    return assignment_warning(a, today(), ledger().rules)


@bp.route("/assignments/<int:assignment_id>/act", methods=["POST"])
def act(assignment_id: int):
    user, form = g.user, request.form
    action = form.get("action", "")
    try:
        version = int(form.get("version", ""))
    except ValueError:
        raise PortalError(400, "缺少版本号，请刷新页面后重试") from None
    due = None
    if form.get("due", "").strip():
        try:
            due = dt.date.fromisoformat(form["due"].strip())
        except ValueError:
            raise PortalError(400, f"日期格式不对：{form['due']}") from None
    a = work.assignment_for(user, assignment_id)
    files = [f for f in request.files.getlist("evidence") if f and f.filename]
    stored = store_evidence(user, files) if files and action in work.TAKES_FILES else []
    try:
        done = work.act(user, assignment_id, action, version, form.get("note", ""), due, [p for p, _ in stored])
    finally:
        for path, _ in stored:  # the ledger keeps its own copy under the generated name
            path.unlink(missing_ok=True)
    label = ledger().rules.actions[action].label
    flash(f"{done.unit}：{label}完成，当前状态 {done.status}")
    back = form.get("back", "")
    if back.startswith("/") and not back.startswith("//"):
        return redirect(back)
    return redirect(url_for("tasks.task_detail", task_id=a.task, _anchor=f"a{assignment_id}"))


def store_evidence(user, files) -> list[tuple[Path, uploads.StoredFile]]:
    out = []
    for f in files:
        try:
            record = uploads.save(db(), current_app.config["FILES_DIR"], "evidence", f.stream, f.filename, user.name)
        except uploads.UploadError as e:
            for path, _ in out:
                path.unlink(missing_ok=True)
            raise PortalError(400, f"佐证材料 {uploads.display_name(f.filename)}：{e}") from None
        out.append((record.path(current_app.config["FILES_DIR"]), record))
    return out


@bp.route("/evidence/<int:assignment_id>/<name>")
def evidence(assignment_id: int, name: str):
    a = work.assignment_for(g.user, assignment_id)
    rel = f"{assignment_id}/{name}"
    if not any(rel in f.evidence for f in a.feedback):
        raise PortalError(404, "文件不存在")
    path = safe_join(str(ledger().evidence_dir), str(assignment_id), name)
    if path is None or not Path(path).is_file():
        raise PortalError(404, "文件不存在")
    shown = work.evidence_names([rel])[rel]
    return send_file(path, as_attachment=True, download_name=shown, mimetype=uploads.content_type(Path(name).suffix))


# ---- 我的任务, 审核 ---------------------------------------------------------------------------


@bp.route("/mine")
def mine():
    user = g.user
    if user.role != "unit":
        raise PortalError(403, "“我的任务”用于责任单位账号")
    items = [(r, a) for r in work.rows_for(user) for a in work.my_assignments(user, r)]
    rank = ledger().rules.rank
    items.sort(key=lambda x: (rank(x[1].status), x[1].due or dt.date.max))
    return render_template("mine.html.j2", items=items, offers=lambda a: work.offers(user, a),
                           warnings={a.id: r.warnings.get(a.id) for r, a in items})


@bp.route("/review")
def review():
    user = g.user
    if user.role != "office":
        raise PortalError(403, "审核仅限安委办账号")
    queues = {"待审核": [], "待销号": [], "延期申请": []}
    for r in work.rows_for(user):
        for a in r.task.active:
            if a.requested_due is not None:
                queues["延期申请"].append((r, a))
            if a.status == "已完成":
                queues["待审核"].append((r, a))
            elif a.status == "审核通过":
                queues["待销号"].append((r, a))
    return render_template("review.html.j2", queues=queues, offers=lambda a: work.offers(user, a))


# ---- meeting diff ---------------------------------------------------------------------------


@bp.route("/meetings/<meeting>/changes")
def meeting_changes(meeting: str):
    """新增 / 延续 / 变化 / 未再部署 of a meeting against its series' previous meeting."""
    if g.user.role == "unit":
        raise PortalError(403, "会议对比仅限安委办和只读账号")
    try:
        m = ledger().meeting(meeting)
    except LedgerError:
        raise PortalError(404, "会议不存在") from None
    stored = db().execute(
        "SELECT import_json FROM portal_drafts WHERE meeting = ? AND state = 'confirmed' AND import_json IS NOT NULL"
        " ORDER BY updated_at DESC LIMIT 1", (m.id,)).fetchone()
    tasks = [t for t in ledger().tasks(Filters(removed=True)) if m.id in t.sources or t.dropped == m.id]
    by_id = {t.id: t for t in tasks}
    if stored:
        result = json.loads(stored[0])
        groups = {k: [tuple(x) for x in result[k]] for k in ("added", "carried", "changed", "dropped")}
        follows = result.get("follows")
    else:  # imported on the command line: from the ledger's sources and flags
        groups = {"added": [], "carried": [], "changed": [], "dropped": []}
        for t in tasks:
            if t.dropped == m.id:
                groups["dropped"].append((t.id, t.label))
            elif t.sources and t.sources[0] == m.id:
                groups["added"].append((t.id, t.label))
            else:
                groups["carried"].append((t.id, t.label))
        follows = m.follows
    labels = {"added": "新增", "carried": "延续", "changed": "内容变化", "dropped": "本次未再部署"}
    previous = None
    if follows:
        try:
            previous = ledger().meeting(follows)
        except LedgerError:
            previous = None
    return render_template("changes.html.j2", meeting=m, previous=previous, groups=groups, labels=labels, tasks=by_id)


@bp.app_template_filter("local")
def _local(stamp: str | None) -> str:
    return local_text(stamp)
