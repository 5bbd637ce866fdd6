"""The data layer of the app, attached with :func:`init_app` (no module globals).

Two views of the same read-only store, bundled with what is read from it in a :class:`Backend`:

- :func:`get_store`: opened in the web process, for the pages' own short, bounded lookups
  (term pages, the search index);
- :func:`get_pool`: the query workers that run users' SPARQL (timeouts that really stop).

One store version is served at a time. ``policykg build`` replaces a store by renaming a new
directory into place; :class:`Backends` notices the new version (``build.json`` or the store
directory changed, looked at every ``STORE_CHECK_INTERVAL`` seconds), opens it whole (store,
workers, graph list, a fresh result cache) beside the old one, then switches every request to
it at once. A request keeps the backend it started with (:func:`get_backend` pins it in
``flask.g``), and the old backend is closed once its last queries can have ended.

Without ``STORE_PATH`` (tests of settings or pages) the app starts with neither, and the
SPARQL endpoint answers 503.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, current_app, g

from ..kg.store import OxigraphStore, StoreError, open_store, oxigraph_dir
from ..kg.vocab import PREFIXES
from .cache import ResultCache
from .errors import ServiceError
from .pool import QueryPool

log = logging.getLogger(__name__)

EXTENSION = "policykg"
BUILD_FILE = "build.json"


@dataclass(frozen=True)
class StoreVersion:
    """What identifies one build of the store: it changes whenever a build swaps the directory."""

    key: tuple  # (inode, mtime) of build.json, else of the Oxigraph directory
    id: str  # a short hash of build.json (of the key when there is none)
    built: str  # when it was written (ISO 8601, UTC)


def read_version(store_path: str | Path) -> StoreVersion | None:
    """The version of the store at ``store_path``, or None while there is none (mid-swap)."""
    path = Path(store_path)
    root = path.parent if path.name == "oxigraph" else path
    marker = root / BUILD_FILE
    try:
        stat = marker.stat()
        data = marker.read_bytes()
    except OSError:
        try:
            stat = oxigraph_dir(path).stat()
        except OSError:
            return None
        data = f"{stat.st_ino}:{stat.st_mtime_ns}".encode()
    built = datetime.fromtimestamp(stat.st_mtime, UTC).isoformat(timespec="seconds")
    return StoreVersion(
        (stat.st_ino, stat.st_mtime_ns), hashlib.sha256(data).hexdigest()[:12], built
    )


@dataclass
class Backend:
    """One store version and everything read from it, switched together."""

    store: OxigraphStore
    pool: QueryPool
    graphs: frozenset[str]  # named graphs in the store (FROM may name only these)
    version: StoreVersion | None = None
    cache: ResultCache = field(default_factory=lambda: ResultCache(0, 0))
    extras: dict = field(default_factory=dict)  # per-version state of other modules (term index)
    closed: bool = False

    def close(self) -> None:
        """Stop the workers and release the store (once; later calls do nothing)."""
        if not self.closed:
            self.closed = True
            self.pool.close()
            self.store.close()


def prefixes(base_iri: str) -> dict[str, str]:
    """The project's prefixes, with ``id:`` at the configured base."""
    return {**PREFIXES, "id": base_iri}


def open_backend(config: dict) -> Backend:
    """Open the store at ``config["STORE_PATH"]`` with its warm pool of query workers.

    :raises StoreUnavailable: if there is no store there.
    """
    path = config["STORE_PATH"]
    version = read_version(path)
    store = open_store(path)
    try:
        pool = QueryPool(
            path,
            config["WORKERS"],
            prefixes(config["BASE_IRI"]),
            max_queries=config["MAX_CONCURRENT_QUERIES"],
            max_memory=config["WORKER_MEMORY_MB"] << 20,
        )
    except BaseException:
        store.close()
        raise
    cache = ResultCache(config["RESULT_CACHE_BYTES"], config["RESULT_CACHE_ENTRIES"])
    return Backend(store, pool, frozenset(store.graphs()), version, cache)


class Backends:
    """The backend being served, replaced whole when a new store version appears."""

    def __init__(self, config: dict):
        self.config = config
        self.current = open_backend(config)
        self._interval = config["STORE_CHECK_INTERVAL"]
        self._next_check = time.monotonic() + self._interval
        self._switching = threading.Lock()
        self._closed = False

    def get(self) -> Backend:
        """The backend to serve a new request with (looking for a new version now and then)."""
        now = time.monotonic()
        if now >= self._next_check:
            self._next_check = now + self._interval
            self._look()
        return self.current

    def _look(self) -> None:
        version = read_version(self.config["STORE_PATH"])
        if version is None or version == self.current.version or self._closed:
            return
        if self._switching.acquire(blocking=False):
            threading.Thread(target=self._switch, name="policykg-switch", daemon=True).start()

    def _switch(self) -> None:
        """Open the new version beside the old, then serve it; the old one closes later."""
        try:
            try:
                backend = open_backend(self.config)
            except (StoreError, OSError) as e:
                log.error("a new store version appeared but could not be opened: %s", e)
                return
            if self._closed:
                backend.close()
                return
            old, self.current = self.current, backend
            log.warning(
                "now serving store version %s (built %s)",
                backend.version.id if backend.version else "?",
                backend.version.built if backend.version else "?",
            )
            # Requests that began on the old version finish on it: close it after they can have.
            grace = self.config["QUERY_TIMEOUT"] + 5
            timer = threading.Timer(grace, old.close)
            timer.daemon = True
            timer.start()
        finally:
            self._switching.release()

    def close(self) -> None:
        """Stop the workers and release the store."""
        self._closed = True
        self.current.close()


def init_app(app: Flask) -> None:
    """Open the store at ``STORE_PATH`` and start the warm pool of query workers.

    :raises StoreUnavailable: if there is no store at ``STORE_PATH``.
    """
    if not app.config.get("STORE_PATH"):
        app.extensions[EXTENSION] = None
        return
    backends = Backends(app.config)
    atexit.register(backends.close)
    app.extensions[EXTENSION] = backends


def get_backend() -> Backend:
    """The backend of the current request: the same store version for the whole request.

    :raises ServiceError: (503) when the app was started without a store.
    """
    backend = g.get("policykg_backend")
    if backend is None:
        backends = current_app.extensions.get(EXTENSION)
        if backends is None:
            raise ServiceError("this server has no store: start it with --store DIR", 503)
        # A fixed Backend may stand in for the switching Backends (tests of pages).
        backend = backends if isinstance(backends, Backend) else backends.get()
        g.policykg_backend = backend
    return backend


def get_store() -> OxigraphStore:
    """The read-only store, for bounded lookups made by the pages themselves."""
    return get_backend().store


def get_pool() -> QueryPool:
    """The query workers, for users' SPARQL."""
    return get_backend().pool


def close(app: Flask) -> None:
    """Stop the workers and release the store (tests, server shutdown)."""
    backends = app.extensions.pop(EXTENSION, None)
    if backends is not None:
        backends.close()
