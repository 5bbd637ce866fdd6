"""An indicator's observations, grouped by area and measure, for its page's charts and tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox
from markupsafe import Markup

from ..kg.vocab import prologue
from .charts import Point, indicator_chart
from .db import get_store
from .links import link, row_value

AREAS_PER_PAGE = 20  # series a page shows: an indicator every county reports has thousands

# an indicator's areas, shown in the order of their IRIs: a place's is its GB/T 2260 code, so
# that a province's places come together, as in a statistical yearbook; sorted here (ordering
# 2,700 IRIs in the engine cost 0.7 s at 100× the corpus, no label is read to sort)
_Q_AREAS = (
    prologue("pol")
    + """SELECT DISTINCT ?s ?area WHERE { ?obs pol:indicator ?s ; pol:refArea ?area }"""
)
_Q_LABELS = (
    prologue("skos", "rdfs")
    + """SELECT ?area (MIN(?label) AS ?areaLabel) WHERE {
  ?area rdfs:label|skos:prefLabel ?label
}
GROUP BY ?area
"""
)
# the observations of the areas a page shows (a VALUES block binds ?area: Store.select_each)
_Q_OBSERVATIONS = (
    prologue("pol")
    + """SELECT ?area ?obs ?period ?kind ?measure ?value ?lower ?upper ?met ?unit ?bound ?text
WHERE {
  ?obs pol:refArea ?area ; pol:indicator INDICATOR ;
       pol:period ?period ; pol:valueKind ?kind ; pol:measure ?measure .
  OPTIONAL { ?obs pol:value ?value }
  OPTIONAL { ?obs pol:lowerBound ?lower ; pol:upperBound ?upper }
  OPTIONAL { ?attainment pol:targetObservation ?obs ; pol:targetMet ?met }
  OPTIONAL { ?obs pol:unit ?unit }
  OPTIONAL { ?obs pol:bound ?bound }
  OPTIONAL { ?obs pol:targetText ?text }
}
ORDER BY ?measure ?period ?kind
"""
)


@dataclass
class Series:
    """The observations of one indicator for one area and one measure (level or growth)."""

    area: str
    measure: str
    unit: str
    rows: list[dict] = field(default_factory=list)

    @property
    def chart(self) -> Markup:
        """The series as an SVG chart of targets and actual values by year."""
        points = [
            Point(int(r["period"]), r["kind"], _float(r["value"]), _float(r["lower"]),
                  _float(r["upper"]), r["met"] == "false")
            for r in self.rows
        ]  # fmt: skip
        title = f"{self.area} {'增长' if self.measure == 'GrowthRate' else '总量'}"
        return Markup(indicator_chart(points, self.unit, title))


_BOUNDS = {"AtLeast": "≥", "AtMost": "≤", "About": "≈"}


@dataclass
class SeriesPage:
    """A page of an indicator's series: those of ``AREAS_PER_PAGE`` areas (see ``_Q_AREAS``)."""

    series: list[Series]
    page: int
    pages: int
    areas: int  # every area with an observation of the indicator
    first: int  # the numbers of the page's first and last areas, from 1
    last: int


def indicator_series(iri: str, page: int = 1) -> SeriesPage:
    """Observations of an indicator, grouped by area and measure, for charts and tables: the
    areas of ``page`` (the last one past it)."""
    store = get_store()
    indicator = ox.NamedNode(iri)
    areas = sorted(store.select(_Q_AREAS, {"s": indicator}), key=lambda row: row["area"].value)
    pages = max(1, -(-len(areas) // AREAS_PER_PAGE))
    page = min(page, pages)
    first = (page - 1) * AREAS_PER_PAGE
    shown = {row["area"]: "" for row in areas[first:][:AREAS_PER_PAGE]}
    for row in store.select_each(_Q_LABELS, "area", list(shown)):
        shown[row["area"]] = row_value(row, "areaLabel") or ""
    sparql = _Q_OBSERVATIONS.replace("INDICATOR", str(indicator))
    rows = store.select_each(sparql, "area", list(shown))
    place = {area: i for i, area in enumerate(shown)}
    groups: dict[tuple[object, str], Series] = {}  # by area and measure
    for row in sorted(rows, key=lambda row: place[row["area"]]):  # stable: the query's order
        measure = _local_name(row["measure"].value)
        unit = row_value(row, "unit") or ""
        key = (row["area"], measure)
        series = groups.setdefault(key, Series(shown[row["area"]], measure, unit))
        series.rows.append(
            {
                "obs": link(row["obs"].value),
                "period": row["period"].value[:4],
                "kind": _local_name(row["kind"].value),
                "value": _decimal(row_value(row, "value")),
                "lower": _decimal(row_value(row, "lower")),
                "upper": _decimal(row_value(row, "upper")),
                "met": row_value(row, "met"),
                "bound": _BOUNDS.get(_local_name(row_value(row, "bound") or ""), ""),
                "text": row_value(row, "text") or "",
                "unit": unit,
            }
        )
    return SeriesPage(list(groups.values()), page, pages, len(areas), first + 1, first + len(shown))


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _local_name(iri: str) -> str:
    return iri.rsplit("#", 1)[-1]


def _decimal(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None
