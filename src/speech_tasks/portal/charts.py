"""Charts for the pages as inline SVG, drawn on the server: no script, no external library,
readable offline and printable. The geometry is computed here; templates/_charts.html.j2 draws
it with presentation attributes only (the CSP forbids inline styles)."""
from __future__ import annotations

from dataclasses import dataclass

ROW_HEIGHT = 22
LABEL_WIDTH = 170
BAR_WIDTH = 420
COUNT_WIDTH = 50


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    colour: str
    label: str  # tooltip: what and how many


@dataclass(frozen=True)
class Bar:
    y: int
    label: str
    total: int
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class StackedBars:
    """Horizontal bars, one per row, split into coloured segments; one scale for all rows."""

    bars: tuple[Bar, ...]
    legend: tuple[tuple[str, str], ...]  # (label, colour)
    width: int
    height: int
    label_width: int = LABEL_WIDTH
    bar_width: int = BAR_WIDTH


def stacked_bars(rows: list[tuple[str, dict[str, int]]], colours: dict[str, str]) -> StackedBars:
    """*rows*: (label, counts by key); *colours*: key → colour, in legend and stacking order."""
    most = max((sum(c.get(k, 0) for k in colours) for _, c in rows), default=0) or 1
    bars = []
    for i, (label, counts) in enumerate(rows):
        x, segments = 0.0, []
        for key, colour in colours.items():
            n = counts.get(key, 0)
            if n:
                w = BAR_WIDTH * n / most
                segments.append(Segment(round(x, 1), round(w, 1), colour, f"{label} {key}：{n}"))
                x += w
        bars.append(Bar(i * ROW_HEIGHT, label, sum(counts.get(k, 0) for k in colours), tuple(segments)))
    return StackedBars(
        tuple(bars), tuple(colours.items()), LABEL_WIDTH + BAR_WIDTH + COUNT_WIDTH, max(1, len(rows)) * ROW_HEIGHT + 4
    )
