"""The SPARQL 1.1 Protocol at /sparql, against the running server."""

from __future__ import annotations

import csv
import io
import re

import pyoxigraph as ox
import pytest
import rdflib
import requests

from policykg.service.testing import JSON
from policykg.service.testing import select_count as count

DOCS = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://xmlns.com/foaf/0.1/Document> }"
DATA = "http://kasei.us/2009/09/sparql/data/data{}.rdf"
LABEL = (
    "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label "
    'FILTER(?label = "四主链"@zh) }'
)
CONSTRUCT = "CONSTRUCT { ?s a ?t } WHERE { ?s a ?t }"  # 3 documents + 1 slogan


def test_get_post_form_and_post_direct_give_the_same_answer(sparql):
    accept = {"Accept": JSON}
    by_get = requests.get(sparql, params={"query": LABEL}, headers=accept)
    by_form = requests.post(sparql, data={"query": LABEL}, headers=accept)
    by_body = requests.post(
        sparql,
        data=LABEL.encode(),
        headers={**accept, "Content-Type": "application/sparql-query"},
    )
    answers = [r.json()["results"]["bindings"] for r in (by_get, by_form, by_body)]
    assert answers[0] == answers[1] == answers[2]
    assert answers[0] == [
        {
            "s": {
                "type": "uri",
                "value": "https://w3id.org/policykg/id/slogan/si-zhu-lian-0c35204a",
            },
            "label": {"type": "literal", "value": "四主链", "xml:lang": "zh"},
        }
    ]


def test_default_graph_is_the_union_of_all_graphs(sparql):
    assert count(sparql, DOCS) == 3


def test_protocol_dataset_replaces_the_union(sparql):
    assert count(sparql, DOCS, **{"default-graph-uri": DATA.format(1)}) == 1
    named = {"named-graph-uri": [DATA.format(1), DATA.format(2)]}
    in_named = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert count(sparql, in_named, **named) == 2
    # with only named graphs given, the default graph is empty
    assert count(sparql, DOCS, **named) == 0


@pytest.mark.parametrize(
    "media_type, results_format",
    [
        ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
        ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
        ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
    ],
)
def test_select_answers_parse_in_each_format(sparql, media_type, results_format):
    response = requests.get(sparql, params={"query": LABEL}, headers={"Accept": media_type})
    assert response.headers["Content-Type"].split(";")[0] == media_type
    solutions = list(ox.parse_query_results(response.content, format=results_format))
    assert [s["label"] for s in solutions] == [ox.Literal("四主链", language="zh")]


def test_select_as_csv(sparql):
    response = requests.get(sparql, params={"query": LABEL}, headers={"Accept": "text/csv"})
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows == [
        ["s", "label"],
        ["https://w3id.org/policykg/id/slogan/si-zhu-lian-0c35204a", "四主链"],
    ]


@pytest.mark.parametrize(
    "media_type",
    [
        "text/turtle",
        "application/n-triples",
        "application/ld+json",
        "application/rdf+xml",
        "application/trig",
        "application/n-quads",
    ],
)
def test_construct_answers_parse_in_each_format(sparql, media_type):
    response = requests.get(sparql, params={"query": CONSTRUCT}, headers={"Accept": media_type})
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media_type
    parsed = list(ox.parse(response.content, format=ox.RdfFormat.from_media_type(media_type)))
    assert len(parsed) == 4


def test_ask_answers_true_and_false(sparql):
    yes = requests.get(sparql, params={"query": "ASK { ?s a ?t }"}, headers={"Accept": JSON})
    no = requests.get(sparql, params={"query": "ASK { ?s a <urn:none> }"}, headers={"Accept": JSON})
    assert (yes.json()["boolean"], no.json()["boolean"]) == (True, False)


def test_accept_q_values_choose_the_format(sparql):
    accept = "application/sparql-results+json;q=0.2, text/csv;q=0.9, */*;q=0.1"
    response = requests.get(sparql, params={"query": LABEL}, headers={"Accept": accept})
    assert response.headers["Content-Type"].startswith("text/csv")
    accept = "text/turtle;q=0.3, application/n-triples"
    response = requests.get(sparql, params={"query": CONSTRUCT}, headers={"Accept": accept})
    assert response.headers["Content-Type"] == "application/n-triples"


def test_format_parameter_overrides_accept(sparql):
    response = requests.get(
        sparql, params={"query": LABEL, "format": "tsv"}, headers={"Accept": JSON}
    )
    assert response.headers["Content-Type"].startswith("text/tab-separated-values")
    response = requests.get(sparql, params={"query": CONSTRUCT, "format": "jsonld"})
    assert response.headers["Content-Type"] == "application/ld+json"


