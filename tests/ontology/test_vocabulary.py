"""The ontology itself: it parses, it documents every term, and it declares the contract's terms."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from policykg.ontology.check import check_consistency, load_ontology, ontology_path

POL = rdflib.Namespace("https://w3id.org/policykg/ontology#")
ONTOLOGY = rdflib.URIRef("https://w3id.org/policykg/ontology")
KINDS = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}
README = Path(ontology_path()).with_name("README.md")


@pytest.fixture(scope="module")
def onto() -> rdflib.Graph:
    return load_ontology()


def pol_terms(graph: rdflib.Graph, kinds=KINDS) -> list[rdflib.URIRef]:
    terms = {
        s for kind in kinds for s in graph.subjects(RDF.type, kind) if str(s).startswith(str(POL))
    }
    return sorted(terms)


def test_header_names_version_licence_and_title(onto):
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in onto
    assert onto.value(ONTOLOGY, OWL.versionInfo) is not None
    assert onto.value(ONTOLOGY, OWL.versionIRI) is not None
    assert onto.value(ONTOLOGY, DCTERMS.license) is not None
    titles = {t.language for t in onto.objects(ONTOLOGY, DCTERMS.title)}
    assert {"zh", "en"} <= titles


def test_every_class_property_and_individual_has_zh_and_en_labels_and_a_comment(onto):
    terms = pol_terms(onto, KINDS | {OWL.NamedIndividual})
    assert len(terms) > 60
    for term in terms:
        languages = {label.language for label in onto.objects(term, RDFS.label)}
        assert {"zh", "en"} <= languages, f"{term} lacks a zh or en label"
        assert onto.value(term, RDFS.comment), f"{term} lacks an rdfs:comment"


def test_every_property_has_a_domain_and_a_range(onto):
    properties = pol_terms(onto, {OWL.ObjectProperty, OWL.DatatypeProperty})
    assert len(properties) > 30
    for prop in properties:
        assert onto.value(prop, RDFS.domain) is not None, f"{prop} has no domain"
        assert onto.value(prop, RDFS.range) is not None, f"{prop} has no range"


def test_every_pol_term_of_the_graph_contract_is_declared(onto):
    named = set(re.findall(r"pol:([A-Za-z0-9]+)", README.read_text("utf-8")))
    declared = {
        str(t).removeprefix(str(POL)) for t in pol_terms(onto, KINDS | {OWL.NamedIndividual})
    }
    assert named - declared == set()


def test_interface_terms_have_their_kinds(onto):
    for cls in (
        "Report",
        "GlossaryEntry",
        "Slogan",
        "Policy",
        "PolicyDocument",
        "Industry",
        "Enterprise",
        "Project",
        "Indicator",
        "Observation",
        "Place",
        "TextSpan",
    ):
        assert (POL[cls], RDF.type, OWL.Class) in onto
    assert (POL.hasPart, RDF.type, OWL.TransitiveProperty) in onto
    assert (POL.hasComponent, RDFS.subPropertyOf, POL.hasPart) in onto
    assert (POL.isComponentOf, OWL.inverseOf, POL.hasComponent) in onto
    assert onto.value(POL.period, RDFS.range) == rdflib.XSD.integer
    assert onto.value(POL.value, RDFS.range) == rdflib.XSD.decimal


def test_enterprises_and_government_bodies_are_disjoint(onto):
    members = set()
    for axiom in onto.subjects(RDF.type, OWL.AllDisjointClasses):
        members |= set(rdflib.collection.Collection(onto, onto.value(axiom, OWL.members)))
    assert {POL.Enterprise, POL.GovernmentBody, POL.Report, POL.TextSpan} <= members


def test_hermit_finds_the_ontology_consistent_with_no_unsatisfiable_class():
    report = check_consistency()
    assert report.consistent, report.message
    assert report.unsatisfiable == []
