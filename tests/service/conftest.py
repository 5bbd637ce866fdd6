"""The real server (waitress, in a subprocess) over a real on-disk Oxigraph store.

The store holds the W3C protocol data (named graphs ``<http://kasei.us/2009/09/sparql/data/dataN.rdf>``)
and a test graph with one slogan (四主链) and 1500 labelled things, so that a four-way cross
product over the store never ends on its own. Limits are small so that tests can reach them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from policykg.kg.store import open_store
from policykg.service.testing import LiveServer, build_protocol_store

STORE_KINDS = ["embedded", "virtuoso"]  # as tests/conftest.py's seed_location

W3C = Path(__file__).resolve().parent.parent / "w3c"
QUERY_TIMEOUT = 5  # seconds; a loaded CI machine answers the row-cap DESCRIBE over Virtuoso in ~4
LIMITS = {
    "MAX_ROWS": 100,
    "MAX_BODY_BYTES": 65_536,
    "MAX_CONCURRENT_QUERIES": 3,
    "WORKERS": 2,
    "MAX_QUERIES_PER_CLIENT": 4,  # over MAX_CONCURRENT_QUERIES: fairness has its own server
    "RETRY_AFTER": 7,
    "WORKER_MEMORY_MB": 300,
    "MAX_RESPONSE_BYTES": 1_000_000,
    "MAX_QUERY_BYTES": 50_000,
}


@pytest.fixture(scope="session")
def limits() -> dict:
    """The settings the test server runs with (QUERY_TIMEOUT included)."""
    return {**LIMITS, "QUERY_TIMEOUT": QUERY_TIMEOUT}


@pytest.fixture(scope="session")
def protocol_store(tmp_path_factory) -> Path:
    return build_protocol_store(tmp_path_factory.mktemp("protocol") / "store", W3C)


@pytest.fixture(scope="session", params=STORE_KINDS)
def protocol_location(request, protocol_store) -> str:
    """The protocol data as an embedded store, or in a Virtuoso."""
    if request.param == "embedded":
        return str(protocol_store)
    with open_store(protocol_store) as store:
        return request.getfixturevalue("virtuoso_factory")("protocol", store).url


@pytest.fixture(scope="session")
def server(protocol_location) -> LiveServer:
    with LiveServer(protocol_location, query_timeout=QUERY_TIMEOUT, **LIMITS) as live:
        yield live


@pytest.fixture(scope="session")
def embedded_server(protocol_store) -> LiveServer:
    """The server over the embedded protocol store only (tests of worker processes)."""
    with LiveServer(protocol_store, query_timeout=QUERY_TIMEOUT, **LIMITS) as live:
        yield live


@pytest.fixture(scope="session")
def sparql(server) -> str:
    """The endpoint's URL."""
    return server.url + "/sparql"
