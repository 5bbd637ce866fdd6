"""Example queries offered by the query page: the catalogue's, or a few built in.

The catalogue (``policykg.queries.load_catalogue()``) is the source; the built-in examples only
stand in while it is broken, so the page always has something to start from.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ..queries import CatalogueError, NamedQuery, load_catalogue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Example:
    """One example on the query page."""

    name: str
    title: str
    sparql: str
    description: str = ""


BUILT_IN = (
    Example(
        "graphs",
        "每个命名图的三元组数",
        "SELECT ?graph (COUNT(*) AS ?triples)\nWHERE { GRAPH ?graph { ?s ?p ?o } }\n"
        "GROUP BY ?graph\nORDER BY DESC(?triples)",
        "What the store holds, graph by graph.",
    ),
    Example(
        "classes",
        "各类资源的数量",
        "SELECT ?class (COUNT(DISTINCT ?thing) AS ?n)\nWHERE { ?thing a ?class }\n"
        "GROUP BY ?class\nORDER BY DESC(?n)",
        "How many resources of each class.",
    ),
    Example(
        "slogans",
        "数字式提法及其组成部分",
        "SELECT ?slogan ?label ?part ?partLabel\nWHERE {\n  ?slogan a pol:Slogan ;\n"
        "          rdfs:label ?label ;\n          pol:hasComponent ?part .\n"
        "  OPTIONAL { ?part rdfs:label ?partLabel }\n}\nORDER BY ?label\nLIMIT 100",
        "Numbered slogans and their parts.",
    ),
    Example(
        "labels",
        "按名称查找（含“链”）",
        'SELECT ?thing ?label\nWHERE {\n  ?thing rdfs:label ?label .\n  FILTER(CONTAINS(STR(?label), "链"))\n}\nLIMIT 50',
        "Resources whose label contains a character.",
    ),
)


def load_examples() -> list[Example]:
    """The catalogue's queries as examples, or :data:`BUILT_IN` when there is no catalogue.

    An example with parameters ends with a ``VALUES`` row of its documented example values
    (``VALUES (?chain) { ("四主链") }``), so it answers the question it was written for.
    """
    try:
        catalogue = load_catalogue()
    except CatalogueError as e:  # a broken .rq file must not take the query page down
        log.warning("query catalogue unavailable, using built-in examples: %s", e)
        return list(BUILT_IN)
    return [
        Example(q.name, q.title_zh, q.sparql.rstrip() + _values(q), q.description)
        for q in catalogue.values()
    ] or list(BUILT_IN)


def _values(query: NamedQuery) -> str:
    """A trailing ``VALUES`` clause binding the example's parameters ("" when it has none)."""
    if not query.example:
        return ""
    bound = query.bind(query.example)
    names = [p.name for p in query.params if p.name in query.example]
    variables = " ".join(f"?{name}" for name in names)
    terms = " ".join(str(bound[name]) for name in names)
    return f"\n\n# the example's parameters\nVALUES ({variables}) {{ ({terms}) }}\n"
