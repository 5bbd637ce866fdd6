"""Example queries offered by the query page: the catalogue's, or a few built in.

The catalogue (``policykg.queries.load_catalogue()``) is the source; the built-in examples only
stand in while it is missing or broken, so the page always has something to start from.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

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
    """The catalogue's queries as examples, or :data:`BUILT_IN` when there is no catalogue."""
    try:
        from ..queries import load_catalogue
    except ImportError:
        return list(BUILT_IN)
    try:
        catalogue = load_catalogue()
    except Exception as e:  # a broken .rq file must not take the query page down
        log.warning("query catalogue unavailable, using built-in examples: %s", e)
        return list(BUILT_IN)
    entries = catalogue.values() if isinstance(catalogue, dict) else catalogue
    examples = [_from_entry(entry) for entry in entries]
    return [e for e in examples if e.sparql] or list(BUILT_IN)


def _from_entry(entry: object) -> Example:
    name = str(getattr(entry, "name", ""))
    title = getattr(entry, "title_zh", None) or getattr(entry, "title", None) or name
    sparql = getattr(entry, "sparql", None) or getattr(entry, "query", None) or ""
    description = getattr(entry, "description", "") or ""
    return Example(name, str(title), str(sparql), str(description))
