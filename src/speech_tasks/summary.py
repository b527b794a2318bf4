"""Corpus summary over many task sheets: ``summary.xlsx`` and ``summary.html`` with plots.

Each sheet is first reduced to a small :class:`Digest` (workers make them in parallel; 10,000
of them fit in memory), then :func:`tables` builds the pandas tables: tasks per meeting, tasks
per canonical unit and role, sectors per meeting, deadlines by kind and month, and directives
that recur across meetings (same canonical unit and sector, similar wording). :func:`write`
renders them, the HTML with a unit × meeting heatmap, sector trends and unit workload bars.

Plots are SVG whose text stays text (``svg.fonttype: none``): the browser draws the Chinese
labels with its own fonts, so the page reads right even where matplotlib finds no CJK font.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from . import rules
from .export.columns import ROLE_LABELS
from .export.cells import clean, xlsx_value
from .export.xlsx_style import text_width
from .fsutil import atomic_path, write_atomic
from .models import TaskSheet

if TYPE_CHECKING:
    import pandas as pd

XLSX_NAME = "summary.xlsx"
HTML_NAME = "summary.html"
ROLES = tuple(ROLE_LABELS)  # lead, owner, assist
KIND_LABELS = {"date": "日期", "event": "事件节点", "period": "时段", "cadence": "周期", "urgency": "紧迫"}
NO_DUE = "无具体日期"
SUMMARY_TITLE = "安全生产会议任务汇总"
LABEL_NAME_CHARS = 12  # a meeting's name on plot axes and in tables is cut after this
PLOT_WIDTH_IN = 12.5  # plots are drawn as wide as the page (1280 px) and scaled to it
UNDATED = "未注明日期"



class SummaryRules(BaseModel):
    """rules/summary.yaml: when directives of different meetings count as the same one."""

    headline_chars: int = Field(gt=0)
    recur_similarity: float = Field(gt=0, le=1)


def summary_rules() -> SummaryRules:
    return rules.load("summary", SummaryRules)
MAX_MEETING_COLUMNS = 40  # more meetings than this: plots group them by month
TOP_UNITS = 20
TOP_SECTORS = 8
PARALLEL_FROM = 500  # meetings from which the xlsx and the HTML are written in two processes
HTML_ROWS = 300  # longer tables are cut in the HTML (the xlsx has them whole)

_CLAUSE_END = re.compile(r"[。；;！!？?\n]")
_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(slots=True)
class Digest:
    """What the summary needs of one task sheet, in plain lists so it is stored as JSON as is."""

    key: str  # the sheet's JSON output, relative to the output folder: unique in a batch
    file: str
    name: str | None
    date: dt.date | None
    tasks: int
    warnings: int
    units: list[list] = field(default_factory=list)  # [name, role, generic, tasks]
    sectors: dict[str, int] = field(default_factory=dict)  # sector → tasks
    deadlines: list[list] = field(default_factory=list)  # [kind, due "YYYY-MM" or "", count]
    directives: list[list[str]] = field(default_factory=list)  # [unit, sector, headline]

    def to_json(self) -> list:
        """The form kept beside the cache, so that a rerun need not re-read unchanged sheets."""
        date = self.date.isoformat() if self.date else None
        lists = [self.units, self.sectors, self.deadlines, self.directives]
        return [self.key, self.file, self.name, date, self.tasks, self.warnings, *lists]

    @classmethod
    def from_json(cls, data: list) -> Digest:
        key, file, name, date, tasks, warnings, units, sectors, deadlines, directives = data
        date = dt.date.fromisoformat(date) if date else None
        return cls(key, file, name, date, tasks, warnings, units, sectors, deadlines, directives)


DIGEST_VERSION = 1  # bump when Digest changes: stored digests of another version are not used


def headline(text: str, title: str | None, marker: str | None) -> str:
    """The clause a directive is known by: its title, else its first sentence without the marker."""
    if title:
        return title[:summary_rules().headline_chars]
    if marker and text.startswith(marker):
        text = text[len(marker) :]
    m = _CLAUSE_END.search(text, 0, summary_rules().headline_chars + 1)
    return (text[: m.start()] if m else text[:summary_rules().headline_chars]).strip()


def digest(sheet: TaskSheet, key: str) -> Digest:
    units: Counter = Counter()
    sectors: Counter = Counter()
    deadlines: Counter = Counter()
    directives: list[list[str]] = []
    for task in sheet.tasks:  # once per task, in order of mention: ties sort the same on every run
        units.update(dict.fromkeys(((u.name, u.role, u.generic) for u in task.units), 1))
        sectors.update(dict.fromkeys(task.sectors, 1))
        deadlines.update((d.kind, d.due.strftime("%Y-%m") if d.due else "") for d in task.deadlines)
        specific = sorted({u.name for u in task.units if not u.generic})
        if specific and task.sectors:
            head = headline(task.text, task.title, task.marker)
            directives += [[u, s, head] for u in specific for s in sorted(set(task.sectors))]
    return Digest(
        key=key,
        file=sheet.source.file,
        name=sheet.meeting.name,
        date=sheet.meeting.date,
        tasks=len(sheet.tasks),
        warnings=len(sheet.warnings),
        units=[[*k, n] for k, n in units.items()],
        sectors=dict(sectors),
        deadlines=[[*k, n] for k, n in deadlines.items()],
        directives=directives,
    )


def ordered(digests: Iterable[Digest]) -> list[Digest]:
    """Meetings by date; undated ones last, by file name."""
    return sorted(digests, key=lambda d: (d.date is None, d.date or dt.date.min, d.key))


def _label(d: Digest) -> str:
    """How plots and tables name a meeting: its date and (short) name, as far as the speech
    gives them; its file name when it gives neither."""
    name = d.name if not d.name or len(d.name) <= LABEL_NAME_CHARS else d.name[: LABEL_NAME_CHARS - 1] + "…"
    parts = [d.date.isoformat() if d.date else "", name or ""]
    return " ".join(p for p in parts if p) or Path(d.file).stem


# --- tables ------------------------------------------------------------------------------


@dataclass
class Tables:
    meetings: pd.DataFrame  # one row per meeting, by date
    units: pd.DataFrame  # one row per canonical unit: tasks led / owned / assisted
    unit_meeting: pd.DataFrame  # tasks per unit (rows) and meeting (columns, by date)
    sectors: pd.DataFrame  # tasks per meeting (rows) and sector (columns)
    deadlines: pd.DataFrame  # deadlines per kind (rows) and due month (columns)
    recurring: pd.DataFrame  # directives found in more than one meeting


def tables(digests: Iterable[Digest]) -> Tables:
    import numpy as np
    import pandas as pd

    ds = ordered(digests)
    labels = [_label(d) for d in ds]
    meetings = pd.DataFrame(
        {
            "日期": [d.date for d in ds],
            "会议": [d.name or "" for d in ds],
            "文件": [d.file for d in ds],
            "任务数": [d.tasks for d in ds],
            "明确单位数": [len({name for name, _, generic, _ in d.units if not generic}) for d in ds],
            "行业领域数": [len(d.sectors) for d in ds],
            "时限数": [sum(n for _, _, n in d.deadlines) for d in ds],
            "提示数": [d.warnings for d in ds],
        }
    )
    meetings.index = pd.RangeIndex(1, len(ds) + 1, name="序号")

    units = _unit_table(ds, pd)
    specific = [u for u in units.index if units.at[u, "泛指"] != "是"]
    row_of = {u: i for i, u in enumerate(specific)}
    matrix = np.zeros((len(specific), len(ds)), dtype=int)  # one array: 10,000 columns build fast
    for col, d in enumerate(ds):
        for name, _, generic, n in d.units:
            if not generic:
                matrix[row_of[name], col] += n
    unit_meeting = pd.DataFrame(matrix, index=pd.Index(specific, name="单位"), columns=pd.Index(labels, name="会议"))

    sectors = pd.DataFrame([d.sectors for d in ds], index=meetings.index).fillna(0).astype(int)
    if len(sectors.columns):
        sectors = sectors[sectors.sum().sort_values(ascending=False, kind="stable").index]
    sectors.insert(0, "会议", [d.name or "" for d in ds])
    sectors.insert(0, "日期", [d.date for d in ds])
    sectors.columns.name = None

    deadlines = _deadline_table(ds, pd)
    recurring = _recurring(ds, pd)
    return Tables(meetings, units, unit_meeting, sectors, deadlines, recurring)


def _unit_table(ds: list[Digest], pd) -> pd.DataFrame:
    """Tasks per canonical unit and role, the meetings it appears in, whether it is generic."""
    roles = {}
    meetings: Counter = Counter()
    generic = {}
    for d in ds:
        for name, role, is_generic, n in d.units:
            roles.setdefault(name, dict.fromkeys(ROLES, 0))[role] += n
            generic[name] = generic.get(name, True) and is_generic
        meetings.update({name for name, _, _, _ in d.units})
    names = list(roles)
    cols = [ROLE_LABELS[r] for r in ROLES]
    table = pd.DataFrame(
        [[roles[n][r] for r in ROLES] for n in names], index=pd.Index(names, name="单位"), columns=cols, dtype=int
    )
    table["合计"] = table[cols].sum(axis=1)
    table["会议数"] = [meetings[n] for n in names]
    table["泛指"] = ["是" if generic[n] else "" for n in names]
    return table.sort_values(["合计", "会议数"], ascending=False, kind="stable")


def _deadline_table(ds: list[Digest], pd) -> pd.DataFrame:
    counts: Counter = Counter()
    for d in ds:
        for kind, month, n in d.deadlines:
            counts[(kind, month)] += n
    months = sorted({m for _, m in counts if m})
    columns = [*months, NO_DUE]
    rows = [[counts.get((kind, m or ""), 0) for m in [*months, ""]] for kind in KIND_LABELS]
    table = pd.DataFrame(rows, index=pd.Index(list(KIND_LABELS.values()), name="类型"), columns=columns)
    table["合计"] = table.sum(axis=1)
    return table


def _recurring(ds: list[Digest], pd) -> pd.DataFrame:
    """Directives with the same unit and sector and similar wording in two or more meetings."""
    groups: dict[tuple[str, str], dict[str, tuple[set[int], Counter]]] = {}
    for i, d in enumerate(ds):
        for unit, sector, head in d.directives:
            norm = _NOT_WORD.sub("", head)
            if len(norm) < 2:
                continue
            meetings, surfaces = groups.setdefault((unit, sector), {}).setdefault(norm, (set(), Counter()))
            meetings.add(i)
            surfaces[head] += 1
    rows = []
    for (unit, sector), variants in groups.items():
        norms = list(variants)
        for cluster in _clusters(norms):
            meetings = set().union(*(variants[norms[k]][0] for k in cluster))
            if len(meetings) < 2:
                continue
            surfaces = sum((variants[norms[k]][1] for k in cluster), Counter())
            first, last = min(meetings), max(meetings)
            rows.append(
                {
                    "单位": unit,
                    "行业领域": sector,
                    "任务": surfaces.most_common(1)[0][0],
                    "会议次数": len(meetings),
                    "首次": _label(ds[first]),
                    "最近": _label(ds[last]),
                    "会议": "、".join(_label(ds[m]) for m in sorted(meetings)[:12])
                    + ("…" if len(meetings) > 12 else ""),
                }
            )
    columns = ["单位", "行业领域", "任务", "会议次数", "首次", "最近", "会议"]
    table = pd.DataFrame(rows, columns=columns)
    table = table.sort_values(["会议次数", "单位", "行业领域"], ascending=[False, True, True], kind="stable")
    table.index = pd.RangeIndex(1, len(table) + 1, name="序号")
    return table


def _clusters(texts: list[str]) -> list[list[int]]:
    """Groups of *texts* linked by character-bigram Jaccard similarity ≥ recur_similarity.

    Sparse matrix products in row blocks keep this near-linear for thousands of variants.
    """
    n = len(texts)
    if n == 1:
        return [[0]]
    import numpy as np
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    vocab: dict[str, int] = {}
    indptr, indices = [0], []
    for t in texts:
        grams = {t[i : i + 2] for i in range(len(t) - 1)}
        indices.extend(vocab.setdefault(g, len(vocab)) for g in grams)
        indptr.append(len(indices))
    m = csr_matrix((np.ones(len(indices), dtype=np.int32), indices, indptr), shape=(n, len(vocab)))
    sizes = np.diff(m.indptr)
    links_r, links_c = [], []
    block = 512
    for start in range(0, n, block):
        inter = (m[start : start + block] @ m.T).tocoo()
        rows = inter.row + start
        union = sizes[rows] + sizes[inter.col] - inter.data
        keep = (inter.data >= summary_rules().recur_similarity * union) & (rows < inter.col)
        links_r.append(rows[keep])
        links_c.append(inter.col[keep])
    r, c = np.concatenate(links_r), np.concatenate(links_c)
    graph = csr_matrix((np.ones(len(r), dtype=np.int8), (r, c)), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    clusters: dict[int, list[int]] = {}
    for i, lab in enumerate(label.tolist()):
        clusters.setdefault(lab, []).append(i)
    return list(clusters.values())


# --- plots -------------------------------------------------------------------------------

_CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Heiti SC",
    "SimHei",
    "Noto Serif CJK SC",
    "AR PL UMing CN",
    "Droid Sans Fallback",
)


def _setup_matplotlib():
    """pyplot on the Agg backend, text kept as text in SVG, a CJK font for layout if there is one."""
    import logging

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    # without a CJK font matplotlib warns about every missing glyph; the browser draws them anyway
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    installed = {f.name for f in font_manager.fontManager.ttflist}
    cjk = [f for f in _CJK_FAMILIES if f in installed]
    plt.rcParams.update(
        {
            "svg.fonttype": "none",
            "font.family": "sans-serif",
            "font.sans-serif": [*cjk, "DejaVu Sans", *[f for f in _CJK_FAMILIES if f not in cjk]],
            "axes.unicode_minus": False,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
    return plt


def _svg(fig, plt) -> str:
    import io
    import warnings

    buf = io.StringIO()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph .* missing from font")
        fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    svg = buf.getvalue()
    return svg[svg.index("<svg") :]


def _time_axis(frame: pd.DataFrame, ds: list[Digest], dated_only: bool) -> tuple[pd.DataFrame, str]:
    """*frame* (one column per meeting, in date order) ready to plot over time, and a note.

    Too many meetings to show one by one are summed by month. Undated meetings have no place
    on a time axis: they are left out when months are shown or *dated_only* asks for it (and
    some meetings are dated), and the note says how many.
    """
    keep = [i for i, d in enumerate(ds) if d.date]
    by_month = len(ds) > MAX_MEETING_COLUMNS
    if not keep or not (by_month or dated_only):
        keep = list(range(len(ds)))
    note = f"（另有 {len(ds) - len(keep)} 次会议未注明日期，不在图中）" if len(keep) < len(ds) else ""
    frame = frame.iloc[:, keep]
    if by_month:
        months = [ds[i].date.strftime("%Y-%m") if ds[i].date else UNDATED for i in keep]
        frame = frame.T.groupby(months, sort=True).sum().T
    return frame, note


def plots(t: Tables, ds: list[Digest]) -> list[tuple[str, str]]:
    """(caption, inline SVG) for each plot that has data."""
    plt = _setup_matplotlib()
    ds = ordered(ds)
    out = []
    per = "每月" if len(ds) > MAX_MEETING_COLUMNS else "每次会议"
    heat = t.unit_meeting.head(TOP_UNITS)
    if not heat.empty:
        heat, note = _time_axis(heat, ds, dated_only=False)
        out.append((f"单位 × 会议：各单位{per}承担的任务数{note}", _heatmap(heat, plt)))
    sector_cols = [c for c in t.sectors.columns if c not in ("日期", "会议")][:TOP_SECTORS]
    if sector_cols:
        by_meeting = t.sectors[sector_cols].T.set_axis([_label(d) for d in ds], axis=1)
        trend, note = _time_axis(by_meeting, ds, dated_only=True)
        out.append((f"行业领域趋势：{per}涉及各领域的任务数{note}", _trend(trend, plt)))
    bars = t.units[t.units["泛指"] != "是"].head(TOP_UNITS) if len(t.units) else t.units
    if len(bars):
        out.append(("单位工作量：牵头、责任、配合的任务数", _workload(bars, plt)))
    return out


def _heatmap(heat: pd.DataFrame, plt) -> str:
    import numpy as np
    from matplotlib.ticker import MaxNLocator

    rows, cols = heat.shape
    fig, ax = plt.subplots(figsize=(PLOT_WIDTH_IN, 1.2 + 0.34 * rows))
    values = heat.to_numpy()
    cmap = plt.get_cmap("YlOrRd").with_extremes(bad="white")  # no task: a blank cell, not the palest colour
    image = ax.imshow(np.ma.masked_equal(values, 0), aspect="auto", cmap=cmap, vmin=0.5, vmax=max(values.max(), 1))
    ax.set_xticks(range(cols), heat.columns, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(rows), heat.index, fontsize=9)
    if rows * cols <= 600:
        top = values.max() or 1
        for (r, c), v in _cells(values):
            ax.text(c, r, str(v), ha="center", va="center", fontsize=7, color="white" if v > top * 0.6 else "black")
    fig.colorbar(image, ax=ax, fraction=0.025, pad=0.01, label="任务数", ticks=MaxNLocator(integer=True, min_n_ticks=1))
    ax.spines[:].set_visible(False)
    return _svg(fig, plt)


def _cells(values):
    for r, row in enumerate(values.tolist()):
        for c, v in enumerate(row):
            if v:
                yield (r, c), v


def _trend(trend: pd.DataFrame, plt) -> str:
    from matplotlib.ticker import MaxNLocator

    fig, ax = plt.subplots(figsize=(PLOT_WIDTH_IN, 4.5))
    x = range(trend.shape[1])
    for sector, series in trend.iterrows():
        ax.plot(x, series.to_numpy(), marker="o", markersize=3, linewidth=1.5, label=sector)
    step = max(1, trend.shape[1] // 30)
    ax.set_xticks(list(x)[::step], list(trend.columns)[::step], rotation=60, ha="right", fontsize=8)
    ax.set_ylabel("任务数")
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=9)
    return _svg(fig, plt)


def _workload(units: pd.DataFrame, plt) -> str:
    from matplotlib.ticker import MaxNLocator

    fig, ax = plt.subplots(figsize=(PLOT_WIDTH_IN, 1 + 0.32 * len(units)))
    names = list(units.index)[::-1]
    left = [0] * len(names)
    colors = {"lead": "#c0392b", "owner": "#2e86c1", "assist": "#95a5a6"}
    for role in ROLES:
        label = ROLE_LABELS[role]
        values = units[label].tolist()[::-1]
        ax.barh(names, values, left=left, color=colors[role], label=label)
        left = [a + b for a, b in zip(left, values)]
    ax.set_xlabel("任务数")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.tick_params(axis="y", labelsize=9)
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1), ncol=len(ROLES), frameon=False)
    return _svg(fig, plt)


# --- files -------------------------------------------------------------------------------

# (xlsx sheet, HTML heading, Tables attribute, whether a zero is left blank: sparse counts read better)
_SECTIONS = (
    ("会议任务", "各次会议任务数（按日期）", "meetings", False),
    ("单位任务", "各单位任务数", "units", False),
    ("行业领域×会议", "各次会议涉及的行业领域", "sectors", True),
    ("时限分布", "时限：类型 × 截止月份", "deadlines", True),
    ("反复部署", "反复部署的任务（同一单位、同一领域、表述相近）", "recurring", False),
)


def write(digests: Iterable[Digest], out_dir: Path) -> list[Path]:
    """Write ``summary.xlsx`` and ``summary.html`` into *out_dir*; the paths written.

    For a large corpus, where processes can be forked, the HTML (plots) is drawn in a second
    process while this one writes the workbook: on 10,000 meetings each takes seconds.
    """
    import multiprocessing as mp

    ds = ordered(digests)
    t = tables(ds)
    xlsx = Path(out_dir) / XLSX_NAME
    html = Path(out_dir) / HTML_NAME
    if len(ds) < PARALLEL_FROM or "fork" not in mp.get_all_start_methods():
        _write_xlsx(t, xlsx)
        _write_html(t, ds, html)
        return [xlsx, html]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=mp.get_context("fork")) as other:
        drawing = other.submit(_write_html, t, ds, html)
        _write_xlsx(t, xlsx)
        drawing.result()
    return [xlsx, html]


def _write_html(t: Tables, ds: list[Digest], path: Path) -> None:
    write_atomic(path, _html(t, plots(t, ds), len(ds)))


def _write_xlsx(t: Tables, path: Path) -> None:
    """One sheet per table that has rows, in the look of the 任务分解表: bordered cells, header row
    frozen and repeated on each printed page, A4 landscape fitted to the page width, page numbers.

    Written for 10,000 meetings: XlsxWriter in constant-memory mode, row by row; each column's
    look is its column format and the grid one conditional format over the table, so a cell is
    written only where there is a value (a blank zero is no cell at all)."""
    import xlsxwriter

    from .export import xlsx_style as xs

    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(
            str(tmp),
            {
                "constant_memory": True,
                "strings_to_formulas": False,  # text is data, never a formula
                "default_format_properties": {"font_name": xs.FONT_NAME, "font_size": xs.FONT_SIZE},
            },
        )
        wb.set_properties({"title": SUMMARY_TITLE, "author": "speech-tasks"})
        base = {"font_name": xs.FONT_NAME, "font_size": xs.FONT_SIZE, "valign": "top"}
        header = wb.add_format({**base, "font_name": xs.HEADER_FONT, "bold": True, "text_wrap": True,
                                "border": 1, "border_color": "#" + xs.BORDER_COLOR,
                                "bg_color": "#" + xs.HEADER_FILL, "align": "center", "valign": "vcenter"})
        column_formats = {
            "text": wb.add_format({**base, "text_wrap": True}),
            "number": wb.add_format(base),
            "date": wb.add_format({**base, "num_format": xs.DATE_FORMAT, "align": "center"}),
        }
        grid = {"type": "formula", "criteria": "TRUE",
                "format": wb.add_format({"border": 1, "border_color": "#" + xs.BORDER_COLOR})}
        for title, _, attr, blank_zero in _SECTIONS:
            frame = getattr(t, attr)
            if frame.empty:
                continue
            ws = wb.add_worksheet(title)
            head = [clean(frame.index.name or ""), *(clean(str(c)) for c in frame.columns)]
            columns = [frame.index.to_series(), *(frame[c] for c in frame.columns)]
            for i, (name, values) in enumerate(zip(head, columns)):
                sample = values.head(200).tolist()
                ws.set_column(i, i, _width([name, *map(str, sample)]), column_formats[_kind(values, sample)])
            ws.write_row(0, 0, head, header)
            for r, row in enumerate(_body_rows(frame, blank_zero), start=1):
                for c, value in enumerate(row):
                    if value is not None:
                        _write_value(ws, r, c, value)
            ws.conditional_format(1, 0, len(frame), len(head) - 1, grid)
            ws.freeze_panes(1, 1)
            ws.autofilter(0, 0, len(frame), len(head) - 1)
            ws.set_landscape()
            ws.set_paper(9)  # A4
            ws.fit_to_pages(1, 0)
            ws.repeat_rows(0)
            ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.9)
            ws.set_header(f'&C&"{xs.HEADER_FONT}"&12{SUMMARY_TITLE}：{title}', {"margin": 0.3})
            ws.set_footer(f'&C&"{xs.FONT_NAME}"&10第 &P 页  共 &N 页', {"margin": 0.3})
        if not wb.worksheets():  # no meetings at all: one sheet saying so, not an empty workbook
            wb.add_worksheet(_SECTIONS[0][0]).write_string(0, 0, "（无会议）")
        wb.close()


def _kind(values: pd.Series, sample: list) -> str:
    """How a column is shown: "number", "date" or "text"."""
    from pandas.api.types import is_numeric_dtype

    if is_numeric_dtype(values.dtype):
        return "number"
    return "date" if any(isinstance(v, dt.date) for v in sample) else "text"


def _write_value(ws, row: int, col: int, value) -> None:
    """A cell in its column's format: text always as text (cleaned), dates as dates."""
    if isinstance(value, str):
        value = xlsx_value(value)
        if value is not None:
            ws.write_string(row, col, value)
    elif isinstance(value, dt.date):
        ws.write_datetime(row, col, dt.datetime(value.year, value.month, value.day))
    else:
        ws.write_number(row, col, value)


