"""Every IRI dereferences: ``/id/…`` pages for people, RDF for machines.

The configured base (``https://w3id.org/policykg/id/``) maps onto this server's ``/id/``, so
``https://w3id.org/policykg/id/enterprise/ping-gao-ji-tuan`` is served at
``/id/enterprise/ping-gao-ji-tuan``. One URL answers in five forms, chosen by ``?format=`` or
else by the ``Accept`` header (``Vary: Accept``)::

    html    text/html               the page, with schema.org JSON-LD embedded
    ttl     text/turtle             its description: what it states and what points at it
    jsonld  application/ld+json
    rdf     application/rdf+xml
    nt      application/n-triples

Pages show where every statement comes from (the named graph: a report, the lexicon or the
reasoner) and every place the resource is mentioned, with the quote inside its sentence and a
link to the highlighted passage in the report text. Reports show their whole text with the
extracted spans marked; indicators a chart of targets against actual values. The ontology's
own IRIs are documented at ``/ontology`` (``vocabulary.py``), served the same way.

In RDF a resource is its symmetric concise bounded description, capped at 500 incoming
triples with a link to the rest (``description.py``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from html import escape
from typing import NamedTuple, cast
from urllib.parse import quote

import pyoxigraph as ox
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from ..kg import vocab
from ..kg.store import Term
from . import description, negotiation, search
from .charts import Point, indicator_chart
from .db import get_store
from .negotiation import FORMATS, RDF, rdf_format

bp = Blueprint("entities", __name__)

POL = vocab.POL.base
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

# The project's prefixes for names on pages, plus vann (the ontology's own header). Without
# ``id:``: the configured base may differ from its default, and pages name base IRIs by path.
PREFIXES = {k: v for k, v in vocab.PREFIXES.items() if k != "id"} | {
    "vann": "http://purl.org/vocab/vann/"
}
# Names of the W3C properties the graph uses, for pages; the ontology names its own.
_W3C_LABELS = {
    RDF_TYPE: "类型",
    RDFS_LABEL: "名称",
    PREFIXES["rdfs"] + "comment": "说明",
    PREFIXES["skos"] + "Concept": "概念",
    PREFIXES["skos"] + "ConceptScheme": "概念体系",
    PREFIXES["prov"] + "Entity": "实体",
    PREFIXES["skos"] + "prefLabel": "首选名称",
    PREFIXES["skos"] + "altLabel": "别名",
    PREFIXES["skos"] + "definition": "定义",
    PREFIXES["skos"] + "broader": "上位概念",
    PREFIXES["skos"] + "broaderTransitive": "各级上位概念",
    PREFIXES["skos"] + "narrower": "下位概念",
    PREFIXES["skos"] + "narrowerTransitive": "各级下位概念",
    PREFIXES["skos"] + "related": "相关概念",
    PREFIXES["skos"] + "exactMatch": "等同概念",
    PREFIXES["skos"] + "hasTopConcept": "顶层概念",
    PREFIXES["skos"] + "topConceptOf": "顶层概念属于",
    PREFIXES["dcterms"] + "source": "来源",
    PREFIXES["skos"] + "closeMatch": "近似概念",
    PREFIXES["skos"] + "inScheme": "所属体系",
    PREFIXES["prov"] + "wasDerivedFrom": "出处",
    PREFIXES["dcterms"] + "title": "标题",
    PREFIXES["dcterms"] + "date": "日期",
    PREFIXES["dcterms"] + "isPartOf": "属于",
    PREFIXES["dcterms"] + "hasPart": "包含",
    PREFIXES["dcterms"] + "spatial": "地域",
    PREFIXES["dcterms"] + "creator": "发布者",
    PREFIXES["dcterms"] + "issued": "发布日期",
}
# schema.org types for the JSON-LD embedded in pages.
_SCHEMA_TYPES = {
    "Report": "Report",
    "Enterprise": "Organization",
    "GovernmentBody": "GovernmentOrganization",
    "Place": "Place",
    "PolicyDocument": "CreativeWork",
    "Project": "Project",
    "Indicator": "StatisticalVariable",
    "Observation": "Observation",
}

_Q_DESCRIBE = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
_Q_EXISTS = "ASK { { ?s ?p ?o } UNION { ?x ?p ?s } }"
_Q_GRAPH_EXISTS = "ASK { GRAPH ?g { ?s ?p ?o } }"
_Q_OUT = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?s ?p ?o ?g ?label WHERE {
  GRAPH ?g { ?s ?p ?o }
  OPTIONAL { ?o (rdfs:label|skos:prefLabel) ?label }
}
"""
# Incoming links, without the ones a page already shows from the other side: evidence nodes
# (pol:Assertion), a link also stated by a more specific property (dcterms:hasPart beside
# pol:hasComponent), and the inverse of an outgoing link (承建企业 of a project the page lists
# as 承建项目; 产业企业, a chain starting with the inverse of 所属产业), or a symmetric link
# both ways (近似概念). A report's spans, sentences and sections (pol:inReport…) are its text
# and outline on its page, not a list of thousands of links.
# Virtuoso 7.2 gets FILTER NOT EXISTS wrong beside an OPTIONAL (it kept evidence nodes) and
# evaluates a path inside one without the ?p bound outside it: the simple tests sit in a group
# of their own, the ones with paths are OPTIONALs that must stay unmatched.
_IN_SHOWN = """
  {
    ?x ?p ?s .
    FILTER(?p NOT IN (pol:inReport, pol:inSection, pol:inSentence))
    FILTER NOT EXISTS { ?x a pol:Assertion }
    FILTER NOT EXISTS { ?s ?p ?x }
  }
  OPTIONAL { ?x ?narrower ?s . ?narrower rdfs:subPropertyOf+ ?p . BIND(true AS ?narrowerToo) }
  FILTER(!BOUND(?narrowerToo))
  OPTIONAL {
    ?s ?q ?x .
    { ?q owl:inverseOf|^owl:inverseOf ?p }
    UNION { ?q (owl:inverseOf|^owl:inverseOf)/rdfs:subPropertyOf+ ?p }
    UNION { ?p owl:propertyChainAxiom/rdf:first/owl:inverseOf ?q }
    UNION { ?q owl:propertyChainAxiom/rdf:first/owl:inverseOf ?p }
    BIND(true AS ?inverseToo)
  }
  FILTER(!BOUND(?inverseToo))
"""
_Q_IN_COUNTS = f"""
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX pol: <https://w3id.org/policykg/ontology#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?s ?p (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {_IN_SHOWN} }} GROUP BY ?s ?p
"""
_Q_IN = f"""
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX pol: <https://w3id.org/policykg/ontology#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?s ?p ?x ?label WHERE {{
  {_IN_SHOWN}
  OPTIONAL {{ ?x (rdfs:label|skos:prefLabel) ?label }}
}}
ORDER BY ?label ?x LIMIT 20
"""
# The ontology's property hierarchy and inverses, for pages that name each link once. A chain
# starting with the inverse of a property counts as its inverse (pol:hasEnterprise is
# (inverse of pol:inIndustry) then pol:asEnterprise, the enterprises among them). The first
# step is a triple pattern, not ``?p rdfs:subPropertyOf+ ?super``: Virtuoso refuses a path with
# neither end bound ("transitive start not given").
_Q_PROPERTY_LINKS = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?p ?super ?inverse WHERE {
  { ?p rdfs:subPropertyOf ?direct . ?direct rdfs:subPropertyOf* ?super }
  UNION { ?p owl:inverseOf|^owl:inverseOf ?inverse }
  UNION { ?p owl:propertyChainAxiom/rdf:first/owl:inverseOf ?inverse }
  UNION { ?inverse owl:propertyChainAxiom/rdf:first/owl:inverseOf ?p }
}
"""
# A slogan's parts at every depth, each under the slogan it is a direct part of.
_Q_PART_TREE = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX pol: <https://w3id.org/policykg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?s ?parent ?part ?label WHERE {
  ?s pol:hasComponent* ?parent .
  ?parent pol:hasComponent ?part .
  OPTIONAL { ?part (rdfs:label|skos:prefLabel) ?label }
}
"""
_Q_MENTIONS = """
PREFIX pol: <https://w3id.org/policykg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT DISTINCT ?s ?span ?quote ?start ?end ?report ?title WHERE {
  ?s prov:wasDerivedFrom ?span .
  ?span pol:quote ?quote ; pol:start ?start ; pol:end ?end ; pol:inReport ?report .
  OPTIONAL { ?report dcterms:title ?title }
}
ORDER BY ?report ?start ?end
"""
# Apart from _Q_MENTIONS: as an OPTIONAL there, Oxigraph joins every sentence of the store
# (20 ms a page); as a query of its own it starts from the resource (0.3 ms).
_Q_MENTION_SENTENCES = """
PREFIX pol: <https://w3id.org/policykg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?s ?span ?sq ?ss WHERE {
  ?s prov:wasDerivedFrom ?span .
  ?span pol:inSentence ?sentence .
  ?sentence pol:quote ?sq ; pol:start ?ss .
}
"""
# Every link stated in the reports, with the span it was read from: pol:Assertion
# (ontology/README.md, "Evidence of relations"). A few hundred in the whole collection, read
# once per store version: bound to one resource, the same join took 20–90 ms a page.
_Q_ASSERTIONS = """
PREFIX pol: <https://w3id.org/policykg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT DISTINCT ?s ?p ?o ?quote ?start ?end ?report ?title WHERE {
  ?a pol:assertedSubject ?s ; pol:assertedProperty ?p ; pol:assertedObject ?o ;
     prov:wasDerivedFrom ?span .
  ?span pol:quote ?quote ; pol:start ?start ; pol:end ?end ; pol:inReport ?report .
  OPTIONAL { ?report dcterms:title ?title }
}
"""
# A resource and its parts at any depth (a term page's tree).
_Q_SELF_AND_PARTS = """
PREFIX pol: <https://w3id.org/policykg/ontology#>
SELECT DISTINCT ?r ?x WHERE { ?r pol:hasComponent* ?x }
"""
_Q_VOCAB_LABELS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX pol: <https://w3id.org/policykg/ontology#>
SELECT ?x ?label WHERE { ?x rdfs:label ?label FILTER(STRSTARTS(STR(?x), STR(pol:))) }
"""
_Q_OBSERVATIONS = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX pol: <https://w3id.org/policykg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?s ?obs ?period ?kind ?measure ?value ?lower ?upper ?met ?unit ?bound ?text ?area ?areaLabel
WHERE {
  ?obs pol:indicator ?s ; pol:period ?period ; pol:valueKind ?kind ; pol:measure ?measure .
  OPTIONAL { ?obs pol:value ?value }
  OPTIONAL { ?obs pol:lowerBound ?lower ; pol:upperBound ?upper }
  OPTIONAL { ?attainment pol:targetObservation ?obs ; pol:targetMet ?met }
  OPTIONAL { ?obs pol:unit ?unit }
  OPTIONAL { ?obs pol:bound ?bound }
  OPTIONAL { ?obs pol:targetText ?text }
  OPTIONAL { ?obs pol:refArea ?area OPTIONAL { ?area (rdfs:label|skos:prefLabel) ?areaLabel } }
}
ORDER BY ?areaLabel ?measure ?period ?kind
"""


