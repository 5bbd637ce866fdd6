"""Helpers for tests and benchmarks: a small on-disk store and the real server in a subprocess.

>>> build_protocol_store(tmp / "store", Path("tests/w3c"))        # doctest: +SKIP
>>> with LiveServer(tmp / "store", query_timeout=3) as server:     # doctest: +SKIP
...     requests.get(server.url + "/sparql", params={"query": "ASK {}"})
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import requests

W3C_GRAPH = "http://kasei.us/2009/09/sparql/data/data{n}.rdf"
BASE = "https://w3id.org/policykg/id/"
TEST_GRAPH = BASE + "graph/test"
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SLOGAN = ox.NamedNode("https://w3id.org/policykg/ontology#Slogan")
JSON = "application/sparql-results+json"
# A four-way cross product: over a store of build_protocol_store() it never ends on its own.
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def build_protocol_store(path: Path, w3c_dir: Path, filler: int = 1500) -> Path:
    """An Oxigraph store at ``path``: the W3C protocol data as named graphs
    ``<http://kasei.us/2009/09/sparql/data/dataN.rdf>``, plus a test graph holding one slogan
    (``id:slogan/si-zhu-lian`` 四主链) and ``filler`` labelled things (so that a four-way cross
    product never ends)."""
    store = ox.Store(str(path))
    for data in sorted(w3c_dir.glob("data*.nt")):
        n = data.stem.removeprefix("data")
        store.bulk_load(
            path=str(data),
            format=ox.RdfFormat.N_TRIPLES,
            to_graph=ox.NamedNode(W3C_GRAPH.format(n=n)),
        )
    graph = ox.NamedNode(TEST_GRAPH)
    slogan = ox.NamedNode(BASE + "slogan/si-zhu-lian")
    quads = [
        ox.Quad(slogan, RDF_TYPE, SLOGAN, graph),
        ox.Quad(slogan, RDFS_LABEL, ox.Literal("四主链", language="zh"), graph),
    ]
    quads += [
        ox.Quad(ox.NamedNode(f"{BASE}thing/{i}"), RDFS_LABEL, ox.Literal(f"事物{i}"), graph)
        for i in range(filler)
    ]
    store.extend(quads)
    store.flush()
    del store
    return path


class LiveServer:
    """``python -m policykg.service.server`` on a free loopback port, stopped on exit.

    ``command`` runs another server instead; it must print a line ending ``at URL/sparql``.
    """

    def __init__(
        self,
        store: Path,
        query_timeout: float = 30,
        command: list[str] | None = None,
        **settings: Any,
    ):
        self.command = command or [
            sys.executable,
            "-m",
            "policykg.service.server",
            "--store",
            str(store),
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--query-timeout",
            str(query_timeout),
        ]
        for name, value in settings.items() if command is None else ():
            self.command += ["--setting", name, str(value)]
        self.process: subprocess.Popen | None = None
        self.url = ""
        self.output: list[str] = []

    def __enter__(self) -> LiveServer:
        self.process = subprocess.Popen(
            self.command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            if match := re.search(r" at (http://\S+)/sparql$", line.strip()):
                self.url = match.group(1)
                break
        if not self.url:
            self.process.wait(10)
            raise RuntimeError("the server did not start:\n" + "".join(self.output))
        # keep draining the output so the server never blocks on a full pipe
        threading.Thread(target=self._drain, daemon=True).start()
        return self

    def _drain(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)

    def __exit__(self, *exc) -> None:
        assert self.process is not None
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


def select_json(endpoint: str, query: str, **params: Any) -> dict:
    """The SPARQL JSON answer of ``query`` (GET), asserting it succeeded."""
    response = requests.get(endpoint, params={"query": query, **params}, headers={"Accept": JSON})
    assert response.status_code == 200, response.text
    return response.json()


def select_count(endpoint: str, query: str, **params: Any) -> int:
    """The ``?n`` of a one-row SELECT such as ``SELECT (COUNT(*) AS ?n) ...``."""
    bindings = select_json(endpoint, query, **params)["results"]["bindings"]
    return int(bindings[0]["n"]["value"])
