"""Fixtures for the extractors' tests: one report through the real pipeline, into its graph."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest

from policykg.kg.vocab import prologue

SOURCES = Path(__file__).resolve().parents[2] / "kg" / "sources"
REPORTS = sorted(p.stem for p in SOURCES.glob("*.txt"))
PREFIXES = prologue("pol", "rdfs", "dcterms")


def one(records, indicator, period, kind, measure):
    """The one observation record of ``records`` with these indicator, period, value kind and
    measure (fails when there are none or several)."""
    found = [
        r
        for r in records
        if (r.indicator, r.period, r.value_kind, r.measure) == (indicator, period, kind, measure)
    ]
    assert len(found) == 1, (indicator, period, kind, measure, found)
    return found[0]


@cache
def report_text(name: str) -> str:
    """The normalised text of the bundled report ``name`` (``kg.read``), read once a session."""
    from policykg.kg.read import read_report

    return read_report(SOURCES / f"{name}.txt").text


@cache
def report_slogans(name: str) -> dict:
    """The slogans of the bundled report ``name`` by label, found as the pipeline finds them
    (after the report's glossary)."""
    from policykg.kg.glossary import find_glossary
    from policykg.kg.slogans import find_slogans

    text = report_text(name)
    return {s.label: s for s in find_slogans(text, find_glossary(text))}


@pytest.fixture(scope="session")
def report_graph() -> Callable[[str], ox.Store]:
    """``report_graph("zhanhe-district_2023_plan-report")``: that bundled report read and
    extracted by the real pipeline (``kg.extract.report_quads``), its quads in a memory store."""
    from policykg.kg.extract import report_quads
    from policykg.kg.iri import Minter
    from policykg.kg.read import read_report

    stores: dict[str, ox.Store] = {}

    def build(name: str) -> ox.Store:
        if name not in stores:
            result = report_quads(read_report(SOURCES / f"{name}.txt"), Minter())
            store = ox.Store()
            store.extend(result.quads)
            stores[name] = store
        return stores[name]

    return build


@pytest.fixture(scope="session")
def graph_labels(report_graph) -> Callable[[str, str], set[str]]:
    """``graph_labels(report, "Place")``: the labels of every ``pol:Place`` of that report's graph."""

    def labels(name: str, cls: str) -> set[str]:
        query = PREFIXES + (
            f"SELECT DISTINCT ?l WHERE {{ GRAPH ?g {{ ?x a pol:{cls} ; rdfs:label ?l }} }}"
        )
        return {row["l"].value for row in report_graph(name).query(query)}

    return labels
