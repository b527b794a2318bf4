"""`speech-tasks serve [--db FILE] [--host 127.0.0.1] [--port 8000]`: run the web portal.

Served by waitress (a production WSGI server, pure Python, also on Windows). It listens on the
loopback address unless told otherwise, and refuses any other address while the database holds
no active account: a portal reachable from the network must never be open to everyone.
"""
from __future__ import annotations

import argparse
import ipaddress
import sys

from ..ledger.db import DEFAULT_DB


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default=DEFAULT_DB, metavar="FILE", help=f"ledger file (default: {DEFAULT_DB}; created if absent)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    parser.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    parser.add_argument("--threads", type=int, default=8, help="worker threads (default: 8)")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def run(args: argparse.Namespace) -> int:
    try:
        import waitress

        from .accounts import active_count
        from .app import create_app
        from .store import StoreError, connect, prepare
    except ImportError as e:
        print(f"speech-tasks serve: the portal is not installed ({e.name} missing): pip install 'speech-tasks[portal]'", file=sys.stderr)
        return 1
    if not 0 < args.port < 65536:
        print(f"speech-tasks serve: --port {args.port}: not a port (1–65535)", file=sys.stderr)
        return 2
    try:
        path = prepare(args.db)
        with connect(path) as conn:
            accounts = active_count(conn)
    except StoreError as e:
        print(f"speech-tasks serve: {e}", file=sys.stderr)
        return 1
    if not is_loopback(args.host) and accounts == 0:
        print(
            f"speech-tasks serve: refusing to listen on {args.host} while {path} has no account; "
            "create one first: speech-tasks users add NAME --role office",
            file=sys.stderr,
        )
        return 1
    app = create_app(path)
    shown = f"[{args.host}]" if ":" in args.host else args.host
    print(f"speech-tasks portal on http://{shown}:{args.port}/ (ledger {path}, {accounts} accounts); Ctrl+C stops it")
    if accounts == 0:
        print("no account yet: speech-tasks users add NAME --role office", file=sys.stderr)
    try:
        waitress.serve(app, host=args.host, port=args.port, threads=args.threads, ident="speech-tasks")
    except OSError as e:
        print(f"speech-tasks serve: cannot listen on {args.host}:{args.port} ({e.strerror or e})", file=sys.stderr)
        return 1
    return 0
