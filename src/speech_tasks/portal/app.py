"""The portal's Flask application: configuration, who is logged in, and the guards every
request passes through.

- Every page needs a logged-in account except the login page and static files; pages under
  ``/api/`` answer 401 JSON instead of redirecting. Roles are checked on the server, per view
  (:func:`require`) and per object (a unit account only reaches its own unit's rows).
- Sessions are signed cookies (Flask/itsdangerous) that expire (``SESSION_HOURS``); the account
  is re-read on every request, so disabling it or changing its password ends its sessions.
- Every form and every state-changing API call carries a CSRF token (Flask-WTF), except API
  calls authenticated with HTTP basic credentials, which carry no cookie to forge.
- Failed logins are throttled per address and per account name (Flask-Limiter).
- Responses carry a CSP without inline script, X-Frame-Options, nosniff; errors are pages (or
  JSON) in Chinese without any trace.
"""
from __future__ import annotations

import datetime as dt
import functools
import sqlite3
from pathlib import Path

from flask import Flask, abort, current_app, g, jsonify, redirect, render_template, request, session, url_for
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from . import accounts
from .store import files_dir, prepare, secret_key

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
PUBLIC_ENDPOINTS = {"auth.login", "static"}
ERROR_MESSAGES = {
    400: "请求无效",
    401: "请先登录",
    403: "没有权限访问此内容",
    404: "页面或记录不存在",
    405: "不支持此操作方式",
    409: "内容已被他人修改，请刷新后重试",
    413: "上传的文件过大",
    429: "尝试次数过多，请稍后再试",
    500: "服务器内部错误，已记录，请稍后重试或联系管理员",
}
# the header's links: endpoint, label, roles that see it
NAV_ITEMS = (
    ("tasks.dashboard", "工作台", ("office", "unit", "viewer")),
    ("tasks.task_list", "任务", ("office", "unit", "viewer")),
    ("tasks.mine", "我的任务", ("unit",)),
    ("tasks.review", "审核", ("office",)),
    ("meetings.index", "会议", ("office", "viewer")),
    ("meetings.new", "新会议", ("office",)),
    ("meetings.downloads", "下载", ("office", "viewer")),
)
csrf = CSRFProtect()


class PortalError(Exception):
    """Ends a request with *code* and a message for the user (a page, or JSON under /api/)."""

    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code, self.message = code, message


class Portal(Flask):
    def select_jinja_autoescape(self, filename: str) -> bool:
        """Escape everything: Flask's default escapes only ``*.html``, and ours are ``*.html.j2``."""
        return True


def create_app(db_path: str | Path, **config) -> Flask:
    """The portal over the ledger in *db_path* (created if absent); *config* overrides settings."""
    path = prepare(db_path)
    app = Portal(__name__)
    conn = sqlite3.connect(path)
    try:
        key = secret_key(conn)
    finally:
        conn.close()
    app.config.update(
        SECRET_KEY=key,
        DB_PATH=path,
        FILES_DIR=files_dir(path),
        SESSION_COOKIE_NAME="speech_tasks_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=8),
        MAX_CONTENT_LENGTH=12 * 1024 * 1024,  # the largest upload (10 MB evidence) and its form
        WTF_CSRF_CHECK_DEFAULT=False,  # checked in _guard, which knows about API credentials
        WTF_CSRF_TIME_LIMIT=None,  # a token lives as long as its session
        LOGIN_LIMIT="10 per 5 minutes",  # failed logins, per address and per account name
        TODAY=None,  # a fixed date for tests; None: the server's date
        PAGE_SIZE=50,
    )
    app.config.update(config)
    app.json.ensure_ascii = False
    csrf.init_app(app)
    limiter = Limiter(get_remote_address, app=app, storage_uri="memory://", headers_enabled=False)

    from . import api, auth, meetings, tasks

    app.register_blueprint(auth.bp)
    app.register_blueprint(meetings.bp)
    app.register_blueprint(tasks.bp)
    app.register_blueprint(api.bp)
    auth.throttle(app, limiter)

    app.before_request(_guard)
    app.after_request(_headers)
    app.teardown_appcontext(_close)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(PortalError, _portal_error)
    app.register_error_handler(Exception, _internal_error)
    app.jinja_env.globals.update(today=today, ROLE_LABELS=accounts.ROLE_LABELS, nav_items=NAV_ITEMS)
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    return app


def today() -> dt.date:
    return current_app.config["TODAY"] or dt.date.today()


def localtime(stamp: str | None) -> str:
    """A stored UTC time (ISO 8601) as the server's local time, to the minute."""
    if not stamp:
        return ""
    when = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.astimezone().strftime("%Y-%m-%d %H:%M")


def db() -> sqlite3.Connection:
    """This request's connection to the ledger file (portal tables)."""
    if "db" not in g:
        g.db = sqlite3.connect(current_app.config["DB_PATH"], timeout=10.0, isolation_level=None)
        g.db.row_factory = sqlite3.Row
        g.db.execute("PRAGMA foreign_keys = ON")
    return g.db


def ledger():
    """This request's open :class:`speech_tasks.ledger.db.Ledger`."""
    if "ledger" not in g:
        from ..ledger import Ledger

        g.ledger = Ledger(current_app.config["DB_PATH"])
    return g.ledger


def _close(_exc) -> None:
    conn = g.pop("db", None)
    if conn is not None:
        conn.close()
    led = g.pop("ledger", None)
    if led is not None:
        led.close_db()


def is_api() -> bool:
    return request.path.startswith("/api/")


def _session_user() -> accounts.User | None:
    name = session.get("user")
    if not name:
        return None
    user = accounts.get(db(), ledger(), name)
    if user is None or not user.active or user.session_epoch != session.get("epoch"):
        session.clear()
        return None
    return user


def _basic_user() -> accounts.User | None:
    """An API client's account from HTTP basic credentials (for OA systems); 401 if they are wrong."""
    auth = request.authorization
    if auth is None or auth.type != "basic":
        return None
    user = accounts.authenticate(db(), ledger(), auth.username or "", auth.password or "")
    if user is None:
        abort(401)
    return user


def _guard():
    g.user = None
    if request.endpoint in PUBLIC_ENDPOINTS:
        if request.endpoint != "static":
            g.user = _session_user()
            if request.method == "POST":
                csrf.protect()
        return None
    basic = _basic_user() if is_api() else None
    g.user = basic or _session_user()
    if g.user is None:
        if is_api():
            abort(401)
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?") if request.method == "GET" else None))
    if basic is None and request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()
    return None


def require(*roles: str):
    """Only accounts with one of *roles* reach the view (403 for the others)."""

    def wrap(view):
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            if g.user is None or g.user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return wrap


def _headers(response):
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
    return response


def error_response(code: int, message: str | None = None):
    message = message or ERROR_MESSAGES.get(code, "请求无法完成")
    if is_api():
        response = jsonify(error=message, status=code)
        response.status_code = code
        if code == 401:
            response.headers["WWW-Authenticate"] = 'Basic realm="speech-tasks", charset="UTF-8"'
        return response
    return render_template("error.html.j2", code=code, message=message), code


def _csrf_error(e: CSRFError):
    return error_response(400, "表单已失效或缺少校验码（CSRF），请刷新页面后重试")


def _http_error(e: HTTPException):
    if e.code in (301, 302, 303, 307, 308):
        return e
    return error_response(e.code or 500)


def _portal_error(e: PortalError):
    return error_response(e.code, e.message)


def _internal_error(e: Exception):
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    return error_response(500)
