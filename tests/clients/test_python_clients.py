"""SPARQLWrapper (every return format, GET and POST) and rdflib's SPARQLStore (a whole
iteration of the graph) against the real server."""

from __future__ import annotations

import gzip

import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    N3,
    POST,
    RDFXML,
    TSV,
    TURTLE,
    XML,
    SPARQLWrapper,
)

from policykg.kg.dumps import read_manifest

SLOGAN = "https://w3id.org/policykg/id/slogan/si-zhu-lian-0c35204a"
LABEL = (
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    f"SELECT ?label WHERE {{ <{SLOGAN}> rdfs:label ?label }}"
)
ASK = f"ASK {{ <{SLOGAN}> ?p ?o }}"
CONSTRUCT = f"CONSTRUCT WHERE {{ <{SLOGAN}> ?p ?o }}"
DESCRIBE = f"DESCRIBE <{SLOGAN}>"


def client(endpoint: str, method: str, query: str, fmt: str) -> SPARQLWrapper:
    wrapper = SPARQLWrapper(endpoint)
    wrapper.setMethod(method)
    wrapper.setQuery(query)
    wrapper.setReturnFormat(fmt)
    return wrapper


@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_select_and_ask_in_every_result_format(endpoint, method, fmt):
    select = client(endpoint, method, LABEL, fmt).query()
    ask = client(endpoint, method, ASK, fmt).query()
    if fmt == JSON:
        labels = [b["label"] for b in select.convert()["results"]["bindings"]]
        assert {"type": "literal", "value": "四主链", "xml:lang": "zh"} in labels
        assert ask.convert()["boolean"] is True
    elif fmt == XML:
        document = select.convert()
        assert "四主链" in [n.firstChild.data for n in document.getElementsByTagName("literal")]
        assert ask.convert().getElementsByTagName("boolean")[0].firstChild.data == "true"
    else:
        assert "四主链" in select.convert().decode("utf-8")
        header = "?_askResult" if fmt == TSV else "_askResult"  # TSV names variables with ?
        assert ask.convert().decode("utf-8").split() == [header, "true"]


@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize("fmt", [TURTLE, N3, RDFXML, JSONLD, XML])
@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE])
def test_construct_and_describe_in_every_rdf_format(endpoint, method, fmt, query):
    answer = client(endpoint, method, query, fmt).query()
    graph = answer.convert()
    if not isinstance(graph, rdflib.Graph):  # SPARQLWrapper returns Turtle and N3 as bytes
        graph = rdflib.Graph().parse(data=graph, format="turtle")
    labels = set(graph.objects(rdflib.URIRef(SLOGAN), rdflib.RDFS.label))
    assert rdflib.Literal("四主链", lang="zh") in labels


def test_sparqlstore_iterates_the_whole_graph(endpoint, seed_store_dir):
    # rdflib's SPARQLStore reads the graph with one SELECT and no LIMIT: before, the answer was
    # cut at 10,000 rows while len() said more.
    graph = rdflib.Graph(store=SPARQLStore(endpoint, returnFormat="json"))
    iterated = set(graph)
    dump = next(d for d in read_manifest(seed_store_dir / "dumps") if d.name.endswith(".nt.gz"))
    expected = rdflib.Graph().parse(data=gzip.decompress(dump.path.read_bytes()), format="nt")
    assert len(graph) == len(iterated) == len(expected) == dump.triples > 10_000

    def ground(triples) -> set:  # blank nodes are renamed by every parser
        return {t for t in triples if not any(isinstance(x, rdflib.BNode) for x in t)}

    assert ground(iterated) == ground(expected)
