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
