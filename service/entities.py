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
from typing import NamedTuple

import pyoxigraph as ox
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
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
    RDF_TYPE: "类型 type",
    RDFS_LABEL: "名称 label",
    PREFIXES["rdfs"] + "comment": "说明 comment",
    PREFIXES["skos"] + "prefLabel": "首选名称 preferred label",
    PREFIXES["skos"] + "altLabel": "别名 alternative label",
    PREFIXES["skos"] + "definition": "定义 definition",
    PREFIXES["skos"] + "broader": "上位 broader",
    PREFIXES["skos"] + "closeMatch": "近似 close match",
    PREFIXES["skos"] + "inScheme": "所属体系 in scheme",
    PREFIXES["prov"] + "wasDerivedFrom": "出处 derived from",
    PREFIXES["dcterms"] + "title": "标题 title",
    PREFIXES["dcterms"] + "date": "日期 date",
    PREFIXES["dcterms"] + "isPartOf": "属于 part of",
    PREFIXES["dcterms"] + "spatial": "地域 spatial",
    PREFIXES["dcterms"] + "creator": "发布者 creator",
    PREFIXES["dcterms"] + "issued": "发布日期 issued",
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
_Q_IN_COUNTS = "SELECT ?s ?p (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x ?p ?s } GROUP BY ?s ?p"
_Q_IN = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?s ?p ?x ?label WHERE { ?x ?p ?s OPTIONAL { ?x (rdfs:label|skos:prefLabel) ?label } }
ORDER BY ?label ?x LIMIT 20
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
# The links stated about a resource or about its parts at any depth (a term page's tree), each
# with the span it was read from: pol:Assertion (ontology/README.md, "Evidence of relations").
_Q_EVIDENCE = """
PREFIX pol: <https://w3id.org/policykg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT DISTINCT ?r ?s ?p ?o ?quote ?start ?end ?report ?title WHERE {
  ?r pol:hasComponent* ?x .
  { ?a pol:assertedSubject ?x } UNION { ?a pol:assertedObject ?x }
  ?a pol:assertedSubject ?s ; pol:assertedProperty ?p ; pol:assertedObject ?o ;
     prov:wasDerivedFrom ?span .
  ?span pol:quote ?quote ; pol:start ?start ; pol:end ?end ; pol:inReport ?report .
  OPTIONAL { ?report dcterms:title ?title }
}
ORDER BY ?report ?start ?end
"""
_Q_VOCAB_LABELS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX pol: <https://w3id.org/policykg/ontology#>
SELECT ?x ?label WHERE { ?x rdfs:label ?label FILTER(STRSTARTS(STR(?x), STR(pol:))) }
"""
_Q_REPORT_SPANS = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX pol: <https://w3id.org/policykg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?report ?start ?end ?thing ?label WHERE {
  ?span pol:inReport ?report ; pol:start ?start ; pol:end ?end .
  FILTER NOT EXISTS { ?span a pol:Sentence }
  OPTIONAL { ?thing prov:wasDerivedFrom ?span OPTIONAL { ?thing (rdfs:label|skos:prefLabel) ?label } }
}
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
class Statement:
    """The values of one property, each with the graphs that state it."""

    prop: Link
    values: list[tuple[Link | str, list[Link]]] = field(default_factory=list)


@dataclass
class Description:
    """What a page shows about one resource."""

    iri: str
    label: str
    types: list[Link]
    statements: list[Statement]
    incoming: list[tuple[Link, int, list[Link]]]
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
        return url_for("entities.entity", key=iri[len(base) :])
    if iri.startswith(POL):
        return url_for("vocabulary.ontology") + "#" + iri[len(POL) :]
    from ..kg.dumps import site_root

    root = site_root(base)
    if root != base and iri.startswith(root):
        return "/" + iri[len(root) :]
    return iri


def vocab_labels() -> dict[str, dict[str, str]]:
    """``{iri: {lang: label}}`` for the ontology's terms, read once per app."""
    cache = current_app.extensions.setdefault("policykg.vocab_labels", {})
    if not cache:
        for row in get_store().select(_Q_VOCAB_LABELS):
            lang = getattr(row["label"], "language", None) or ""
            cache.setdefault(row["x"].value, {})[lang] = row["label"].value
        cache.setdefault(POL, {})
    return cache


def vocab_label(iri: str) -> str:
    """``数字式提法 numbered slogan`` for pol:Slogan; prefixed name for anything unnamed."""
    if iri in _W3C_LABELS:
        return _W3C_LABELS[iri]
    labels = vocab_labels().get(iri, {})
    text = " ".join(dict.fromkeys(v for k in ("zh", "en") if (v := labels.get(k))))
    return text or prefixed(iri)


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
    """Everything a page shows about ``iri``; None if the graph does not know it."""
    node = ox.NamedNode(iri)
    if not get_store().query(_Q_EXISTS, bindings={"s": node}):
        return None
    values: dict[str, dict[str, tuple[Term, set[str], list[ox.Literal]]]] = defaultdict(dict)
    for row in get_store().query(_Q_OUT, bindings={"s": node}):
        key = str(row["o"])
        entry = values[row["p"].value].setdefault(key, (row["o"], set(), []))
        entry[1].add(row["g"].value)
        if "label" in row:
            entry[2].append(row["label"])
    own_labels = [
        o
        for p in (RDFS_LABEL, PREFIXES["skos"] + "prefLabel")
        for o, _, _ in values.get(p, {}).values()
        if isinstance(o, ox.Literal)
    ]
    types = [link(t.value) for t, _, _ in values.get(RDF_TYPE, {}).values()]
    quotes = [o.value for o, _, _ in values.get(POL + "quote", {}).values()]
    statements = [_statement(p, vals) for p, vals in sorted(values.items(), key=_prop_order)]
    return Description(
        iri=iri,
        label=_zh_first(own_labels) or (_quoted(quotes[0]) if quotes else _fallback_label(iri)),
        types=sorted(types, key=lambda t: (not t.iri.startswith(POL), t.iri)),
        statements=statements,
        incoming=incoming(node),
        mentions=mentions(iri),
        evidence=evidence(iri),
    )


