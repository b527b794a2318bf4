"""New meetings and downloads: upload a speech → extracted tasks to check and correct → confirm
into the ledger; the 任务分解表 (xlsx/docx) of each meeting and the corpus summary."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import tempfile
from pathlib import Path

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, send_file, url_for
from markupsafe import Markup

from ..export.frame import earliest_due, table
from . import drafts, uploads
from .app import PortalError, db, ledger, require, today

bp = Blueprint("meetings", __name__)
SHEET_FORMATS = {"xlsx": "xlsx", "docx": "docx"}
ROLE_FIELDS = (("lead", "牵头单位"), ("owner", "责任单位"), ("assist", "配合单位"))


@bp.route("/meetings")
def index():
    meetings = ledger().meetings()
    confirmed = {m.id for m in meetings}
    pending = drafts.listing(db(), "draft") if g.user.is_office else []
    with_sheet = {mid for mid in confirmed if drafts.for_meeting(db(), mid) is not None}
    return render_template("meetings.html.j2", meetings=meetings, drafts=pending, with_sheet=with_sheet)


def import_message(result) -> str:
    """What confirming a meeting did, in one line for the page."""
    parts = [f"新增 {len(result.added)} 项"]
    if result.follows:
        parts.append(f"延续上次会议 {len(result.carried)} 项")
    parts += [f"内容变化 {len(result.changed)} 项", f"未变 {result.unchanged} 项"]
    if result.dropped:
        parts.append(f"上次会议部署、本次未再部署 {len(result.dropped)} 项（请在任务中处理）")
    return "已入账：" + "，".join(parts)


def _meeting_date(value: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise PortalError(400, f"会议日期格式不对：{value}（应为 年-月-日）") from None


@bp.route("/meetings/new", methods=["GET", "POST"])
@require("office")
def new():
    if request.method == "GET":
        return render_template("new_meeting.html.j2", limit=uploads.KINDS["speech"][1] // uploads.MB)
    from ..ingest import IngestError

    upload = request.files.get("speech")
    date = _meeting_date(request.form.get("date", ""))
    conn, folder = db(), current_app.config["FILES_DIR"]
    try:
        stored = uploads.save(conn, folder, "speech", upload.stream if upload else None, upload.filename if upload else None, g.user.name)
        draft = drafts.create(conn, folder, stored, date, g.user.name)
    except (uploads.UploadError, IngestError) as e:
        return render_template("new_meeting.html.j2", limit=uploads.KINDS["speech"][1] // uploads.MB, error=str(e)), 400
    flash(f"已提取 {len(draft.sheet.tasks)} 项任务，请逐项核对后确认入账")
    return redirect(url_for("meetings.draft", draft_id=draft.id))


def _draft(draft_id: str) -> drafts.Draft:
    try:
        return drafts.get(db(), draft_id)
    except drafts.DraftError:
        raise PortalError(404, "草稿不存在") from None


def passage(draft: drafts.Draft, task) -> Markup:
    """The task's passage of the speech, its units, deadlines and sector words underlined."""
    from ..export.html import entity_highlights, nest

    start, end = task.span
    return nest(draft.source_text[start:end], entity_highlights([task]), offset=start)


def task_flags(task) -> list[str]:
    """What the office should look at in an extracted task."""
    flags = []
    specific = [u for u in task.units if not u.generic]
    if not task.units:
        flags.append("未识别到责任单位")
    elif not specific:
        flags.append("只有泛指单位（" + "、".join(dict.fromkeys(u.name for u in task.units)) + "）")
    if any(not u.known for u in task.units):
        flags.append("单位不在名录中：" + "、".join(u.name for u in task.units if not u.known))
    if not any(u.role == "lead" for u in task.units) and len(specific) > 1:
        flags.append("多个单位但无牵头单位")
    if earliest_due(task) is None:
        flags.append("无截止日期" if not task.deadlines else "时限无法换算为日期")
    if any(d.approx for d in task.deadlines):
        flags.append("截止日期为约数")
    return flags