# ---------------------------------------------------------------- records


@dataclass(frozen=True)
class Link:
    """A resource as shown on a page: its IRI, where it lives here, and its label."""

    iri: str
    href: str
    label: str


@dataclass(frozen=True)
class Mention:
    """One place a resource is mentioned: ``quote`` inside ``before``…``after`` of its sentence."""

    report: Link
    start: int
    end: int
    quote: str
    before: str
    after: str
    href: str  # the highlighted passage in the report text


@dataclass(frozen=True)
class Evidence:
    """The passage a link was read from: ``quote`` at ``start``–``end`` of ``report``."""

    report: Link
    start: int
    end: int
    quote: str
    href: str  # the highlighted passage in the report text


# (subject, property, object) IRIs → the passages stating that link
EvidenceMap = dict[tuple[str, str, str], list[Evidence]]


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


# ---------------------------------------------------------------- store access


def base_iri() -> str:
    """The configured ``BASE_IRI``: ``https://w3id.org/policykg/id/``, served at ``/id/``."""
    return current_app.config["BASE_IRI"]


def local_href(iri: str) -> str:
    """Where an IRI is served on this server; other IRIs are returned as they are.

    ``https://w3id.org/policykg/id/slogan/si-zhu-lian`` → ``/id/slogan/si-zhu-lian``;
    ``https://w3id.org/policykg/ontology#Slogan`` → ``/ontology#Slogan``.
    """
    base = base_iri()
    if iri.startswith(base):
        return key_href("entities.entity", iri[len(base) :])
    if iri.startswith(POL):
        return url_for("vocabulary.ontology") + "#" + iri[len(POL) :]
    from ..kg.dumps import site_root

    root = site_root(base)
    if root != base and iri.startswith(root):
        return "/" + iri[len(root) :]
    return iri


