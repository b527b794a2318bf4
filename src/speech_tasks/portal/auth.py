"""Logging in and out. A failed login answers 401 and counts against the address and the
account name (Flask-Limiter); past ``LOGIN_LIMIT`` failures the form answers 429 for a while."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for
from flask_limiter import Limiter

from . import accounts
from .app import db, error_response, ledger
from .store import audit, transaction

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never another host) is followed after logging in."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("tasks.dashboard")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        if g.user is not None:
            return redirect(_safe_next(request.args.get("next")))
        return render_template("login.html.j2", next=request.args.get("next", ""), no_accounts=accounts.active_count(db()) == 0)
    name = request.form.get("name", "").strip()
    user = accounts.authenticate(db(), ledger(), name, request.form.get("password", ""))
    conn = db()
    if user is None:
        with transaction(conn):
            audit(conn, name[:40] or "?", "login.failed", request.remote_addr or "")
        return render_template("login.html.j2", next=request.form.get("next", ""), error="账号或密码错误", name=name), 401
    session.clear()
    session.permanent = True
    session["user"], session["epoch"] = user.name, user.session_epoch
    with transaction(conn):
        audit(conn, user.name, "login", request.remote_addr or "")
    return redirect(_safe_next(request.form.get("next")))


@bp.route("/logout", methods=["POST"])
def logout():
    session.clear()
    return redirect(url_for("auth.login"))


def throttle(app, limiter: Limiter) -> None:
    """Limit failed logins (answered 401) per client address and per account name."""
    limit = app.config["LOGIN_LIMIT"]

    def failed(response) -> bool:
        return response.status_code == 401

    def account_key() -> str:
        return "login-name:" + request.form.get("name", "").strip()[:40]

    view = app.view_functions["auth.login"]
    view = limiter.limit(limit, methods=["POST"], deduct_when=failed, scope="login-addr")(view)
    view = limiter.limit(limit, methods=["POST"], deduct_when=failed, key_func=account_key, scope="login-name")(view)
    app.view_functions["auth.login"] = view

    @app.errorhandler(429)
    def too_many(_e):
        current_app.logger.warning("login throttled for %s", request.remote_addr)
        return error_response(429, "登录失败次数过多，请几分钟后再试")
