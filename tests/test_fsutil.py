"""Outputs appear whole or not at all, with ordinary file permissions."""
from __future__ import annotations

import os

import pytest

from speech_tasks.fsutil import all_or_nothing, atomic_path, write_atomic


def test_write_atomic_replaces_the_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "out" / "sheet.json"
    write_atomic(target, "一")
    write_atomic(target, "二")
    assert target.read_text(encoding="utf-8") == "二"
    assert [p.name for p in target.parent.iterdir()] == ["sheet.json"]


def test_a_failed_write_keeps_the_old_file(tmp_path):
    target = tmp_path / "sheet.json"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("disk full")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["sheet.json"]


def test_outputs_get_the_usual_permissions(tmp_path):
    mask = os.umask(0o022)
    os.umask(mask)
    target = tmp_path / "sheet.json"
    write_atomic(target, "x")
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask


def _read_only(src, dst):
    raise OSError(30, "Read-only file system")


# how a set of outputs fails: (where, what the targets hold after: json, html)
SET_FAILURES = {
    "nothing fails": (None, ("新", "新")),
    "a writer fails": ("writer", ("旧", None)),
    "a writer fails in an inner set": ("inner writer", ("旧", None)),
    "the folder turns read-only": ("rename", ("旧", None)),
}


@pytest.mark.parametrize("failure", list(SET_FAILURES))
def test_a_set_appears_only_when_all_is_written(failure, tmp_path, monkeypatch):
    where, expected = SET_FAILURES[failure]
    json, html = tmp_path / "s.json", tmp_path / "s.html"
    json.write_text("旧", encoding="utf-8")
    if where == "rename":
        monkeypatch.setattr(os, "replace", _read_only)
    try:
        with all_or_nothing():
            write_atomic(json, "新")
            with all_or_nothing():
                write_atomic(html, "新")
                if where == "inner writer":
                    raise RuntimeError("disk full")
            assert json.read_text(encoding="utf-8") == "旧" and not html.exists()  # held back until the end
            if where == "writer":
                raise RuntimeError("disk full")
    except (RuntimeError, OSError):
        assert where is not None
    held = tuple(p.read_text(encoding="utf-8") if p.exists() else None for p in (json, html))
    assert held == expected
    assert not list(tmp_path.glob(".*.tmp"))
