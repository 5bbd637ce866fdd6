"""A real SPARQL client, SPARQLWrapper, talks to the running server with GET and POST."""

from __future__ import annotations

import pytest
from SPARQLWrapper import CSV, GET, JSON, POST, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

LABEL = (
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    'SELECT ?s WHERE { ?s rdfs:label "四主链"@zh }'
)
SLOGAN = "https://w3id.org/policykg/id/slogan/si-zhu-lian-0c35204a"


@pytest.mark.parametrize("method", [GET, POST])
def test_select_as_json(sparql, method):
    client = SPARQLWrapper(sparql)
    client.setMethod(method)
    client.setQuery(LABEL)
    client.setReturnFormat(JSON)
    bindings = client.query().convert()["results"]["bindings"]
    assert [b["s"]["value"] for b in bindings] == [SLOGAN]


@pytest.mark.parametrize("method", [GET, POST])
def test_select_as_xml_and_csv(sparql, method):
    client = SPARQLWrapper(sparql)
    client.setMethod(method)
    client.setQuery(LABEL)
    client.setReturnFormat(XML)
    document = client.query().convert()
    assert [u.firstChild.data for u in document.getElementsByTagName("uri")] == [SLOGAN]
    client.setReturnFormat(CSV)
    assert client.query().convert().decode().split() == ["s", SLOGAN]


@pytest.mark.parametrize("method", [GET, POST])
def test_construct_as_turtle(sparql, method):
    client = SPARQLWrapper(sparql)
    client.setMethod(method)
    client.setQuery(f"CONSTRUCT WHERE {{ <{SLOGAN}> ?p ?o }}")
    client.setReturnFormat(TURTLE)
    import rdflib

    graph = rdflib.Graph().parse(data=client.query().convert(), format="turtle")
    assert len(graph) == 2
    assert rdflib.Literal("四主链", lang="zh") in set(graph.objects())


@pytest.mark.parametrize("method", [GET, POST])
def test_ask_and_dataset(sparql, method):
    client = SPARQLWrapper(sparql)
    client.setMethod(method)
    client.addDefaultGraph("http://kasei.us/2009/09/sparql/data/data1.rdf")
    client.setQuery(f"ASK {{ <{SLOGAN}> ?p ?o }}")
    client.setReturnFormat(JSON)
    assert client.query().convert()["boolean"] is False  # not in data1's graph


def test_syntax_errors_reach_the_client_as_bad_query(sparql):
    client = SPARQLWrapper(sparql)
    client.setQuery("SELECT * WHERE { ?s ?p }")
    with pytest.raises(QueryBadFormed):
        client.query()
