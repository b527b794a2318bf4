"""Rules are data: every stage reads its markers, names and phrases from ``rules/<name>.yaml``.

A stage declares a pydantic model for its file and calls :func:`load`. Files are validated on
load; a bad file raises :class:`RulesError` whose message names the file, the key and the
problem, e.g. ``rules/units.yaml: bodies.3.aliases: Input should be a valid list``.

Where the rules live, first match wins:
1. the directory given to :func:`use_directory` (CLI ``--rules DIR``) or ``$SPEECH_TASKS_RULES``;
2. ``rules/`` shipped inside the installed package;
3. ``rules/`` at the top of a source checkout.
A user teaches the tool their city's departments by copying that folder and editing the YAML.
"""
from __future__ import annotations

import hashlib
import operator
import os
import re
from functools import lru_cache
from pathlib import Path
from collections.abc import Callable
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")
_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader when PyYAML has it

_override: Path | None = None


class RulesError(Exception):
    """A rules file is missing or invalid; the message says which file, key and problem."""


def regex(value: str) -> str:
    """Pydantic validator body for a field holding a regular expression: it must compile, and it
    must not nest one unbounded repeat inside another (``(a+)+``, ``(?:x*y)*``), the shape that
    makes a backtracking engine take exponential time on a line that almost matches."""
    try:
        re.compile(value)
    except re.error as e:
        raise ValueError(f"invalid regular expression ({e}): {value!r}") from None
    if _nested_repeat(_sre_parser().parse(value)):
        raise ValueError(
            "regular expression with an unbounded repeat inside another, which can take exponential "
            f"time; bound the inner one ({{1,20}}) or drop the outer one: {value!r}"
        )
    return value


def _sre_parser():
    try:
        from re import _parser  # Python ≥ 3.11
    except ImportError:  # pragma: no cover - Python 3.10
        import sre_parse as _parser
    return _parser


_REPEATS = ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")


def _nested_repeat(parsed, inside: bool = False) -> bool:
    """Whether a parsed pattern holds an unbounded repeat inside another one."""
    unbounded = _sre_parser().MAXREPEAT
    for op, arg in parsed:
        name = str(op)
        if name in _REPEATS:
            low, high, body = arg
            if high == unbounded and inside:
                return True
            found = _nested_repeat(body, inside or high == unbounded)
        elif name == "SUBPATTERN":
            found = _nested_repeat(arg[-1], inside)
        elif name == "BRANCH":
            found = any(_nested_repeat(b, inside) for b in arg[1])
        elif name in ("ASSERT", "ASSERT_NOT"):
            found = _nested_repeat(arg[1], inside)
        elif name == "ATOMIC_GROUP":
            found = _nested_repeat(arg, inside)
        else:
            found = False
        if found:
            return True
    return False


def alternation(words) -> str:
    """The words as one regex alternation, longest first (Python's alternation takes the first
    alternative that matches, so 渔业船舶 must come before 船舶); never matches when empty."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w))) or "(?!)"


def word_trie(words) -> str:
    """What :func:`alternation` matches, as a regex factored by common prefixes
    (``应急(?:管理局|局)?``): the engine reads a word character by character instead of trying
    each of hundreds of words in turn. A longer continuation is tried before the word that ends
    earlier, so the longest word wins, as in the alternation (the words that match at one place
    are prefixes of one another)."""
    root: dict = {}
    for w in set(words):
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = None  # a word ends here
    if not root:
        return "(?!)"

    def emit(node: dict) -> str:
        branches = [re.escape(ch) + emit(child) for ch, child in sorted((k, v) for k, v in node.items() if k)]
        if not branches:
            return ""
        if "" in node:
            return f"(?:{'|'.join(branches)})?"
        return branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"

    return emit(root)


def use_directory(path: str | os.PathLike | None) -> None:
    """Read rules from *path* from now on (None: back to the default)."""
    global _override
    _override = Path(path) if path else None
    load.cache_clear()
    fingerprint.cache_clear()


def rules_dir() -> Path:
    if _override is not None:
        return _override
    env = os.environ.get("SPEECH_TASKS_RULES")
    if env:
        return Path(env)
    return _shipped_dir()


@lru_cache(maxsize=None)
def _shipped_dir() -> Path:
    """The shipped rules folder, looked up once: stages ask for rules_dir() on every speech."""
    here = Path(__file__).resolve().parent
    for cand in (here / "rules", here.parents[1] / "rules"):
        if cand.is_dir():
            return cand
    raise RulesError(f"no rules directory found (looked in {here / 'rules'} and {here.parents[1] / 'rules'})")


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@lru_cache(maxsize=None)
def load(name: str, model: type[M]) -> M:
    """Load and validate ``<rules dir>/<name>.yaml`` into *model* (cached per process)."""
    path = rules_dir() / f"{name}.yaml"
    shown = _display(path)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_YamlLoader)
    except FileNotFoundError:
        raise RulesError(f"{shown}: file not found") from None
    except (OSError, UnicodeDecodeError) as e:
        raise RulesError(f"{shown}: cannot read ({e})") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise RulesError(f"{shown}:{where} invalid YAML ({getattr(e, 'problem', e)})") from None
    if raw is None:
        raw = {}
    try:
        return model.model_validate(raw)
    except ValidationError as e:
        problems = []
        for err in e.errors():
            key = ".".join(str(p) for p in err["loc"]) or "(top level)"
            problems.append(f"{key}: {err['msg']}")
        raise RulesError(f"{shown}: " + "; ".join(problems)) from None


@lru_cache(maxsize=None)
def fingerprint() -> str:
    """Hash of every rules file: part of the batch cache key, so edited rules re-extract."""
    h = hashlib.sha256()
    directory = rules_dir()
    for path in sorted(directory.glob("*.yaml")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


_built: dict[Callable, tuple[tuple, object]] = {}


def compiled(build: Callable[..., T], *files: tuple[str, type[BaseModel]]) -> T:
    """``build(*rules)`` over the loaded rules *files* ((name, model) pairs), built once per
    process and again only when a file is loaded anew (another rules folder): what a stage
    compiles from its rules (regexes, tries) is kept here, not rebuilt per speech."""
    loaded = tuple([load(name, model) for name, model in files])
    hit = _built.get(build)
    if hit is None or not all(map(operator.is_, hit[0], loaded)):
        hit = _built[build] = (loaded, build(*loaded))
    return hit[1]  # type: ignore[return-value]
