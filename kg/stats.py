"""What a store holds: quads per named graph and instances per class."""

from __future__ import annotations

from .store import Store

GRAPHS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
CLASSES = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n)
WHERE { ?s a ?class . FILTER(STRSTARTS(STR(?class), "https://w3id.org/policykg/ontology#")) }
GROUP BY ?class ORDER BY DESC(?n)
"""


def store_stats(store: Store) -> dict:
    """``{"quads": n, "graphs": {iri: n}, "classes": {pol:Class: n}}``."""
    graphs = {r["g"].value: int(r["n"].value) for r in store.select(GRAPHS)}
    classes = {r["class"].value.split("#")[-1]: int(r["n"].value) for r in store.select(CLASSES)}
    return {"quads": sum(graphs.values()), "graphs": graphs, "classes": classes}