def key_href(endpoint: str, key: str) -> str:
    """``url_for(endpoint, key=key)`` for a route ending in ``<iri:key>``, at a fraction of its
    cost: the route's root is built once per request, the key quoted as Werkzeug quotes a path.
    A page links hundreds of things, and ``url_for`` takes about 0.1 ms a call."""
    roots = g.setdefault("policykg_url_roots", {})
    root = roots.get(endpoint)
    if root is None:
        root = roots[endpoint] = url_for(endpoint, key="k")[:-1]
    return root + quote(key, safe=_PATH_SAFE)


_PATH_SAFE = "!$&'()*+,/:;=@"  # werkzeug.routing.BaseConverter.to_url


def vocab_labels() -> dict[str, dict[str, str]]:
    """``{iri: {lang: label}}`` for the ontology's terms, read once per app."""
    cache = current_app.extensions.get("policykg.vocab_labels")
    if cache is None:  # filled before it is shared: a request beside the warm-up sees all or none
        cache = {POL: {}}
        for row in get_store().select(_Q_VOCAB_LABELS):
            lang = getattr(row["label"], "language", None) or ""
            cache.setdefault(row["x"].value, {})[lang] = row["label"].value
        current_app.extensions["policykg.vocab_labels"] = cache
    return cache


def vocab_label(iri: str) -> str:
    """``数字式提法`` for pol:Slogan: the Chinese name (English where there is none); the
    prefixed name for anything unnamed."""
    if iri in _W3C_LABELS:
        return _W3C_LABELS[iri]
    labels = vocab_labels().get(iri, {})
    return labels.get("zh") or labels.get("en") or prefixed(iri)


