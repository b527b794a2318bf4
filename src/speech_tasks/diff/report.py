"""Write a meeting diff (or a series) as JSON, self-contained HTML or Markdown.

The JSON is what ``shared/eval/score_diff.py`` reads: ``pairs`` (each with ``a``/``b`` task refs
carrying their ``span`` and a ``status`` same|changed), ``added`` and ``dropped`` task refs; each
pair also says how similar the two tasks are and what changed. HTML and Markdown are rendered
from templates/*.j2 with autoescaping on, so a speech containing markup shows as text.
"""
from __future__ import annotations

import math
from dataclasses import asdict
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .. import __version__

if TYPE_CHECKING:
    import jinja2

    from ..models import TaskSheet
    from .changes import Changes
    from .core import MeetingDiff
    from .similarity import TaskView


def task_ref(v: TaskView) -> dict[str, Any]:
    """A task as the JSON refers to it: the scorer matches tasks by ``span``."""
    t = v.task
    return {"id": t.id, "number": t.number, "span": list(t.span), "title": t.title, "text": v.own_text}


def _changes(c: Changes) -> dict[str, Any]:
    out = asdict(c)
    out.pop("status")
    out.pop("why")
    out["units_added"] = [{"name": n, "role": r} for n, r in c.units_added]
    out["units_removed"] = [{"name": n, "role": r} for n, r in c.units_removed]
    out["roles_changed"] = [{"name": n, "from": x, "to": y} for n, x, y in c.roles_changed]
    out["text"] = [[op.op, op.a, op.b] for op in c.text]
    return out


def _round(x: float) -> float | None:
    return None if math.isnan(x) else round(float(x), 4)


def meeting_ref(sheet: TaskSheet, name: str) -> dict[str, Any]:
    """A meeting as the JSON (pair or series) describes it."""
    return {
        "file": name,
        "meeting": sheet.meeting.name,
        "date": sheet.meeting.date.isoformat() if sheet.meeting.date else None,
        "tasks": len(sheet.tasks),
    }


def diff_json(d: MeetingDiff, a_name: str, b_name: str) -> dict[str, Any]:
    parts = d.alignment.similarity.parts
    pairs = []
    for p in d.pairs:
        i, j = p.a.index, p.b.index
        pairs.append({
            "a": task_ref(p.a),
            "b": task_ref(p.b),
            "status": p.changes.status,
            "relation": p.link.relation,
            "why": p.changes.why,
            "similarity": round(p.link.similarity, 4),
            "features": {k: _round(m[i, j]) for k, m in parts.items()},
            "changes": _changes(p.changes),
        })
    return {
        "tool_version": __version__,
        "a": meeting_ref(d.a_sheet, a_name),
        "b": meeting_ref(d.b_sheet, b_name),
        "backend": d.backend,
        "threshold": d.threshold,
        "summary": d.counts(),
        "pairs": pairs,
        "added": [task_ref(v) for v in d.added],
        "dropped": [task_ref(v) for v in d.dropped],
    }


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    import jinja2

    from ..export.cells import jinja_finalize

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("speech_tasks.diff", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "j2"), default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        finalize=jinja_finalize,
    )
    env.filters["md"] = _md_cell
    return env


def _md_cell(value: Any) -> str:
    """A value escaped like HTML (so markup in a speech stays inert) that stays in one Markdown table cell."""
    import markupsafe

    escaped = markupsafe.escape("" if value is None else value)
    return escaped.replace("|", "\\|").replace("\n", " ")


def render(template: str, **context: Any) -> str:
    return _environment().get_template(template).render(**context)


def _rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Table rows of the HTML report: pairs and new tasks in the later meeting's order, then the dropped."""
    rows = [{"kind": p["status"], "a": p["a"], "b": p["b"], "pair": p, "ops": p["changes"]["text"]} for p in data["pairs"]]
    rows += [{"kind": "added", "a": None, "b": t, "pair": None, "ops": None} for t in data["added"]]
    rows.sort(key=lambda r: (r["b"]["span"][0], r["a"]["span"][0] if r["a"] else -1))
    rows += [{"kind": "dropped", "a": t, "b": None, "pair": None, "ops": None} for t in data["dropped"]]
    return rows


def diff_html(data: dict[str, Any]) -> str:
    return render("diff.html.j2", d=data, rows=_rows(data))


def diff_markdown(data: dict[str, Any]) -> str:
    return render("diff.md.j2", d=data)


def series_html(data: dict[str, Any]) -> str:
    return render("series.html.j2", s=data)


def series_markdown(data: dict[str, Any]) -> str:
    return render("series.md.j2", s=data)
