"""The collection at a glance: every report with its place, year and title, read once per store version.

Lists, filters and comparison pages name reports the same way: place, year and kind
(``湛河区 2023 计划报告``), so two reports with the same printed title (政府工作报告) differ.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ..kg.vocab import prologue
from .db import get_backend

_Q_REPORTS = (
    prologue("pol", "rdfs", "dcterms")
    + """SELECT ?report ?title ?date ?place ?placeLabel ?sourceFile (MIN(?y) AS ?year)
       (COUNT(DISTINCT ?covered) AS ?years) WHERE {
  ?report a pol:Report .
  OPTIONAL { ?report dcterms:title ?title }
  OPTIONAL { ?report dcterms:date ?date }
  OPTIONAL { ?report dcterms:spatial ?place OPTIONAL { ?place rdfs:label ?placeLabel } }
  OPTIONAL { ?report pol:sourceFile ?sourceFile }
  # not ?year, the name of an aggregate: Virtuoso refuses the clash (SQ200)
  OPTIONAL { ?report pol:coversYear ?covered BIND(STR(?covered) AS ?y) }
}
GROUP BY ?report ?title ?date ?place ?placeLabel ?sourceFile
"""
)
_KINDS = (("计划", "计划报告"), ("政府工作", "政府工作报告"))


@dataclass(frozen=True)
class ReportInfo:
    """A report as lists name it."""

    iri: str
    title: str
    place: str  # the place's IRI ("" when the report names none)
    place_label: str
    year: str  # the year the report is about (its first covered year, else its date's)
    date: str

    @property
    def kind(self) -> str:
        """计划报告 or 政府工作报告 (from the title), else 报告."""
        return next((name for key, name in _KINDS if key in self.title), "报告")

    @property
    def name(self) -> str:
        """``湛河区 2023 计划报告``: unique across the collection where titles are not."""
        return " ".join(x for x in (self.place_label, self.year, self.kind) if x)


class Corpus:
    """Every report, by IRI, by place and by year."""

    def __init__(self, reports: list[ReportInfo]):
        self.reports = sorted(reports, key=lambda r: (r.place_label, r.year, r.title))
        self.by_iri = {r.iri: r for r in self.reports}

    def places(self) -> dict[str, list[ReportInfo]]:
        """Place label → its reports, oldest first; places with most reports first."""
        out: dict[str, list[ReportInfo]] = defaultdict(list)
        for r in self.reports:
            out[r.place_label or "（地域不明）"].append(r)
        return dict(sorted(out.items(), key=lambda kv: (-len(kv[1]), kv[0])))

    def years(self) -> list[str]:
        """The years reports are about, newest first."""
        return sorted({r.year for r in self.reports if r.year}, reverse=True)

    def of_place(self, place: str) -> list[ReportInfo]:
        """The reports of the place with IRI ``place``, by year."""
        return sorted((r for r in self.reports if r.place == place), key=lambda r: r.year)


def _info(row) -> ReportInfo:
    def text(name: str) -> str:
        return row[name].value if name in row else ""

    date = text("date")
    year = text("year")[:4] or date[:4]
    # A report planning the coming year covers two; the year it is about is the later one.
    if "years" in row and int(row["years"].value) > 1:
        year = str(int(year) + int(row["years"].value) - 1) if year.isdigit() else year
    return ReportInfo(text("report"), text("title"), text("place"), text("placeLabel"), year, date)


def corpus() -> Corpus:
    """The reports of the served store version, read from it on first use (and again after a
    rebuild)."""
    return get_backend().memo(
        "corpus", lambda store: Corpus([_info(r) for r in store.select_whole(_Q_REPORTS, "report")])
    )
