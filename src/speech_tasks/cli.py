"""Command line: `speech-tasks COMMAND …`.

Each command lives in its own module and is imported only when used, so `speech-tasks extract`
starts fast. A command module provides ``add_arguments(parser)`` and ``run(args) -> int``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib
import re
import sys

from . import __version__

COMMANDS: dict[str, tuple[str, str]] = {
    "extract": ("speech_tasks.extract_cmd", "speeches (files or folders) → task sheets"),
    "schema": ("speech_tasks.schema_cmd", "print the JSON schema of a task sheet"),
    "track": ("speech_tasks.ledger.cli", "follow tasks until closed (销号) in a SQLite ledger"),
    "diff": ("speech_tasks.diff.cli", "compare the directives of two or more meetings"),
    "serve": ("speech_tasks.portal.serve_cmd", "the 督办 web portal over the ledger (needs the [portal] extra)"),
    "users": ("speech_tasks.portal.users_cmd", "accounts of the web portal: add, list, disable, passwd"),
}


_DATE = re.compile(r"\s*(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?\s*")
DATE_FORMS = "2023-06-05, 2023/6/5, 2023-6-5 or 2023年6月5日"


def parse_date(value: str) -> dt.date:
    """The one date parser for what users type (options, spreadsheet cells): 2023-06-05,
    2023/6/5, 2023-6-5, 2023.6.5 or 2023年6月5日. ValueError names the accepted forms."""
    m = _DATE.fullmatch(value)
    if m:
        try:
            return dt.date(*map(int, m.groups()))
        except ValueError:
            pass
    raise ValueError(f"not a date ({DATE_FORMS}): {value!r}")


def iso_date(value: str) -> dt.date:
    """An argparse type for a date (any form :func:`parse_date` reads), shared by the commands."""
    try:
        return parse_date(value)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _parser(command: str | None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="speech-tasks",
        description="Turn Chinese work-safety meeting speeches into trackable task sheets.",
    )
    parser.add_argument("--version", action="version", version=f"speech-tasks {__version__}")
    parser.add_argument("--rules", metavar="DIR", help="read rules/*.yaml from DIR instead of the shipped rules")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        if name == command:
            importlib.import_module(module).add_arguments(p)
    return parser


def _command_of(argv: list[str]) -> str | None:
    for i, arg in enumerate(argv):
        if arg == "--rules":
            continue
        if i > 0 and argv[i - 1] == "--rules":
            continue
        if not arg.startswith("-"):
            return arg if arg in COMMANDS else None
    return None


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = _command_of(argv)
    args = _parser(command).parse_args(argv)
    if args.command is None:
        _parser(None).print_help()
        return 2
    from . import rules

    if args.rules:
        rules.use_directory(args.rules)
    try:
        return importlib.import_module(COMMANDS[args.command][0]).run(args)
    except rules.RulesError as e:
        print(f"speech-tasks: rules error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("speech-tasks: interrupted", file=sys.stderr)
        return 130