def _body_rows(frame, blank_zero: bool):
    """Each row of *frame*, index first, as plain Python values (None: no cell; with
    *blank_zero* a zero count is None)."""
    for index, row in zip(frame.index, frame.itertuples(index=False, name=None)):
        values = [_cell(v) for v in row]
        if blank_zero:
            values = [None if v == 0 else v for v in values]
        yield [_cell(index), *values]


def _cell(value):
    """A table value for a cell: None for NaN, numpy scalars as Python ones."""
    if value is None or value != value:  # None or NaN
        return None
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    return value


def _width(texts: list[str]) -> float:
    """Column width (Excel units) for the longest of *texts*, CJK counted double, within 6–60."""
    longest = max(map(text_width, texts), default=4)
    return min(max(longest * 1.1 + 2, 6), 60)  # Latin letters of the body font run wider than digits


_PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{{ title }}</title>
<style>
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei",
       "WenQuanYi Micro Hei", sans-serif; margin: 2em auto; max-width: 1280px; color: #222; padding: 0 1em; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ccc; }
.facts { color: #555; }
figure { margin: 1em 0; overflow-x: auto; } figcaption { color: #444; margin-bottom: .4em; }
figure svg { width: 100%; height: auto; }
table.data { border-collapse: collapse; font-size: 14px; margin: .5em 0; }
table.data th { background: #1f4e79; color: #fff; padding: 6px 8px; border: 1px solid #1f4e79; white-space: nowrap; position: sticky; top: 0; }
table.data td { padding: 4px 8px; border: 1px solid #d0d7de; vertical-align: top; }
table.data tr:nth-child(even) td { background: #f8fafc; }
table.data td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.data td.date { text-align: center; white-space: nowrap; }
@media print { figure, table.data tr { break-inside: avoid; } table.data th { position: static; } }
.note { color: #777; font-size: .85em; }
.scroll { overflow-x: auto; }
</style>
</head>
<body>
<h1>{{ title }}</h1>
<p class="facts">{{ facts }}<br>生成日期：{{ today.isoformat() }}</p>
{% for caption, svg in plots %}
<figure><figcaption>{{ caption }}</figcaption>{{ svg | safe }}</figure>
{% endfor %}
{% for heading, table, note in tables %}
<h2>{{ heading }}</h2>
<div class="scroll">{{ table | safe }}</div>
{% if note %}<p class="note">{{ note }}</p>{% endif %}
{% endfor %}
</body>
</html>
"""


def _html(t: Tables, figures: list[tuple[str, str]], meetings: int) -> str:
    from jinja2 import Environment

    dated = t.meetings["日期"].notna().sum()
    first = t.meetings["日期"].dropna().min() if dated else None
    last = t.meetings["日期"].dropna().max() if dated else None
    facts = f"{meetings} 次会议，{int(t.meetings['任务数'].sum())} 项任务"
    if dated:
        facts += f"；{first} 至 {last}"
    if dated < meetings:
        facts += f"；{meetings - dated} 次会议未注明日期（排在最后）"
    sections = []
    for _, heading, attr, blank_zero in _SECTIONS:
        frame = getattr(t, attr)
        note = (
            f"共 {len(frame)} 行，此处显示前 {HTML_ROWS} 行；完整表格见 {XLSX_NAME}。" if len(frame) > HTML_ROWS else ""
        )
        if frame.empty:
            note = "（无）"
        sections.append((heading, _table_html(frame.head(HTML_ROWS), blank_zero), note))
    from .export.cells import jinja_finalize

    page = Environment(autoescape=True, finalize=jinja_finalize).from_string(_PAGE)
    return page.render(title=SUMMARY_TITLE, facts=facts, plots=figures, tables=sections, today=dt.date.today())


def _table_html(frame: pd.DataFrame, blank_zero: bool) -> str:
    """*frame* as an HTML table in the style of the per-speech report: escaped text, counts
    right-aligned, dates as 2024-03-01, zeros left blank where *blank_zero*."""
    from markupsafe import escape

    def cell(value, first: bool) -> str:
        value = _cell(value)
        if value is None or (blank_zero and not first and value == 0):
            return "<td></td>"
        if isinstance(value, dt.date):
            return f'<td class="date">{value.isoformat()}</td>'
        if isinstance(value, (int, float)):
            return f'<td class="num">{value}</td>'
        return f"<td>{escape(value)}</td>"

    head = "".join(f"<th>{escape(h)}</th>" for h in [frame.index.name or "", *map(str, frame.columns)])
    body = "\n".join(
        "<tr>" + cell(index, True) + "".join(cell(v, False) for v in row) + "</tr>"
        for index, row in zip(frame.index, frame.itertuples(index=False, name=None))
    )
    return f'<table class="data"><thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody></table>'
