"""The portal's guards, as tables: who may reach what, CSRF, escaping, uploads, errors, sessions."""
from __future__ import annotations

import io

import pytest

from speech_tasks.portal import accounts
from speech_tasks.portal.store import connect

from .conftest import PASSWORD

SPEECH = "今天召开全市安全生产工作会议。\n一、加强燃气安全管理\n一要开展燃气安全专项整治，市住建局牵头，年底前完成。\n"
XSS = ('<script>alert(1)</script>', '"><img src=x onerror=alert(1)>')


def upload(b, text: str = SPEECH, name: str = "2024-03-01_安委会.txt", data: bytes | None = None):
    body = data if data is not None else text.encode("utf-8")
    return b.post("/meetings/new", {"speech": (io.BytesIO(body), name), "date": ""}, content_type="multipart/form-data")


@pytest.mark.parametrize("method, url", [
    ("GET", "/"),
    ("GET", "/meetings"),
    ("GET", "/meetings/new"),
    ("GET", "/downloads"),
    ("GET", "/downloads/summary.xlsx"),
    ("GET", "/meetings/drafts/abc"),
    ("POST", "/meetings/drafts/abc/confirm"),
    ("GET", "/no/such/page"),
])
def test_unauthenticated_pages_redirect_to_login(app, method, url):
    r = app.test_client().open(url, method=method)
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")


@pytest.mark.parametrize("url", ["/api/tasks", "/api/meetings", "/api/anything"])
def test_unauthenticated_api_answers_401_json(app, url):
    r = app.test_client().get(url)
    assert r.status_code == 401 and r.is_json and r.json["status"] == 401
    assert "WWW-Authenticate" in r.headers


@pytest.mark.parametrize("user, method, url, expected", [
    ("zhujian", "GET", "/meetings/new", 403),
    ("viewer", "GET", "/meetings/new", 403),
    ("zhujian", "GET", "/downloads", 403),
    ("zhujian", "GET", "/downloads/summary.xlsx", 403),
    ("viewer", "GET", "/downloads", 200),
    ("office1", "GET", "/meetings/new", 200),
    ("viewer", "POST", "/meetings/new", 403),
    ("zhujian", "POST", "/meetings/drafts/x/confirm", 403),
])
def test_roles_are_checked_on_the_server(browser, user, method, url, expected):
    b = browser(user)
    r = b.get(url) if method == "GET" else b.post(url, {"version": "0"})
    assert r.status_code == expected


@pytest.mark.parametrize("url, data", [
    ("/login", {"name": "office1", "password": PASSWORD}),
    ("/logout", {}),
    ("/meetings/new", {"date": ""}),
])
def test_forms_without_csrf_token_are_rejected(browser, url, data):
    b = browser("office1") if url != "/login" else browser()
    r = b.post(url, data, csrf=False)
    assert r.status_code == 400
    assert "CSRF" in r.get_data(as_text=True)


def test_csrf_token_of_another_session_is_rejected(browser):
    a, b = browser("office1"), browser("office2")
    r = b.post("/logout", {"csrf_token": a.token}, csrf=False)
    assert r.status_code == 400


@pytest.mark.parametrize("payload", XSS)
def test_speech_text_and_file_name_render_inert(browser, payload):
    b = browser("office1")
    text = SPEECH.replace("市住建局牵头", f"市住建局牵头{payload}")
    in_name = payload.replace('"', "")  # a browser sends " in a file name as %22
    r = upload(b, text, name=f"2024-03-01_{in_name}.txt")
    assert r.status_code == 302, r.get_data(as_text=True)
    page = b.get(r.headers["Location"]).get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page or "&#34;&gt;&lt;img" in page  # shown as text


@pytest.mark.parametrize("name, data, message", [
    ("speech.exe", b"MZ\x90\x00", "不支持的文件类型 .exe"),
    ("speech", b"hello", "不支持的文件类型 （无扩展名）"),
    ("speech.docx", b"not a zip file", "文件内容与扩展名 .docx 不符"),
    ("speech.txt", b"\x00\x01\x02binary", "二进制内容"),
    ("speech.txt", b"", "文件是空的"),
    ("speech.txt", b"a" * (5 * 1024 * 1024 + 1), "超过 5 MB"),
])
def test_uploads_are_limited_in_type_and_size(browser, app, name, data, message):
    b = browser("office1")
    r = upload(b, name=name, data=data)
    assert r.status_code == 400
    assert message in r.get_data(as_text=True)
    folder = app.config["FILES_DIR"]
    assert not folder.exists() or not any(folder.iterdir())  # nothing kept of a refused upload


