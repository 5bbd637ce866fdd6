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

_Q_OBSERVATIONS = (
    prologue("skos", "pol", "rdfs")
    + """SELECT ?s ?obs ?period ?kind ?measure ?value ?lower ?upper ?met ?unit ?bound ?text ?area ?areaLabel
WHERE {
  ?obs pol:indicator ?s ; pol:period ?period ; pol:valueKind ?kind ; pol:measure ?measure .
  OPTIONAL { ?obs pol:value ?value }
  OPTIONAL { ?obs pol:lowerBound ?lower ; pol:upperBound ?upper }
  OPTIONAL { ?attainment pol:targetObservation ?obs ; pol:targetMet ?met }
  OPTIONAL { ?obs pol:unit ?unit }
  OPTIONAL { ?obs pol:bound ?bound }
  OPTIONAL { ?obs pol:targetText ?text }
  OPTIONAL { ?obs pol:refArea ?area OPTIONAL { ?area (rdfs:label|skos:prefLabel) ?areaLabel } }
}
ORDER BY ?areaLabel ?measure ?period ?kind
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


def indicator_series(iri: str) -> list[Series]:
    """Observations of an indicator, grouped by area and measure, for charts and tables."""
    groups: dict[tuple[str, str], Series] = {}
    for row in get_store().select(_Q_OBSERVATIONS, {"s": ox.NamedNode(iri)}):
        area = row_value(row, "areaLabel") or ""
        measure = _local_name(row["measure"].value)
        unit = row_value(row, "unit") or ""
        series = groups.setdefault((area, measure), Series(area, measure, unit))
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
    return list(groups.values())


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
