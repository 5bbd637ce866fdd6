"""The data layer of the app, attached with :func:`init_app` (no module globals).

Two views of the same read-only store:

- :func:`get_store`: opened in the web process, for the pages' own short, bounded lookups
  (term pages, the search index);
- :func:`get_pool`: the query workers that run users' SPARQL (timeouts that really stop).

Without ``STORE_PATH`` (tests of settings or pages) the app starts with neither, and the
SPARQL endpoint answers 503.
"""

from __future__ import annotations

import atexit
from dataclasses import dataclass

from flask import Flask, current_app

from ..kg.store import OxigraphStore, open_store
from ..kg.vocab import PREFIXES
from .errors import ServiceError
from .pool import QueryPool

EXTENSION = "policykg"


@dataclass
class Backend:
    """What ``init_app`` attaches to the app."""

    store: OxigraphStore
    pool: QueryPool
    graphs: frozenset[str]  # named graphs in the store (FROM may name only these)


def prefixes(base_iri: str) -> dict[str, str]:
    """The project's prefixes, with ``id:`` at the configured base."""
    return {**PREFIXES, "id": base_iri}


def init_app(app: Flask) -> None:
    """Open the store at ``STORE_PATH`` and start the warm pool of query workers.

    :raises StoreUnavailable: if there is no store at ``STORE_PATH``.
    """
    path = app.config.get("STORE_PATH")
    if not path:
        app.extensions[EXTENSION] = None
        return
    store = open_store(path)
    pool = QueryPool(
        path,
        app.config["WORKERS"],
        prefixes(app.config["BASE_IRI"]),
        max_queries=app.config["MAX_CONCURRENT_QUERIES"],
    )
    atexit.register(pool.close)
    app.extensions[EXTENSION] = Backend(store, pool, frozenset(store.graphs()))


def get_backend() -> Backend:
    """The current app's backend.

    :raises ServiceError: (503) when the app was started without a store.
    """
    backend = current_app.extensions.get(EXTENSION)
    if backend is None:
        raise ServiceError("this server has no store: start it with --store DIR", 503)
    return backend


def get_store() -> OxigraphStore:
    """The read-only store, for bounded lookups made by the pages themselves."""
    return get_backend().store


def get_pool() -> QueryPool:
    """The query workers, for users' SPARQL."""
    return get_backend().pool


def close(app: Flask) -> None:
    """Stop the workers and release the store (tests, server shutdown)."""
    backend = app.extensions.pop(EXTENSION, None)
    if backend is not None:
        backend.pool.close()
        backend.store.close()
