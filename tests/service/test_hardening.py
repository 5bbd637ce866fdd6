"""Limits that hold under attack (issue 11), each exercised on the real server: memory per
worker, response bytes, query size and operators, engine crashes reported as server faults,
per-client fairness, a pool that heals, /healthz, one store version at a time, the cache.

Embedded only: these are the embedded store's worker processes, their memory caps and the pool
(over a server no worker process runs a query); the same limits over Virtuoso are test_safety's.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

import pyoxigraph as ox
import pytest
import requests

from policykg.service.testing import HEAVY, JSON, LiveServer, build_protocol_store

from .conftest import W3C

# 1500 × 1500 rows sorted on two columns: the engine holds them all before the first one.
SORTED_PRODUCT = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"
# Each BIND repeats the last value four times: a label of 5 characters becomes 20 KiB.
CONCAT = (
    "SELECT ?l6 WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l0 "
    + " ".join(f"BIND(CONCAT(?l{i}, ?l{i}, ?l{i}, ?l{i}) AS ?l{i + 1})" for i in range(6))
    + " }"
)
ASK = "ASK {}"


@pytest.fixture(scope="session")
def server(embedded_server):
    """Worker processes, their memory and their deaths: the embedded store's server only."""
    return embedded_server


@pytest.fixture(scope="module")
def sparql(server) -> str:
    """This module's endpoint: the session's ``sparql`` may already be another store kind's."""
    return server.url + "/sparql"


def get(url: str, query: str, source: str | None = None, timeout: float = 30, post=False):
    """(status, seconds, JSON body or text) of GET /sparql?query=... (POST when ``post``), from
    the loopback address ``source`` (another client) when given."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(
        parts.hostname, parts.port, timeout=timeout, source_address=(source, 0) if source else None
    )
    started = time.monotonic()
    if post:
        headers = {"Accept": JSON, "Content-Type": "application/sparql-query"}
        conn.request("POST", "/sparql", body=query.encode(), headers=headers)
    else:
        conn.request("GET", "/sparql?query=" + quote(query), headers={"Accept": JSON})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    elapsed = time.monotonic() - started
    try:
        return response.status, elapsed, json.loads(body)
    except ValueError:
        return response.status, elapsed, body.decode(errors="replace")


def test_a_query_past_the_memory_cap_is_stopped_and_told_why(server, sparql, limits):
    status, seconds, body = get(sparql, SORTED_PRODUCT)
    assert status == 503
    assert "memory" in body["error"] and f"{limits['WORKER_MEMORY_MB']} MiB" in body["error"]
    assert seconds < limits["QUERY_TIMEOUT"]  # stopped for its memory, not by the timeout
    assert get(sparql, ASK)[0] == 200


def test_an_answer_past_the_byte_cap_is_refused_never_cut(sparql, limits):
    status, _, body = get(sparql, CONCAT + " LIMIT 60")  # 60 rows × ≥ 20 KiB > 1 MB
    assert status == 413
    assert f"{limits['MAX_RESPONSE_BYTES']:,} bytes" in body["error"]
    status, _, body = get(sparql, CONCAT + " LIMIT 2")  # small enough: answered whole
    assert status == 200 and len(body["results"]["bindings"]) == 2


def test_a_10000_union_query_is_refused_before_the_engine(sparql):
    query = "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 10_000) + " }"
    assert get(sparql, query, post=True)[0] == 413  # past the body cap, even
    query = "SELECT * WHERE { " + " UNION ".join(["{?s ?p ?o}"] * 3_000) + " }"  # 51 KB
    status, _, body = get(sparql, query, post=True)
    assert status == 413 and "50,000 bytes" in body["error"]
    query = "SELECT * WHERE { " + " UNION ".join(["{?s ?p ?o}"] * 600) + " }"  # under the byte cap
    status, _, body = get(sparql, query)
    assert status == 400 and "operators" in body["error"]
    assert get(sparql, ASK)[0] == 200


def test_a_long_expression_chain_no_longer_crashes_the_engine(sparql, limits):
    """12,000 subtractions overflowed the engine's 8 MiB stack (a segfault, answered 400); the
    worker's deep stack holds, and the query is answered."""
    query = "SELECT (" + "-".join(["1"] * 12_000) + " AS ?x) WHERE {}"
    status, _, body = get(sparql, query, post=True)
    assert status == 200, body
    assert body["results"]["bindings"][0]["x"]["value"] == str(1 - 11_999)


def _workers(server_pid: int) -> list[int]:
    children = Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()
    return [
        int(pid) for pid in children if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]


def test_a_crashed_worker_is_a_server_fault(protocol_store):
    with LiveServer(protocol_store, query_timeout=20, WORKERS=1) as live:
        answer: dict = {}
        thread = threading.Thread(target=lambda: answer.update(r=get(live.url + "/sparql", HEAVY)))
        thread.start()
        time.sleep(1)
        for pid in _workers(live.process.pid):
            os.kill(pid, 9)  # what a segfault does
        thread.join()
        status, _, body = answer["r"]
        assert status == 500
        assert "query engine failed" in body["error"]