def test_nothing_acceptable_is_406(sparql):
    response = requests.get(sparql, params={"query": LABEL}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    # CSV cannot carry a graph
    response = requests.get(sparql, params={"query": CONSTRUCT, "format": "csv"})
    assert response.status_code == 406


def test_an_unknown_format_falls_back_to_accept(sparql):
    response = requests.get(
        sparql, params={"query": LABEL, "format": "yaml"}, headers={"Accept": "text/csv"}
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")


@pytest.mark.parametrize(
    "name, media_type",
    [
        ("rdf+xml", "application/rdf+xml"),
        ("json-ld", "application/ld+json"),
        ("n3", "text/turtle"),
        ("turtle", "text/turtle"),
        ("xml", "application/rdf+xml"),
    ],
)
def test_the_format_names_sparqlwrapper_sends_work(sparql, name, media_type):
    """SPARQLWrapper sends ``format=NAME`` with a matching Accept, by GET and by POST."""
    query = "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1"
    for send in (requests.get, requests.post):
        key = "params" if send is requests.get else "data"
        answer = send(
            sparql, **{key: {"query": query, "format": name}}, headers={"Accept": media_type}
        )
        assert answer.status_code == 200, (name, answer.text[:200])
        assert answer.headers["Content-Type"].startswith(media_type)
        assert "Accept" in answer.headers["Vary"]


@pytest.mark.parametrize(
    "accept",
    [
        'application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded"',
        "text/turtle;charset=utf-8",
        "application/sparql-results+json; charset=utf-8",
    ],
)
def test_accept_parameters_other_than_q_are_ignored(sparql, accept):
    query = LABEL if "results" in accept else "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1"
    answer = requests.get(sparql, params={"query": query}, headers={"Accept": accept})
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith(accept.split(";")[0])


@pytest.mark.parametrize("content_type", ["text/plain", None, "application/json"])
def test_wrong_content_type_is_415(sparql, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    response = requests.post(sparql, data=b"ASK {}", headers=headers)
    assert response.status_code == 415
    assert "application/sparql-query" in response.json()["error"]


def test_syntax_error_is_400_with_line_and_column(sparql):
    query = "SELECT ?s\nWHERE {\n  ?s ?p\n}"
    response = requests.get(sparql, params={"query": query}, headers={"Accept": JSON})
    assert response.status_code == 400
    body = response.json()
    assert (body["line"], body["column"]) == (4, 2)


def test_service_description_for_rdf_clients(sparql):
    response = requests.get(sparql, headers={"Accept": "text/turtle"})
    assert response.headers["Content-Type"].split(";")[0] == "text/turtle"
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    services = list(graph.subjects(rdflib.RDF.type, sd.Service))
    assert len(services) == 1
    assert graph.value(services[0], sd.endpoint) == rdflib.URIRef(sparql)
    names = {str(n) for n in graph.objects(None, sd.name)}
    assert names == {DATA.format(n) for n in (1, 2, 3)} | {
        "https://w3id.org/policykg/id/graph/test"
    }


def test_browsers_get_the_query_page(sparql):
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = requests.get(sparql, headers={"Accept": accept})
    assert response.headers["Content-Type"].startswith("text/html")
    assert '<html lang="zh">' in response.text
    assert '<textarea id="query" name="query"' in response.text


@pytest.mark.parametrize(
    "media_type, body",
    [("text/csv", "_askResult\r\ntrue\r\n"), ("text/tab-separated-values", "?_askResult\ntrue\n")],
)
def test_ask_as_csv_and_tsv_has_a_header_line(sparql, media_type, body):
    """A bare ``true`` is no CSV table: Jena rejects it and rdflib reads it as False."""
    answer = requests.get(sparql, params={"query": "ASK {}"}, headers={"Accept": media_type})
    assert answer.text == body


def test_alternate_links_name_their_media_type(server):
    page = requests.get(server.url + "/ontology", headers={"Accept": "text/html"}).text
    links = re.findall(r'<link rel="alternate"[^>]*>', page)
    assert len(links) == 4 and all('type="' in link for link in links)


@pytest.mark.parametrize(
    ("query", "accept"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "text/csv"),  # refused past the row cap
        (CONSTRUCT, "text/turtle"),
        (LABEL, "application/sparql-results+xml"),
        ("SELECT * WHERE { ?s ?p ?o .SERVICE <http://127.0.0.1:9/> { ?a ?b ?c } }", JSON),
        ("SELECT * WHERE { ?s ?p", JSON),  # a syntax error, from the engine
    ],
)
def test_a_get_answers_as_a_post_does(sparql, query, accept):
    """GETs of results take a path around Flask (sparql.QueryFastPath); POSTs go through it."""
    by_get = requests.get(sparql, params={"query": query}, headers={"Accept": accept})
    by_post = requests.post(sparql, data={"query": query}, headers={"Accept": accept})
    assert by_get.status_code == by_post.status_code
    assert by_get.content == by_post.content
    for name in ("Content-Type", "Vary", "X-Result-Truncated", "Content-Security-Policy"):
        assert by_get.headers.get(name) == by_post.headers.get(name), name
