"""The package's Python API: the names `speech_tasks` exports, and `extract_many` over folders."""
from __future__ import annotations

import datetime as dt
import importlib
from pathlib import Path

import pytest
from conftest import MINI_SPEECH

import speech_tasks
from speech_tasks import batch
from speech_tasks.pipeline import extract_text


@pytest.mark.parametrize("name", [n for n in speech_tasks.__all__ if n != "__version__"])
def test_every_exported_name_is_importable_and_documented(name):
    value = getattr(speech_tasks, name)
    module = importlib.import_module(speech_tasks._EXPORTS[name])
    assert value is getattr(module, name)
    assert (value.__doc__ or "").strip()


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no_such_name"):
        speech_tasks.no_such_name  # noqa: B018


def test_type_information_is_shipped():
    assert (Path(speech_tasks.__file__).parent / "py.typed").is_file()


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text(MINI_SPEECH, encoding="utf-8")
    (tmp_path / "sub" / "b.txt").write_text(MINI_SPEECH.replace("燃气", "消防"), encoding="utf-8")
    (tmp_path / "c.txt").write_bytes(b"")
    (tmp_path / "notes.csv").write_text("x", encoding="utf-8")  # not a speech: left out
    return tmp_path


@pytest.mark.parametrize("jobs", [1, 2])
def test_extract_many_gives_each_speech_in_path_order_with_failures_inline(folder, jobs):
    results = list(speech_tasks.extract_many(folder, jobs=jobs))
    assert [(r.path.relative_to(folder).as_posix(), r.ok, r.error) for r in results] == [
        ("a.txt", True, None),
        ("c.txt", False, "empty file"),
        ("sub/b.txt", True, None),
    ]
    for r in (results[0], results[2]):
        same = extract_text(r.path.read_text(encoding="utf-8"), name=r.path.name)
        assert r.sheet.model_dump(exclude={"source"}) == same.model_dump(exclude={"source"})
        assert r.sheet.source.sha256 == same.source.sha256 and r.sheet.source.format == "txt"
    assert results[0].sheet.tasks


def test_extract_many_takes_files_and_reports_missing_paths_first(folder):
    results = list(speech_tasks.extract_many([folder / "sub" / "b.txt", folder / "gone.txt"], jobs=1))
    assert [(r.path.name, r.error) for r in results] == [("gone.txt", "no such file or folder"), ("b.txt", None)]


def test_extract_many_applies_the_meeting_date(folder):
    date = dt.date(2025, 1, 6)
    sheets = [r.sheet for r in speech_tasks.extract_many(folder / "a.txt", meeting_date=date) if r.ok]
    assert [(s.meeting.date, s.meeting.date_source) for s in sheets] == [(date, "cli")]
    assert sheets[0].tasks[0].deadlines[0].due == dt.date(2025, 12, 31)


def test_extract_many_stops_its_workers_when_the_caller_stops_early(folder):
    results = speech_tasks.extract_many(folder, jobs=2)
    first = next(results)
    results.close()  # leaves the pool: workers terminated, nothing left running
    assert first.ok and isinstance(first, batch.Extracted)
