"""`--help` of every command: what it does, an example, every positional argument described."""
from __future__ import annotations

import argparse

import pytest

from speech_tasks import cli

# `track`'s own commands (import, set, list …) are described by the ledger's CLI module
COMMANDS = sorted(cli.COMMANDS)


def _help(argv: list[str], capsys) -> str:
    with pytest.raises(SystemExit) as exit_:
        cli.main([*argv, "--help"])
    assert exit_.value.code == 0
    return capsys.readouterr().out


def test_top_level_help_lists_every_command_with_examples(capsys):
    text = _help([], capsys)
    assert "Examples:" in text
    for name in COMMANDS:
        assert name in text and f"speech-tasks {name} " in text


@pytest.mark.parametrize("name", COMMANDS)
def test_command_help_says_what_it_does_with_an_example(name, capsys):
    text = _help([name], capsys)
    assert cli.COMMANDS[name][1] in " ".join(text.split())
    examples = text.split("Examples:\n", 1)[1]
    assert f"  speech-tasks {name} " in examples


@pytest.mark.parametrize("name", COMMANDS)
def test_every_positional_argument_is_described(name):
    parser = cli._parser(name)
    (sub,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    positionals = [a for a in sub.choices[name]._actions if not a.option_strings and a.nargs != argparse.PARSER]
    assert all(a.help for a in positionals), [a.dest for a in positionals if not a.help]


def _subcommands() -> list[tuple[str, str]]:
    found = []
    for name in COMMANDS:
        parser = cli._parser(name)
        (sub,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        inner = [a for a in sub.choices[name]._actions if isinstance(a, argparse._SubParsersAction)]
        found += [(name, s) for a in inner for s in a.choices]
    return found


SUBCOMMANDS = _subcommands()


def test_track_and_users_have_subcommands():
    assert {c for c, _ in SUBCOMMANDS} == {"track", "users"}
    assert len(SUBCOMMANDS) > 20


@pytest.mark.parametrize(("name", "subcommand"), SUBCOMMANDS)
def test_subcommand_help_says_what_it_does_with_examples_that_parse(name, subcommand, capsys):
    import shlex

    text = _help([name, subcommand], capsys)
    parser = cli._parser(name)
    (sub,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    (inner,) = (a for a in sub.choices[name]._actions if isinstance(a, argparse._SubParsersAction))
    own = inner.choices[subcommand]
    assert own.description and own.description in " ".join(text.split())
    examples = [line.strip() for line in text.split("Examples:\n", 1)[1].splitlines() if line.startswith("  ")]
    assert examples and all(e.startswith(f"speech-tasks {name} {subcommand}") for e in examples)
    for example in examples:  # every example is a command line the parser accepts
        words = shlex.split(example.split("#")[0].split(">")[0])[1:]
        assert cli._parser(name).parse_args(words).command == name
    positionals = [a for a in own._actions if not a.option_strings]
    assert all(a.help for a in positionals), [a.dest for a in positionals if not a.help]