def test_one_client_cannot_take_every_worker(protocol_store):
    """Client 127.0.0.2 runs four cross products at once; past its share it gets 429, and
    another client's ASK is answered at once meanwhile."""
    settings = {"WORKERS": 2, "MAX_QUERIES_PER_CLIENT": 1, "MAX_CONCURRENT_QUERIES": 8}
    with LiveServer(protocol_store, query_timeout=4, **settings) as live:
        url = live.url + "/sparql"
        heavy: list = []
        threads = [
            threading.Thread(target=lambda: heavy.append(get(url, HEAVY, "127.0.0.2")))
            for _ in range(4)
        ]
        for t in threads:
            t.start()
        time.sleep(0.5)
        others = [get(url, ASK) for _ in range(5)]
        for t in threads:
            t.join()
        assert sorted(status for status, _, _ in heavy) == [429, 429, 429, 503]
        assert all(status == 200 and seconds < 1 for status, seconds, _ in others), others


def test_the_pool_heals_after_the_store_was_missing_and_healthz_says_so(protocol_store, tmp_path):
    store = tmp_path / "store"
    shutil.copytree(protocol_store, store)
    with LiveServer(store, query_timeout=1, WORKERS=1) as live:
        health = requests.get(live.url + "/healthz").json()
        assert health["status"] == "ok" and health["workers"] == {"alive": 1, "size": 1}
        assert isinstance(health["network_isolated"], bool) and health["store"]["version"]
        store.rename(tmp_path / "away")  # a rebuild's swap, caught in the middle
        assert get(live.url + "/sparql", HEAVY)[0] == 503  # its worker is killed...
        time.sleep(1)
        down = requests.get(live.url + "/healthz")  # ...and cannot be replaced yet
        assert down.status_code == 503 and down.json()["workers"]["alive"] == 0
        (tmp_path / "away").rename(store)
        deadline = time.monotonic() + 30
        while requests.get(live.url + "/healthz").status_code != 200:
            assert time.monotonic() < deadline, "the pool never healed"
            time.sleep(0.5)
        assert get(live.url + "/sparql", ASK)[0] == 200


def _build(root: Path, version: str, graph: str) -> None:
    """A store like ``policykg build`` leaves: DIR/oxigraph and DIR/build.json, one
    ``<urn:store> <urn:version> "N"`` triple in the named graph ``graph``."""
    root.mkdir(parents=True)
    build_protocol_store(root / "oxigraph", W3C, filler=10)
    store = ox.Store(str(root / "oxigraph"))
    store.add(
        ox.Quad(
            ox.NamedNode("urn:store"),
            ox.NamedNode("urn:version"),
            ox.Literal(version),
            ox.NamedNode(graph),
        )
    )
    store.flush()
    del store
    (root / "build.json").write_text(json.dumps({"version": version}))


def test_a_rebuild_switches_queries_graphs_pages_and_cache_together(tmp_path):
    root = tmp_path / "store"
    _build(root, "1", "urn:graph:one")
    version = "SELECT ?v WHERE { <urn:store> <urn:version> ?v }"
    with LiveServer(root, STORE_CHECK_INTERVAL=0.2, WORKERS=1) as live:
        url = live.url + "/sparql"
        first = requests.get(live.url + "/healthz").json()["store"]["version"]
        for _ in range(2):  # the second answer comes from the cache
            assert get(url, version)[2]["results"]["bindings"][0]["v"]["value"] == "1"
        assert requests.get(live.url + "/healthz").json()["cache"]["hits"] >= 1
        assert get(url, "ASK FROM <urn:graph:two> {}")[0] == 400
        # policykg build: a new directory renamed into place, then the old one deleted
        _build(tmp_path / ".store.building", "2", "urn:graph:two")
        root.rename(tmp_path / ".store.old")
        (tmp_path / ".store.building").rename(root)
        shutil.rmtree(tmp_path / ".store.old")
        deadline = time.monotonic() + 60
        while requests.get(live.url + "/healthz").json()["store"]["version"] == first:
            assert time.monotonic() < deadline, "the new store version was never served"
            time.sleep(0.2)
        assert get(url, version)[2]["results"]["bindings"][0]["v"]["value"] == "2"
        assert get(url, "ASK FROM <urn:graph:two> {}")[0] == 200  # the graph list switched too
        assert get(url, "ASK FROM <urn:graph:one> {}")[0] == 400
        description = requests.get(url, headers={"Accept": "text/turtle"}).text
        assert "urn:graph:two" in description and "urn:graph:one" not in description
        # made before the new version was served, as at a start: its downloads are files
        download = requests.get(live.url + "/api/queries/reports?page=all")
        assert download.status_code == 200 and "ETag" in download.headers
