"""The ontology and a graph built by the real pipeline, checked together."""

from __future__ import annotations

import pyoxigraph as ox
import rdflib

from policykg.ontology import check


def as_rdflib(store_dir) -> rdflib.Graph:
    """Every graph of a built store but the ontology's, as one rdflib graph."""
    from policykg.kg.store import open_store

    store = open_store(store_dir)
    triples = (
        q.triple
        for q in store.named_quads()
        if not q.graph_name.value.endswith("/graph/ontology")  # type: ignore[union-attr]
    )
    graph = rdflib.Graph()
    graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    return graph


def test_founding_report_graph_is_consistent_under_hermit(seed_store_dir):
    report = check.check_consistency(as_rdflib(seed_store_dir))
    assert report.consistent, report.message
    assert report.unsatisfiable == []
