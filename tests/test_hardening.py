"""Hostile and odd input: one clear line and the right exit code, never a traceback, a hang, a
lost output set or a live formula (issue 11)."""
from __future__ import annotations

import csv
import errno
import io
import os
import signal
import time
from pathlib import Path

import pytest
from conftest import MINI_SPEECH as SPEECH
from conftest import SHIPPED_RULES

from speech_tasks import batch, export, rules
from speech_tasks.cli import main
from speech_tasks.ingest import from_text
from speech_tasks.pipeline import extract_text

ALL_FORMATS = "json,xlsx,docx,csv,md,html"
FORMULAS = ["=6*7", "+1+1", "-2+3", "@SUM(A1)", '=HYPERLINK("http://example.com","x")', "\t=1", "=cmd|'/c calc'!A0"]


def run(capsys, *args: object) -> tuple[int, str, str]:
    code = main(["extract", *map(str, args)])
    out = capsys.readouterr()
    return code, out.out, out.err


def _kill_self(speech):
    os.kill(os.getpid(), signal.SIGKILL)


def _hang(speech):
    time.sleep(3600)


def _disk_full(real):
    """export._write_one that writes the first format, then finds the disk full."""
    calls = []

    def write_one(sheet, fmt, path, rows, source_text):
        if calls:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        calls.append(fmt)
        real(sheet, fmt, path, rows, source_text)

    return write_one


def _read_only(src, dst, *a, **k):
    raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(dst))


# one row per kind of input the issue lists: (files, options, patch, exit code, what stderr says,
# what must have been extracted)
BAD_INPUT = {
    "form feed (pdftotext page break)": ({"a.txt": SPEECH.replace("\n一要", "\n\f一要")}, [], None, 0, "", ["a"]),
    "C0 controls": ({"a.txt": SPEECH.replace("燃气", "燃\x01气\x02\x03\x04\x05\x06\x07\x08\x0e\x1b\x1f")}, [], None, 0, "", ["a"]),
    "vertical tab": ({"a.txt": SPEECH.replace("，市住建局", "，\x0b市住建局")}, [], None, 0, "", ["a"]),
    "U+FFFE and U+FFFF": ({"a.txt": SPEECH.replace("燃气", "燃\ufffe气\uffff")}, [], None, 0, "", ["a"]),
    "only control characters": ({"a.txt": "\x01\x02\f\x0b"}, [], None, 1, "a.txt: no text", []),
    "formula-like text": ({"a.txt": SPEECH.replace("市公安局要", "=6*7市公安局要")}, [], None, 0, "", ["a"]),
    "larger than --max-size": ({"a.txt": SPEECH * 20, "b.txt": SPEECH}, ["--max-size", "0.001"], None, 1, "a.txt: too large", ["b"]),
    "一要 × 32,000": ({"a.txt": "一要" * 32000, "b.txt": SPEECH}, [], None, 0, "", ["a", "b"]),
    "worker killed (OOM killer)": ({"a.txt": SPEECH, "kill.txt": SPEECH}, ["-j", "2"], ("kill", _kill_self), 1,
                                   "kill.txt: the worker extracting it was killed by SIGKILL", ["a"]),
    "worker stuck": ({"a.txt": SPEECH, "stuck.txt": SPEECH}, ["-j", "1", "--timeout", "2"], ("stuck", _hang), 1,
                     "stuck.txt: took longer than 2 s", ["a"]),
    # the worker had been sent the next speech too: that one is given to its replacement
    "worker killed, next sent": ({"kill.txt": SPEECH, "z.txt": SPEECH}, ["-j", "1", "--timeout", "30"],
                                 ("kill", _kill_self), 1, "kill.txt: the worker extracting it was killed", ["z"]),
    "worker stuck, next sent": ({"stuck.txt": SPEECH, "z.txt": SPEECH}, ["-j", "1", "--timeout", "2"],
                                ("stuck", _hang), 1, "stuck.txt: took longer than 2 s", ["z"]),
    "disk full": ({"a.txt": SPEECH}, [], ("disk", _disk_full), 1, "a.txt: cannot write the outputs", []),
    "read-only output folder": ({"a.txt": SPEECH}, [], ("replace", _read_only), 1, "Read-only file system", []),
}


