"""Self-contained HTML report: outline tree, task table, tasks by unit, highlighted full text.

One file, inline CSS, no scripts and no external assets, so it opens offline, mails as an
attachment and prints. Rendered with the shipped Jinja2 templates (``templates/``) with
autoescape on: anything in the speech, ``<script>`` included, shows as text.

In the full text each task's passage is wrapped in ``<mark id="src-<task id>">``, and the
units, deadlines and sector words the task was given are underlined. Spans nest (a parent
task contains its children) or may cross (a unit named in a lead-in, inside two tasks);
:func:`nest` turns any set of spans into properly nested markup.

The parts a report repeats (a table row per task, an outline and a unit entry per task, the
highlighted text) are built here rather than in the template, which would print each of their
hundreds of values at a few microseconds: every value goes through :func:`_text` (control
characters dropped as :func:`.cells.clean` does, then escaped), many values in one call.
"""
from __future__ import annotations

import functools
import operator
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from markupsafe import Markup, escape

from ..fsutil import write_atomic
from ..models import Task, TaskSheet
from . import columns as C
from .cells import clean, jinja_finalize
from .frame import Row, children_map, table, title, units_by_role

TEMPLATES = Path(__file__).parent / "templates"
LABEL_CHARS = 40
# characters of a text that escape() or cells.clean() changes
_NOT_PLAIN = re.compile("[<>&\"'\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_SEP = "\x7f"  # joins texts cleaned and escaped together: neither changes it


class CleanMarkup(Markup):
    """Markup this module built from text it cleaned and escaped (:func:`_text`): the templates
    print it as it is rather than search the whole of it for control characters again."""


def _text(value: str) -> str:
    """*value* as HTML text: the characters a file should not hold dropped, escaped."""
    return str(escape(clean(value)))


def _texts(values: list[str]) -> list[str]:
    """:func:`_text` of each of *values*: in one call over them joined when none holds the separator."""
    joined = _SEP.join(values)
    if joined.count(_SEP) != len(values) - 1:
        return [_text(v) for v in values]
    return _text(joined).split(_SEP)


def _finalize(value):
    """Jinja2 ``finalize``: every printed value cleaned (:func:`.cells.jinja_finalize`) but this
    module's markup, clean already."""
    return value if isinstance(value, CleanMarkup) else jinja_finalize(value)


@functools.cache
def environment():
    """The Jinja2 environment for the shipped templates: autoescape on for ``*.html.j2``; every
    value printed loses the control characters a file should not hold (:func:`.cells.clean`;
    :class:`CleanMarkup` has none); the ``md`` filter escapes a value for a Markdown table cell."""
    import jinja2

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
        finalize=_finalize,
        auto_reload=False,  # shipped templates: no file check on every render
    )
    env.filters["md"] = md_text
    return env


class Highlight(NamedTuple):
    """A ``[start, end)`` stretch of text to wrap in ``<tag class=…>``.

    *anchor* (an element id) and *badge* (markup shown at the start) go on the first piece
    only, when crossing spans force the element to be split. (A named tuple: a report makes
    dozens, and a tuple is made in half the time of a frozen dataclass.)
    """

    start: int
    end: int
    tag: str
    classes: str
    rank: int = 0  # among spans with the same bounds, lower ranks open first (outside)
    anchor: str | None = None
    badge: str = ""  # already-safe markup, without control characters
    tooltip: str = ""
    attrs: tuple[tuple[str, str], ...] = ()


def nest(text: str, spans: Iterable[Highlight], offset: int = 0) -> CleanMarkup:
    """*text* escaped, with each span wrapped in its element, as well-formed nested markup.

    Spans are in the coordinates of a larger text that *text* starts at *offset* of; parts
    outside *text* are clipped and empty spans dropped. Where two spans cross, the inner
    element is closed and reopened (without its id) around the other's boundary. Control
    characters are dropped from the text and the attributes (:func:`_text`).
    """
    n = len(text)
    clipped = []
    for i, s in enumerate(spans):
        start, end = s.start - offset, s.end - offset
        start, end = (start if start > 0 else 0), (end if end < n else n)
        if start < end:
            clipped.append((start, -end, s.rank, i, s))
    # in the order elements open: by start, the longer (outer) first, then by rank, then as given
    clipped.sort()
    tags = _start_tags([c[4] for c in clipped])
    items = [(start, -neg_end, f"</{s.tag}>", *tag) for (start, neg_end, _, _, s), tag in zip(clipped, tags)]
    starts = [item[0] for item in items] + [n + 1]
    bounds = sorted({0, n, *starts[:-1], *(item[1] for item in items)})
    plain = _NOT_PLAIN.search(text) is None  # most speeches: nothing to drop or escape

    out: list[str] = []
    stack: list[tuple[int, str, str]] = []  # the open elements: (end, end tag, start tag to reopen)
    ends: list[int] = []  # their ends
    pos = k = 0
    for p in bounds:
        out.append(text[pos:p] if plain else _text(text[pos:p]))
        pos = p
        if p in ends:  # close the first element ending here and those inside it, reopen those going on
            i = ends.index(p)
            closed = stack[i:]
            del stack[i:], ends[i:]
            for element in reversed(closed):
                out.append(element[1])
            for element in closed:
                if element[0] != p:
                    out.append(element[2])
                    stack.append(element)
                    ends.append(element[0])
        while starts[k] == p:
            _, end, closing, first, again = items[k]
            out.append(first)
            stack.append((end, closing, again))
            ends.append(end)
            k += 1
    return CleanMarkup("".join(out))