def property_links() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """The ontology's super-properties (transitive) and inverses of each property, read once
    per app: ``supers[pol:hasComponent] == {pol:hasPart, dcterms:hasPart}``."""
    cache = current_app.extensions.get("policykg.property_links")
    if cache is None:
        supers: dict[str, set[str]] = defaultdict(set)
        inverses: dict[str, set[str]] = defaultdict(set)
        for row in get_store().select(_Q_PROPERTY_LINKS):
            if "super" in row:
                supers[row["p"].value].add(row["super"].value)
            if "inverse" in row:
                inverses[row["p"].value].add(row["inverse"].value)
        cache = current_app.extensions["policykg.property_links"] = (dict(supers), dict(inverses))
    return cache


def prefixed(iri: str) -> str:
    """``pol:Slogan`` for the IRI of pol:Slogan; the IRI itself outside the known prefixes."""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def link(iri: str, label: str | None = None) -> Link:
    """``iri`` as shown on a page; without ``label``, its vocabulary name or its key."""
    return Link(iri, local_href(iri), label or _fallback_label(iri))


def _fallback_label(iri: str) -> str:
    if iri.startswith(POL) or iri in _W3C_LABELS:
        return vocab_label(iri)
    base = base_iri()
    return iri[len(base) :] if iri.startswith(base) else prefixed(iri)


def row_value(row: dict, name: str) -> str | None:
    """The lexical value of ``name`` in a result row; None where the query left it unbound."""
    term = row.get(name)
    return term.value if term is not None else None


def _zh_first(labels: Iterable[ox.Literal]) -> str | None:
    ordered = sorted(labels, key=lambda lit: (lit.language != "zh", lit.language or "", lit.value))
    return ordered[0].value if ordered else None


# ---------------------------------------------------------------- descriptions


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
    for row in get_store().select(_Q_OUT, {"s": node}):
        if row["g"].value == summary:
            continue
        key = str(row["o"])
        entry = values[row["p"].value].setdefault(key, (row["o"], set(), []))
        entry[1].add(row["g"].value)
        if "label" in row:
            entry[2].append(cast(ox.Literal, row["label"]))
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
        label=_zh_first(own_labels) or (_quoted(quotes[0]) if quotes else _fallback_label(iri)),
        types=sorted(types, key=lambda t: (not t.iri.startswith(POL), t.iri)),
        statements=statements,
        incoming=incoming(node, found),
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