@pytest.mark.parametrize("kind", list(BAD_INPUT))
def test_bad_input_gives_one_line_and_the_rest_is_extracted(kind, tmp_path, capsys, monkeypatch):
    files, options, patch, code, says, extracted = BAD_INPUT[kind]
    src = tmp_path / "in"
    src.mkdir()
    for name, text in files.items():
        (src / name).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    if patch and patch[0] in ("kill", "stuck"):
        real = batch._extract
        monkeypatch.setattr(batch, "_extract", lambda s, f=patch[1]: f(s) if patch[0] in s.path.name else real(s))
    elif patch and patch[0] == "disk":
        monkeypatch.setattr(export, "_write_one", _disk_full(export._write_one))
    elif patch and patch[0] == "replace":
        monkeypatch.setattr(os, "replace", _read_only)
    start = time.monotonic()
    got, stdout, stderr = run(capsys, src, "-o", out, "--format", ALL_FORMATS, "--no-summary", *options)
    assert time.monotonic() - start < 60
    assert "Traceback" not in stderr + stdout
    assert got == code, stderr
    if says:
        assert says in stderr
    for line in stderr.splitlines():
        assert line.startswith("speech-tasks: "), line
    names = sorted(p.stem for p in out.glob("[!.]*.json")) if out.exists() else []
    assert names == extracted
    for stem in extracted:  # the whole set, every file readable
        assert {p.suffix for p in out.glob(f"{stem}.*")} == {f".{f}" for f in ALL_FORMATS.split(",")}
        _check_readable(out, stem)
    assert not list(out.glob(".*.tmp")) if out.exists() else True


def _check_readable(out: Path, stem: str, ingested: bool = True) -> None:
    import openpyxl
    from docx import Document

    sheet = export.read_sheet(out / f"{stem}.json")
    openpyxl.load_workbook(out / f"{stem}.xlsx")
    Document(str(out / f"{stem}.docx"))
    for task in sheet.tasks if ingested else ():  # ingest leaves no control character in the text
        assert "\x01" not in task.text and "\f" not in task.text


def test_form_feed_before_a_marker_opens_a_line():
    sheet = extract_text("一、总体要求\n一要加强检查。二要落实责任。\f三要各地要开展排查。\n二、其他\n一要督导。二要落实。\n")
    assert [t.marker for t in sheet.tasks][:3] == ["一要", "二要", "三要"]
    assert sheet.tasks[2].span[0] == sheet.source.chars - len("三要各地要开展排查。\n二、其他\n一要督导。二要落实。\n")


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        pytest.param("市应\x01急局要排查。", "市应急局要排查。", id="control dropped from the working text"),
        pytest.param("甲\ufffe乙", "甲乙", id="non-character dropped"),
        pytest.param("甲\f乙\x0b丙", "甲\n乙\n丙", id="form feed and vertical tab are line breaks"),
        pytest.param("甲\u2028乙\x85丙", "甲\n乙\n丙", id="other line breaks"),
    ],
)
def test_control_characters_keep_offsets_into_the_decoded_text(text, kept):
    doc = from_text(text)
    assert doc.text == kept
    assert len(doc.source) == len(text)  # one for one: every offset points where it did
    for i, ch in enumerate(doc.text):  # each working character maps to itself in the source
        j = doc.to_source[i] if doc.to_source is not None else i
        assert doc.source[j] == ch and (text[j] == ch or text[j] in "\f\x0b\u2028\x85")


