"""Outputs appear whole or not at all, with ordinary file permissions."""
from __future__ import annotations

import os

import pytest

from speech_tasks.fsutil import atomic_path, write_atomic


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
