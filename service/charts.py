"""A small server-side SVG chart: an indicator's targets against its actual values over the years.

No JavaScript and no chart library: the SVG is written into the HTML page, so it shows in any
browser and in a saved copy of the page. Actual values are a solid line; targets are markers, a
range target (增长5%—5.5%) a band from its lower to its upper end; a missed target is marked
with a ✕ and the word 未完成 in its tooltip. The drawing is 360 units wide and scales down
(``width="100%"``), so it fits a 390 px phone screen::

    >>> svg = indicator_chart([Point(2022, "Target", 7.5, missed=True), Point(2022, "Actual", 3.8),
    ...                        Point(2023, "Target", None, lower=5, upper=5.5)], "%")
    >>> svg.startswith("<svg") and "3.8" in svg and "7.5" in svg and 'class="range"' in svg
    True
    >>> 'class="missed"' in svg
    True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT = 360, 210
LEFT, RIGHT, TOP, BOTTOM = 52, 32, 26, 40
INSET = 24  # between the y axis and the first year, so that its point stands clear
SERIES = {  # kind → (label, colour, dash)
    "Target": ("目标 target", "#c0392b", "5 3"),
    "Actual": ("实际 actual", "#1f5fa8", ""),
}


@dataclass(frozen=True)
class Point:
    """One value of one series: ``kind`` is ``Target`` or ``Actual``; a range target has
    ``lower`` and ``upper`` instead of ``value``; ``missed`` marks a target not met."""

    year: int
    kind: str
    value: float | None
    lower: float | None = None
    upper: float | None = None
    missed: bool = False

    def values(self) -> list[float]:
        """Every number the point draws."""
        return [v for v in (self.value, self.lower, self.upper) if v is not None]


def indicator_chart(points: list[Point], unit: str = "", title: str = "") -> str:
    """An SVG line chart with one line per kind (target dashed, actual solid), years on x.

    Returns ``""`` when there is nothing numeric to draw.
    """
    points = [p for p in points if p.values()]
    if not points:
        return ""
    years = sorted({p.year for p in points})
    ticks = _ticks([v for p in points for v in p.values()])
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
        f'width="100%" style="max-width:{WIDTH}px" role="img" '
        f'aria-label="{escape(title or unit)}">',
        f"<title>{escape(title)}</title>" if title else "",
        *_axes(years, ticks, x, y, unit),
    ]
    label, colour, _ = SERIES["Target"]
    targets = sorted((p for p in points if p.kind == "Target"), key=lambda p: p.year)
    parts += _targets(targets, label, colour, x, y)
    label, colour, dash = SERIES["Actual"]
    actuals = sorted((p for p in points if p.kind == "Actual"), key=lambda p: p.year)
    parts += _series([p for p in actuals if p.value is not None], label, colour, dash, x, y)
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


def _targets(targets: list[Point], label, colour, x, y) -> list[str]:
    """Targets as markers (a diamond) or bands (a range), with a ✕ where the target was missed."""
    out = []
    for p in targets:
        cx = x(p.year)
        verdict = " 未完成 missed" if p.missed else ""
        if p.value is None and p.lower is not None and p.upper is not None:
            top, bottom = y(p.upper), y(p.lower)
            out.append(
                f'<rect class="range" x="{cx - 6:.1f}" y="{top:.1f}" width="12" '
                f'height="{max(bottom - top, 2):.1f}" fill="{colour}" fill-opacity="0.25" '
                f'stroke="{colour}"><title>{p.year} {escape(label)}: {p.lower:g}—{p.upper:g}'
                f"{verdict}</title></rect>"
            )
            mark_y, text = top, f"{p.lower:g}—{p.upper:g}"
        elif p.value is not None:
            cy = y(p.value)
            out.append(
                f'<path class="target" d="M{cx:.1f},{cy - 5:.1f} l5,5 l-5,5 l-5,-5 z" '
                f'fill="#fff" stroke="{colour}" stroke-width="2"><title>{p.year} '
                f"{escape(label)}: {p.value:g}{verdict}</title></path>"
            )
            mark_y, text = cy - 5, f"{p.value:g}"
        else:
            continue
        out.append(
            f'<text x="{cx - 8:.1f}" y="{mark_y - 4:.1f}" font-size="10" text-anchor="end" '
            f'fill="{colour}">{text}</text>'
        )
        if p.missed:
            out.append(
                f'<text class="missed" x="{cx + 8:.1f}" y="{mark_y + 4:.1f}" font-size="13" '
                f'font-weight="bold" fill="{colour}">✕<title>{p.year} 未完成 missed</title></text>'
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
        left += 110
    out.append(
        f'<text x="{left}" y="{HEIGHT - 6}" font-size="11" fill="{SERIES["Target"][1]}">'
        "✕ 未完成 missed</text>"
    )
    return out
