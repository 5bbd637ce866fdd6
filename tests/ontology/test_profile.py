"""The ontology is OWL 2 DL: a profile checker finds no violation, every datatype it and the
data use is in OWL 2's datatype map, and HermiT reasons on it without ignoring datatypes."""

from __future__ import annotations

import pyoxigraph as ox
import rdflib
from pyowl2_profiles import detect_profiles
from rdflib import OWL, RDF, RDFS, XSD

from policykg.ontology.check import check_consistency, load_ontology, ontology_path

from .conftest import zhanhe_with

# The OWL 2 datatype map (OWL 2 Structural Specification, section 4): what a DL reasoner must
# support. xsd:gYear, xsd:date and the other date parts are not in it.
OWL2_XSD = """decimal integer nonNegativeInteger nonPositiveInteger positiveInteger
    negativeInteger long int short byte unsignedLong unsignedInt unsignedShort unsignedByte
    double float string normalizedString token language Name NCName NMTOKEN boolean hexBinary
    base64Binary anyURI dateTime dateTimeStamp"""
OWL2_DATATYPES = {XSD[t] for t in OWL2_XSD.split()} | {
    RDF.PlainLiteral,
    RDF.XMLLiteral,
    RDF.langString,
    RDFS.Literal,
    OWL.real,
    OWL.rational,
}


def test_a_profile_checker_finds_the_ontology_in_owl2_dl():
    store = ox.Store()
    store.load(path=str(ontology_path()), format=ox.RdfFormat.TURTLE)
    dl = detect_profiles(store, graph_iri=None)["dl"]
    assert dl["in_profile"], dl["sample_violations"]


def test_every_datatype_of_the_ontology_is_in_the_owl2_datatype_map():
    # pyowl2-profiles accepts xsd:gYear and xsd:date as an "ecosystem extension"; the OWL API
    # profile checker (Protégé, ROBOT) reports them as undeclared datatypes, so check strictly.
    onto = load_ontology()
    ranges = {
        r
        for p in onto.subjects(RDF.type, OWL.DatatypeProperty)
        for r in onto.objects(p, RDFS.range)
        if isinstance(r, rdflib.URIRef)
    }
    restricted = set(onto.objects(None, OWL.onDatatype))
    assert XSD.integer in ranges and len(ranges) >= 4
    assert ranges | restricted <= OWL2_DATATYPES, ranges - OWL2_DATATYPES


def test_every_data_property_value_in_the_data_is_typed_within_the_datatype_map():
    onto = load_ontology()
    annotations = set(onto.subjects(RDF.type, OWL.AnnotationProperty))
    data = zhanhe_with()
    used = {
        o.datatype or (RDF.langString if o.language else XSD.string)
        for _, p, o in data
        if isinstance(o, rdflib.Literal) and p not in annotations
    }
    assert XSD.integer in used  # the years
    assert used <= OWL2_DATATYPES, used - OWL2_DATATYPES


def test_hermit_reasons_on_ontology_and_data_without_ignoring_datatypes():
    # check_consistency runs HermiT with ignoreUnsupportedDatatypes off: an xsd:gYear would
    # abort it as it aborts stock HermiT in Protégé.
    report = check_consistency(zhanhe_with())
    assert report.consistent, report.message
