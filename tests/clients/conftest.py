"""The client matrix: third-party SPARQL clients against the real server (a subprocess) over
the founding report's store, built by the real pipeline (dumps included)."""

from __future__ import annotations

import pytest

from policykg.service.testing import LiveServer


@pytest.fixture(scope="session")
def live(seed_store_dir) -> LiveServer:
    with LiveServer(seed_store_dir, query_timeout=60) as server:
        yield server


@pytest.fixture(scope="session")
def endpoint(live) -> str:
    """The SPARQL endpoint's URL."""
    return live.url + "/sparql"
