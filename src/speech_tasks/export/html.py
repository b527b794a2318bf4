"""Self-contained HTML report: outline tree, task table, tasks by unit, highlighted full text.

One file, inline CSS, no scripts and no external assets, so it opens offline, mails as an
attachment and prints. Rendered with the shipped Jinja2 templates (``templates/``) with
autoescape on: anything in the speech, ``<script>`` included, shows as text.

In the full text each task's passage is wrapped in ``<mark id="src-<task id>">``, and the
units, deadlines and sector words the task was given are underlined. Spans nest (a parent
task contains its children) or may cross (a unit named in a lead-in, inside two tasks);
:func:`nest` turns any set of spans into properly nested markup.
"""
from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..fsutil import write_atomic
from ..models import Task, TaskSheet
from . import columns as C
from .frame import Row, children_map, table, title, units_by_role

TEMPLATES = Path(__file__).parent / "templates"
LABEL_CHARS = 40


@functools.cache
def environment():
    """The Jinja2 environment for the shipped templates: autoescape on for ``*.html.j2``; every
    value printed loses the control characters a file should not hold (:func:`.cells.clean`);
    the ``md`` filter escapes a value for a Markdown table cell."""
    import jinja2

    from .cells import jinja_finalize

    from .markdown import md_text

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html.j2",), disabled_extensions=("md.j2",), default=True
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=jinja_finalize,
    )
    env.filters["md"] = md_text
    return env


@dataclass(frozen=True)
class Highlight:
    """A ``[start, end)`` stretch of text to wrap in ``<tag class=…>``.

    *anchor* (an element id) and *badge* (markup shown at the start) go on the first piece
    only, when crossing spans force the element to be split.
    """

    start: int
    end: int
    tag: str
    classes: str
    rank: int = 0  # among spans with the same bounds, lower ranks open first (outside)
    anchor: str | None = None
    badge: str = ""  # already-safe markup
    tooltip: str = ""
    attrs: tuple[tuple[str, str], ...] = ()


def nest(text: str, spans: Iterable[Highlight], offset: int = 0):
    """*text* escaped, with each span wrapped in its element, as well-formed nested markup.

    Spans are in the coordinates of a larger text that *text* starts at *offset* of; parts
    outside *text* are clipped and empty spans dropped. Where two spans cross, the inner
    element is closed and reopened (without its id) around the other's boundary.
    """
    from markupsafe import Markup, escape

    n = len(text)
    clipped = []
    for s in spans:
        start, end = max(0, s.start - offset), min(n, s.end - offset)
        if start < end:
            clipped.append((start, end, s))
    opens: dict[int, list[tuple[int, int, Highlight]]] = {}
    bounds = {0, n}
    for item in clipped:
        opens.setdefault(item[0], []).append(item)
        bounds.update(item[:2])

    def open_tag(s: Highlight, first: bool) -> str:
        attrs = [("class", s.classes)]
        if first and s.anchor:
            attrs.insert(0, ("id", s.anchor))
        if s.tooltip:
            attrs.append(("title", s.tooltip))
        attrs.extend(s.attrs)
        html = "<" + s.tag + "".join(f' {k}="{escape(v)}"' for k, v in attrs) + ">"
        return html + (s.badge if first else "")

    out: list[str] = []
    stack: list[tuple[int, int, Highlight]] = []
    pos = 0
    for p in sorted(bounds):
        out.append(escape(text[pos:p]))
        pos = p
        ending = [i for i, item in enumerate(stack) if item[1] == p]
        if ending:
            i = ending[0]
            for item in reversed(stack[i:]):
                out.append(f"</{item[2].tag}>")
            reopen = [item for item in stack[i:] if item[1] != p]
            del stack[i:]
            for item in reopen:
                out.append(open_tag(item[2], first=False))
                stack.append(item)
        for item in sorted(opens.get(p, ()), key=lambda it: (-it[1], it[2].rank)):
            out.append(open_tag(item[2], first=True))
            stack.append(item)
    return Markup("".join(out))


def _task_anchor(task_id: str) -> str:
    return f"task-{task_id}"


def _source_anchor(task_id: str) -> str:
    return f"src-{task_id}"


def entity_highlights(tasks: Iterable[Task]) -> list[Highlight]:
    """Underlines for the tasks' units (by role), deadlines and sector words, one per span."""
    seen: dict[tuple[int, int, str], Highlight] = {}
    for t in tasks:
        for u in t.units:
            tip = f"{u.name}（{C.ROLE_LABELS[u.role]}）"
            key = (*u.span, f"unit {u.role}")
            seen.setdefault(key, Highlight(*u.span, "span", key[2], rank=1, tooltip=tip))
        for d in t.deadlines:
            tip = f"时限：{d.text}" + (f"，截止 {d.due.isoformat()}" if d.due else "")
            key = (*d.span, "deadline")
            seen.setdefault(key, Highlight(*d.span, "span", "deadline", rank=2, tooltip=tip))
        for m in t.sector_mentions:
            key = (*m.span, "sector")
            seen.setdefault(key, Highlight(*m.span, "span", "sector", rank=3, tooltip=f"领域：{m.sector}"))
    return list(seen.values())


