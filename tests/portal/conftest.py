"""A portal over a fresh ledger with three accounts, and a client that logs in as a person would
(reading the CSRF token from the page it was given)."""
from __future__ import annotations

import datetime as dt
import re

import pytest

pytest.importorskip("flask", reason="the portal extra is not installed (pip install -e '.[portal]')")

from speech_tasks.portal import accounts  # noqa: E402
from speech_tasks.portal.app import create_app  # noqa: E402
from speech_tasks.portal.store import connect, prepare  # noqa: E402

PASSWORD = "correct-horse-1"
TODAY = dt.date(2024, 3, 10)
USERS = (
    ("office1", "office", None),
    ("office2", "office", None),
    ("zhujian", "unit", "市住建局"),
    ("gongan", "unit", "市公安局"),
    ("viewer", "viewer", None),
)
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    m = _TOKEN.search(html)
    assert m, "page has no CSRF token"
    return m.group(1)


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch):
    """Cheap argon2 parameters: the tests hash many passwords on a shared 2-core machine."""
    from argon2 import PasswordHasher

    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def db_path(tmp_path):
    path = prepare(tmp_path / "ledger.sqlite")
    with connect(path) as conn:
        for name, role, unit in USERS:
            accounts.add(conn, path, name, role, PASSWORD, unit, "office1")
    return path


@pytest.fixture
def app(db_path):
    return create_app(db_path, TODAY=TODAY)


class Browser:
    """A Flask test client that keeps the last CSRF token it saw, like a browser keeps the page."""

    def __init__(self, client):
        self.client = client
        self.token = None

    def get(self, url, **kw):
        r = self.client.get(url, **kw)
        if r.mimetype == "text/html" and _TOKEN.search(r.get_data(as_text=True)):
            self.token = csrf_token(r.get_data(as_text=True))
        return r

    def post(self, url, data=None, csrf=True, **kw):
        data = dict(data or {})
        if csrf:
            if self.token is None:
                self.get("/login")
            data.setdefault("csrf_token", self.token)
        return self.client.post(url, data=data, **kw)

    def login(self, name, password=PASSWORD):
        """Log in; on success open a page, as the browser would, which brings a fresh token."""
        self.get("/login")
        r = self.post("/login", {"name": name, "password": password})
        if r.status_code == 302:
            self.get("/meetings")
        return r


@pytest.fixture
def browser(app):
    def make(name: str | None = None) -> Browser:
        b = Browser(app.test_client())
        if name:
            r = b.login(name)
            assert r.status_code == 302, r.get_data(as_text=True)
        return b

    return make