def test_a_failed_re_extraction_keeps_the_previous_output_set(tmp_path, capsys, monkeypatch):
    src = tmp_path / "a.txt"
    src.write_text(SPEECH, encoding="utf-8")
    out = tmp_path / "out"
    assert run(capsys, src, "-o", out, "--format", ALL_FORMATS)[0] == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")}
    src.write_text(SPEECH.replace("燃气", "消防"), encoding="utf-8")
    monkeypatch.setattr(export, "_write_one", _disk_full(export._write_one))
    assert run(capsys, src, "-o", out, "--format", ALL_FORMATS)[0] == 1
    after = {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")}
    assert after == before  # no new .json beside the old .xlsx
    assert not list(out.glob(".*.tmp"))


def test_leftover_temporary_files_are_removed(tmp_path, capsys):
    src = tmp_path / "a.txt"
    src.write_text(SPEECH, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / ".a.json.1234abcd.tmp").write_text("half")
    (out / "..a.xlsx.1234abcd.tmp.x8y9.tmp").write_text("half")
    (out / ".ab.json.1234abcd.tmp").write_text("someone else's")
    assert run(capsys, src, "-o", out)[0] == 0
    assert sorted(p.name for p in out.glob(".*.tmp")) == [".ab.json.1234abcd.tmp"]


def test_the_cache_journal_keeps_speeches_finished_before_a_kill(tmp_path):
    settings = batch.Settings(tmp_path / "out", ("json",))
    config = batch.config_key(settings)
    path = tmp_path / "a.txt"
    path.write_text(SPEECH, encoding="utf-8")
    speech = batch.Speech(path, settings.out_root, path.stat().st_size, path.stat().st_mtime_ns)
    with batch.Pool(settings, 1, 1) as pool:
        (result,) = list(pool.extract([speech]))
    cache = batch.Cache.load(settings.out_root)
    cache.record(result, config)  # the batch is killed here: never saved
    with open(cache.journal, "a", encoding="utf-8") as f:
        f.write('["torn')
    todo, unchanged = batch.plan([speech], batch.Cache.load(settings.out_root), config)
    assert todo == [] and len(unchanged) == 1


def test_nested_quantifiers_in_a_rules_folder_are_refused_naming_file_and_key(tmp_path, capsys):
    folder = tmp_path / "rules"
    folder.mkdir()
    for f in SHIPPED_RULES.glob("*.yaml"):
        text = f.read_text(encoding="utf-8")
        if f.name == "structure.yaml":
            lines = [("agenda_line: '(a+)+$'" if line.startswith("agenda_line:") else line) for line in text.splitlines()]
            text = "\n".join(lines) + "\n"
        (folder / f.name).write_text(text, encoding="utf-8")
    src = tmp_path / "a.txt"
    src.write_text(SPEECH, encoding="utf-8")
    try:
        code = main(["--rules", str(folder), "extract", str(src), "-o", str(tmp_path / "out")])
    finally:
        rules.use_directory(None)
    err = capsys.readouterr().err
    assert code == 2
    assert "structure.yaml: agenda_line" in err and "repeat inside another" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("pattern", ["(a+)+$", "(?:x*y)*", "(a|b+)*c", "(?=(a+)+)"])
def test_nested_unbounded_repeats_are_refused(pattern):
    with pytest.raises(ValueError, match="repeat inside another"):
        rules.regex(pattern)


@pytest.mark.parametrize("pattern", ["a+b+", "(a{1,3})+", "(?:[^，]{1,20}要)+", "(?P<num>[一二三]{1,3})、"])
def test_bounded_or_flat_repeats_are_accepted(pattern):
    assert rules.regex(pattern) == pattern


# --- formula injection: every spreadsheet and CSV the task sheet and the summary write ----------


def _payload_sheet():
    """A sheet whose task text, title, unit names and meeting name are formula payloads."""
    sheet = extract_text(SPEECH, name="inject.txt")
    tasks = []
    for i, task in enumerate(sheet.tasks):
        payload = FORMULAS[i % len(FORMULAS)]
        units = [u.model_copy(update={"name": payload, "text": payload}) for u in task.units]
        tasks.append(task.model_copy(update={"text": payload, "title": payload, "units": units}))
    meeting = sheet.meeting.model_copy(update={"name": FORMULAS[0]})
    return sheet.model_copy(update={"tasks": tasks, "meeting": meeting})


def _xlsx_strings(path: Path) -> list[tuple[str, object]]:
    import openpyxl

    wb = openpyxl.load_workbook(path)
    return [(c.data_type, c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def test_task_sheet_xlsx_and_csv_hold_formulas_as_text(tmp_path):
    sheet = _payload_sheet()
    export.write(sheet, tmp_path, ["xlsx", "csv"])
    cells = _xlsx_strings(tmp_path / "inject.xlsx")
    assert not [v for t, v in cells if t == "f"]
    values = {v for _, v in cells}
    assert {p for p in FORMULAS[: len(sheet.tasks)]} <= values
    rows = list(csv.reader(io.StringIO((tmp_path / "inject.csv").read_text(encoding="utf-8-sig"))))
    flat = [v for row in rows for v in row]
    assert not [v for v in flat if v.startswith(("=", "+", "-", "@"))]
    assert "'" + FORMULAS[0] in flat


def test_summary_xlsx_holds_formulas_as_text(tmp_path):
    from speech_tasks import summary

    sheets = [_payload_sheet(), _payload_sheet().model_copy(update={"source": _payload_sheet().source.model_copy(update={"file": "=2+2.txt"})})]
    digests = [summary.digest(s, f"{i}.json") for i, s in enumerate(sheets)]
    summary.write(digests, tmp_path)
    cells = _xlsx_strings(tmp_path / summary.XLSX_NAME)
    assert not [v for t, v in cells if t == "f"]
    assert any(isinstance(v, str) and v.startswith("=") for _, v in cells)


def test_control_characters_in_a_sheet_never_reach_a_file(tmp_path):
    sheet = extract_text(SPEECH, name="ctl.txt")
    bad = "甲\x01乙\x0c丙\ufffe丁"  # (ingest never lets a lone surrogate through; JSON could not hold one)
    sheet = sheet.model_copy(update={"tasks": [t.model_copy(update={"text": bad, "title": bad}) for t in sheet.tasks]})
    paths = export.write(sheet, tmp_path, ALL_FORMATS.split(","))
    for p in paths:
        if p.suffix in (".csv", ".md", ".html"):
            text = p.read_text(encoding="utf-8-sig")
            assert "\x01" not in text and "\x0c" not in text and "\ufffe" not in text
    _check_readable(tmp_path, "ctl", ingested=False)


@pytest.mark.parametrize(
    ("value", "clean"),
    [
        ("甲\x00乙\x08丙\x1f", "甲乙丙"),
        ("甲\x0c乙\x0b丙", "甲\n乙\n丙"),
        ("甲\ufffe\uffff\ud800乙", "甲乙"),
        ("甲\t乙\n丙", "甲\t乙\n丙"),
    ],
)
def test_cells_clean(value, clean):
    from speech_tasks.export import cells

    assert cells.clean(value) == clean
    assert cells.xlsx_value(value) == clean


@pytest.mark.parametrize("payload", FORMULAS)
def test_csv_cells_are_inert(payload):
    from speech_tasks.export import cells

    assert cells.csv_text(payload).startswith("'")
