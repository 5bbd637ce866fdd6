"""Namespaces used across the pipeline and the service, as pyoxigraph term factories.

>>> POL.Slogan
<NamedNode value=https://w3id.org/policykg/ontology#Slogan>
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

PREFIXES = {
    "pol": POL.base,
    "id": "https://w3id.org/policykg/id/",
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


def zh(text: str) -> ox.Literal:
    """A Chinese-language literal."""
    return ox.Literal(text, language="zh")


def typed(value: object, datatype: ox.NamedNode) -> ox.Literal:
    return ox.Literal(str(value), datatype=datatype)
