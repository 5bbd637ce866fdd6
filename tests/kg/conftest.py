"""Fixtures for the extractors' tests: one report through the real pipeline, into its graph."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

SOURCES = Path(__file__).parents[2] / "kg" / "sources"
PREFIXES = """
PREFIX pol: <https://w3id.org/policykg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""


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
