"""``/ontology``: every class, property and individual of the ontology on one page, and the OWL
itself by content negotiation (``?format=ttl`` or ``Accept``, as for ``/id/…``).

Each term has an anchor, so ``https://w3id.org/policykg/ontology#Slogan`` is served at
``/ontology#Slogan``; terms declared here but defined by another vocabulary are anchored by
their prefixed name (``dcterms-hasPart``), apart from the ontology's own (``hasPart``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import Blueprint, abort, render_template, request, url_for

from ..kg.vocab import prologue
from .db import get_store
from .links import POL, PREFIXES, RDF_TYPE, RDFS_LABEL, Link, base_iri, local_href, prefixed
from .negotiated import data_links, graph_triples, page_or_rdf, rdf_response, vary_accept

bp = Blueprint("vocabulary", __name__)
bp.after_request(vary_accept)

_Q_VERSION = "SELECT ?v WHERE { ?o <http://www.w3.org/2002/07/owl#versionIRI> ?v }"
_Q_ONTOLOGY_TERMS = (
    prologue("owl", "rdf")
    + """SELECT ?x ?p ?o ?member WHERE {
  ?x a ?kind .
  FILTER(isIRI(?x) && ?kind IN (owl:Class, owl:ObjectProperty, owl:DatatypeProperty,
                                owl:AnnotationProperty, rdf:Property, owl:NamedIndividual))
  ?x ?p ?o .
  OPTIONAL { ?o owl:unionOf/rdf:rest*/rdf:first ?member }
}
"""
)
_OWL = PREFIXES["owl"]
_RDFS = PREFIXES["rdfs"]
_DOC_KINDS = {_OWL + "Class": "class", _OWL + "NamedIndividual": "individual"}
_DOC_LINKS = {
    _RDFS + "domain": "domains",
    _RDFS + "range": "ranges",
    _RDFS + "subClassOf": "parents",
    _RDFS + "subPropertyOf": "parents",
    _OWL + "inverseOf": "inverse",
    _OWL + "disjointWith": "disjoint",
    _OWL + "equivalentClass": "equivalent",
    RDF_TYPE: "types",
}


@bp.route("/ontology")
def ontology():
    """Documentation of every class and property; the OWL itself by content negotiation."""
    graph = base_iri() + "graph/ontology"
    media_type = page_or_rdf()
    if media_type != "text/html":
        return rdf_response(graph_triples(graph), media_type, "policykg")
    return render_template(
        "ontology.html", doc=ontology_document(graph), data_links=data_links(request.path)
    )


@bp.route("/ontology/<version>")
def ontology_version(version: str):
    """The ontology at its ``owl:versionIRI`` (``…/ontology/0.1.0``): the same answers as
    ``/ontology`` while that is the version served; other versions are 404."""
    graph = base_iri() + "graph/ontology"
    rows = get_store().select(_Q_VERSION, default_graphs=[graph])
    versions = {row["v"].value.rstrip("/").rsplit("/", 1)[-1] for row in rows}
    if version not in versions:
        abort(
            404,
            description=f"this server serves the ontology in version {', '.join(sorted(versions))}",
        )
    return ontology()


@dataclass
class VocabularyTerm:
    """One class, property or individual of the ontology, as documented on ``/ontology``."""

    iri: str
    name: str
    kind: str  # class | property | individual
    labels: dict[str, str] = field(default_factory=dict)
    comments: list[tuple[str, str]] = field(default_factory=list)
    links: dict[str, list[Link]] = field(default_factory=lambda: defaultdict(list))

    @property
    def anchor(self) -> str:
        """``Slogan`` for pol:Slogan (where :func:`local_href` points), ``dcterms-hasPart``
        for the others, so that pol:hasPart and dcterms:hasPart keep apart."""
        return ontology_anchor(self.iri)

    @property
    def external(self) -> bool:
        """Declared here but defined by another vocabulary (SKOS, PROV, Dublin Core...)."""
        return not self.iri.startswith(POL)


def ontology_anchor(iri: str) -> str:
    """The id of a term's entry on ``/ontology``: ``Slogan``, ``dcterms-hasPart``."""
    return iri[len(POL) :] if iri.startswith(POL) else prefixed(iri).replace(":", "-")


def ontology_document(graph: str) -> dict[str, list[VocabularyTerm]]:
    """Classes, properties and individuals of the ontology graph, each sorted by name."""
    terms: dict[str, VocabularyTerm] = {}
    targets: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in get_store().select(_Q_ONTOLOGY_TERMS, default_graphs=[graph]):
        iri, p, o = row["x"].value, row["p"].value, row["o"]
        term = terms.setdefault(iri, VocabularyTerm(iri, prefixed(iri), "property"))
        if p == RDF_TYPE and o.value in _DOC_KINDS and term.kind != "class":
            term.kind = _DOC_KINDS[o.value]
        if p == RDFS_LABEL and isinstance(o, ox.Literal):
            term.labels[o.language or ""] = o.value
        elif p in (_RDFS + "comment", PREFIXES["skos"] + "definition") and isinstance(
            o, ox.Literal
        ):
            term.comments.append((o.language or "", o.value))
        elif p in _DOC_LINKS:
            target = row.get("member", o)
            found = targets[iri][_DOC_LINKS[p]]
            if isinstance(target, ox.NamedNode) and target.value not in found:
                found.append(target.value)
    page = url_for("vocabulary.ontology")

    def doc_link(target: str) -> Link:
        href = f"{page}#{ontology_anchor(target)}" if target in terms else local_href(target)
        return Link(target, href, prefixed(target))

    out: dict[str, list[VocabularyTerm]] = {"class": [], "property": [], "individual": []}
    for term in sorted(terms.values(), key=lambda t: (t.external, t.name)):
        term.comments = sorted(set(term.comments), key=lambda c: (c[0] != "zh", c))
        for name, iris in targets[term.iri].items():
            term.links[name] = [doc_link(t) for t in sorted(iris)]
        out[term.kind].append(term)
    return out
