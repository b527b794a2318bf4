"""`speech-tasks extract`: folders recurse, bad files are listed at the end without stopping the
batch, reruns skip what is unchanged, the corpus summary appears when several speeches are read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import MINI_SPEECH as SPEECH

from speech_tasks import batch, extract_cmd
from speech_tasks.cli import main


def write(path: Path, data: str | bytes = SPEECH) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def _docx(path: Path, paragraphs: list[str]) -> None:
    from docx import Document

    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    doc.save(path)


def extract(*args: object) -> int:
    return main(["extract", *map(str, args), "--format", "json", "-j", "1"])


def mtimes(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir() if not p.name.startswith(".")}


@pytest.fixture
def archive(tmp_path) -> Path:
    """Three good speeches, one of them in a sub-folder."""
    folder = tmp_path / "speeches"
    write(folder / "2023-03-01_全市会议.txt")
    write(folder / "20230601会议.md", SPEECH.replace("燃气", "消防"))
    write(folder / "县区" / "speech.txt", SPEECH.replace("市公安局", "县公安局"))
    return folder


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_bad_files_are_listed_at_the_end_and_the_rest_is_extracted(archive, tmp_path, capsys, jobs):
    _docx(archive / "县区" / "good.docx", SPEECH.splitlines())
    write(archive / "corrupt.docx", b"PK\x03\x04 this is not a real zip archive")
    write(archive / "empty.txt", b"")
    write(archive / "县区" / "blob.txt", bytes(range(256)) * 8)
    out = tmp_path / "out"
    code = main(["extract", str(archive), "-o", str(out), "--format", "json", "-j", jobs, "--no-summary"])
    captured = capsys.readouterr()
    assert code == 1
    failed = [line for line in captured.err.splitlines() if line.startswith("speech-tasks: ")]
    assert [line.split(": ")[1].rsplit("/", 1)[-1] for line in failed] == ["corrupt.docx", "empty.txt", "blob.txt"]
    assert all(len(line.split(": ", 2)[2]) > 3 for line in failed)  # each with its reason
    assert "Traceback" not in captured.err
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("[!.]*.json")) == [
        "2023-03-01_全市会议.json",
        "20230601会议.json",
        "县区/good.json",
        "县区/speech.json",
    ]
    assert "4 extracted, 0 unchanged, 3 failed" in captured.out


def test_each_speech_gets_a_one_line_report(archive, tmp_path, capsys):
    assert extract(archive, "-o", tmp_path / "out", "--no-summary") == 0
    lines = capsys.readouterr().out.splitlines()
    assert sum(" tasks in " in line and line.endswith(".json") for line in lines) == 3


def test_rerun_skips_unchanged_speeches_and_redoes_changed_or_missing_ones(archive, tmp_path, capsys):
    out = tmp_path / "out"
    assert extract(archive, "-o", out, "--no-summary") == 0
    before = mtimes(out)
    capsys.readouterr()
    assert extract(archive, "-o", out, "--no-summary") == 0
    assert "0 extracted, 3 unchanged" in capsys.readouterr().out
    assert mtimes(out) == before

    write(archive / "2023-03-01_全市会议.txt", SPEECH + "二要加强消防检查。\n")
    (out / "20230601会议.json").unlink()
    assert extract(archive, "-o", out, "--no-summary") == 0
    assert "2 extracted, 1 unchanged" in capsys.readouterr().out
    assert (out / "20230601会议.json").exists()


def test_a_speech_reached_through_another_folder_goes_to_its_new_place(archive, tmp_path, capsys):
    out = tmp_path / "out"
    extract(archive / "县区", "-o", out, "--no-summary")
    assert (out / "speech.json").exists()
    capsys.readouterr()
    extract(archive, "-o", out, "--no-summary")
    assert "3 extracted, 0 unchanged" in capsys.readouterr().out
    assert (out / "县区" / "speech.json").exists()


def test_a_new_date_redoes_every_speech(archive, tmp_path, capsys):
    out = tmp_path / "out"
    extract(archive, "-o", out, "--no-summary")
    capsys.readouterr()
    assert extract(archive, "-o", out, "--no-summary", "--date", "2024-01-02") == 0
    assert "3 extracted, 0 unchanged" in capsys.readouterr().out
    sheet = json.loads((out / "20230601会议.json").read_text(encoding="utf-8"))
    assert sheet["meeting"]["date"] == "2024-01-02"


def test_output_folder_inside_the_input_is_not_read_back(archive, capsys):
    out = archive / "outputs"
    extract(archive, "-o", out, "--format", "json,md", "--no-summary")
    capsys.readouterr()
    assert extract(archive, "-o", out, "--format", "json,md", "--no-summary") == 0
    assert "3 speeches: 0 extracted, 3 unchanged" in capsys.readouterr().out


def test_hidden_lock_and_other_files_are_left_out_of_folders(archive, tmp_path, capsys):
    write(archive / "~$会议.docx", b"\x00lock")
    write(archive / ".hidden.txt")
    write(archive / "photo.jpg", b"\xff\xd8\xff")
    assert extract(archive, "-o", tmp_path / "out", "--no-summary") == 0
    captured = capsys.readouterr()
    assert "3 extracted" in captured.out
    assert "left out files that are not speeches: 1 .jpg" in captured.err


def test_a_folder_link_to_an_ancestor_is_read_once(archive, tmp_path, capsys):
    (archive / "县区" / "loop").symlink_to(archive, target_is_directory=True)
    assert extract(archive, "-o", tmp_path / "out", "--no-summary") == 0
    assert "3 speeches: 3 extracted" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("files", "args", "outputs"),
    [
        pytest.param(["a/会议.txt", "b/会议.md"], ["a/会议.txt", "b/会议.md"], ["会议.md.json", "会议.txt.json"], id="stems-clash"),
        pytest.param(["in/讲话.txt", "in/讲话.docx"], ["in"], ["讲话.docx.json", "讲话.txt.json"], id="docx-and-txt"),
        pytest.param(["x/讲话.txt", "y/讲话.txt"], ["x", "y"], ["x/讲话.json", "y/讲话.json"], id="two-folders"),
        pytest.param(["x/讲话.txt", "y/讲话.txt"], ["x/讲话.txt", "y/讲话.txt"], ["x/讲话.json", "y/讲话.json"], id="two-files"),
        pytest.param(["in/Speech.txt", "in/speech.md"], ["in"], ["Speech.txt.json", "speech.md.json"], id="case"),
        pytest.param(["in/a/讲话.txt", "in/b/讲话.txt"], ["in"], ["a/讲话.json", "b/讲话.json"], id="sub-folders"),
    ],
)
def test_output_names_never_collide(tmp_path, capsys, files, args, outputs):
    for name in files:
        if name.endswith(".docx"):
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            _docx(tmp_path / name, SPEECH.replace("燃气", "消防").splitlines())
        else:
            write(tmp_path / name, SPEECH.replace("燃气", name))
    out = tmp_path / "out"
    assert extract(*(tmp_path / a for a in args), "-o", out, "--no-summary") == 0
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("[!.]*.json")) == outputs
    sheets = [json.loads((out / o).read_text(encoding="utf-8")) for o in outputs]
    assert len({s["source"]["sha256"] for s in sheets}) == len(files)  # each from its own file
    capsys.readouterr()
    assert extract(*(tmp_path / a for a in args), "-o", out, "--no-summary") == 0
    assert f"{len(files)} unchanged" in capsys.readouterr().out


def test_a_clash_that_remains_is_reported(tmp_path, capsys):
    a = write(tmp_path / "x" / "a" / "会议.txt")
    b = write(tmp_path / "y" / "a" / "会议.txt")
    assert extract(a, b, "-o", tmp_path / "out", "--no-summary") == 1
    err = capsys.readouterr().err
    assert f"{b}: same output name as {a}" in err


def test_files_that_cannot_be_read_fail_and_others_are_left_out(archive, tmp_path, capsys):
    write(archive / "通知.ofd", b"PK\x03\x04")
    write(archive / "县区" / "讲话稿", "同志们")
    for name in ("汇总.xlsx", "photo.png", "report.html", "summary.json"):
        write(archive / name, b"x")
    assert extract(archive, "-o", tmp_path / "out", "--no-summary") == 1
    captured = capsys.readouterr()
    assert "5 speeches: 3 extracted, 0 unchanged, 2 failed" in captured.out
    assert f"speech-tasks: {archive / '通知.ofd'}: unsupported file type .ofd" in captured.err
    assert f"speech-tasks: {archive / '县区' / '讲话稿'}: unsupported file type (no extension" in captured.err
    assert "left out files that are not speeches: " in captured.err
    assert all(k in captured.err for k in ("1 .xlsx", "1 .png", "1 .html", "1 .json"))


@pytest.mark.parametrize(
    "args,message",
    [
        (["missing-folder"], "missing-folder: no such file or folder"),
        (["--format", "json,pdf", "x.txt"], "unknown export format 'pdf'"),
        (["--jobs", "0", "x.txt"], "not a positive number of processes"),
        (["--date", "2023-13-01", "x.txt"], "not a date"),
    ],
)
def test_bad_arguments_give_one_clear_line(tmp_path, capsys, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    try:
        code = main(["extract", *args])
    except SystemExit as e:  # argparse
        code = e.code
    assert code in (1, 2)
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_summary_for_several_speeches_is_rebuilt_only_when_a_speech_changes(archive, tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    assert extract(archive, "-o", out) == 0
    assert "summary: " in capsys.readouterr().out
    html = (out / "summary.html").read_text(encoding="utf-8")
    assert "3 次会议" in html
    first = (out / "summary.xlsx").stat().st_mtime_ns
    extract(archive, "-o", out)
    assert (out / "summary.xlsx").stat().st_mtime_ns == first
    write(archive / "县区" / "speech.txt", SPEECH.replace("燃气", "危险化学品"))
    monkeypatch.setattr(batch, "_reread", lambda job: pytest.fail("an unchanged sheet was read again"))
    extract(archive, "-o", out)
    assert (out / "summary.xlsx").stat().st_mtime_ns != first


@pytest.mark.parametrize(
    "args,expected",
    [([], False), (["--summary"], True)],
)
def test_one_speech_gets_a_summary_only_when_asked(tmp_path, args, expected):
    speech = write(tmp_path / "s.txt")
    assert extract(speech, "-o", tmp_path / "out", *args) == 0
    assert (tmp_path / "out" / "summary.html").exists() == expected


def test_no_summary_skips_it(archive, tmp_path):
    assert extract(archive, "-o", tmp_path / "out", "--no-summary") == 0
    assert not (tmp_path / "out" / "summary.xlsx").exists()


def test_plain_progress_lines_when_not_a_terminal(archive, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(extract_cmd, "PLAIN_PROGRESS_EVERY", 0)
    extract(archive, "-o", tmp_path / "out", "--no-summary", "-q")
    captured = capsys.readouterr()
    assert "progress: 1/3 (33%)" in captured.err and "files/s, ETA" in captured.err
    assert " tasks in " not in captured.out  # -q: totals only


def test_terminal_reporter_keeps_the_lines_per_speech(capsys):
    with extract_cmd._Reporter(2, quiet=False, tty=True) as reporter:
        for name in ("a.txt", "b.txt"):
            reporter.line(f"{name}: 3 tasks in 1 sections → out/{name}.json")
            reporter.advance()
    out = capsys.readouterr().out
    assert "a.txt: 3 tasks" in out and "b.txt: 3 tasks" in out
