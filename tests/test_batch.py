"""Batch runner: the cache skips exactly the speeches whose outputs would not change, workers give
the same sheets as one process, and a bad speech fails alone."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from conftest import MINI_SPEECH as SPEECH

from speech_tasks import batch, rules


def speech_file(folder: Path, name: str, text: str = SPEECH) -> batch.Speech:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    st = path.stat()
    return batch.Speech(path, folder / "out", st.st_size, st.st_mtime_ns)


def restat(s: batch.Speech) -> batch.Speech:
    st = s.path.stat()
    return batch.Speech(s.path, s.out_dir, st.st_size, st.st_mtime_ns)


def extract(settings: batch.Settings, speeches: list[batch.Speech], jobs: int = 1) -> list[batch.Result]:
    with batch.Pool(settings, jobs, len(speeches)) as pool:
        return sorted(pool.extract(speeches), key=lambda r: str(r.speech.path))


@pytest.fixture
def done(tmp_path):
    """Two speeches extracted and recorded in the cache: (settings, config, cache, speeches)."""
    settings = batch.Settings(tmp_path / "out", ("json",))
    speeches = [speech_file(tmp_path, "a.txt"), speech_file(tmp_path, "b.txt", SPEECH.replace("燃气", "消防"))]
    config = batch.config_key(settings)
    cache = batch.Cache.load(settings.out_root)
    for r in extract(settings, speeches):
        assert r.status == batch.EXTRACTED, r.reason
        cache.record(r, config)
    cache.save()
    return settings, config, batch.Cache.load(settings.out_root), speeches


def test_unchanged_speeches_are_skipped_without_reading_them(done, monkeypatch):
    settings, config, cache, speeches = done
    monkeypatch.setattr(batch, "file_sha256", lambda path: pytest.fail(f"{path} was hashed"))
    todo, unchanged = batch.plan(speeches, cache, config)
    assert todo == [] and [r.speech for r in unchanged] == speeches
    assert unchanged[0].outputs == ("a.json",)


def test_changed_bytes_are_extracted_again(done):
    settings, config, cache, speeches = done
    speeches[0].path.write_text(SPEECH + "二要加强消防检查。\n", encoding="utf-8")
    todo, unchanged = batch.plan([restat(s) for s in speeches], cache, config)
    assert [s.path.name for s in todo] == ["a.txt"] and len(unchanged) == 1


def test_touched_but_identical_file_is_hashed_once_then_skipped(done, monkeypatch):
    settings, config, cache, speeches = done
    os.utime(speeches[0].path, ns=(1, 1_000_000_000))
    touched = [restat(s) for s in speeches]
    todo, unchanged = batch.plan(touched, cache, config)
    assert todo == [] and len(unchanged) == 2
    monkeypatch.setattr(batch, "file_sha256", lambda path: pytest.fail("hashed again"))
    assert batch.plan(touched, cache, config)[0] == []  # the new stat was remembered


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda s, mp, tmp: batch.Settings(s.out_root, s.formats, dt.date(2024, 1, 2)), id="date"),
        pytest.param(lambda s, mp, tmp: batch.Settings(s.out_root, ("json", "csv")), id="formats"),
        pytest.param(lambda s, mp, tmp: mp.setattr(batch, "__version__", "99.0") or s, id="tool-version"),
        pytest.param(lambda s, mp, tmp: mp.setattr(batch, "code_fingerprint", lambda: "edited") or s, id="code"),
        pytest.param(lambda s, mp, tmp: _edited_rules(tmp) or s, id="rules"),
    ],
)
def test_new_date_formats_version_code_or_rules_redo_everything(done, monkeypatch, tmp_path, change):
    settings, config, cache, speeches = done
    new = change(settings, monkeypatch, tmp_path)
    try:
        todo, unchanged = batch.plan(speeches, cache, batch.config_key(new))
    finally:
        rules.use_directory(None)
    assert len(todo) == 2 and unchanged == []


def _edited_rules(tmp: Path) -> None:
    copy = tmp / "rules"
    shutil.copytree(rules.rules_dir(), copy)
    with open(copy / "pipeline.yaml", "a", encoding="utf-8") as f:
        f.write("# edited\n")
    rules.use_directory(copy)


def test_a_deleted_output_is_redone(done):
    settings, config, cache, speeches = done
    (settings.out_root / "b.json").unlink()
    todo, _ = batch.plan(speeches, cache, config)
    assert [s.path.name for s in todo] == ["b.txt"]


@pytest.mark.parametrize("content", ["{not json", '{"version": 0, "entries": {}}', "[]", ""])
def test_unreadable_cache_means_everything_is_redone(done, content):
    settings, config, cache, speeches = done
    (settings.out_root / batch.CACHE_FILE).write_text(content, encoding="utf-8")
    todo, _ = batch.plan(speeches, batch.Cache.load(settings.out_root), config)
    assert len(todo) == 2


def test_workers_write_the_same_sheets_as_one_process(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    speeches = [speech_file(folder, f"s{i}.txt", SPEECH.replace("市公安局", f"第{i}支队")) for i in range(6)]
    one = batch.Settings(tmp_path / "one", ("json",))
    two = batch.Settings(tmp_path / "two", ("json",))
    for settings, jobs in ((one, 1), (two, 2)):
        moved = [batch.Speech(s.path, settings.out_root, s.size, s.mtime_ns) for s in speeches]
        assert all(r.status == batch.EXTRACTED for r in extract(settings, moved, jobs))
    for i in range(6):
        assert (one.out_root / f"s{i}.json").read_bytes() == (two.out_root / f"s{i}.json").read_bytes()


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_bad_speech_fails_alone(tmp_path, jobs):
    settings = batch.Settings(tmp_path / "out", ("json",))
    good = speech_file(tmp_path, "good.txt")
    empty = speech_file(tmp_path, "empty.txt", "")
    results = extract(settings, [empty, good], jobs)
    assert [(r.speech.path.name, r.status) for r in results] == [("empty.txt", "failed"), ("good.txt", "extracted")]
    assert results[0].reason and "\n" not in results[0].reason
    assert results[1].outputs == ("good.json",) and results[1].sha256 == batch.file_sha256(good.path)


def test_reread_gives_the_digest_of_unchanged_speeches(done):
    settings, config, cache, speeches = done
    _, unchanged = batch.plan(speeches, cache, config)
    (settings.out_root / "b.json").write_text("{broken", encoding="utf-8")  # unreadable: extracted again
    with_digests = batch.Settings(settings.out_root, settings.formats, digests=True)
    with batch.Pool(with_digests, 1, 2) as pool:
        results = sorted(pool.reread(unchanged), key=lambda r: r.outputs)
    assert [(r.status, r.digest.key) for r in results] == [("unchanged", "a.json"), ("extracted", "b.json")]
    assert results[0].digest.file == "a.txt"


def test_summary_key_follows_every_sheet(done):
    settings, config, cache, speeches = done
    _, unchanged = batch.plan(speeches, cache, config)
    key = batch.summary_key(unchanged, config)
    assert batch.summary_key(list(reversed(unchanged)), config) == key
    unchanged[1].sha256 = "f" * 64
    assert batch.summary_key(unchanged, config) != key
    assert batch.summary_key(unchanged[:1], config) != key


def test_stored_digests_spare_rereading_unchanged_sheets(done):
    settings, config, cache, speeches = done
    with_digests = batch.Settings(settings.out_root, settings.formats, digests=True)
    _, unchanged = batch.plan(speeches, cache, config)
    assert batch.load_digests(settings.out_root, config, unchanged) == unchanged  # nothing stored yet
    with batch.Pool(with_digests, 1, 2) as pool:
        batch.save_digests(settings.out_root, config, list(pool.reread(unchanged)))

    _, again = batch.plan(speeches, cache, config)
    assert batch.load_digests(settings.out_root, config, again) == []
    assert [r.digest.file for r in again] == ["a.txt", "b.txt"]
    again[0].sha256 = "0" * 64  # a sheet whose digest was stored for other bytes
    assert batch.load_digests(settings.out_root, config, again) == [again[0]]
    assert len(batch.load_digests(settings.out_root, "other config", again)) == 2