def source_link(graph: str) -> Link:
    """A named graph as a page names a source in words: ``湛河区 2023 计划报告``, ``推理得出``."""
    base = base_iri()
    report_prefix = base + "graph/report/"
    if graph.startswith(report_prefix):
        from .corpus import corpus

        report = base + "report/" + graph[len(report_prefix) :]
        info = corpus().by_iri.get(report)
        return Link(graph, local_href(report), info.name if info else "报告")
    names = {"lexicon": "词表", "inferred": "推理得出", "ontology": "本体"}
    kind = graph[len(base) + len("graph/") :].partition("/")[0]
    return Link(graph, local_href(graph), names.get(kind, "其他来源"))


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


def passage_href(report: str, start: int, end: int) -> str:
    """The report's text with ``start``–``end`` highlighted and scrolled to."""
    return f"{local_href(report)}?hl={start}-{end}#span-{start}-{end}"


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
    named = [source_link(g) for g in sorted(graphs)]
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


def graph_link(graph: str) -> Link:
    """A named graph as a source: a report graph links to its report, others to their own IRI
    (``/id/graph/inferred/{slug}``), which answers with the graph's statements."""
    base = base_iri()
    report_prefix = base + "graph/report/"
    if graph.startswith(report_prefix):
        report = base + "report/" + graph[len(report_prefix) :]
        return Link(graph, local_href(report), "报告 " + graph[len(report_prefix) :])
    names = {"lexicon": "词表 lexicon", "inferred": "推理 inferred", "ontology": "本体 ontology"}
    name = graph[len(base) + len("graph/") :] if graph.startswith(base + "graph/") else graph
    kind, _, rest = name.partition("/")
    label = names[kind] + (f" {rest}" if rest else "") if kind in names else name
    return Link(graph, local_href(graph), label)


def graph_anchor(graph: str) -> str:
    """The id of a graph's row on ``/dumps/``: ``graph-inferred-zhanhe-district-2023-plan-report``."""
    return "graph-" + graph.rsplit("/graph/", 1)[-1].replace("/", "-")


def incoming(node: ox.NamedNode, found: EvidenceMap | None = None) -> list[Incoming]:
    """Resources pointing at ``node`` (links not shown from the other side): per property,
    the count and the first twenty, each with the passages stating its link."""
    found = found if found is not None else {}
    out = []
    counts = get_store().select(_Q_IN_COUNTS, {"s": node})
    for row in sorted(counts, key=lambda r: vocab_label(r["p"].value)):
        prop = row["p"]
        rows = get_store().select(_Q_IN, {"s": node, "p": prop})
        subjects: dict[str, list[ox.Literal]] = {}
        for r in rows:
            if isinstance(r["x"], ox.NamedNode):
                label = [cast(ox.Literal, r["label"])] if "label" in r else []
                subjects.setdefault(r["x"].value, []).extend(label)
        facts = [
            Fact(
                link(x, _zh_first(labels)),
                fact_evidence(found, x, prop.value, node.value),
            )
            for x, labels in subjects.items()
        ]
        out.append(Incoming(link(prop.value, vocab_label(prop.value)), int(row["n"].value), facts))
    return out


def rows_for(sparql: str, var: str, iris: Iterable[str]) -> dict[str, list[dict]]:
    """The rows of ``sparql`` for each of ``iris`` bound to ``?var``, in one run of the query.

    A ``VALUES`` block opens its ``WHERE`` clause, so Oxigraph starts from the given resources
    as it does from one substituted IRI: a page listing twenty-five things runs each of its
    queries once, not twenty-five times. The IRIs come from the store and are written by
    pyoxigraph; nothing a user typed is pasted.
    """
    out: dict[str, list[dict]] = {iri: [] for iri in iris}
    if not out:
        return out
    values = " ".join(str(ox.NamedNode(iri)) for iri in out)
    at = sparql.index("WHERE {") + len("WHERE {")
    query = f"{sparql[:at]}\n  VALUES ?{var} {{ {values} }}{sparql[at:]}"
    for row in get_store().select(query):
        out[row[var].value].append(row)
    return out


def mentions(iri: str) -> list[Mention]:
    """Every span ``iri`` was derived from, with its sentence, in report and text order."""
    return mentions_of([iri])[iri]