def test_request_larger_than_the_limit_is_refused_with_413(browser, app):
    b = browser("office1")
    r = upload(b, data=b"a" * (app.config["MAX_CONTENT_LENGTH"] + 10))
    assert r.status_code == 413 and "上传的文件过大" in r.get_data(as_text=True)


@pytest.mark.parametrize("name", ["../../../etc/passwd.txt", "..\\..\\win.txt", "/abs/path/x.txt", "a/../../b.txt"])
def test_upload_names_cannot_choose_the_stored_path(browser, app, db_path, name):
    b = browser("office1")
    r = upload(b, name=name)
    assert r.status_code == 302
    stored = list(app.config["FILES_DIR"].iterdir())
    assert len(stored) == 1 and stored[0].parent == app.config["FILES_DIR"]
    assert len(stored[0].stem) == 32 and stored[0].suffix == ".txt"  # a generated name
    with connect(db_path) as conn:
        shown = conn.execute("SELECT original_name FROM portal_files").fetchone()[0]
    assert "/" not in shown and "\\" not in shown and not shown.startswith(".")


def test_errors_never_show_a_stack_trace(db_path):
    from speech_tasks.portal.app import create_app

    app = create_app(db_path)  # not TESTING: errors are handled as in production

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    b = app.test_client()
    b.get("/login")
    from .conftest import Browser

    br = Browser(b)
    br.login("office1")
    r = b.get("/boom")
    body = r.get_data(as_text=True)
    assert r.status_code == 500
    assert "Traceback" not in body and "secret internal detail" not in body and "RuntimeError" not in body
    assert "服务器内部错误" in body


@pytest.mark.parametrize("header, value", [
    ("Content-Security-Policy", "script-src 'self'"),
    ("Content-Security-Policy", "frame-ancestors 'none'"),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
])
def test_security_headers_on_every_page(app, header, value):
    for url in ("/login", "/meetings", "/static/portal.css"):
        r = app.test_client().get(url)
        assert value in r.headers.get(header, ""), (url, header)


def test_pages_hold_no_inline_script(browser):
    b = browser("office1")
    for url in ("/login", "/meetings", "/meetings/new", "/downloads"):
        page = b.get(url).get_data(as_text=True)
        assert "<script>" not in page and "onclick" not in page and "javascript:" not in page


def test_failed_logins_are_throttled_but_successes_are_not(browser):
    b = browser()
    for _ in range(3):
        assert b.login("office1").status_code == 302  # successes do not count
        b.post("/logout")
    for _ in range(10):
        assert b.login("office1", "wrong-password").status_code == 401
    assert b.login("office1", "wrong-password").status_code == 429
    assert b.login("office1").status_code == 429  # even the right password waits


def test_throttle_counts_per_account_name_across_addresses(browser):
    for i in range(10):
        b = browser()
        b.client.environ_base["REMOTE_ADDR"] = f"127.0.0.{i + 2}"
        assert b.login("gongan", "wrong-password").status_code == 401
    b = browser()
    b.client.environ_base["REMOTE_ADDR"] = "127.0.0.99"
    assert b.login("gongan", "wrong-password").status_code == 429
    assert b.login("zhujian").status_code == 302  # other accounts are not locked out


@pytest.mark.parametrize("change", ["disable", "passwd"])
def test_disabling_or_new_password_ends_open_sessions(browser, db_path, change):
    b = browser("zhujian")
    assert b.get("/meetings").status_code == 200
    with connect(db_path) as conn:
        if change == "disable":
            accounts.set_active(conn, "zhujian", False, "test")
        else:
            accounts.set_password(conn, "zhujian", "another-password-2", "test")
    r = b.get("/meetings")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")


def test_sessions_expire(db_path):
    import datetime as dt

    from speech_tasks.portal.app import create_app

    from .conftest import Browser

    app = create_app(db_path, PERMANENT_SESSION_LIFETIME=dt.timedelta(seconds=1))
    b = Browser(app.test_client())
    b.login("office1")
    assert b.get("/meetings").status_code == 200
    import time

    time.sleep(2.1)
    r = b.get("/meetings")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")


@pytest.mark.parametrize("target, expected", [
    ("/downloads", "/downloads"),
    ("https://evil.example/", "/meetings"),
    ("//evil.example/", "/meetings"),
    ("", "/meetings"),
])
def test_login_follows_only_local_next(browser, target, expected):
    b = browser()
    b.get("/login")
    r = b.post("/login", {"name": "office1", "password": PASSWORD, "next": target})
    assert r.headers["Location"].startswith(expected) or r.headers["Location"] == "/"
