"""Comparison sections of the place and report pages: what one loads a collection for.
About 450 lines because both pages read the same four tables (spans, sections, figures,
targets), kept together per place and report and per store version, which one module holds.

- a place: its reports over the years, the slogans they use (each linked to the term all
  reports share) and its figures, indicator by indicator and year by year, targets beside
  actuals (met or missed, from ``pol:Attainment``);
- a report: its outline, its targets, the things it names, by kind, and the spans of its text
  they were read from.

A slogan across reports is the shared term's page (``terms.py``); an indicator across places
and years is the indicator's page (``series.indicator_series``).
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict, defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from markupsafe import Markup
from pyoxigraph import NamedNode

from ..kg.store import Store
from ..kg.vocab import prologue
from .answers import href, number_text
from .charts import Point, indicator_chart
from .corpus import ReportInfo, corpus
from .db import get_backend
from .links import Link, link, row_value

# What an observation states (value, range, unit, bound, words): both figure queries read it.
_OBSERVATION_VALUES = """
  OPTIONAL { ?obs pol:value ?value }
  OPTIONAL { ?obs pol:lowerBound ?lower }
  OPTIONAL { ?obs pol:upperBound ?upper }
  OPTIONAL { ?obs pol:unit ?unit }
  OPTIONAL { ?obs pol:bound ?bound }
  OPTIONAL { ?obs pol:targetText ?text }
