"""`speech-tasks users …`: the web portal's accounts, kept in the ledger file.

    users add NAME --role office|unit|viewer [--unit 住建局] [--password-file FILE]
    users list
    users disable NAME | users enable NAME
    users passwd NAME [--password-file FILE]

Without --password-file the password is asked twice on the terminal (never on the command line,
where other users of the machine could read it). Exit codes: 0 done, 1 error, 2 usage.
"""
from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from ..cli import add_subcommand
from ..ledger import Ledger
from ..ledger.db import DEFAULT_DB, canonical_unit


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default=DEFAULT_DB, metavar="FILE", help=f"ledger file (default: {DEFAULT_DB})")
    sub = parser.add_subparsers(dest="users_command", metavar="SUBCOMMAND", required=True)
    p = add_subcommand(sub, "add", "create an account (the password is asked for, or read from a file)",
                       ("speech-tasks users add 王科长 --role office",
                        "speech-tasks users add 住建局张三 --role unit --unit 住建局 --by 王科长 --password-file pw.txt"))
    p.add_argument("name", metavar="NAME", help="the login name")
    p.add_argument("--role", required=True, choices=("office", "unit", "viewer"),
                   help="office: the 安委办, everything; unit: one unit's assignments; viewer: read only")
    p.add_argument("--unit", metavar="UNIT", help="the unit of a unit account (canonicalised: 住建局 → its full name)")
    p.add_argument("--password-file", metavar="FILE", help="read the password from the first line of FILE")
    p.add_argument("--by", metavar="NAME",
                   help="the office account creating it (default: your login name; not needed for the first account)")
    add_subcommand(sub, "list", "every account with its role, unit and state", ("speech-tasks users list",))
    for name, text in (("disable", "stop an account from logging in (its sessions end)"), ("enable", "allow a disabled account again")):
        add_subcommand(sub, name, text, (f"speech-tasks users {name} 住建局张三",)).add_argument(
            "name", metavar="NAME", help="the account's login name")
    p = add_subcommand(sub, "passwd", "set a new password (the account's sessions end)",
                       ("speech-tasks users passwd 住建局张三",))
    p.add_argument("name", metavar="NAME", help="the account's login name")
    p.add_argument("--password-file", metavar="FILE", help="read the password from the first line of FILE")


def _password(args: argparse.Namespace) -> str:
    if args.password_file:
        try:
            lines = Path(args.password_file).read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as e:
            raise ValueError(f"{args.password_file}: cannot read the password ({getattr(e, 'strerror', None) or e})") from None
        if not lines:
            raise ValueError(f"{args.password_file}: empty, expected the password on its first line")
        return lines[0]
    if not sys.stdin.isatty():
        raise ValueError("no terminal to ask the password on: use --password-file FILE")
    first = getpass.getpass(f"password for {args.name}: ")
    if getpass.getpass("again: ") != first:
        raise ValueError("the two passwords differ; nothing changed")
    return first


def _by() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def run(args: argparse.Namespace) -> int:
    try:
        from . import accounts
        from .store import StoreError, connect, prepare
    except ImportError as e:
        print(f"speech-tasks users: the portal is not installed ({e.name} missing): pip install 'speech-tasks[portal]'", file=sys.stderr)
        return 1
    try:
        path = prepare(args.db)
        with connect(path) as conn:
            cmd = args.users_command
            if cmd == "list":
                with Ledger(path) as led:
                    users = accounts.all_users(conn, led)
                if not users:
                    print("no accounts yet (create one: speech-tasks users add NAME --role office)")
                for u in users:
                    state = "" if u.active else "  [disabled]"
                    print(f"{u.name}\t{u.role}\t{u.unit or '-'}{state}")
            elif cmd == "add":
                user = accounts.add(conn, path, args.name, args.role, _password(args), args.unit, args.by or _by())
                where = f" for {user.unit}" if user.unit else ""
                known = "" if not user.unit or canonical_unit(user.unit)[1] else " (unit not in rules/units.yaml: kept as typed)"
                print(f"added {user.name} ({user.role}{where}){known}")
            elif cmd == "passwd":
                accounts.set_password(conn, args.name, _password(args), _by())
                print(f"password of {args.name} changed; its open sessions end")
            else:
                accounts.set_active(conn, args.name, cmd == "enable", _by())
                print(f"{args.name} {cmd}d")
    except (ValueError, StoreError) as e:
        print(f"speech-tasks users: {e}", file=sys.stderr)
        return 1
    return 0
