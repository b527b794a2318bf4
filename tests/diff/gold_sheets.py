"""Build TaskSheets from the hand-made gold files of the diff evaluation set.

Lets the alignment be developed and tested apart from extraction: a gold task's span starts at
its anchor and ends at the next anchor (outline, task or non-task) that is not one of its
descendants; units and deadlines are taken as the gold gives them, located inside the speech.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from speech_tasks.models import Deadline, Meeting, Source, Task, TaskSheet, Unit

SHARED = Path(__file__).resolve().parents[3] / "shared"
DIFF_DIR = SHARED / "eval" / "diff"


def read_speech(path: Path) -> str:
    return path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")


def _find(text: str, needle: str, lo: int, hi: int) -> tuple[int, int]:
    i = text.find(needle, lo, hi)
    if i == -1:
        i = text.find(needle)
    return (i, i + len(needle)) if i != -1 else (lo, lo)


def gold_sheet(gold: dict, text: str) -> TaskSheet:
    """The gold sheet *gold* as a TaskSheet over speech *text*."""
    starts = {}
    for key in ("outline", "tasks", "non_tasks"):
        for entry in gold.get(key, []):
            starts[text.index(entry["anchor"])] = entry
    bounds = sorted(set(starts) | {len(text)})
    pos = {t["id"]: text.index(t["anchor"]) for t in gold["tasks"]}
    children: dict[str, list[str]] = {}
    for t in gold["tasks"]:
        if t["parent"]:
            children.setdefault(t["parent"], []).append(t["id"])

    def descendants(tid: str) -> set[int]:
        out, stack = set(), list(children.get(tid, []))
        while stack:
            c = stack.pop()
            out.add(pos[c])
            stack.extend(children.get(c, []))
        return out

    tasks = []
    for t in gold["tasks"]:
        s = pos[t["id"]]
        desc = descendants(t["id"])
        e = next(b for b in bounds if b > s and b not in desc)
        units = [
            Unit(text=u["text"], name=u["text"], role=u["role"], generic=u["generic"],
                 inherited=u.get("inherited", False),
                 span=_find(text, u["text"], 0 if u.get("inherited") else s, e))
            for u in t["units"]
        ]
        deadlines = [Deadline(text=d["text"], kind=d["kind"], span=_find(text, d["text"], s, e)) for d in t["deadlines"]]
        tasks.append(Task(
            id=t["id"], number=t["id"], parent=t["parent"], section=t["section"], path=t["id"],
            kind="numbered" if t["marker"] else "domain", marker=t["marker"], title=t["title"],
            text=text[s:e], span=(s, e), units=units, deadlines=deadlines, sectors=t["sectors"],
        ))
    meeting = gold.get("meeting") or {}
    return TaskSheet(
        tool_version="gold",
        source=Source(file=gold["speech"], sha256=hashlib.sha256(text.encode()).hexdigest(), encoding="utf-8",
                      chars=len(text)),
        meeting=Meeting(name=meeting.get("name"), date=meeting.get("date")),
        tasks=tasks,
    )


def load_gold_sheet(stem: str, root: Path = DIFF_DIR) -> TaskSheet:
    gold = json.loads((root / "gold" / f"{stem}.json").read_text(encoding="utf-8"))
    return gold_sheet(gold, read_speech(root / "speeches" / gold["speech"]))


def dev_pairs(root: Path = DIFF_DIR) -> list[dict]:
    """The gold alignments of the dev set, each with the stems of its two speeches."""
    out = []
    for f in sorted((root / "pairs").glob("*.json")):
        p = json.loads(f.read_text(encoding="utf-8"))
        p["name"] = f.stem
        out.append(p)
    return out