def _start_tags(spans: list[Highlight]) -> list[tuple[str, str]]:
    """Each span's start tag as it first opens (with its id and badge) and as it reopens."""
    values: list[str] = []
    for s in spans:
        values += (s.anchor or "", s.classes, s.tooltip)
        if s.attrs:
            values += [value for _, value in s.attrs]
    values = _texts(values)
    out = []
    i = 0
    for s in spans:
        anchor, classes, tooltip = values[i], values[i + 1], values[i + 2]
        i += 3
        attrs = f' class="{classes}"'
        if s.tooltip:
            attrs += f' title="{tooltip}"'
        for name, _ in s.attrs:
            attrs += f' {name}="{values[i]}"'
            i += 1
        again = f"<{s.tag}{attrs}>"
        out.append((f'<{s.tag} id="{anchor}"{attrs}>{s.badge}' if s.anchor else again + s.badge, again))
    return out


def _task_anchor(task_id: str) -> str:
    return f"task-{task_id}"


def _source_anchor(task_id: str) -> str:
    return f"src-{task_id}"


def entity_highlights(tasks: Iterable[Task]) -> list[Highlight]:
    """Underlines for the tasks' units (by role), deadlines and sector words, one per span (the
    first task naming it gives the tooltip)."""
    seen: dict[tuple[int, int, str], Highlight] = {}
    for t in tasks:
        for u in t.units:
            key = (*u.span, f"unit {u.role}")
            if key not in seen:
                tip = f"{u.name}（{C.ROLE_LABELS[u.role]}）"
                seen[key] = Highlight(*u.span, "span", key[2], rank=1, tooltip=tip)
        for d in t.deadlines:
            key = (*d.span, "deadline")
            if key not in seen:
                tip = f"时限：{d.text}" + (f"，截止 {d.due.isoformat()}" if d.due else "")
                seen[key] = Highlight(*d.span, "span", "deadline", rank=2, tooltip=tip)
        for m in t.sector_mentions:
            key = (*m.span, "sector")
            if key not in seen:
                seen[key] = Highlight(*m.span, "span", "sector", rank=3, tooltip=f"领域：{m.sector}")
    return list(seen.values())


def heading_highlights(sheet: TaskSheet) -> list[Highlight]:
    """Section headings (marker and title) in bold."""
    return [Highlight(n.span[0], n.title_span[1], "span", "heading", rank=-1) for n in sheet.outline]


def task_highlights(rows: list[Row]) -> list[Highlight]:
    """One ``<mark>`` per task, anchored ``src-<id>`` and badged with its 序号 linking back."""
    escaped = _texts([text for r in rows for text in (_task_anchor(r.task.id), r.task.number)])
    return [
        Highlight(
            *r.task.span,
            "mark",
            f"task depth-{min(r.depth, 3)}",
            anchor=_source_anchor(r.task.id),
            badge=f'<a class="badge" href="#{anchor}">{number}</a>',
            attrs=(("data-task", r.task.number),),
        )
        for r, anchor, number in zip(rows, escaped[::2], escaped[1::2])
    ]


def _label(row: Row) -> str:
    text = row["重点任务"]
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


# a row's text, in the order _printed takes it: the columns it shows but the date, then its
# anchors and label (escaped in one call; the row is an f-string: no format string parsed per row)
_TEXT_COLUMNS = ("序号", "任务编号", "重点任务", "具体要求", "牵头单位", "责任单位", "配合单位", "完成时限", "行业领域", "原文位置", "备注")
_text_values = operator.itemgetter(*(C.COLUMNS.index(c) for c in _TEXT_COLUMNS))  # of Row.values
_GROUP_ROW = '<tr class="section"><th colspan="{}">{}</th></tr>\n'


@dataclass(frozen=True, slots=True)
class _Printed:
    """A task's row as the page prints it: its table row and the link to it (outline, units)."""

    row: Row
    html: str
    link: str


