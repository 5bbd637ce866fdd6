"""Fixtures for the ontology tests: the zhanhe graph (fixtures/zhanhe.ttl) and its edge cases.

Each ``fixtures/bad-*.ttl`` / ``ok-*.ttl`` file is a small addition to ``zhanhe.ttl``: the graph
the test checks is the good graph plus that one file.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOOD = FIXTURES / "zhanhe.ttl"
ONTOLOGY_GRAPH = "https://w3id.org/policykg/id/graph/ontology"
REPORT_GRAPH = "https://w3id.org/policykg/id/graph/report/zhanhe-district-2023-plan-report"
INFERRED_GRAPH = "https://w3id.org/policykg/id/graph/inferred"


def zhanhe_with(*extra: str) -> rdflib.Graph:
    """The good graph plus the named edge-case files."""
    graph = rdflib.Graph().parse(GOOD, format="turtle")
    for name in extra:
        graph.parse(FIXTURES / name, format="turtle")
    return graph


@pytest.fixture
def zhanhe_store() -> ox.Store:
    """An in-memory store with the ontology and the zhanhe graph in their named graphs."""
    from policykg.ontology.check import ontology_path

    store = ox.Store()
    store.load(
        path=str(ontology_path()), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(ONTOLOGY_GRAPH)
    )
    store.load(path=str(GOOD), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(REPORT_GRAPH))
    return store
