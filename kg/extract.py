"""One report through every extractor, into the quads of its named graph.

The extractors are pure (text in, records out); this module runs them in order, feeds each the
records it needs from the ones before, and hands the records to ``kg.graph`` writers.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from . import (
    bodies,
    checks,
    commitments,
    enterprises,
    glossary,
    graph,
    indicators,
    industries,
    places,
    policies,
    projects,
    slogans,
    targets,
)
from .document import Document, Span
from .gazetteer import divisions
from .iri import Minter
from .structure import parse_structure


@dataclass
class ReportResult:
    """The quads of one report's graph, with counts for ``policykg build``'s summary."""

    graph: str
    quads: list[ox.Quad]
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def report_quads(doc: Document, minter: Minter) -> ReportResult:
    """Extract everything from ``doc`` and write it as quads of the report's graph."""
    structure = parse_structure(doc)
    rg = graph.ReportGraph(doc, structure, minter)
    graph.write_report(rg, hashlib.sha256(doc.path.read_bytes()).hexdigest())
    graph.write_sections(rg, structure.sections)
    entries = glossary.find_glossary(doc.text)
    found_slogans = slogans.find_slogans(doc.text, entries)
    found = find_entities(doc.text, structure, entries, found_slogans)

    home = divisions()[1].get(structure.place_code or "")
    # 广东 of the company 广东来裕 is part of a name, not a place the report speaks of
    names = [m for e in found.enterprises for m in e.mentions]
    found_places = places.find_places(doc.text, home, names)
    graph.write_places(rg, found_places)

    slogan_iris = graph.write_slogans(rg, found_slogans, industries.load_industries())
    graph.write_glossary(rg, entries, found_slogans, slogan_iris)

    documents = policies.find_policy_documents(doc.text)
    found_policies = policies.find_policies(doc.text)
    policies.link_documents(found_policies, documents)
    graph.write_policies(rg, found_policies, documents, slogan_iris)

    observations = find_observations(doc.text, structure)
    graph.write_observations(rg, observations)
    found_checks = find_checks(doc.text, structure)
    graph.write_checks(rg, found_checks)

    graph.write_entities(rg, found, slogan_iris, industries.load_industries())
    counts = {
        "glossary": len(entries),
        "slogans": len(found_slogans),
        "policies": len(found_policies),
        "documents": len(documents),
        "places": len(found_places),
        "observations": len(observations),
        "checks": len(found_checks),
        "checks_failed": sum(not c.passed for c in found_checks),
        "enterprises": len(found.enterprises),
        "projects": len(found.projects),
    }
    warnings = [w for s in found_slogans if s.defined_by for w in s.warnings]
    return ReportResult(rg.graph.value, rg.quads, counts, warnings)


def find_observations(text: str, structure) -> list[indicators.ObservationRecord]:
    """Indicator figures of the table, the headline target list and the running text, merged.

    The report's year (its date, else the latest year its headings name) says which year
    今年/去年 are.
    """
    year = report_year(structure)
    headline = targets.find_headline_targets(text, year)
    promised, _ = commitments.find_commitments(text, year)
    return indicators.merge_observations(
        indicators.parse_indicator_tables(text)
        + headline
        + promised
        + indicators.find_text_figures(
            text, structure.walk(), year, taken=targets.headline_spans(text)
        )
    )


def report_year(structure) -> int | None:
    """The report's year: its date's, else the latest year its headings name."""
    return structure.date.year if structure.date else max(structure.years, default=None)


def find_checks(text: str, structure) -> list[checks.Check]:
    """The consistency checks of the report's figures, the commitment lists' item counts too."""
    _, item_checks = commitments.find_commitments(text, report_year(structure))
    return sorted(checks.find_checks(text) + item_checks, key=lambda c: c.stated_span)


@dataclass
class Entities:
    """What ``kg.enterprises``, ``kg.projects`` and ``kg.bodies`` find in one report, and which
    slogans each paragraph names."""

    enterprises: list
    projects: list
    bodies: list
    enterprise_industries: dict
    leaders: list
    paragraph_slogans: list[tuple[int, int, list[str]]]

    def chains_near(self, span: Span) -> list[str]:
        """Chains (slogans of industries) named in the paragraph that holds ``span``."""
        return next((s for a, b, s in self.paragraph_slogans if a <= span[0] < b), [])


def find_entities(text: str, structure, entries, found_slogans) -> Entities:
    """Run the entity extractors with a per-report dictionary of glossary terms and quotes."""
    terms = {t for e in entries for t in e.terms} | set(re.findall(r"“([^“”\n]{2,16})”", text))
    found = enterprises.find_enterprises(text, terms)
    named = projects.find_projects(text, found, industries.load_industries(), terms)
    links = enterprises.enterprise_industries(
        text, structure.sentences, found, named, industries.load_industries()
    )
    leaders = enterprises.find_leading_enterprises(text, found, terms)
    # a leader leads an industrial chain: only slogans whose parts are industries qualify
    chains = [s for s in found_slogans if any(c.kind == "industry" for c in s.components)]
    paragraph_slogans = [
        (a, b, [s.label for s in chains if any(a <= m < b for m, _ in s.mentions)])
        for a, b in structure.paragraphs
    ]
    named_bodies = bodies.find_government_bodies(text)
    return Entities(found, named, named_bodies, links, leaders, paragraph_slogans)
