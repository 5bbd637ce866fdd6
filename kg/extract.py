"""One report through every extractor, into the quads of its named graph.

The extractors are pure (text in, records out); this module runs them in order, feeds each the
records it needs from the ones before, and hands the records to ``kg.graph`` writers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache

import pyoxigraph as ox

from . import entities, glossary, graph, indicators, industries, policies, slogans
from .document import Document
from .iri import Minter
from .structure import parse_structure


@dataclass
class ReportResult:
    """The quads of one report's graph, with counts for ``policykg build``'s summary."""

    graph: str
    quads: list[ox.Quad]
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@cache
def taxonomy():
    return industries.load_industries()


def report_quads(doc: Document, minter: Minter) -> ReportResult:
    """Extract everything from ``doc`` and write it as quads of the report's graph."""
    structure = parse_structure(doc)
    rg = graph.ReportGraph(doc, structure, minter)
    graph.write_report(rg, hashlib.sha256(doc.path.read_bytes()).hexdigest())
    graph.write_sections(rg, structure.sections)

    entries = glossary.find_glossary(doc.text)
    found_slogans = slogans.find_slogans(doc.text, entries)
    slogan_iris = graph.write_slogans(rg, found_slogans, taxonomy())
    graph.write_glossary(rg, entries, found_slogans, slogan_iris)

    documents = policies.find_policy_documents(doc.text)
    found_policies = policies.find_policies(doc.text)
    policies.link_documents(found_policies, documents)
    graph.write_policies(rg, found_policies, documents, slogan_iris)

    observations = indicators.merge_observations(
        indicators.parse_indicator_tables(doc.text)
        + indicators.find_text_figures(doc.text, structure.walk())
    )
    graph.write_observations(rg, observations)

    counts = {
        "glossary": len(entries),
        "slogans": len(found_slogans),
        "policies": len(found_policies),
        "documents": len(documents),
        "observations": len(observations),
    }
    warnings = [w for s in found_slogans for w in getattr(s, "warnings", [])]
    return ReportResult(rg.graph.value, rg.quads, counts, warnings)
