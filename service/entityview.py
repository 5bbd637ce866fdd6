"""Everything an ``/id/…`` page shows about a resource (:func:`describe`): its types, labels,
statements (each link once, under its most specific property, with its sources and evidence), a
slogan's parts as a tree, the resources pointing at it and where it is mentioned.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import cast

import pyoxigraph as ox

from ..kg.store import Term
from ..kg.vocab import prologue
from .db import get_backend, get_store
from .evidence import Evidence, EvidenceMap, Mention, evidence, mentions
from .links import (
    POL,
    PREFIXES,
    RDF_TYPE,
    RDFS_LABEL,
    Link,
    base_iri,
    fallback_label,
    link,
    passage_href,
    source_links,
    vocab_label,
)

_Q_EXISTS = "ASK { { ?s ?p ?o } UNION { ?x ?p ?s } }"

# Each statement once with the graphs that state it: a thing every report states (an
# indicator, a place, a shared term) is stated in thousands of graphs at 100 times the corpus,
# a row each when read per graph (17,000 rows, 1 s, for one indicator's page)
# (the subject written in, not bound: a server binds a parameter by a VALUES after the GROUP BY)
_Q_OUT = """SELECT ?p ?o (GROUP_CONCAT(STR(?g); separator=" ") AS ?graphs) WHERE {
  GRAPH ?g { SUBJECT ?p ?o }
}
GROUP BY ?p ?o
"""
_Q_LABELS = (
    prologue("skos", "rdfs") + "SELECT ?o ?label WHERE { ?o rdfs:label|skos:prefLabel ?label }"
)

# Incoming links, without the ones a page already shows from the other side: evidence nodes
# (pol:Assertion), a link also stated by a more specific property (dcterms:hasPart beside
# pol:hasComponent), and the inverse of an outgoing link (承建企业 of a project the page lists
# as 承建项目; 产业企业, a chain starting with the inverse of 所属产业), or a symmetric link
# both ways (近似概念). A report's spans, sentences and sections (pol:inReport…) are its text
# and outline on its page, not a list of thousands of links.
# Virtuoso 7.2 gets FILTER NOT EXISTS wrong beside an OPTIONAL (it kept evidence nodes) and
# evaluates a path inside one without the ?p bound outside it: the simple tests sit in a group
# of their own, the ones with paths are OPTIONALs that must stay unmatched.
# Links into a page's resource, and its links out (to name each link from one side only).
# Which to show is decided in Python over the property tables (see incoming): in SPARQL, an
# OPTIONAL of several patterns is evaluated over the whole store before the join.
_Q_IN = (
    prologue("skos", "pol", "rdfs")
    + """SELECT ?s ?x ?p ?label WHERE {
  ?x ?p ?s .
  FILTER (?p NOT IN (%s))
  FILTER NOT EXISTS { ?x a pol:Assertion }
  OPTIONAL { ?x rdfs:label|skos:prefLabel ?label }
}
"""
)

_Q_LINKS_OUT = "SELECT ?s ?q ?x WHERE { ?s ?q ?x }"
EVIDENCE_LINKS = {POL + "inReport", POL + "inSection", POL + "inSentence"}
# Links into a place or an indicator from its figures (pol:Observation), which its page shows
# as a table and charts of targets and actuals, not again as a list of links
FIGURE_LINKS = {POL + "Place": POL + "refArea", POL + "Indicator": POL + "indicator"}

# The ontology's property hierarchy and inverses, for pages that name each link once. A chain
# starting with the inverse of a property counts as its inverse (pol:hasEnterprise is
# (inverse of pol:inIndustry) then pol:asEnterprise, the enterprises among them). The first
# step is a triple pattern, not ``?p rdfs:subPropertyOf+ ?super``: Virtuoso refuses a path with
# neither end bound ("transitive start not given").
_Q_PROPERTY_LINKS = (
    prologue("rdf", "owl", "rdfs")
    + """SELECT ?p ?super ?inverse WHERE {
  { ?p rdfs:subPropertyOf ?direct . ?direct rdfs:subPropertyOf* ?super }
  UNION { ?p owl:inverseOf|^owl:inverseOf ?inverse }
  UNION { ?p owl:propertyChainAxiom/rdf:first/owl:inverseOf ?inverse }
  UNION { ?inverse owl:propertyChainAxiom/rdf:first/owl:inverseOf ?p }
}
"""
)

# A slogan's parts at every depth, each under the slogan it is a direct part of.
_Q_PART_TREE = (
    prologue("skos", "pol", "rdfs")
    + """SELECT DISTINCT ?s ?parent ?part ?label WHERE {
  ?s pol:hasComponent* ?parent .
  ?parent pol:hasComponent ?part .
  OPTIONAL { ?part (rdfs:label|skos:prefLabel) ?label }
}
"""
)


@dataclass
class Fact:
    """One value of a property as a page shows it: the passages it was read from, else where
    it is stated (a report, the lexicon, the reasoner); a slogan's parts nest under it."""

    value: Link | str
    evidence: list[Evidence] = field(default_factory=list)
    sources: list[Link] = field(default_factory=list)
    parts: list[Fact] = field(default_factory=list)