def mentions_of(iris: Iterable[str]) -> dict[str, list[Mention]]:
    """:func:`mentions` of each of ``iris``, read in two queries for all of them."""
    sentences = {
        row["span"].value: (row["sq"].value, int(row["ss"].value))
        for rows in rows_for(_Q_MENTION_SENTENCES, "s", iris).values()
        for row in rows
    }
    return {
        iri: [_mention(row, sentences) for row in rows]
        for iri, rows in rows_for(_Q_MENTIONS, "s", iris).items()
    }


def _mention(row: dict, sentences: dict[str, tuple[str, int]]) -> Mention:
    start, end, quote = int(row["start"].value), int(row["end"].value), row["quote"].value
    before = after = ""
    if row["span"].value in sentences:
        sentence, offset = sentences[row["span"].value]
        if sentence[start - offset : end - offset] == quote:
            before, after = sentence[: start - offset], sentence[end - offset :]
    report = row["report"].value
    return Mention(
        report=link(report, row_value(row, "title")),
        start=start,
        end=end,
        quote=quote,
        before=before,
        after=after,
        href=passage_href(report, start, end),
    )


def evidence(iri: str) -> EvidenceMap:
    """The passages each link of ``iri`` (or of its parts) was read from, in text order.

    ``evidence(平高集团)[(平高集团, pol:inIndustry, 装备制造)]`` → 装备制造产业集群，延伸平高集团.
    """
    return evidence_of([iri])[iri]


def evidence_of(iris: Iterable[str]) -> dict[str, EvidenceMap]:
    """:func:`evidence` of each of ``iris``, their parts read in one query."""
    by_node = assertions()
    return {
        iri: _evidence_map([row["x"].value for row in parts], by_node)
        for iri, parts in rows_for(_Q_SELF_AND_PARTS, "r", iris).items()
    }


def _evidence_map(nodes: list[str], by_node: dict[str, list[dict]]) -> EvidenceMap:
    rows = {id(row): row for x in nodes for row in by_node.get(x, [])}.values()
    out: EvidenceMap = defaultdict(list)
    for row in sorted(
        rows, key=lambda r: (r["report"].value, int(r["start"].value), int(r["end"].value))
    ):
        start, end, report = int(row["start"].value), int(row["end"].value), row["report"].value
        found = Evidence(
            report=link(report, row_value(row, "title")),
            start=start,
            end=end,
            quote=row["quote"].value,
            href=passage_href(report, start, end),
        )
        spans = out[(row["s"].value, row["p"].value, row["o"].value)]
        if found not in spans:
            spans.append(found)
    return dict(out)


def assertions() -> dict[str, list[dict]]:
    """Every stated link with its passage, by subject and by object, once per store version."""
    from .db import get_backend

    backend = get_backend()
    found = backend.extras.get("assertions")
    if found is None:
        index: dict[str, list[dict]] = defaultdict(list)
        for row in backend.store.select(_Q_ASSERTIONS):
            index[row["s"].value].append(row)
            if row["o"].value != row["s"].value:
                index[row["o"].value].append(row)
        found = backend.extras["assertions"] = dict(index)
    return found


def schema_org(desc: Description, definition: str = "") -> Markup:
    """schema.org JSON-LD for the page head: name, type, identifier, description, mentions."""
    kinds = [t.iri[len(POL) :] for t in desc.types if t.iri.startswith(POL)]
    schema_type = next((_SCHEMA_TYPES[k] for k in kinds if k in _SCHEMA_TYPES), "DefinedTerm")
    data: dict = {
        "@context": "https://schema.org",
        "@type": schema_type,
        "@id": desc.iri,
        "name": desc.label,
        "inLanguage": "zh",
        "url": request.base_url,
    }
    if definition:
        data["description"] = definition
    if desc.mentions:
        data["subjectOf"] = [
            {"@type": "Report", "@id": iri, "name": label}
            for iri, label in dict.fromkeys((m.report.iri, m.report.label) for m in desc.mentions)
        ]
    text = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return Markup(f'<script type="application/ld+json">{text}</script>')


# ---------------------------------------------------------------- report text


