"""The way in: the start page (``/``), one search over terms and report text (``/search``),
and the favicon.

``/search?q=…`` answers with the terms whose names match (``search.py``) and the report
sentences holding the words (``fulltext.py``), filterable by place, year and report::

    /search?q=高质量发展&place=…&year=2024&report=…&page=2
"""

from __future__ import annotations

from collections import Counter
from typing import Any, NamedTuple

from flask import Blueprint, Response, render_template, request, url_for

from ..queries import load_catalogue
from .corpus import corpus
from .errors import whole_number
from .fulltext import fulltext_index
from .links import base_iri, passage_href
from .maps import reports_map
from .search import term_index

bp = Blueprint("home", __name__)

PAGE_SIZE = 20
PLACES_SHOWN = 50  # rows of the start page's table: the places with the most reports
MAX_PAGE = 1000  # a search's pages shown at most
TERM_HITS = 12
FACET_VALUES = 30  # a filter's values shown (the most hits; the newest years), and the chosen one
# A red square with 政 (policy), drawn as SVG so no binary file is kept.
FAVICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
    '<rect width="32" height="32" rx="5" fill="#9a1b1b"/>'
    '<text x="16" y="24" font-size="22" text-anchor="middle" fill="#fff" '
    'font-family="sans-serif">政</text></svg>'
)


@bp.get("/")
def start():
    """The start page: search box, the collection by place and year, the catalogue."""
    c = corpus()
    places = c.places()
    return render_template(
        "home.html",
        places=dict(list(places.items())[:PLACES_SHOWN]),
        place_count=len(places),
        per_year=Counter(r.year for r in c.reports),
        years=sorted(c.years()),
        report_count=len(c.reports),
        queries=list(load_catalogue().values()),
        reports_map=reports_map(c.reports, "各省份收录的报告数"),
    )


@bp.get("/search")
def search_page():
    """Terms and report sentences for ``q``, the sentences filterable and paged."""
    q = request.args.get("q", "").strip()
    place, year, report = (request.args.get(k, "") for k in ("place", "year", "report"))
    page = _page()
    c = corpus()
    chosen = [
        r.iri
        for r in c.reports
        if (not place or r.place == place)
        and (not year or r.year == year)
        and (not report or r.iri == report)
    ]
    filtered = bool(place or year or report)
    results = fulltext_index().search(
        q, chosen if filtered else None, PAGE_SIZE, (page - 1) * PAGE_SIZE
    )
    terms = term_index().search(q, limit=TERM_HITS) if q else []
    hits = [(h, c.by_iri.get(h.report), passage_href(h.report, *h.first)) for h in results.hits]
    return render_template(
        "search.html",
        q=q,
        terms=terms,
        results=results,
        hits=hits,
        facets=_facets(results.per_report, {"place": place, "year": year, "report": report}),
        place=place,
        year=year,
        report=report,
        page=page,
        pages=max(1, -(-results.total // PAGE_SIZE)),
        term_href=lambda iri: url_for("terms.term", key=iri[len(base_iri()) :]),
        search_url=lambda **changes: _search_url(
            {"q": q, "place": place, "year": year, "report": report} | changes
        ),
    )


@bp.get("/favicon.ico")
def favicon() -> Response:
    """The site's icon (browsers ask for it at this path)."""
    response = Response(FAVICON, mimetype="image/svg+xml")
    response.cache_control.max_age = 86400
    return response


def _search_url(args: dict[str, str | int]) -> str:
    """This page's URL with ``args``, empty ones left out."""
    given: dict[str, Any] = {k: v for k, v in args.items() if v}
    return url_for("home.search_page", **given)


def _page() -> int:
    return whole_number("page", 1, MAX_PAGE)


class Facet(NamedTuple):
    """A filter's values shown, each (value, label, count), and how many values hold hits."""

    shown: list[tuple[str, str, int]]
    total: int


def _facets(per_report, chosen: dict[str, str]) -> dict[str, Facet]:
    """Per filter (places, years and reports that hold hits): the first :data:`FACET_VALUES`
    values (places and reports with the most hits, the newest years) and the one ``chosen``,
    as (value, label, count), and how many values hold hits. A common word is in every report
    of a large collection: 3,400 report links and as many places took 0.6 s to write at 100
    times the corpus, and no reader scans them."""
    c = corpus()
    places: dict[str, list] = {}
    years: dict[str, int] = {}
    reports = []
    for iri, n in per_report.items():
        r = c.by_iri.get(iri)
        if r is None:
            continue
        entry = places.setdefault(r.place, [r.place, r.place_label or "（地域不明）", 0])
        entry[2] += n
        years[r.year] = years.get(r.year, 0) + n
        reports.append((iri, r.name, n))
    facets = {
        "place": sorted((tuple(v) for v in places.values()), key=lambda x: -x[2]),
        "year": sorted(((y, y, n) for y, n in years.items()), reverse=True),
        "report": sorted(reports, key=lambda x: -x[2]),
    }
    return {name: _shown(values, chosen.get(name, "")) for name, values in facets.items()}


def _shown(values: list, chosen: str) -> Facet:
    shown = values[:FACET_VALUES]
    shown += [v for v in values[FACET_VALUES:] if v[0] == chosen]
    return Facet(shown, len(values))
