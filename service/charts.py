"""A small server-side SVG chart: an indicator's targets against its actual values over the years.

No JavaScript and no chart library: the SVG is written into the HTML page, so it shows in any
browser and in a saved copy of the page::

    >>> svg = indicator_chart([Point(2022, "Target", 7.5), Point(2022, "Actual", 3.8)], "%")
    >>> svg.startswith("<svg") and "3.8" in svg and "7.5" in svg
    True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT = 440, 210
LEFT, RIGHT, TOP, BOTTOM = 56, 36, 26, 40
INSET = 24  # between the y axis and the first year, so that its point stands clear
SERIES = {  # kind → (label, colour, dash)
    "Target": ("目标 target", "#c0392b", "5 3"),
    "Actual": ("实际 actual", "#1f5fa8", ""),
}


@dataclass(frozen=True)
class Point:
    """One value of one series: ``kind`` is ``Target`` or ``Actual``."""

    year: int
    kind: str
    value: float


def indicator_chart(points: list[Point], unit: str = "", title: str = "") -> str:
    """An SVG line chart with one line per kind (target dashed, actual solid), years on x.

    Returns ``""`` when there is nothing numeric to draw.
    """
    if not points:
        return ""
    years = sorted({p.year for p in points})
    ticks = _ticks([p.value for p in points])
    low, high = ticks[0], ticks[-1]

    def x(year: int) -> float:
        if len(years) == 1:
            return LEFT + (WIDTH - LEFT - RIGHT) / 2
        # years to scale: a gap in the reports (2016 → 2018) shows as a gap
        span = years[-1] - years[0]
        return LEFT + INSET + (WIDTH - LEFT - RIGHT - INSET) * (year - years[0]) / span

    def y(value: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (high - value) / (high - low)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{escape(title or unit)}">',
        f"<title>{escape(title)}</title>" if title else "",
        *_axes(years, ticks, x, y, unit),
    ]
    for kind, (label, colour, dash) in SERIES.items():
        series = sorted((p for p in points if p.kind == kind), key=lambda p: p.year)
        parts += _series(series, label, colour, dash, x, y)
    parts += _legend()
    parts.append("</svg>")
    return "".join(parts)


def _ticks(values: list[float], count: int = 4) -> list[float]:
    """Round tick values from below the lowest value (or 0) to above the highest.

    >>> [_tick_label(t) for t in _ticks([67665])]
    ['0', '20,000', '40,000', '60,000', '80,000']
    >>> [_tick_label(t) for t in _ticks([5.5, 3.8])]
    ['0', '2', '4', '6']
    """
    low, high = min(0.0, *values), max(0.0, *values)
    if high == low:
        high = low + 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step)
    last = math.ceil(high / step)
    return [round(i * float(step), 10) for i in range(first, last + 1)]


def _tick_label(value: float) -> str:
    """``60,000`` · ``2.5`` · ``-2``."""
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _axes(years, ticks, x, y, unit) -> list[str]:
    out = [  # grid first, so that the axes draw over it
        f'<line x1="{LEFT}" y1="{y(tick):.1f}" x2="{WIDTH - RIGHT}" y2="{y(tick):.1f}" '
        f'stroke="#eee"/><text x="{LEFT - 4}" y="{y(tick) + 4:.1f}" font-size="10" '
        f'text-anchor="end">{_tick_label(tick)}</text>'
        for tick in ticks
    ]
    out += [
        f'<line x1="{LEFT}" y1="{y(ticks[0]):.1f}" x2="{LEFT}" y2="{y(ticks[-1]):.1f}" '
        'stroke="#888"/>',
        f'<line x1="{LEFT}" y1="{y(0):.1f}" x2="{WIDTH - RIGHT}" y2="{y(0):.1f}" stroke="#888"/>',
        f'<text x="{LEFT}" y="{TOP - 12}" font-size="11" text-anchor="middle">{escape(unit)}</text>',
    ]
    for year in years:
        out.append(
            f'<text x="{x(year):.1f}" y="{HEIGHT - BOTTOM + 14}" font-size="11" '
            f'text-anchor="middle">{year}</text>'
        )
    return out


def _series(series: list[Point], label, colour, dash, x, y) -> list[str]:
    if not series:
        return []
    coords = " ".join(f"{x(p.year):.1f},{y(p.value):.1f}" for p in series)
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    out = [
        f'<polyline class="series-{label.split()[-1]}" fill="none" stroke="{colour}" '
        f'stroke-width="2"{dash_attr} points="{coords}"/>'
    ]
    for p in series:
        out.append(
            f'<circle cx="{x(p.year):.1f}" cy="{y(p.value):.1f}" r="3.5" fill="{colour}">'
            f"<title>{p.year} {escape(label)}: {p.value:g}</title></circle>"
            f'<text x="{x(p.year) + 5:.1f}" y="{y(p.value) - 5:.1f}" font-size="10" '
            f'fill="{colour}">{p.value:g}</text>'
        )
    return out


def _legend() -> list[str]:
    out, left = [], LEFT
    for label, colour, dash in SERIES.values():
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        yy = HEIGHT - 10
        out.append(
            f'<line x1="{left}" y1="{yy}" x2="{left + 20}" y2="{yy}" stroke="{colour}" '
            f'stroke-width="2"{dash_attr}/><text x="{left + 24}" y="{yy + 4}" font-size="11">'
            f"{escape(label)}</text>"
        )
        left += 130
    return out
