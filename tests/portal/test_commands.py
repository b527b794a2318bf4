"""`speech-tasks users …` and `speech-tasks serve` as an administrator runs them."""
from __future__ import annotations

import pytest

from speech_tasks.cli import main
from speech_tasks.ledger import Ledger
from speech_tasks.portal import accounts
from speech_tasks.portal.serve_cmd import is_loopback
from speech_tasks.portal.store import connect


@pytest.fixture
def pw(tmp_path):
    path = tmp_path / "pw.txt"
    path.write_text("a-long-password\n", encoding="utf-8")
    return path


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("argv, code, expected", [
    (["add", "王科长", "--role", "office"], 0, "added 王科长 (office)"),
    (["add", "住建", "--role", "unit", "--unit", "市住建局"], 0, "added 住建 (unit for 市住房和城乡建设局)"),
    (["add", "镇里", "--role", "unit", "--unit", "某某镇"], 0, "unit not in rules/units.yaml: kept as typed"),
    (["add", "看", "--role", "viewer"], 0, "added 看 (viewer)"),
    (["add", "x", "--role", "unit"], 1, "a unit account needs --unit NAME"),
    (["add", "x", "--role", "office", "--unit", "住建局"], 1, "--unit goes only with --role unit"),
    (["add", "看", "--role", "viewer", "--by", "某人"], 1, "某人: no such account"),
    (["add", "a/b", "--role", "office"], 1, "account name 'a/b'"),
])
def test_users_add(tmp_path, pw, capsys, argv, code, expected):
    db = str(tmp_path / "l.sqlite")
    if argv[1] != "王科长":  # the first account is an office account; later ones are added by it
        run(capsys, "users", "--db", db, "add", "王科长", "--role", "office", "--password-file", str(pw))
        argv = argv if "--by" in argv else [*argv, "--by", "王科长"]
    got, out, err = run(capsys, "users", "--db", db, *argv, "--password-file", str(pw))
    assert got == code
    assert expected in (out if code == 0 else err)


def test_users_list_disable_passwd(tmp_path, pw, capsys):
    db = str(tmp_path / "l.sqlite")
    run(capsys, "users", "--db", db, "add", "王科长", "--role", "office", "--password-file", str(pw))
    assert run(capsys, "users", "--db", db, "add", "王科长", "--role", "office", "--password-file", str(pw))[2].endswith(
        "account '王科长' already exists\n")
    assert run(capsys, "users", "--db", db, "disable", "王科长")[0] == 0
    assert "[disabled]" in run(capsys, "users", "--db", db, "list")[1]
    short = tmp_path / "short.txt"
    short.write_text("abc\n", encoding="utf-8")
    code, _, err = run(capsys, "users", "--db", db, "passwd", "王科长", "--password-file", str(short))
    assert code == 1 and "password too short" in err
    code, _, err = run(capsys, "users", "--db", db, "passwd", "nobody", "--password-file", str(pw))
    assert code == 1 and "no account 'nobody'" in err
    assert run(capsys, "users", "--db", db, "passwd", "王科长", "--password-file", str(pw))[0] == 0
    with connect(tmp_path / "l.sqlite") as conn, Ledger(tmp_path / "l.sqlite") as led:
        assert accounts.authenticate(conn, led, "王科长", "a-long-password") is None  # disabled
        accounts.set_active(conn, "王科长", True, "test")
        assert accounts.authenticate(conn, led, "王科长", "a-long-password").role == "office"


def test_users_without_terminal_or_file(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    code, _, err = run(capsys, "users", "--db", str(tmp_path / "l.sqlite"), "add", "x", "--role", "office")
    assert code == 1 and "use --password-file FILE" in err


@pytest.mark.parametrize("host, loopback", [
    ("127.0.0.1", True), ("localhost", True), ("::1", True), ("[::1]", True), ("127.0.0.5", True),
    ("0.0.0.0", False), ("192.168.1.10", False), ("::", False), ("example", False),
])
def test_is_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_serve_refuses_other_addresses_without_accounts(tmp_path, capsys):
    code, _, err = run(capsys, "serve", "--db", str(tmp_path / "l.sqlite"), "--host", "0.0.0.0", "--port", "8765")
    assert code == 1 and "refusing to listen on 0.0.0.0" in err and "users add" in err


def test_serve_rejects_a_bad_port(tmp_path, capsys):
    code, _, err = run(capsys, "serve", "--db", str(tmp_path / "l.sqlite"), "--port", "70000")
    assert code == 2 and "not a port" in err


def test_serve_answers_on_loopback(tmp_path):
    """The real command: waitress on 127.0.0.1 serves the login page; stopped by the test."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "speech_tasks", "serve", "--db", str(tmp_path / "l.sqlite"), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline, page = time.monotonic() + 60, None
        while time.monotonic() < deadline and page is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as r:
                    page = r.read().decode("utf-8"), dict(r.headers)
            except OSError:
                time.sleep(0.3)
        assert page is not None, proc.stderr.read() if proc.poll() is not None else "no answer"
        assert "尚未创建账号" in page[0] and "script-src 'self'" in page[1]["Content-Security-Policy"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