def report_text(text: str, rows: Iterable[dict], highlight: tuple[int, int] | None) -> Markup:
    """The report's text as HTML, every extracted span (``rows``: ``start``, ``end``, and the
    ``thing`` read from it with its ``label``) marked and linked to what it names.

    ``highlight`` (from ``?hl=start-end``) is marked as the target; anchors ``span-S-E`` sit at
    each span's start so ``#span-S-E`` scrolls to it.
    """
    spans: dict[tuple[int, int], list[Link]] = defaultdict(list)
    # in one order whatever the store's: a span naming several things lists them alike
    rows = sorted(rows, key=lambda r: (row_value(r, "thing") or "", row_value(r, "label") or ""))
    for row in rows:
        key = (int(row["start"].value), int(row["end"].value))
        if "thing" in row:
            spans[key].append(link(row["thing"].value, row_value(row, "label")))
        else:
            spans.setdefault(key, [])
    if highlight:
        spans.setdefault(highlight, [])
    return Markup(_mark(text, spans, highlight))


def _mark(text: str, spans: dict[tuple[int, int], list[Link]], target) -> str:
    cuts = sorted({0, len(text), *(p for s in spans for p in s if 0 <= p <= len(text))})
    starts: dict[int, list[tuple[int, int]]] = defaultdict(list)
    ends: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for s in spans:
        starts[s[0]].append(s)
        ends[s[1]].append(s)
    active: set[tuple[int, int]] = set()
    out: list[str] = []
    for a, b in zip(cuts, cuts[1:], strict=False):  # a sweep: spans open at their start
        active.difference_update(ends[a])
        active.update(s for s in starts[a] if s[1] > s[0])
        out.extend(f'<span class="anchor" id="span-{s}-{e}"></span>' for s, e in sorted(starts[a]))
        piece = escape(text[a:b])
        if not active:
            out.append(piece)
            continue
        things = list(dict.fromkeys(t for s in sorted(active) for t in spans[s]))
        title = escape(" · ".join(t.label for t in things), quote=True)
        cls = "mention target" if target and target[0] <= a and b <= target[1] else "mention"
        out.append(f'<mark class="{cls}" title="{title}">{piece}</mark>')
    return "".join(out)


def _parse_highlight(value: str | None) -> tuple[int, int] | None:
    try:
        start, end = (int(x) for x in (value or "").split("-", 1))
    except ValueError:
        return None
    return (start, end) if 0 <= start <= end else None


# ---------------------------------------------------------------- indicators


@dataclass
class Series:
    """The observations of one indicator for one area and one measure (level or growth)."""

    area: str
    measure: str
    unit: str
    rows: list[dict] = field(default_factory=list)

    @property
    def chart(self) -> Markup:
        """The series as an SVG chart of targets and actual values by year."""
        points = [
            Point(int(r["period"]), r["kind"], _float(r["value"]), _float(r["lower"]),
                  _float(r["upper"]), r["met"] == "false")
            for r in self.rows
        ]  # fmt: skip
        title = f"{self.area} {'增长' if self.measure == 'GrowthRate' else '总量'}"
        return Markup(indicator_chart(points, self.unit, title))


_BOUNDS = {"AtLeast": "≥", "AtMost": "≤", "About": "≈"}


def indicator_series(iri: str) -> list[Series]:
    """Observations of an indicator, grouped by area and measure, for charts and tables."""
    groups: dict[tuple[str, str], Series] = {}
    for row in get_store().select(_Q_OBSERVATIONS, {"s": ox.NamedNode(iri)}):
        area = row_value(row, "areaLabel") or ""
        measure = _local_name(row["measure"].value)
        unit = row_value(row, "unit") or ""
        series = groups.setdefault((area, measure), Series(area, measure, unit))
        series.rows.append(
            {
                "obs": link(row["obs"].value),
                "period": row["period"].value[:4],
                "kind": _local_name(row["kind"].value),
                "value": _decimal(row_value(row, "value")),
                "lower": _decimal(row_value(row, "lower")),
                "upper": _decimal(row_value(row, "upper")),
                "met": row_value(row, "met"),
                "bound": _BOUNDS.get(_local_name(row_value(row, "bound") or ""), ""),
                "text": row_value(row, "text") or "",
                "unit": unit,
            }
        )
    return list(groups.values())


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _local_name(iri: str) -> str:
    return iri.rsplit("#", 1)[-1]


