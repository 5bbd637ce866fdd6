"""Namespaces used across the pipeline and the service, as pyoxigraph term factories: the one
place each namespace IRI is written.

>>> POL.Slogan
<NamedNode value=https://w3id.org/policykg/ontology#Slogan>
>>> print(prologue("pol", "rdfs"), end="")
PREFIX pol: <https://w3id.org/policykg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

from __future__ import annotations

import pyoxigraph as ox


class Namespace:
    """``NS.term`` and ``NS["term"]`` give ``NamedNode(base + term)``."""

    def __init__(self, base: str):
        self.base = base

    def __getattr__(self, name: str) -> ox.NamedNode:
        if name.startswith("__"):
            raise AttributeError(name)
        return ox.NamedNode(self.base + name)

    def __getitem__(self, name: str) -> ox.NamedNode:
        return ox.NamedNode(self.base + name)


POL = Namespace("https://w3id.org/policykg/ontology#")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
PROV = Namespace("http://www.w3.org/ns/prov#")
ORG = Namespace("http://www.w3.org/ns/org#")
QB = Namespace("http://purl.org/linked-data/cube#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
OA = Namespace("http://www.w3.org/ns/oa#")
VOID = Namespace("http://rdfs.org/ns/void#")
SCHEMA = Namespace("https://schema.org/")
SH = Namespace("http://www.w3.org/ns/shacl#")
# Where the graph's own things live (``kg.iri.Minter``'s default base).
ID_BASE = "https://w3id.org/policykg/id/"

PREFIXES = {
    "pol": POL.base,
    "id": ID_BASE,
    "rdf": RDF.base,
    "rdfs": RDFS.base,
    "owl": OWL.base,
    "xsd": XSD.base,
    "skos": SKOS.base,
    "prov": PROV.base,
    "org": ORG.base,
    "qb": QB.base,
    "dcterms": DCTERMS.base,
    "oa": OA.base,
}


def prologue(*names: str) -> str:
    """SPARQL ``PREFIX`` lines for ``names`` of :data:`PREFIXES` (all of them by default)."""
    return "".join(f"PREFIX {n}: <{PREFIXES[n]}>\n" for n in names or PREFIXES)


def zh(text: str) -> ox.Literal:
    """A Chinese-language literal."""
    return ox.Literal(text, language="zh")


def typed(value: object, datatype: ox.NamedNode) -> ox.Literal:
    """A literal of ``datatype``: ``typed(3, XSD.integer)``."""
    return ox.Literal(str(value), datatype=datatype)
