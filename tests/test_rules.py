"""Rules files: validated on load, errors name the file, the key and the problem."""
from __future__ import annotations

from pathlib import Path

import pytest

from speech_tasks import pipeline, rules, structure
from speech_tasks.cli import main

SHIPPED = Path(__file__).resolve().parents[1] / "rules"


def test_every_shipped_rules_file_is_valid_yaml_mapping():
    import yaml

    for path in SHIPPED.glob("*.yaml"):
        assert isinstance(yaml.safe_load(path.read_text(encoding="utf-8")), dict), path.name


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        pytest.param(lambda s: s.replace("cue_window: 30", "cue_window: thirty"), "domain_block.cue_window", id="wrong-type"),
        pytest.param(lambda s: s.replace("short_clause_chars: 4\n", ""), "title.short_clause_chars", id="missing-key"),
        pytest.param(lambda s: s.replace("agenda_line: '请", "agenda_line: '(请"), "agenda_line", id="bad-regex"),
        pytest.param(lambda s: s.replace("(?P<num>[一二三四五六七八九十]{1,3})、'", "[一二三四五六七八九十]{1,3}、'", 1), "outline_styles.0.pattern", id="marker-without-num"),
        pytest.param(lambda s: s + "\n  - [unclosed\n", "invalid YAML", id="bad-yaml"),
    ],
)
def test_bad_structure_rules_name_file_and_key(rules_copy, edit, message):
    path = rules_copy / "structure.yaml"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(rules.RulesError) as err:
        structure.compiled()
    assert "structure.yaml" in str(err.value) and message in str(err.value)


def test_unknown_stage_in_pipeline_is_named(rules_copy):
    (rules_copy / "pipeline.yaml").write_text("stages: [outline, taskz]\n", encoding="utf-8")
    with pytest.raises(rules.RulesError, match="unknown stage 'taskz'"):
        pipeline.stage_names()


def test_cli_reports_rules_errors_in_one_line(rules_copy, tmp_path, capsys, sample_speeches):
    (rules_copy / "structure.yaml").write_text("outline_styles: 3\n", encoding="utf-8")
    code = main(["--rules", str(rules_copy), "extract", str(sample_speeches[0]), "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code != 0
    assert len(err) == 1 and "structure.yaml" in err[0] and "Traceback" not in err[0]


def test_fingerprint_changes_when_rules_change(rules_copy):
    before = rules.fingerprint()
    path = rules_copy / "structure.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    rules.use_directory(rules_copy)
    assert rules.fingerprint() != before


_WORDS = ["应急", "应急局", "应急管理局", "住建", "住建局", "市", "(特)区", "x.y"]


@pytest.mark.parametrize(
    ("text", "pos"),
    [
        ("应急管理局要", 0), ("应急局牵头", 0), ("应急管理", 0), ("应急", 0), ("市应急局", 0), ("市应急局", 1),
        ("住建局", 0), ("住", 0), ("(特)区", 0), ("(特", 0), ("xzy", 0), ("x.y", 0), ("", 0), ("部门", 0),
    ],
)
@pytest.mark.parametrize("how", ["match", "fullmatch", "search"])
def test_word_trie_matches_what_the_alternation_matches(text, pos, how):
    import re

    flat, trie = re.compile(rules.alternation(_WORDS)), re.compile(rules.word_trie(_WORDS))
    a, b = getattr(flat, how)(text, pos), getattr(trie, how)(text, pos)
    assert (a and a.span()) == (b and b.span())


def test_word_trie_of_no_words_never_matches():
    import re

    assert re.compile(rules.word_trie([])).search("任何文字") is None
