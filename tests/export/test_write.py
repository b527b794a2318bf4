"""`speech_tasks.export.write`: the entry point `speech-tasks extract --format …` calls."""
from __future__ import annotations

import pytest

from speech_tasks.export import DEFAULT_FORMATS, FORMATS, SheetError, json_chunks, read_sheet, write

from .conftest import TEXT, build_sheet


def test_every_format_written_beside_each_other(tmp_path):
    paths = write(build_sheet(), tmp_path / "out", FORMATS, source_text=TEXT)
    assert [p.name for p in paths] == [f"全市会议.{f}" for f in FORMATS]
    assert all(p.stat().st_size > 0 for p in paths)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(p.name for p in paths)  # no temp files


def test_json_is_the_sheet(tmp_path):
    (path,) = write(build_sheet(), tmp_path, ["json"])
    assert read_sheet(path) == build_sheet()
    assert path.read_bytes() == build_sheet().model_dump_json(indent=2).encode() + b"\n"


@pytest.mark.parametrize(
    "tasks, one_piece_chars, pieces",
    [
        (None, 10**6, 1),  # a small sheet: in one piece
        (None, 0, 2 + 7),  # a large one: a task at a time
        (1, 0, 2 + 1),
        (0, 0, 1),
    ],
)
def test_json_chunks_are_the_sheet_byte_for_byte(tasks, one_piece_chars, pieces):
    sheet = build_sheet()
    sheet = sheet.model_copy(update={"tasks": sheet.tasks[:tasks]})
    chunks = list(json_chunks(sheet, one_piece_chars))
    assert len(chunks) == pieces
    assert b"".join(chunks) == sheet.model_dump_json(indent=2).encode() + b"\n"


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "s.json: cannot read (No such file or directory)"),
        ("{not json", "s.json: not valid JSON (Invalid JSON"),
        ('{"tasks": "none"}', "s.json: not a task sheet (tool_version: Field required) (+2 more)"),
    ],
)
def test_reading_back_what_is_not_a_sheet_is_one_line(tmp_path, content, message):
    path = tmp_path / "s.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(SheetError) as err:
        read_sheet(path)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_defaults_and_repeats(tmp_path):
    assert DEFAULT_FORMATS == ("json", "xlsx", "html")
    paths = write(build_sheet(), tmp_path, [" HTML", "html", "json"])
    assert [p.suffix for p in paths] == [".html", ".json"]


def test_unknown_format_is_refused_before_writing(tmp_path):
    with pytest.raises(ValueError) as err:
        write(build_sheet(), tmp_path, ["json", "pdf"])
    assert "'pdf'" in str(err.value) and "json, xlsx, docx, csv, md, html" in str(err.value)
    assert list(tmp_path.iterdir()) == []


def test_html_gets_the_full_text(tmp_path):
    (path,) = write(build_sheet(), tmp_path, ["html"], source_text=TEXT)
    assert 'class="fulltext"' in path.read_text(encoding="utf-8")