@dataclass
class Statement:
    """The values of one property, each once."""

    prop: Link
    values: list[Fact] = field(default_factory=list)


@dataclass
class Incoming:
    """Resources linking to a page's resource through ``prop``: ``count`` in all, the first
    twenty as ``facts``."""

    prop: Link
    count: int
    facts: list[Fact]


@dataclass
class Description:
    """What a page shows about one resource."""

    iri: str
    label: str
    types: list[Link]
    statements: list[Statement]
    incoming: list[Incoming]
    mentions: list[Mention]
    evidence: EvidenceMap = field(default_factory=dict)


def property_links() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """The ontology's super-properties (transitive) and inverses of each property, read once
    per store version: ``supers[pol:hasComponent] == {pol:hasPart, dcterms:hasPart}``."""

    def read(store) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
        supers: dict[str, set[str]] = defaultdict(set)
        inverses: dict[str, set[str]] = defaultdict(set)
        for row in store.select(_Q_PROPERTY_LINKS):
            if "super" in row:
                supers[row["p"].value].add(row["super"].value)
            if "inverse" in row:
                inverses[row["p"].value].add(row["inverse"].value)
        return dict(supers), dict(inverses)

    return get_backend().memo("property_links", read)


def _zh_first(labels: Iterable[ox.Literal]) -> str | None:
    ordered = sorted(labels, key=lambda lit: (lit.language != "zh", lit.language or "", lit.value))
    return ordered[0].value if ordered else None


def describe(iri: str) -> Description | None:
    """Everything a page shows about ``iri``; None if the graph does not know it.

    Each link is shown once: under its most specific property (组成部分, not also 包含 and
    dcterms:hasPart), from one side only (an enterprise's 承建项目, not also the projects'
    承建企业), never through evidence nodes; a slogan's parts as one tree.
    """
    node = ox.NamedNode(iri)
    if not get_store().ask(_Q_EXISTS, {"s": node}):
        return None
    values: dict[str, dict[str, tuple[Term, set[str], list[ox.Literal]]]] = defaultdict(dict)
    summary = base_iri() + "graph/summary"  # the catalogue's lookup index, not a statement
    labels: defaultdict[str, list[ox.Literal]] = defaultdict(list)  # of the objects, by key
    for row in get_store().select(_Q_OUT.replace("SUBJECT", str(node))):
        graphs = set(row["graphs"].value.split()) - {summary}
        if graphs:
            key = str(row["o"])
            values[row["p"].value][key] = (row["o"], graphs, labels[key])
    named = {k: o for vals in values.values() for k, (o, _, _) in vals.items()}
    linked = [o for o in named.values() if isinstance(o, ox.NamedNode)]
    for row in get_store().select_each(_Q_LABELS, "o", linked):
        labels[str(row["o"])].append(cast(ox.Literal, row["label"]))
    own_labels = [
        o
        for p in (RDFS_LABEL, PREFIXES["skos"] + "prefLabel")
        for o, _, _ in values.get(p, {}).values()
        if isinstance(o, ox.Literal)
    ]
    types = [link(t.value) for t, _, _ in values.get(RDF_TYPE, {}).values()]
    quotes = [o.value for o, _, _ in values.get(POL + "quote", {}).values()]
    found = evidence(iri)
    tree = _part_tree(node) if POL + "hasComponent" in values else {}
    _drop_repeated(values, tree)
    # The spans it was read from are its mentions, each quoted in its sentence below.
    values.pop(PREFIXES["prov"] + "wasDerivedFrom", None)
    statements = [
        _statement(iri, p, vals, found, tree)
        for p, vals in sorted(values.items(), key=_prop_order)
        if vals
    ]
    return Description(
        iri=iri,
        label=_zh_first(own_labels) or (_quoted(quotes[0]) if quotes else fallback_label(iri)),
        types=sorted(types, key=lambda t: (not t.iri.startswith(POL), t.iri)),
        statements=statements,
        incoming=incoming(
            node, found, {FIGURE_LINKS[t.iri] for t in types if t.iri in FIGURE_LINKS}
        ),
        mentions=mentions(iri),
        evidence=found,
    )