def _printed(rows: list[Row]) -> list[_Printed]:
    out = []
    for r in rows:
        number, task_id, key, text, lead, owner, assist, when, sectors, position, note, anchor, source, label = _texts(
            [*_text_values(r.values), _task_anchor(r.task.id), _source_anchor(r.task.id), _label(r)]
        )
        due = r["截止日期"]
        html = (
            f'<tr id="{anchor}" class="depth-{min(r.depth, 5)}{" parent" if r.has_children else ""}">\n'
            f'  <td class="seq">{number}<small>{task_id}</small></td>\n'
            f'  <td class="key">{key}</td>\n'
            f'  <td class="text">{text}</td>\n'
            f'  <td class="unit">{lead}</td>\n'
            f'  <td class="unit">{owner}</td>\n'
            f'  <td class="unit">{assist}</td>\n'
            f"  <td>{when}</td>\n"
            f'  <td class="center">{due.isoformat() if due else ""}</td>\n'
            f"  <td>{sectors}</td>\n"
            f'  <td class="center"><a href="#{source}">{position}</a></td>\n'
            f'  <td class="note">{note}</td>\n'
            "</tr>\n"
        )
        out.append(_Printed(r, html, f'<a href="#{anchor}"><span class="num">{number}</span>{label}</a>'))
    return out


def _table_body(printed: list[_Printed]) -> CleanMarkup:
    """The task table's rows, each section's first task after a group row naming the section."""
    out = []
    group = None
    for p in printed:
        if p.row["所属部分"] != group:
            group = p.row["所属部分"]
            out.append(_GROUP_ROW.format(len(C.HTML_COLUMNS), _text(group or C.NO_SECTION)))
        out.append(p.html)
    return CleanMarkup("".join(out))


def _outline(sheet: TaskSheet, printed: list[_Printed]) -> CleanMarkup:
    """The outline's list items: sections, each with its task tree (tasks outside any section
    last, if any)."""
    by_id = {p.row.task.id: p for p in printed}
    kids = children_map(sheet)

    def tree(tasks: list[Task]) -> str:
        out = []
        for t in tasks:
            children = tree(kids.get(t.id, []))
            out.append(f"    <li>{by_id[t.id].link}\n")
            if children:
                out.append(f"<ul>{children}</ul>")
            out.append("    </li>\n")
        return "".join(out)

    def section(label: str, tasks: list[Task]) -> str:
        items = tree(tasks)
        return f"  <li>{_text(label)}\n" + (f"  <ul>\n{items}  </ul>\n" if items else "") + "  </li>\n"

    roots = [t for t in sheet.tasks if t.parent is None or t.parent not in by_id]
    sections = [section(f"{n.marker}{n.title}", [t for t in roots if t.section == n.number]) for n in sheet.outline]
    numbers = {node.number for node in sheet.outline}
    loose = [t for t in roots if t.section not in numbers]
    if loose:
        sections.append(section(C.NO_SECTION, loose))
    return CleanMarkup("".join(sections))


def _by_unit(printed: list[_Printed]) -> CleanMarkup:
    """A block per unit (canonical name), busiest first, listing its tasks and its role there."""
    roles = {role: _text(label) for role, label in C.ROLE_LABELS.items()}
    inherited = f' <span class="inherited">（{_text(C.INHERITED_MARK)}）</span>'
    groups: dict[str, list[str]] = {}
    for p in printed:
        due = p.row["截止日期"]
        due = f' <span class="inherited">截止 {due.isoformat()}</span>' if due else ""
        units = [u for role_units in units_by_role(p.row.task).values() for u in role_units]
        if not units:
            groups.setdefault(C.NO_UNIT, []).append(f"  <li>{p.link}{due}</li>\n")
        for u in units:
            role = roles[u.role]
            groups.setdefault(u.name, []).append(
                f'  <li><span class="role role-{role}">{role}</span>{p.link}'
                f'{inherited if u.inherited else ""}{due}</li>\n'
            )
    order = sorted(groups, key=lambda name: (name == C.NO_UNIT, -len(groups[name])))
    names = _texts(order)
    return CleanMarkup(
        "".join(
            f'<div class="unit">\n<h3>{escaped} <small>{len(groups[name])} 项</small></h3>\n<ul>\n'
            + "".join(groups[name])
            + "</ul>\n</div>\n"
            for name, escaped in zip(order, names)
        )
    )


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
    printed = _printed(rows)
    return environment().get_template("report.html.j2").render(
        title=title(sheet),
        sheet=sheet,
        columns=C.HTML_COLUMNS,
        task_count=len(rows),
        outline=_outline(sheet, printed),
        table_body=_table_body(printed),
        units=_by_unit(printed),
        fulltext=fulltext,
        excerpts=excerpts,
        task_anchor=_task_anchor,
        source_anchor=_source_anchor,
        dated=sum(1 for r in rows if r["截止日期"] is not None),
        version=__version__,
    )


def write(sheet: TaskSheet, path: Path, rows: list[Row] | None = None, source_text: str | None = None) -> Path:
    """Write the report to *path* atomically."""
    write_atomic(path, render(sheet, rows, source_text))
    return Path(path)
