"""How pages name and link resources: :class:`Link`, the ``/id/`` address of an IRI
(:func:`local_href`, :func:`key_href`), the names of the vocabulary's terms, and the links to
sources, named graphs and report passages. Shared by every blueprint; routes live elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

from flask import (
    current_app,
    g,
    url_for,
)

from ..kg import vocab
from ..kg.vocab import prologue
from .db import get_store

POL = vocab.POL.base

RDFS_LABEL = vocab.RDFS.label.value

RDF_TYPE = vocab.RDF.type.value

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

_Q_VOCAB_LABELS = (
    prologue("rdfs", "pol")
    + """SELECT ?x ?label WHERE { ?x rdfs:label ?label FILTER(STRSTARTS(STR(?x), STR(pol:))) }
"""
)


@dataclass(frozen=True)
class Link:
    """A resource as shown on a page: its IRI, where it lives here, and its label."""

    iri: str
    href: str
    label: str


def base_iri() -> str:
    """The configured ``BASE_IRI``: ``https://w3id.org/policykg/id/``, served at ``/id/``."""
    return current_app.config["BASE_IRI"]


def local_href(iri: str) -> str:
    """Where an IRI is served on this server; other IRIs are returned as they are.

    ``https://w3id.org/policykg/id/slogan/si-zhu-lian-0c35204a`` → ``/id/slogan/si-zhu-lian-0c35204a``;
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
        for row in get_store().select_whole(_Q_VOCAB_LABELS, "x"):
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


def prefixed(iri: str) -> str:
    """``pol:Slogan`` for the IRI of pol:Slogan; the IRI itself outside the known prefixes."""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def link(iri: str, label: str | None = None) -> Link:
    """``iri`` as shown on a page; without ``label``, its vocabulary name or its key."""
    return Link(iri, local_href(iri), label or fallback_label(iri))


def fallback_label(iri: str) -> str:
    if iri.startswith(POL) or iri in _W3C_LABELS:
        return vocab_label(iri)
    base = base_iri()
    return iri[len(base) :] if iri.startswith(base) else prefixed(iri)


def row_value(row: dict, name: str) -> str | None:
    """The lexical value of ``name`` in a result row; None where the query left it unbound."""
    term = row.get(name)
    return term.value if term is not None else None


def source_link(graph: str) -> Link:
    """A named graph as a page names a source in words: ``湛河区 2023 计划报告``, ``推理得出``."""
    return source_links([graph])[0]


def source_links(graphs: Iterable[str]) -> list[Link]:
    """:func:`source_link` of each of ``graphs``, each graph's made once per request: a
    statement every report makes (an industry's broader industry) has a source per report,
    thousands at 100 times the corpus, and a page names the same graphs under several
    statements (20,000 links, 1.9 s of one industry's page)."""
    made = g.setdefault("policykg_source_links", {})
    out = []
    for graph in graphs:
        found = made.get(graph)
        if found is None:
            found = made[graph] = _source_link(graph)
        out.append(found)
    return out


def _source_link(graph: str) -> Link:
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


def passage_href(report: str, start: int, end: int) -> str:
    """The report's text with ``start``–``end`` highlighted and scrolled to."""
    return f"{local_href(report)}?hl={start}-{end}#span-{start}-{end}"


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
