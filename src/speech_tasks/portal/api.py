"""The JSON API under ``/api/``, for an OA system: the same data, operations and permissions as
the pages (a unit account sees and changes only its own unit's assignments).

Authentication: HTTP basic credentials of a portal account on each request (no cookie, so no
CSRF token), or the browser session plus the ``X-CSRFToken`` header for changes. Errors are
``{"error": "...", "status": N}`` with the HTTP status: 401, 403, 404, 409 (version conflict:
"changed by X at T"), 400. Dates are ISO (2024-06-30); times UTC ISO 8601.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

from flask import Blueprint, current_app, g, jsonify, request

from . import drafts, uploads, work
from .app import PortalError, db, ledger, require
from .meetings import confirm_draft, import_message

bp = Blueprint("api", __name__, url_prefix="/api")


def plain(value):
    """Dataclasses, dates and tuples as JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def _task(task, warnings=None) -> dict:
    user = g.user
    out = plain(dataclasses.replace(task, assignments=()))
    out["assignments"] = [_assignment(a, warnings) for a in task.assignments if work.sees_assignment(user, a)]
    return out


def _assignment(a, warnings=None) -> dict:
    out = plain(a)
    out["due"] = plain(a.due)
    if warnings is not None:
        out["warning"] = warnings.get(a.id)
    out["actions"] = [o.name for o in work.offers(g.user, a)]
    return out


@bp.route("/me")
def me():
    u = g.user
    return jsonify(name=u.name, role=u.role, unit=u.unit)


@bp.route("/meetings")
def meetings():
    return jsonify(meetings=plain(ledger().meetings()))


@bp.route("/tasks")
def tasks():
    from .tasks import filtered_rows

    _, rows = filtered_rows(g.user)
    try:
        per_page = min(500, max(1, int(request.args.get("per_page", "100"))))
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        raise PortalError(400, "page/per_page 应为整数") from None
    chunk = rows[(page - 1) * per_page: page * per_page]
    return jsonify(total=len(rows), page=page, per_page=per_page,
                   tasks=[{**_task(r.task, r.warnings), "warning": r.warning} for r in chunk])


@bp.route("/tasks/<task_id>")
def task(task_id: str):
    t = work.task_for(g.user, task_id)
    history = ledger().history(task_id)
    if g.user.role == "unit":
        history = [h for h in history if h.unit in (None, g.user.unit)]
    return jsonify(task=_task(t), history=plain(history))


@bp.route("/tasks/<task_id>/edit", methods=["POST"])
def edit_task(task_id: str):
    """Office: ``{"version": N, "title"?, "text"?, "due"?, "deadline"?, "note"?, "add"?: [[name, role]],
    "remove"?: [name], "reason"?}``; answers the task as it is now."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise PortalError(400, "请求体应为 JSON 对象")
    try:
        version = int(data["version"])
        fields = {k: str(data[k]) for k in ("title", "text", "deadline", "note") if data.get(k) is not None}
        if data.get("due"):
            fields["due"] = dt.date.fromisoformat(str(data["due"]))
        add = [(str(name), str(role)) for name, role in data.get("add", [])]
        remove = [str(name) for name in data.get("remove", [])]
    except (KeyError, TypeError, ValueError):
        raise PortalError(400, "需要 version；due 为 YYYY-MM-DD；add 为 [[单位, 角色]]") from None
    task = work.edit_task(g.user, task_id, version, fields=fields, add=add, remove=remove,
                          reason=str(data.get("reason", "")))
    return jsonify(task=_task(task))


@bp.route("/assignments/<int:assignment_id>")
def assignment(assignment_id: int):
    return jsonify(assignment=_assignment(work.assignment_for(g.user, assignment_id)))


@bp.route("/assignments/<int:assignment_id>/evidence/<name>")
def evidence(assignment_id: int, name: str):
    """An evidence file of the assignment's feedback (the name as in its ``evidence`` paths)."""
    from .tasks import evidence as evidence_file

    return evidence_file(assignment_id, name)


@bp.route("/assignments/<int:assignment_id>/<action>", methods=["POST"])
def act(assignment_id: int, action: str):
    """Take an action: JSON ``{"version": N, "note": "...", "due": "YYYY-MM-DD"}``, or the same
    fields as a multipart form with ``evidence`` files (report / complete)."""
    from .tasks import store_evidence

    data = request.get_json(silent=True) if request.is_json else request.form
    if data is None:
        raise PortalError(400, "请求体不是 JSON")
    try:
        version = int(data["version"])
    except (KeyError, TypeError, ValueError):
        raise PortalError(400, "需要 version（上次读取时的版本号）") from None
    due = None
    if data.get("due"):
        try:
            due = dt.date.fromisoformat(str(data["due"]))
        except ValueError:
            raise PortalError(400, f"due 日期格式不对：{data['due']}") from None
    work.assignment_for(g.user, assignment_id)
    files = [f for f in request.files.getlist("evidence") if f and f.filename]
    stored = store_evidence(g.user, files) if files and action in work.TAKES_FILES else []
    try:
        done = work.act(g.user, assignment_id, action, version, str(data.get("note", "")), due, [p for p, _ in stored])
    finally:
        for path, _ in stored:
            path.unlink(missing_ok=True)
    return jsonify(assignment=_assignment(done))


@bp.route("/meetings", methods=["POST"])
@require("office")
def upload_meeting():
    """Upload a speech (multipart ``speech``, optional ``date``): the extracted draft to check."""
    from ..ingest import IngestError

    f = request.files.get("speech")
    date = None
    if request.form.get("date"):
        try:
            date = dt.date.fromisoformat(request.form["date"])
        except ValueError:
            raise PortalError(400, f"date 日期格式不对：{request.form['date']}") from None
    try:
        stored = uploads.save(db(), current_app.config["FILES_DIR"], "speech", f.stream if f else None,
                              f.filename if f else None, g.user.name)
        d = drafts.create(db(), current_app.config["FILES_DIR"], stored, date, g.user.name)
    except (uploads.UploadError, IngestError) as e:
        raise PortalError(400, str(e)) from None
    return jsonify(draft=d.id, version=d.version, sheet=d.sheet.model_dump(mode="json")), 201


@bp.route("/drafts/<draft_id>")
@require("office")
def draft(draft_id: str):
    try:
        d = drafts.get(db(), draft_id)
    except drafts.DraftError:
        raise PortalError(404, "草稿不存在") from None
    return jsonify(draft=d.id, state=d.state, version=d.version, meeting=d.meeting, sheet=d.sheet.model_dump(mode="json"))


@bp.route("/drafts/<draft_id>/confirm", methods=["POST"])
@require("office")
def confirm(draft_id: str):
    """Import a checked draft into the ledger: ``{"version": N}``."""
    data = request.get_json(silent=True) or {}
    try:
        d = drafts.get(db(), draft_id)
        version = int(data["version"])
    except drafts.DraftError:
        raise PortalError(404, "草稿不存在") from None
    except (KeyError, TypeError, ValueError):
        raise PortalError(400, "需要 version") from None
    result = confirm_draft(d, version)
    return jsonify(meeting=result.meeting, message=import_message(result), result=plain(result))