def _decimal(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


# ---------------------------------------------------------------- negotiation


def negotiate(prefer: str = "html") -> str:
    """The media type to answer with: a page or RDF (``format=`` first, then Accept; 406 if
    none fits); ``prefer`` answers clients that take anything."""
    offers = [prefer, *(name for name in ("html", *RDF) if name != prefer)]
    return negotiation.negotiate(offers).media_type


def rdf_response(triples: list[ox.Triple], media_type: str, filename: str) -> Response:
    """Triples serialised as ``media_type`` with readable prefixes."""
    fmt = rdf_format(media_type)
    prefixes = PREFIXES | {"id": base_iri()} if fmt != ox.RdfFormat.N_TRIPLES else None
    body = ox.serialize(triples, format=fmt, prefixes=prefixes)
    response = Response(body, mimetype=media_type)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}.{fmt.file_extension}"'
    return response


class DataLink(NamedTuple):
    """A downloadable form of a page: what the link says, where it goes, its media type."""

    title: str
    href: str
    media_type: str


def data_links(path: str) -> list[DataLink]:
    """The downloadable forms (RDF) of the page at ``path``."""
    return [
        DataLink(FORMATS[key].title, f"{path}?format={key}", FORMATS[key].media_type) for key in RDF
    ]


@bp.after_request
def vary_accept(response: Response) -> Response:
    """Every answer of a negotiated URL varies with ``Accept`` (errors too), for caches."""
    response.vary.add("Accept")
    return response


# ---------------------------------------------------------------- routes


@bp.route("/id/<iri:key>")
def entity(key: str):
    """The resource ``{BASE_IRI}{key}`` as a page or as RDF."""
    iri = base_iri() + key
    media_type = negotiate()
    if key.startswith("graph/"):
        return named_graph(iri, media_type)
    if media_type != "text/html":
        return rdf_description(iri, key, media_type)
    desc = describe(iri)
    if desc is None:
        abort(404, description=f"知识图谱中没有关于 <{iri}> 的记录。")
    kinds = {t.iri[len(POL) :] for t in desc.types if t.iri.startswith(POL)}
    term = search.term_index().get(iri)
    context = {
        "d": desc,
        "kinds": kinds,
        "term": term,
        "data_links": data_links(request.path),
        "jsonld": schema_org(desc, term.definition if term else ""),
    }
    from . import compare  # compare builds on this module

    if "Place" in kinds:
        context.update(compare.place_context(iri))
    if "Report" in kinds:
        context.update(compare.report_context(iri))
        text = next(
            (f.value for s in desc.statements if s.prop.iri == POL + "text" for f in s.values), ""
        )
        hl = _parse_highlight(request.args.get("hl"))
        context["text"] = report_text(str(text), compare.report_spans(iri), hl)
        context["statements"] = [s for s in desc.statements if s.prop.iri != POL + "text"]
        return render_template("report.html", **context)
    if "Indicator" in kinds:
        context["series"] = indicator_series(iri)
    context["in_report"] = span_href(desc) if "TextSpan" in kinds else None
    return render_template("entity.html", **context)


def rdf_description(iri: str, key: str, media_type: str) -> Response:
    """The resource's symmetric concise bounded description (``description.py``), page
    ``?page=`` of its incoming triples; the next page in a ``Link`` header."""
    raw = request.args.get("page", "1")
    if not raw.isdigit() or int(raw) < 1:
        abort(400, description=f"page must be a whole number from 1, not {raw!r}")
    triples, next_url = description.describe(iri, key, int(raw))
    if not triples:
        abort(
            404,
            description=f"nothing is known about <{iri}>"
            + (f" (page {raw})" if raw != "1" else ""),
        )
    response = rdf_response(triples, media_type, key.rsplit("/", 1)[-1])
    if next_url:
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return response


def named_graph(iri: str, media_type: str) -> ResponseReturnValue:
    """A named graph's IRI: its statements as RDF; browsers go to its row on ``/dumps/``."""
    if not get_store().ask(_Q_GRAPH_EXISTS, {"g": ox.NamedNode(iri)}):
        abort(404, description=f"没有名为 <{iri}> 的命名图。")
    if media_type == "text/html":
        return redirect(url_for("dumps.listing") + "#" + graph_anchor(iri), 303)
    return rdf_response(graph_triples(iri), media_type, iri.rstrip("/").rsplit("/", 1)[-1])


def graph_triples(graph: str) -> list[ox.Triple]:
    """Every statement of the named graph ``graph``."""
    return get_store().construct(_Q_DESCRIBE, default_graphs=[graph])