@bp.route("/meetings/drafts/<draft_id>")
@require("office")
def draft(draft_id: str):
    d = _draft(draft_id)
    rows = table(d.sheet)
    return render_template(
        "draft.html.j2",
        draft=d,
        rows=rows,
        passage=passage,
        flags=task_flags,
        earliest_due=earliest_due,
        role_fields=ROLE_FIELDS,
        edits=drafts.edits(db(), draft_id),
    )


def _version() -> int:
    try:
        return int(request.form.get("version", ""))
    except ValueError:
        raise PortalError(400, "缺少版本号，请刷新页面后重试") from None


@bp.route("/meetings/drafts/<draft_id>/tasks/<task_id>", methods=["POST"])
@require("office")
def correct(draft_id: str, task_id: str):
    _draft(draft_id)
    form = request.form
    try:
        due = dt.date.fromisoformat(form["due"]) if form.get("due", "").strip() else None
    except ValueError:
        raise PortalError(400, f"截止日期格式不对：{form['due']}") from None
    try:
        changes = drafts.correct(
            db(), draft_id, task_id, _version(), g.user.name,
            title=form.get("title", ""),
            text=form.get("text"),
            units={role: form.get(role, "") for role, _ in ROLE_FIELDS},
            due=due,
        )
    except drafts.Conflict as e:
        raise PortalError(409, str(e)) from None
    except drafts.DraftError as e:
        raise PortalError(400, str(e)) from None
    flash("；".join(changes) if changes else "没有改动")
    return redirect(url_for("meetings.draft", draft_id=draft_id, _anchor=f"task-{task_id}"))


def confirm_draft(d, version: int):
    """Import draft *d*, last seen at *version*, into the ledger as the signed-in account; the
    ledger's ImportResult. The page and the JSON API both confirm through here."""
    from ..ledger import LedgerError

    try:
        drafts.check_open(d, version)  # before the import: a stale page never reaches the ledger
    except drafts.Conflict as e:
        raise PortalError(409, str(e)) from None
    except drafts.DraftError as e:
        raise PortalError(400, str(e)) from None
    try:
        result = ledger().import_sheet(d.sheet, g.user.name)
        drafts.mark(db(), d.id, version, "confirmed", g.user.name, result.meeting,
                    json.dumps(dataclasses.asdict(result), ensure_ascii=False))
    except LedgerError as e:
        raise PortalError(400, f"入账失败：{e}") from None
    except drafts.DraftError as e:
        raise PortalError(409, str(e)) from None
    return result


@bp.route("/meetings/drafts/<draft_id>/confirm", methods=["POST"])
@require("office")
def confirm(draft_id: str):
    result = confirm_draft(_draft(draft_id), _version())
    flash(import_message(result))
    return redirect(url_for("meetings.index"))


@bp.route("/meetings/drafts/<draft_id>/discard", methods=["POST"])
@require("office")
def discard(draft_id: str):
    _draft(draft_id)
    try:
        drafts.mark(db(), draft_id, _version(), "discarded", g.user.name)
    except drafts.DraftError as e:
        raise PortalError(409, str(e)) from None
    flash("草稿已放弃")
    return redirect(url_for("meetings.index"))


# ---- downloads ------------------------------------------------------------------------------


def _send_export(sheet, fmt: str, source_text: str | None = None):
    from ..export import write

    with tempfile.TemporaryDirectory(prefix="speech-tasks-") as tmp:
        path = write(sheet, Path(tmp), [fmt], source_text)[0]
        data = path.read_bytes()
    stem = Path(sheet.source.file).stem
    return _bytes(data, f"{stem}_任务分解表.{fmt}", uploads.content_type(f".{fmt}"))


def _bytes(data: bytes, name: str, mimetype: str):
    import io

    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)


