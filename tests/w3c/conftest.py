"""The real server over a store holding the protocol suite's data (dataN.nt as named graphs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from policykg.service.testing import LiveServer, build_protocol_store

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def endpoint_base(tmp_path_factory) -> str:
    """The server's root URL; the manifest's paths (``/sparql/...``) are appended to it."""
    store = build_protocol_store(tmp_path_factory.mktemp("w3c") / "store", HERE)
    with LiveServer(store, query_timeout=10) as server:
        yield server.url
