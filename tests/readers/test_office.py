"""Old Word, WPS, RTF and ODT files through LibreOffice: one clear line without it, when it fails
or hangs; conversions in parallel do not share a profile."""
from __future__ import annotations

import os
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import MINI_SPEECH

from speech_tasks.cli import main
from speech_tasks.ingest import IngestError, read_file
from speech_tasks.readers import config, office

from .conftest import plain_docx, soffice_convert

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@pytest.mark.parametrize("suffix", [".doc", ".wps", ".rtf", ".odt"])
def test_without_libreoffice_one_line_says_how_to_install_it(tmp_path, monkeypatch, suffix):
    monkeypatch.setattr(office, "find_soffice", lambda: None)
    path = tmp_path / f"讲话{suffix}"
    path.write_bytes(OLE + b"\0" * 100)
    with pytest.raises(IngestError) as e:
        read_file(path)
    message = str(e.value)
    assert f"reading {suffix} files needs LibreOffice" in message and "apt-get install libreoffice-writer" in message
    assert "\n" not in message


def test_in_a_folder_the_other_files_go_on_without_libreoffice(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(office, "find_soffice", lambda: None)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "旧讲话.doc").write_bytes(OLE + b"\0" * 100)
    (folder / "讲话.txt").write_text(MINI_SPEECH, encoding="utf-8")
    code = main(["extract", str(folder), "-o", str(tmp_path / "out"), "--format", "json", "-j", "1", "--no-summary"])
    captured = capsys.readouterr()
    assert code == 1
    assert "2 speeches: 1 extracted, 0 unchanged, 1 failed" in captured.out
    assert f"speech-tasks: {folder / '旧讲话.doc'}: reading .doc files needs LibreOffice" in captured.err


def test_a_docx_named_doc_is_read_without_libreoffice(tmp_path, monkeypatch):
    monkeypatch.setattr(office, "find_soffice", lambda: None)
    path = plain_docx(tmp_path / "s.docx", "同志们：\n今天开会。")
    path = path.rename(tmp_path / "s.doc")
    doc = read_file(path)
    assert (doc.source, doc.details["format"], doc.details["converted_by"]) == ("同志们：\n今天开会。", "doc", None)


def _fake_soffice(tmp_path: Path, body: str) -> str:
    script = tmp_path / "soffice"
    script.write_text(f"#!/bin/sh\nPATH=/usr/bin:/bin\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


@pytest.mark.skipif(os.name != "posix", reason="a shell script stands in for LibreOffice")
@pytest.mark.parametrize(
    ("body", "problem"),
    [
        pytest.param("sleep 30", "LibreOffice did not finish converting it within 1 s", id="hangs"),
        pytest.param("echo 'Error: source file could not be loaded' >&2; exit 1", "LibreOffice could not convert it", id="fails"),
        pytest.param("exit 0", "LibreOffice could not convert it", id="writes-nothing"),
    ],
)
def test_conversion_problems_give_one_line(tmp_path, monkeypatch, body, problem):
    monkeypatch.setattr(office, "find_soffice", lambda: _fake_soffice(tmp_path, body))
    monkeypatch.setattr(config, "load", lambda: config.ReadersRules(libreoffice=config.OfficeRules(timeout_seconds=1)))
    path = tmp_path / "s.doc"
    path.write_bytes(OLE + b"\0" * 100)
    with pytest.raises(IngestError) as e:
        read_file(path)
    assert problem in str(e.value) and "\n" not in str(e.value)


def test_parallel_conversions_do_not_clash(tmp_path):
    texts = [f"同志们：\n第{n}次会议。\n一、要抓好落实。" for n in range(3)]
    docs = []
    for n, text in enumerate(texts):
        (tmp_path / str(n)).mkdir()
        docs.append(soffice_convert(plain_docx(tmp_path / str(n) / "讲话.docx", text), "doc", tmp_path / str(n)))
    with ThreadPoolExecutor(3) as pool:
        got = list(pool.map(read_file, docs))
    assert [d.source for d in got] == texts
    assert all(d.details["converted_by"].startswith("LibreOffice") for d in got)
