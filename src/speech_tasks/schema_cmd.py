"""`speech-tasks schema`: print the JSON schema of a task sheet."""
from __future__ import annotations

import argparse
import json


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", metavar="FILE", help="write the schema to this file instead of stdout")


def run(args: argparse.Namespace) -> int:
    from .fsutil import write_atomic
    from .models import json_schema

    text = json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"
    if args.output:
        write_atomic(args.output, text)
    else:
        print(text, end="")
    return 0