def _drop_repeated(values: dict[str, dict], tree: dict[str, list[Link]]) -> None:
    """Remove the values a page would otherwise repeat: a value of a property also stated
    through a narrower one, and a slogan's deeper parts (shown in its tree of parts)."""
    supers, _ = property_links()
    for narrower, vals in list(values.items()):
        for broader in supers.get(narrower, ()):
            for key in set(vals) & set(values.get(broader, {})):
                del values[broader][key]
    in_tree = {part.iri for parts in tree.values() for part in parts}
    for broader in supers.get(POL + "hasComponent", ()):
        for key in [k for k, v in values.get(broader, {}).items() if v[0].value in in_tree]:
            del values[broader][key]


def _part_tree(node: ox.NamedNode) -> dict[str, list[Link]]:
    """Each slogan among ``node`` and its parts → its direct parts, by label."""
    labels: dict[tuple[str, str], list[ox.Literal]] = defaultdict(list)
    for row in get_store().select(_Q_PART_TREE, {"s": node}):
        entry = labels[(row["parent"].value, row["part"].value)]
        if "label" in row:
            entry.append(cast(ox.Literal, row["label"]))
    tree: dict[str, list[Link]] = defaultdict(list)
    for (parent, part), names in labels.items():
        tree[parent].append(link(part, _zh_first(names)))
    return {k: sorted(v, key=lambda x: x.label) for k, v in tree.items()}


def fact_evidence(found: EvidenceMap, s: str, p: str, o: str) -> list[Evidence]:
    """The passages stating ``s p o``, or its inverse ``o p⁻ s`` (承建项目 ↔ 承建企业)."""
    _, inverses = property_links()
    out = list(found.get((s, p, o), []))
    for q in inverses.get(p, ()):
        out.extend(e for e in found.get((o, q, s), []) if e not in out)
    return out


def _quoted(quote: str, width: int = 40) -> str:
    """A text span's name: its quote, cut to a line: ``“四主链”``."""
    return "“" + (quote if len(quote) <= width else quote[: width - 1] + "…") + "”"


def span_href(desc: Description) -> str | None:
    """Where a text span sits in its report's text, highlighted; None for anything else."""
    found = {s.prop.iri: s.values[0].value for s in desc.statements if s.values}
    report, start, end = (found.get(POL + p) for p in ("inReport", "start", "end"))
    if not isinstance(report, Link) or start is None or end is None:
        return None
    return passage_href(report.iri, int(str(start)), int(str(end)))


def _prop_order(item) -> tuple:
    p = item[0]
    first = [RDF_TYPE, RDFS_LABEL, PREFIXES["skos"] + "prefLabel", PREFIXES["skos"] + "definition"]
    return (first.index(p) if p in first else len(first), p == POL + "text", vocab_label(p))


