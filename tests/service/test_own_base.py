"""A deployment under its own base (issue 10, item 4): ``policykg build --base`` works for every
graph (lexicons included), and the server says where its data lives from the address it is
reached at: IRIs that resolve, VoID and dump links that work, the ontology's version IRI; served
over the build's store directory and over a Virtuoso loaded with it."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from policykg.service.testing import LiveServer

STORE_KINDS = ["embedded", "virtuoso"]  # as tests/conftest.py's seed_location
SEED = Path(__file__).resolve().parents[2] / "kg/sources/zhanhe-district_2023_plan-report.txt"
VOID = "http://rdfs.org/ns/void#"
W3ID = "https://w3id.org/policykg/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def own_build(tmp_path_factory) -> tuple[str, Path]:
    """(server URL to come, store directory) of the founding report built under that server's
    own base."""
    from policykg.kg.build import build

    root = f"http://127.0.0.1:{free_port()}"
    store = tmp_path_factory.mktemp("own-base") / "store"
    build([SEED], store, base=root + "/id/")  # raises if the graph fails its SHACL shapes
    return root, store


@pytest.fixture(scope="module")
def own_virtuoso(own_build, virtuoso_factory) -> str:
    """The query URL of a Virtuoso loaded with the build, as ``policykg build --store URL``
    loads it."""
    from policykg.kg.store import open_store

    with open_store(own_build[1]) as built:
        return virtuoso_factory("own-base", built).url


def serve(root: str, store: Path, location: str, *options: str) -> LiveServer:
    """``policykg serve`` of ``location`` at the base's own address."""
    command = [sys.executable, "-m", "policykg.cli", "serve", "--store", location, *options,
               "--host", "127.0.0.1", "--port", root.rsplit(":", 1)[1]]  # fmt: skip
    return LiveServer(store, command=command)


@pytest.fixture(scope="module", params=STORE_KINDS)
def site(request, own_build) -> tuple[str, str]:
    """(server URL, store directory): ``policykg serve`` at the base's own address, over the
    build's store directory or over a Virtuoso loaded with it (``--dumps`` the build's)."""
    root, store = own_build
    location = str(store)
    if request.param == "virtuoso":
        location = request.getfixturevalue("own_virtuoso")
    with serve(root, store, location, "--dumps", str(store / "dumps")) as live:
        assert live.url == root
        yield root, str(store)


def test_a_server_says_its_base_to_a_service_without_the_build(own_build, own_virtuoso):
    """Served from the server alone (no dumps, so no ``build.json`` beside them), the service
    reads the base from the load's description and its IRIs resolve."""
    root, store = own_build
    with serve(root, store, own_virtuoso) as live:
        answer = requests.get(live.url + "/id/industry/zhuang-bei-zhi-zao")
    assert answer.status_code == 200 and "装备制造" in answer.text


def test_every_graph_is_minted_under_the_configured_base(own_build):
    """About the build's minting: read from its store directory, once."""
    from policykg.kg.store import open_store

    root, store_dir = own_build
    store = open_store(store_dir)
    try:
        stray = store.query(
            "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } "
            f'FILTER(CONTAINS(STR(?g), "{W3ID}id/") || CONTAINS(STR(?s), "{W3ID}id/") '
            f'|| CONTAINS(STR(?o), "{W3ID}id/")) }} LIMIT 5'
        )
        assert stray == []
        # the taxonomy's industries (kg/lexicons/industries.ttl) moved with the base, and the
        # report's links into them too: 平高集团 is in 装备制造
        ping_gao = ox.NamedNode(root + "/id/enterprise/410000/ping-gao-22369446")
        industries = store.query(
            f"SELECT ?i WHERE {{ {ping_gao} <https://w3id.org/policykg/ontology#inIndustry> ?i }}"
        )
        assert ox.NamedNode(root + "/id/industry/zhuang-bei-zhi-zao") in [
            r["i"] for r in industries
        ]
        # the ontology's own IRIs stay in its namespace
        assert store.query(f"ASK {{ <{W3ID}ontology#Slogan> ?p ?o }}")
    finally:
        store.close()


def test_the_iris_themselves_resolve(site):
    root, _ = site
    answer = requests.get(
        root + "/id/industry/zhuang-bei-zhi-zao", headers={"Accept": "text/turtle"}
    )
    assert answer.status_code == 200
    triples = {q.triple for q in ox.parse(answer.content, format=ox.RdfFormat.TURTLE)}
    assert any(t.subject.value == root + "/id/industry/zhuang-bei-zhi-zao" for t in triples)


def test_void_links_work_from_the_address_the_server_is_reached_at(site):
    root, _ = site
    void = requests.get(root + "/.well-known/void", headers={"Accept": "text/turtle"})
    triples = [q.triple for q in ox.parse(void.content, format=ox.RdfFormat.TURTLE)]
    endpoint = [t.object.value for t in triples if t.predicate.value == VOID + "sparqlEndpoint"]
    assert endpoint == [root + "/sparql"]
    answer = requests.get(
        endpoint[0],
        params={"query": "ASK {}"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert answer.json()["boolean"] is True
    dumps = [t.object.value for t in triples if t.predicate.value == VOID + "dataDump"]
    assert len(dumps) == 6
    for url in dumps:
        assert url.startswith(root + "/dumps/")
        assert requests.head(url).status_code == 200, url
    space = [t.object.value for t in triples if t.predicate.value == VOID + "uriSpace"]
    assert space == [root + "/id/"]


def test_void_of_a_w3id_build_served_locally_points_here_but_keeps_its_names(seed_server):
    live = seed_server
    void = requests.get(live.url + "/.well-known/void", headers={"Accept": "text/turtle"})
    triples = [q.triple for q in ox.parse(void.content, format=ox.RdfFormat.TURTLE)]
    by = lambda p: [t.object.value for t in triples if t.predicate.value == VOID + p]  # noqa: E731
    assert by("sparqlEndpoint") == [live.url + "/sparql"]
    assert all(url.startswith(live.url + "/dumps/") for url in by("dataDump"))
    assert by("uriSpace") == [W3ID + "id/"]  # names, mapped onto this server's /id/
    assert W3ID + "ontology#" in by("vocabulary")


def test_the_ontology_answers_at_its_version_iri(site):
    root, _ = site
    answer = requests.get(root + "/ontology/0.1.0", headers={"Accept": "text/turtle"})
    assert answer.status_code == 200
    triples = {q.triple for q in ox.parse(answer.content, format=ox.RdfFormat.TURTLE)}
    version = ox.NamedNode("http://www.w3.org/2002/07/owl#versionIRI")
    assert [t.object.value for t in triples if t.predicate == version] == [W3ID + "ontology/0.1.0"]
    assert (
        requests.get(root + "/ontology/0.1.0", headers={"Accept": "text/html"}).status_code == 200
    )
    assert requests.get(root + "/ontology/9.9.9").status_code == 404