"""
_Q_PLACE_FIGURES = (
    prologue("pol", "rdfs")
    + """SELECT ?place ?indicator ?label ?period ?kind ?measure ?value ?lower ?upper ?unit ?bound ?text
       ?met WHERE {
  ?obs pol:refArea ?place ; pol:indicator ?indicator ; pol:period ?period ;
       pol:valueKind ?kind ; pol:measure ?measure .
{values}  OPTIONAL { ?att pol:targetObservation ?obs ; pol:targetMet ?met }
  OPTIONAL { ?indicator rdfs:label ?label }
}
""".replace("{values}", _OBSERVATION_VALUES)
)
_Q_SLOGANS = (
    prologue("pol", "rdfs", "dcterms")
    + """SELECT ?place ?report ?slogan ?label ?term WHERE {
  ?report dcterms:spatial ?place .
  ?slogan pol:inReport ?report ; a pol:Slogan ; rdfs:label ?label .
  OPTIONAL { ?slogan pol:versionOf ?term }
}
"""
)
_Q_OUTLINE = (
    prologue("pol", "rdfs", "dcterms")
    + """SELECT ?report ?section ?number ?heading ?parent ?start WHERE {
  ?section pol:inReport ?report ; a pol:Section ; dcterms:isPartOf ?parent .
  OPTIONAL { ?section pol:number ?number }
  OPTIONAL { ?section rdfs:label ?heading }
  OPTIONAL { ?sentence pol:inSection ?section ; pol:start ?start }
}
"""
)  # a row per sentence: outline() keeps the first start (a MIN subquery read every sentence)
_Q_NAMED = (
    prologue("pol", "prov", "rdfs", "skos")
    + """SELECT ?report ?thing ?type ?label (COUNT(DISTINCT ?span) AS ?n) WHERE {
  ?span pol:inReport ?report .
  ?thing prov:wasDerivedFrom ?span ; a ?type ; rdfs:label|skos:prefLabel ?label .
  FILTER(?type IN (pol:Slogan, pol:Industry, pol:Enterprise, pol:Project, pol:Policy,
                   pol:PolicyDocument, pol:Place, pol:GovernmentBody, pol:Indicator))
}
GROUP BY ?report ?thing ?type ?label
ORDER BY ?thing ?label ?type
"""
)
_Q_REPORT_TARGETS = (
    prologue("pol", "prov", "rdfs")
    + """SELECT DISTINCT ?report ?obs ?indicator ?label ?period ?measure ?value ?lower ?upper ?unit ?bound ?text
       ?headline ?met ?start WHERE {
  ?obs pol:valueKind pol:Target ; prov:wasDerivedFrom ?span ; pol:indicator ?indicator ;
       pol:period ?period ; pol:measure ?measure .
  ?span pol:inReport ?report ; pol:start ?start .
{values}  OPTIONAL { ?obs pol:headlineTarget ?headline }
  OPTIONAL { ?att pol:targetObservation ?obs ; pol:targetMet ?met }
  OPTIONAL { ?indicator rdfs:label ?label }
}
ORDER BY ?start ?obs
""".replace("{values}", _OBSERVATION_VALUES)
)
_Q_SPANS = (
    prologue("skos", "pol", "prov", "rdfs")
    + """SELECT ?report ?start ?end ?thing ?label WHERE {
  ?span pol:inReport ?report ; pol:start ?start ; pol:end ?end .
  FILTER NOT EXISTS { ?span a pol:Sentence }
  OPTIONAL { ?thing prov:wasDerivedFrom ?span OPTIONAL { ?thing (rdfs:label|skos:prefLabel) ?label } }
}
"""
)
_BOUNDS = {"AtLeast": "≥", "AtMost": "≤", "About": "≈"}
KIND_ORDER = (
    ("Slogan", "提法"),
    ("Indicator", "指标"),
    ("Industry", "产业"),
    ("Enterprise", "企业"),
    ("Project", "项目"),
    ("Policy", "政策"),
    ("PolicyDocument", "政策文件"),
    ("GovernmentBody", "机构"),
    ("Place", "地点"),
)

# Each query above runs for one place or report when a page first needs it, its rows kept for
# the store version (:data:`KEPT_KEYS` keys a table, the least recently read dropped first): the
# whole store's rows, read at each start, took 36 s and grew with the collection (minutes and
# gigabytes at 3,400 reports). The start reads the newest reports' and their places' rows
# (:func:`warm`, at most :data:`WARM_KEYS` each), so that their pages never wait.
_TABLES = {
    "figures": (_Q_PLACE_FIGURES, "place"),  # 27 ms a place (corpus and 10×, engine CPU)
    "slogans": (_Q_SLOGANS, "place"),  # 19 ms
    "outline": (_Q_OUTLINE, "report"),  # 20 ms
    "named": (_Q_NAMED, "report"),  # 35 ms
    "targets": (_Q_REPORT_TARGETS, "report"),  # 30–60 ms
    "spans": (_Q_SPANS, "report"),  # 90 ms
}
KEPT_KEYS = 2048
WARM_KEYS = 100


class KeyedRows:
    """The rows of each table for the places and reports read so far (one store version)."""

    def __init__(self, store: Store):
        self.store = store
        self.rows: OrderedDict[tuple[str, str], list[dict]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, table: str, iri: str) -> list[dict]:
        """The rows of ``table`` for the place or report ``iri`` (read now if not kept)."""
        key = (table, iri)
        with self.lock:
            found = self.rows.get(key)
            if found is not None:
                self.rows.move_to_end(key)
                return found
        sparql, var = _TABLES[table]
        found = self.store.select(sparql, {var: NamedNode(iri)})
        if table == "outline":
            found = _first_starts(found)
        with self.lock:
            self.rows[key] = found
            while len(self.rows) > KEPT_KEYS * len(_TABLES):
                self.rows.popitem(last=False)
        return found

    def add(self, rows: dict[tuple[str, str], list[dict]]) -> None:
        """Keep ``rows`` (table and key → rows) as if read now."""
        with self.lock:
            self.rows.update(rows)


def _first_starts(rows: list[dict]) -> list[dict]:
    """One outline row per section, with the start of its first sentence (the query gives one
    row per sentence)."""
    first: dict[str, dict] = {}
    for row in rows:
        kept = first.setdefault(row["section"].value, dict(row))
        if "start" in row and ("start" not in kept or _start(row) < _start(kept)):
            kept["start"] = row["start"]
    return list(first.values())


def _start(row: dict) -> int:
    return int(row["start"].value)


def tables() -> KeyedRows:
    """The comparison rows of the current store version, read per place and report."""
    return get_backend().shared("compare-rows", KeyedRows)


def warm() -> None:
    """Read the rows of the newest :data:`WARM_KEYS` reports and of their places now (in the
    app's warm-up), a bounded read however large the collection; kept with the store version,
    so that the next start reads them back."""
    keyed = tables()
    newest = get_backend().memo("compare", lambda _store: _newest_rows(keyed))
    keyed.add(newest)


def _newest_rows(keyed: KeyedRows) -> dict[tuple[str, str], list[dict]]:
    newest = sorted(corpus().reports, key=lambda r: r.year or "", reverse=True)[:WARM_KEYS]
    keys = [(t, r.iri) for r in newest for t, (_, v) in _TABLES.items() if v == "report"]
    places = dict.fromkeys(r.place for r in newest if r.place)
    keys += [(t, p) for p in places for t, (_, v) in _TABLES.items() if v == "place"]
    return {(t, iri): keyed.get(t, iri) for t, iri in keys}


def _rows(table: str, iri: str) -> list[dict]:
    return tables().get(table, iri)


@dataclass
class Figure:
    """One indicator of a place in one measure: per year, the target and the actual."""

    indicator: Link
    measure: str  # 总量 or 增速
    years: dict[str, dict[str, str]] = field(default_factory=dict)  # year → kind → text
    met: dict[str, bool] = field(default_factory=dict)
    # (year, kind) → (the numbers to draw, unit): the same value as ``years`` writes out
    points: dict[tuple[int, str], tuple[Point, str]] = field(default_factory=dict)

    @cached_property
    def unit(self) -> str:
        """The unit most of the drawn values are stated in (the chart's y axis)."""
        units = Counter(unit for _, unit in self.points.values())
        return units.most_common(1)[0][0] if units else ""

    def chart(self) -> Markup:
        """Targets against actuals by year (``charts.indicator_chart``, as on the indicator's
        page), the values in the figure's main unit; empty unless two years or more have one."""
        unit = self.unit
        points = [p for p, u in self.points.values() if u == unit]
        if len({p.year for p in points}) < 2:
            return Markup("")
        return Markup(indicator_chart(points, unit, f"{self.indicator.label} {self.measure}"))


@dataclass
class SloganUse:
    """A slogan label a place's reports use: the shared term and the years that use it."""

    term: Link
    years: list[tuple[str, str]]  # (year, href of that report's version)


def value_text(row, prefix: str = "") -> str:
    """``≥7.5%``, ``5—5.5%``, or the qualitative target as written."""

    def v(name: str) -> str | None:
        return row[name].value if name in row else None

    unit = v("unit") or ""
    bound = _BOUNDS.get((v("bound") or "").rsplit("#", 1)[-1], "")
    value, lower, upper = v("value"), v("lower"), v("upper")
    if value is not None:
        return f"{bound}{number_text(value)}{unit}"
    if lower is not None and upper is not None:
        return f"{number_text(lower)}—{number_text(upper)}{unit}"
    return v("text") or ""


def place_figures(place: str) -> tuple[list[str], list[Figure]]:
    """The years and the figures (targets and actuals) stated for ``place``."""
    figures: dict[tuple[str, str], Figure] = {}
    years: set[str] = set()
    for row in _rows("figures", place):
        iri = row["indicator"].value
        measure = "增速" if row["measure"].value.endswith("GrowthRate") else "总量"
        fig = figures.get((iri, measure))
        if fig is None:  # its link made once, not once per row
            link = Link(iri, href(iri), row_value(row, "label") or iri)
            fig = figures[(iri, measure)] = Figure(link, measure)
        year = row["period"].value[:4]
        years.add(year)
        kind = "target" if row["kind"].value.endswith("Target") else "actual"
        fig.years.setdefault(year, {})[kind] = value_text(row)
        if "met" in row:
            fig.met[year] = row["met"].value in ("true", "1")
        point = _point(row, int(year), kind)
        if point.values():
            fig.points[(point.year, point.kind)] = (point, row_value(row, "unit") or "")
        else:  # a qualitative statement replaces a number of the same year in the table
            fig.points.pop((point.year, point.kind), None)
    ordered = sorted(figures.values(), key=lambda f: (-len(f.years), f.indicator.label, f.measure))
    return sorted(years), ordered


def _point(row, year: int, kind: str) -> Point:
    """The numbers of one observation row, as the chart draws them."""

    def number(name: str) -> float | None:
        try:
            return float(row[name].value) if name in row else None
        except ValueError:
            return None

    met = row["met"].value if "met" in row else None
    return Point(
        year,
        "Target" if kind == "target" else "Actual",
        number("value"),
        number("lower") if number("value") is None else None,
        number("upper") if number("value") is None else None,
        missed=kind == "target" and met in ("false", "0"),
    )


def place_slogans(place: str, reports: list[ReportInfo]) -> list[SloganUse]:
    """The slogans of the place's ``reports``, one row per shared term, with the years."""
    chosen = {r.iri: r for r in reports}
    uses: dict[str, SloganUse] = {}
    for row in _rows("slogans", place):
        report = chosen.get(row["report"].value)
        if report is None:
            continue
        term = row["term"].value if "term" in row else row["slogan"].value
        use = uses.get(term)
        if use is None:
            use = uses[term] = SloganUse(Link(term, href(term), row["label"].value), [])
        use.years.append((report.year, href(row["slogan"].value)))
    for use in uses.values():
        use.years.sort()
    return sorted(uses.values(), key=lambda u: (-len(u.years), u.term.label))


def place_context(place: str) -> dict:
    """What a place page adds: reports by year, slogans, figures and their charts."""
    reports = corpus().of_place(place)
    years, figures = place_figures(place)
    charts = [(f, chart) for f in figures if (chart := f.chart())]
    return {
        "place_reports": reports,
        "place_slogans": place_slogans(place, reports) if reports else [],
        "figure_years": years,
        "figures": figures,
        "figure_charts": charts,
    }


@dataclass
class Section:
    """A heading of the outline, with its depth and where its text starts."""

    link: Link
    number: str
    depth: int
    start: int | None


def outline(report: str) -> list[Section]:
    """The report's sections in reading order."""
    rows = _rows("outline", report)
    info: dict[str, dict] = {}
    for row in rows:
        s = row["section"].value
        entry = info.setdefault(
            s,
            {
                "number": row_value(row, "number") or "",
                "heading": row_value(row, "heading") or "",
                "parent": row["parent"].value,
                "start": None,
            },
        )
        if "start" in row:
            start = int(row["start"].value)
            entry["start"] = start if entry["start"] is None else min(entry["start"], start)

    def depth(s: str) -> int:
        d, p = 1, info[s]["parent"]
        while p in info and d < 10:
            d, p = d + 1, info[p]["parent"]
        return d

    def first(s: str) -> int:
        own = info[s]["start"]
        kids = [first(k) for k, v in info.items() if v["parent"] == s]
        return min([x for x in [own, *kids] if x is not None], default=1 << 30)

    starts = {s: first(s) for s in info}
    out = [
        Section(
            link(s, v["heading"]),
            v["number"],
            depth(s),
            starts[s] if starts[s] < 1 << 30 else None,
        )
        for s, v in info.items()
    ]
    return sorted(out, key=lambda x: (x.start if x.start is not None else 1 << 30, x.depth))


def report_targets(report: str) -> list[dict]:
    """The targets a report states, in text order, headline targets marked."""
    seen, out = set(), []
    for row in _rows("targets", report):
        obs = row["obs"].value
        if obs in seen:
            continue
        seen.add(obs)
        iri = row["indicator"].value
        out.append(
            {
                "indicator": Link(iri, href(iri), row_value(row, "label") or iri),
                "year": row["period"].value[:4],
                "measure": "增速" if row["measure"].value.endswith("GrowthRate") else "总量",
                "value": value_text(row),
                "headline": "headline" in row and row["headline"].value in ("true", "1"),
                "met": (row["met"].value in ("true", "1")) if "met" in row else None,
            }
        )
    return out


def report_spans(report: str) -> list[dict]:
    """The spans of the report's text with what was read from each (``reporttext.report_text``)."""
    return _rows("spans", report)


def report_things(report: str) -> list[tuple[str, list[tuple[Link, int]]]]:
    """The things a report names, by kind, most mentioned first."""
    groups: dict[str, dict[str, tuple[Link, int]]] = defaultdict(dict)
    for row in _rows("named", report):
        kind = row["type"].value.rsplit("#", 1)[-1]
        iri = row["thing"].value
        n = int(row["n"].value)
        old = groups[kind].get(iri)
        if old is None or old[1] < n:
            groups[kind][iri] = (Link(iri, href(iri), row["label"].value), n)
    return [
        (name, sorted(groups[kind].values(), key=lambda x: (-x[1], x[0].label)))
        for kind, name in KIND_ORDER
        if groups.get(kind)
    ]


def report_context(report: str) -> dict:
    """What a report page adds: outline, targets, the things it names."""
    return {
        "info": corpus().by_iri.get(report),
        "outline": outline(report),
        "targets": report_targets(report),
        "things": report_things(report),
    }