def _statement(
    iri: str, prop: str, vals, found: EvidenceMap, tree: dict[str, list[Link]]
) -> Statement:
    out = Statement(link(prop, vocab_label(prop)))
    for obj, graphs, labels in sorted(vals.values(), key=lambda v: str(v[0])):
        if isinstance(obj, ox.NamedNode):
            value = link(obj.value, _zh_first(labels))
            spans = fact_evidence(found, iri, prop, obj.value)
        else:
            value, spans = obj.value, []
        # Where a link without a quote comes from (a report, the reasoner); names and types
        # come from the report the page quotes anyway.
        shown = isinstance(value, Link) and prop != RDF_TYPE and not spans
        fact = Fact(value, spans, _sources(graphs) if shown else [])
        if prop == POL + "hasComponent" and isinstance(value, Link):
            fact.parts = _parts(value.iri, tree, found, {iri, value.iri})
        out.values.append(fact)
    return out


def _sources(graphs: Iterable[str]) -> list[Link]:
    named = source_links(sorted(graphs))
    return list({s.label: s for s in named}.values())


def _parts(parent: str, tree: dict[str, list[Link]], found: EvidenceMap, seen: set[str]):
    """The facts of ``parent``'s parts, each with its own parts (a cycle stops the descent)."""
    out = []
    for part in tree.get(parent, []):
        if part.iri in seen:
            continue
        fact = Fact(part, fact_evidence(found, parent, POL + "hasComponent", part.iri))
        fact.parts = _parts(part.iri, tree, found, seen | {part.iri})
        out.append(fact)
    return out


def incoming(
    node: ox.NamedNode, found: EvidenceMap | None = None, elsewhere: Iterable[str] = ()
) -> list[Incoming]:
    """Resources pointing at ``node`` (links not shown from the other side): per property,
    the count and the first twenty by label, each with the passages stating its link.

    A link ``x p node`` is left out when ``node`` states it itself (``node p x``, or an
    inverse of ``p`` or of a property narrower than it), when ``x`` states it through a
    narrower property too, when it is evidence (pol:inReport, assertion nodes), and when its
    property is among ``elsewhere``, the links its page shows otherwise.
    """
    found = found if found is not None else {}
    supers, inverses = property_links()
    left_out = ", ".join(f"<{p}>" for p in sorted(EVIDENCE_LINKS | set(elsewhere)))
    rows = get_store().select(_Q_IN % left_out, {"s": node})
    into: dict[Term, set[str]] = defaultdict(set)
    for row in rows:
        into[row["x"]].add(row["p"].value)
    out_links: dict[str, set[str]] = defaultdict(set)
    for row in get_store().select(_Q_LINKS_OUT, {"s": node}):
        out_links[row["x"].value].add(row["q"].value)

    def shown(x: Term, p: str) -> bool:
        stated = out_links.get(x.value, set())
        return not (
            p in EVIDENCE_LINKS
            or p in stated
            or any(p in supers.get(q, ()) for q in into[x])  # through a narrower property
            or any(q in inverses.get(p, ()) for q in stated)
            or any(p in supers.get(r, ()) for q in stated for r in inverses.get(q, ()))
        )

    # as ORDER BY ?label ?x LIMIT 20 over (x, label) rows would: unlabelled first
    ordered: dict[str, list[tuple[tuple, Term, ox.Literal | None]]] = defaultdict(list)
    for row in rows:
        x, p, label = row["x"], row["p"].value, cast(ox.Literal | None, row.get("label"))
        if shown(x, p):
            key = (label is not None, label.value if label else "", str(x))
            ordered[p].append((key, x, label))
    out = []
    for p in sorted(ordered, key=vocab_label):
        first: dict[str, list[ox.Literal]] = {}
        for _, x, label in sorted(set(ordered[p]), key=lambda item: item[0])[:20]:
            if isinstance(x, ox.NamedNode):
                first.setdefault(x.value, []).extend([label] if label is not None else [])
        facts = [
            Fact(link(x, _zh_first(names)), fact_evidence(found, x, p, node.value))
            for x, names in first.items()
        ]
        count = len({x for _, x, _ in ordered[p]})
        out.append(Incoming(link(p, vocab_label(p)), count, facts))
    return out
