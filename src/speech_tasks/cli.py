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
import textwrap

from . import __version__

COMMANDS: dict[str, tuple[str, str]] = {
    "extract": ("speech_tasks.extract_cmd", "speeches (.txt, .md, .docx; files or folders) → task sheets (任务分解表) "
                "as JSON, xlsx, html and other formats, plus a corpus summary"),
    "schema": ("speech_tasks.schema_cmd", "print the JSON schema of a task sheet"),
    "track": ("speech_tasks.ledger.cli", "follow tasks until closed (销号) in a SQLite ledger"),
    "diff": ("speech_tasks.diff.cli", "compare the directives of two or more meetings: new, carried over "
             "(same or changed), split, merged, dropped; JSON, HTML or Markdown reports"),
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


# Shown under "Examples:" in each command's --help (and all together in `speech-tasks --help`).
EXAMPLES: dict[str, tuple[str, ...]] = {
    "extract": (
        "speech-tasks extract speeches/                      # every speech in the folder → outputs/",
        "speech-tasks extract 讲话.docx -o sheets --format xlsx,docx --date 2024-03-01",
    ),
    "schema": ("speech-tasks schema -o task-sheet.schema.json",),
    "track": (
        "speech-tasks track import outputs/                  # task sheets into outputs/ledger.sqlite",
        "speech-tasks track list --overdue",
        "speech-tasks track COMMAND --help                    # the options of one track command",
    ),
    "diff": (
        "speech-tasks diff earlier.txt later.txt -o outputs/diff",
        "speech-tasks diff --series a.json b.json c.json --format html,md",
    ),
    "serve": (
        "speech-tasks serve --db outputs/ledger.sqlite          # http://127.0.0.1:8000 for this computer",
        "speech-tasks serve --host 0.0.0.0 --port 8080          # the office intranet (accounts needed)",
    ),
    "users": (
        "speech-tasks users add 王科长 --role office",
        "speech-tasks users add 住建局张三 --role unit --unit 住建局 --by 王科长",
        "speech-tasks users list",
    ),
}


def _examples(names) -> str:
    return "Examples:\n" + "\n".join(f"  {line}" for name in names for line in EXAMPLES.get(name, ()))


def add_subcommand(sub, name: str, help_text: str, examples: tuple[str, ...], **kwargs) -> argparse.ArgumentParser:
    """A subcommand (`track list`, `users add` …) whose --help says what it does and shows
    *examples*, like the commands themselves."""
    return sub.add_parser(
        name,
        help=help_text,
        description=help_text,
        epilog="Examples:\n" + "\n".join(f"  {line}" for line in examples),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        **kwargs,
    )


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
        epilog=_examples(COMMANDS) + "\n\n`speech-tasks COMMAND --help` describes each command.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"speech-tasks {__version__}")
    parser.add_argument("--rules", metavar="DIR", help="read rules/*.yaml from DIR instead of the shipped rules")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=textwrap.fill(help_text, 90))
        if name == command:
            importlib.import_module(module).add_arguments(p)
            p.formatter_class = argparse.RawDescriptionHelpFormatter
            p.epilog = "\n\n".join(filter(None, [_examples([name]), p.epilog]))
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