def _quoted(quote: str, width: int = 40) -> str:
    """A text span's name: its quote, cut to a line: ``“四主链”``."""
    return "“" + (quote if len(quote) <= width else quote[: width - 1] + "…") + "”"


def span_href(desc: Description) -> str | None:
    """Where a text span sits in its report's text, highlighted; None for anything else."""
    found = {s.prop.iri: s.values[0][0] for s in desc.statements if s.values}
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


def _statement(prop: str, vals) -> Statement:
    out = Statement(link(prop, vocab_label(prop)))
    for obj, graphs, labels in sorted(vals.values(), key=lambda v: str(v[0])):
        value: Link | str = (
            link(obj.value, _zh_first(labels)) if isinstance(obj, ox.NamedNode) else obj.value
        )
        out.values.append((value, [graph_link(g) for g in sorted(graphs)]))
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


def incoming(node: ox.NamedNode) -> list[tuple[Link, int, list[Link]]]:
    """Resources pointing at ``node``: per property, the count and the first twenty."""
    out = []
    counts = get_store().query(_Q_IN_COUNTS, bindings={"s": node})
    for row in sorted(counts, key=lambda r: vocab_label(r["p"].value)):
        prop = row["p"]
        rows = get_store().query(_Q_IN, bindings={"s": node, "p": prop})
        subjects: dict[str, list[ox.Literal]] = {}
        for r in rows:
            if isinstance(r["x"], ox.NamedNode):
                subjects.setdefault(r["x"].value, []).extend([r["label"]] if "label" in r else [])
        out.append(
            (
                link(prop.value, vocab_label(prop.value)),
                int(row["n"].value),
                [link(x, _zh_first(labels)) for x, labels in subjects.items()],
            )
        )
    return out


def mentions(iri: str) -> list[Mention]:
    """Every span ``iri`` was derived from, with its sentence, in report and text order."""
    out = []
    node = ox.NamedNode(iri)
    sentences = {
        row["span"].value: (row["sq"].value, int(row["ss"].value))
        for row in get_store().query(_Q_MENTION_SENTENCES, bindings={"s": node})
    }
    for row in get_store().query(_Q_MENTIONS, bindings={"s": node}):
        start, end, quote = int(row["start"].value), int(row["end"].value), row["quote"].value
        before = after = ""
        if row["span"].value in sentences:
            sentence, offset = sentences[row["span"].value]
            if sentence[start - offset : end - offset] == quote:
                before, after = sentence[: start - offset], sentence[end - offset :]
        report = row["report"].value
        out.append(
            Mention(
                report=link(report, row_value(row, "title")),
                start=start,
                end=end,
                quote=quote,
                before=before,
                after=after,
                href=passage_href(report, start, end),
            )
        )
    return out


def evidence(iri: str) -> EvidenceMap:
    """The passages each link of ``iri`` (or of its parts) was read from, in text order.

    ``evidence(平高集团)[(平高集团, pol:inIndustry, 装备制造)]`` → 装备制造产业集群，延伸平高集团.
    """
    out: EvidenceMap = defaultdict(list)
    for row in get_store().query(_Q_EVIDENCE, bindings={"r": ox.NamedNode(iri)}):
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


def report_text(report: str, text: str, highlight: tuple[int, int] | None) -> Markup:
    """The report's text as HTML, every extracted span marked and linked to what it names.

    ``highlight`` (from ``?hl=start-end``) is marked as the target; anchors ``span-S-E`` sit at
    each span's start so ``#span-S-E`` scrolls to it.
    """
    spans: dict[tuple[int, int], list[Link]] = defaultdict(list)
    for row in get_store().query(_Q_REPORT_SPANS, bindings={"report": ox.NamedNode(report)}):
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
        title = f"{self.area} {'增长 growth' if self.measure == 'GrowthRate' else '总量 level'}"
        return Markup(indicator_chart(points, self.unit, title))


_BOUNDS = {"AtLeast": "≥", "AtMost": "≤", "About": "≈"}


def indicator_series(iri: str) -> list[Series]:
    """Observations of an indicator, grouped by area and measure, for charts and tables."""
    groups: dict[tuple[str, str], Series] = {}
    for row in get_store().query(_Q_OBSERVATIONS, bindings={"s": ox.NamedNode(iri)}):
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
        abort(404, description=f"nothing is known about <{iri}>")
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
            (v for s in desc.statements if s.prop.iri == POL + "text" for v, _ in s.values), ""
        )
        hl = _parse_highlight(request.args.get("hl"))
        context["text"] = report_text(iri, str(text), hl)
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
    if not get_store().query(_Q_GRAPH_EXISTS, bindings={"g": ox.NamedNode(iri)}):
        abort(404, description=f"no named graph <{iri}>")
    if media_type == "text/html":
        return redirect(url_for("dumps.listing") + "#" + graph_anchor(iri), 303)
    return rdf_response(graph_triples(iri), media_type, iri.rstrip("/").rsplit("/", 1)[-1])


def graph_triples(graph: str) -> list[ox.Triple]:
    """Every statement of the named graph ``graph``."""
    return get_store().query(_Q_DESCRIBE, default_graphs=[graph])