@bp.route("/downloads")
@require("office", "viewer")
def downloads():
    meetings = ledger().meetings()
    with_sheet = {m.id for m in meetings if drafts.for_meeting(db(), m.id) is not None}
    return render_template("downloads.html.j2", meetings=meetings, with_sheet=with_sheet, formats=SHEET_FORMATS)


@bp.route("/downloads/meetings/<meeting>.<fmt>")
@require("office", "viewer")
def meeting_sheet(meeting: str, fmt: str):
    if fmt not in SHEET_FORMATS:
        raise PortalError(404, "不支持的格式")
    d = drafts.for_meeting(db(), meeting)
    if d is None:
        raise PortalError(404, "此会议不是在网页上导入的，没有保存任务表（请用命令行 speech-tasks extract 生成）")
    return _send_export(d.sheet, fmt, d.source_text)


@bp.route("/downloads/drafts/<draft_id>.<fmt>")
@require("office")
def draft_sheet(draft_id: str, fmt: str):
    if fmt not in SHEET_FORMATS:
        raise PortalError(404, "不支持的格式")
    d = _draft(draft_id)
    return _send_export(d.sheet, fmt, d.source_text)


@bp.route("/downloads/summary.<fmt>")
@require("office", "viewer")
def corpus_summary(fmt: str):
    """The corpus summary (speech_tasks.summary) of every meeting confirmed through the portal."""
    from .. import summary

    if fmt not in ("xlsx", "html"):
        raise PortalError(404, "不支持的格式")
    sheets = [d for m in ledger().meetings() if (d := drafts.for_meeting(db(), m.id)) is not None]
    if not sheets:
        raise PortalError(404, "还没有在网页上确认的会议")
    digests = [summary.digest(d.sheet, d.meeting) for d in sheets]
    with tempfile.TemporaryDirectory(prefix="speech-tasks-") as tmp:
        paths = summary.write(digests, Path(tmp))
        data = next(p for p in paths if p.suffix == f".{fmt}").read_bytes()
    mimetype = "text/html; charset=utf-8" if fmt == "html" else uploads.content_type(".xlsx")
    return _bytes(data, f"会议汇总.{fmt}", mimetype)


@bp.route("/downloads/ledger.xlsx")
@require("office", "viewer")
def ledger_workbook():
    """The 台账 workbook (speech_tasks.ledger.xlsx) as of today: every task, one row per unit."""
    from ..ledger import xlsx
    from ..ledger.view import unit_summary
    from .work import rows_for

    led = ledger()
    rows = rows_for(g.user)
    with tempfile.TemporaryDirectory(prefix="speech-tasks-") as tmp:
        path = Path(tmp) / "台账.xlsx"
        xlsx.export(led, path, rows, led.history(), unit_summary(rows, led.rules.statuses), today())
        data = path.read_bytes()
    return _bytes(data, f"督办台账_{today().isoformat()}.xlsx", uploads.content_type(".xlsx"))


@bp.route("/downloads/reminders.<fmt>")
@require("office")
def reminders(fmt: str):
    """催办单: overdue or long-unsigned assignments per unit (speech_tasks.ledger.remind)."""
    from ..ledger import remind

    if fmt not in SHEET_FORMATS:
        raise PortalError(404, "不支持的格式")
    items = ledger().reminders(today())
    with tempfile.TemporaryDirectory(prefix="speech-tasks-") as tmp:
        path = Path(tmp) / f"催办单.{fmt}"
        remind.write(path, items, today())
        data = path.read_bytes()
    return _bytes(data, f"催办单_{today().isoformat()}.{fmt}", uploads.content_type(f".{fmt}"))


@bp.route("/files/speech/<draft_id>")
@require("office", "viewer")
def speech_file(draft_id: str):
    d = _draft(draft_id)
    stored = uploads.get(db(), d.file)
    return send_file(stored.path(current_app.config["FILES_DIR"]), mimetype=stored.content_type,
                     as_attachment=True, download_name=stored.original_name)