def heading_highlights(sheet: TaskSheet) -> list[Highlight]:
    """Section headings (marker and title) in bold."""
    return [Highlight(n.span[0], n.title_span[1], "span", "heading", rank=-1) for n in sheet.outline]


def task_highlights(rows: list[Row]) -> list[Highlight]:
    """One ``<mark>`` per task, anchored ``src-<id>`` and badged with its 序号 linking back."""
    from markupsafe import escape

    out = []
    for r in rows:
        t = r.task
        badge = f'<a class="badge" href="#{escape(_task_anchor(t.id))}">{escape(t.number)}</a>'
        out.append(
            Highlight(
                *t.span,
                "mark",
                f"task depth-{min(r.depth, 3)}",
                anchor=_source_anchor(t.id),
                badge=badge,
                attrs=(("data-task", t.number),),
            )
        )
    return out


def _label(row: Row) -> str:
    text = row["重点任务"]
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _outline(sheet: TaskSheet, rows: list[Row]) -> list[dict]:
    """Sections, each with its task tree (tasks outside any section last, if any)."""
    by_id = {r.task.id: r for r in rows}
    kids = children_map(sheet)

    def tree(tasks: list[Task]) -> list[dict]:
        return [{"row": by_id[t.id], "label": _label(by_id[t.id]), "children": tree(kids.get(t.id, []))} for t in tasks]

    roots = [t for t in sheet.tasks if t.parent is None or t.parent not in by_id]
    sections = [
        {"label": f"{node.marker}{node.title}", "tasks": tree([t for t in roots if t.section == node.number])}
        for node in sheet.outline
    ]
    numbers = {node.number for node in sheet.outline}
    loose = [t for t in roots if t.section not in numbers]
    if loose:
        sections.append({"label": C.NO_SECTION, "tasks": tree(loose)})
    return sections


def _by_unit(rows: list[Row]) -> list[dict]:
    """Units (canonical names), busiest first, each with its tasks and role there."""
    groups: dict[str, list[dict]] = {}
    for r in rows:
        units = [u for role_units in units_by_role(r.task).values() for u in role_units]
        if not units:
            groups.setdefault(C.NO_UNIT, []).append({"row": r, "label": _label(r), "role": "", "inherited": False})
        for u in units:
            groups.setdefault(u.name, []).append(
                {"row": r, "label": _label(r), "role": C.ROLE_LABELS[u.role], "inherited": u.inherited}
            )
    order = sorted(groups, key=lambda name: (name == C.NO_UNIT, -len(groups[name])))
    return [{"name": name, "entries": groups[name]} for name in order]


def render(sheet: TaskSheet, rows: list[Row] | None = None, source_text: str | None = None) -> str:
    """The report as an HTML string.

    *source_text* is the full decoded speech the task spans index into; with it the report
    shows the whole speech with every task's passage highlighted, without it each task's
    own text. ValueError if its length is not the sheet's ``source.chars``.
    """
    from .. import __version__

    rows = table(sheet) if rows is None else rows
    if source_text is not None and len(source_text) != sheet.source.chars:
        raise ValueError(
            f"{sheet.source.file}: source text has {len(source_text)} characters, "
            f"the sheet was extracted from {sheet.source.chars}"
        )
    entities = entity_highlights(sheet.tasks)
    if source_text is not None:
        fulltext = nest(source_text, [*heading_highlights(sheet), *task_highlights(rows), *entities])
        excerpts = []
    else:
        fulltext = None
        excerpts = [
            {"row": r, "html": nest(r.task.text, entities, offset=r.task.span[0])} for r in rows
        ]
    template = environment().get_template("report.html.j2")
    return template.render(
        title=title(sheet),
        sheet=sheet,
        columns=C.HTML_COLUMNS,
        rows=rows,
        no_section=C.NO_SECTION,
        outline=_outline(sheet, rows),
        units=_by_unit(rows),
        fulltext=fulltext,
        excerpts=excerpts,
        task_anchor=_task_anchor,
        source_anchor=_source_anchor,
        inherited_mark=C.INHERITED_MARK,
        dated=sum(1 for r in rows if r["截止日期"] is not None),
        version=__version__,
    )


def write(sheet: TaskSheet, path: Path, rows: list[Row] | None = None, source_text: str | None = None) -> Path:
    """Write the report to *path* atomically."""
    write_atomic(path, render(sheet, rows, source_text))
    return Path(path)
