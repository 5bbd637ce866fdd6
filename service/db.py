"""The data layer of the app, attached with :func:`init_app` (no module globals).

Two views of the same read-only store, bundled with what is read from it in a :class:`Backend`:

- :func:`get_store`: opened in the web process, for the pages' own short, bounded lookups
  (term pages, the search index);
- :func:`get_pool`: the query workers that run users' SPARQL (timeouts that really stop),
  started on first use.

``STORE_PATH`` is a store directory or the query URL of a SPARQL server (``http(s)://``).

One store version is served at a time. ``policykg build`` replaces a store by renaming a new
directory into place; :class:`Backends` notices the new version (``Store.version()``: for the
embedded store, ``build.json`` or the store directory changed; looked at every
``STORE_CHECK_INTERVAL`` seconds), opens it whole (store, workers, graph list, a fresh result
cache, and what its pages read: :attr:`Backends.prepare`, the app's warm-up) beside the old
one, then switches every request to it at once. A request keeps the backend it started with
(:func:`get_backend` pins it in ``flask.g``), and the old backend is closed once its last
queries can have ended.

Without ``STORE_PATH`` (tests of settings or pages) the app starts with neither, and the
SPARQL endpoint answers 503.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import logging
import pickle
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, has_request_context, request

from ..kg import usercache
from ..kg.store import OxigraphStore, Store, StoreError, StoreVersion, open_store, store_root
from ..kg.usercache import write_whole
from ..kg.vocab import PREFIXES
from .cache import ResultCache
from .errors import ServiceError
from .pool import QueryPool, ServerPool

log = logging.getLogger(__name__)

EXTENSION = "policykg"
PINNED = "policykg.backend"  # WSGI environ key: the backend a request was begun with


@dataclass
class Backend:
    """One store version and everything read from it, switched together.

    The query workers start on first use (:attr:`pool`), so an app made for its pages or for a
    test starts no process; the server starts them before it listens (:meth:`start`).
    """

    store: Store
    graphs: frozenset[str]  # named graphs in the store (FROM may name only these)
    version: StoreVersion | None = None
    cache: ResultCache = field(default_factory=lambda: ResultCache(0, 0))
    extras: dict = field(default_factory=dict)  # per-version state of other modules (term index)
    keep: Path | None = None  # where :meth:`memo` keeps its values across restarts (see there)
    home: Path | None = None  # where indexes of every version of this store are kept (index_home)
    closed: bool = False
    start_pool: Callable[[], QueryPool | ServerPool] | None = None  # None: queries answer 503
    owns_store: bool = True  # a store given to create_app is closed by whoever opened it
    _pool: QueryPool | ServerPool | None = field(default=None, repr=False)
    _starting: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _making: dict[str, threading.Lock] = field(default_factory=dict, repr=False)  # by name

    def memo(self, name: str, make: Callable[[Store], Any]) -> Any:
        """``make(store)``, computed once for this store version and kept in :attr:`extras`
        (the pages' label index, comparison tables, assertions...), and in :attr:`keep` on disk
        so that the next start of the same version reads it back instead."""
        found = self.extras.get(name)
        if found is None:
            # one lock per name: a page waiting for one memo does not wait for the others
            with self._making.setdefault(name, threading.Lock()):
                found = self.extras.get(name)
                if found is None:
                    found = self.extras[name] = self._kept(name, make)
        return found

    def shared(self, name: str, make: Callable[[Store], Any]) -> Any:
        """``make(store)``, made on first use for this store version and kept in :attr:`extras`
        only: an index that pages fill as they ask (labels, comparison rows), not worth keeping
        on disk. Two first readers may both make one: either serves."""
        found = self.extras.get(name)
        if found is None:
            found = self.extras.setdefault(name, make(self.store))
        return found

    def _kept(self, name: str, make: Callable[[Store], Any]) -> Any:
        path = self.keep / f"{name}.pickle" if self.keep is not None else None
        if path is not None and path.is_file():
            try:
                return pickle.loads(path.read_bytes())
            except Exception as e:  # kept by other code, or cut short: made again below
                log.warning("%s: cannot be read back (%s), made again", path, e)
        value = make(self.store)
        if path is not None:
            try:
                write_whole(path, pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
            except (OSError, pickle.PicklingError, TypeError) as e:  # e.g. a read-only store
                log.info("%s: not kept for the next start (%s)", path, e)
        return value

    @property
    def pool(self) -> QueryPool | ServerPool:
        """The query workers, started on first use.

        :raises ServiceError: (503) when this backend runs no queries.
        """
        if self._pool is None:
            with self._starting:
                if self._pool is None:
                    if self.start_pool is None or self.closed:
                        raise ServiceError("this server runs no queries", 503)
                    self._pool = self.start_pool()
        return self._pool

    def start(self) -> Backend:
        """Start the query workers now, not on the first query."""
        self.pool  # noqa: B018 (started by the property)
        return self

    def close(self) -> None:
        """Stop the workers and release the store (once; later calls do nothing)."""
        if not self.closed:
            with self._starting:
                self.closed = True
                if self._pool is not None:
                    self._pool.close()
            if self.owns_store:
                self.store.close()


def prefixes(base_iri: str) -> dict[str, str]:
    """The project's prefixes, with ``id:`` at the configured base."""
    return {**PREFIXES, "id": base_iri}


def open_backend(config: dict, store: Store | None = None) -> Backend:
    """The store at ``config["STORE_PATH"]`` (a directory or a server's query URL), or the
    ``store`` given, with what runs users' queries on it, started on first use: warm worker
    processes over the embedded store, threads before a server.

    :raises StoreUnavailable: if there is no store there.
    """
    owns_store = store is None
    if store is None:
        # The pages' own lookups include reads of the whole store once per version (labels,
        # terms, sentences: 4 s each over Virtuoso at ten times the corpus, more while the
        # others run), so a server gets longer than a user's query for them; users' queries
        # carry QUERY_TIMEOUT themselves (ServerPool).
        store = open_store(config["STORE_PATH"], timeout=config["QUERY_TIMEOUT"] * 10)
    try:
        version = store.version()
        graphs = frozenset(store.graphs())
    except BaseException:
        if owns_store:
            store.close()
        raise
    # A result cache needs a version to know when it is stale; a server tells none.
    cache_bytes = config["RESULT_CACHE_BYTES"] if version is not None else 0
    cache = ResultCache(cache_bytes, config["RESULT_CACHE_ENTRIES"])
    return Backend(
        store,
        graphs,
        version,
        cache,
        keep=keep_dir(store, version, config.get("DUMPS_DIR")),
        home=index_home(store, config.get("DUMPS_DIR")),
        start_pool=pool_starter(config, store),
        owns_store=owns_store,
    )


def keep_dir(
    store: Store, version: StoreVersion | None, dumps_dir: str | None = None
) -> Path | None:
    """Where the memos of a store's ``version`` are kept, named by this code's version too, so
    an upgrade never reads what older code kept: inside an embedded store, so a rebuild (a new
    store directory swapped in) leaves them behind; for a server loaded by ``policykg build``
    (whose version is the load's identifier), beside the local build whose dumps are served
    (``DUMPS_DIR``'s parent), so a restart does not read the whole server again (labels,
    terms, sentences, comparison tables: 2–3 minutes over Virtuoso at ten times the corpus)."""
    if version is None:
        return None
    if isinstance(store, OxigraphStore) and store.path is not None:
        return kept_root(store.path) / f"{version.id}-{code_version()}"
    if isinstance(store, OxigraphStore) or not dumps_dir:
        return None
    server = hashlib.sha256(store.location.encode()).hexdigest()[:8]
    return kept_root(Path(dumps_dir).parent) / f"{server}-{version.id}-{code_version()}"


def index_home(store: Store, dumps_dir: str | None = None) -> Path | None:
    """Where indexes that outlive a store version are kept (the full-text index, made again
    per report from the version before): beside an embedded store (``.NAME.indexes``: a
    rebuild swaps the store directory itself); for a server, beside the local build whose dumps
    are served (``DUMPS_DIR``'s parent), else in the user's cache directory (named by the
    server's URL). None for a store in memory."""
    if isinstance(store, OxigraphStore):
        if store.path is None:
            return None
        root = store_root(store.path)
        return root.parent / f".{root.name}.indexes"
    server = hashlib.sha256(store.location.encode()).hexdigest()[:8]
    if dumps_dir:
        return kept_root(Path(dumps_dir).parent) / f"{server}-indexes"
    return usercache.path(f"indexes/{server}")


def kept_root(store_path: str | Path) -> Path:
    """Where the service keeps what it made from an embedded store (memos, templates)."""
    return store_root(store_path) / "cache" / "service"


@functools.cache
def code_version() -> str:
    """A hash of the Python files of the service and of ``kg`` (whose types it keeps)."""
    from .. import kg

    digest = hashlib.sha256()
    for package in (Path(__file__).parent, Path(kg.__file__).parent):
        for path in sorted(package.glob("*.py")):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def pool_starter(config: dict, store: Store) -> Callable[[], QueryPool | ServerPool]:
    """What starts the query workers of ``store``: processes over an embedded store on disk,
    threads before a server."""
    names = prefixes(config["BASE_IRI"])
    if isinstance(store, OxigraphStore) and store.path is not None:
        path = store.path
        return lambda: QueryPool(
            path,
            config["WORKERS"],
            names,
            max_queries=config["MAX_CONCURRENT_QUERIES"],
            max_memory=config["WORKER_MEMORY_MB"] << 20,
        )
    return lambda: ServerPool(store, names, max_queries=config["MAX_CONCURRENT_QUERIES"])


class Backends:
    """The backend being served, replaced whole when a new store version appears."""

    def __init__(self, config: dict):
        self.config = config
        self.current = open_backend(config)
        self._interval = config["STORE_CHECK_INTERVAL"]
        self._next_check = time.monotonic() + self._interval
        self._switching = threading.Lock()
        self._closed = False
        # makes what pages read from a new version before it is served (the app's warm-up)
        self.prepare: Callable[[Backend], None] | None = None

    def get(self) -> Backend:
        """The backend to serve a new request with (looking for a new version now and then)."""
        now = time.monotonic()
        if now >= self._next_check:
            self._next_check = now + self._interval
            self._look()
        return self.current

    def _look(self) -> None:
        version = self.current.store.version()
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
            try:  # its workers start and its pages' indexes are made before it is served
                backend.start()
                if self.prepare is not None:
                    self.prepare(backend)
            except BaseException:
                backend.close()
                raise
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


def init_app(app: Flask, store: Store | None = None) -> None:
    """Serve ``store``, or open the store at ``STORE_PATH`` (and switch to each new version of
    it); the query workers start on first use (:meth:`Backend.start` starts them now).

    A given store is served as it is (no new versions) and left open: its opener closes it.

    :raises StoreUnavailable: if there is no store at ``STORE_PATH``.
    """
    if store is not None:
        app.extensions[EXTENSION] = open_backend(app.config, store)
        return
    if not app.config.get("STORE_PATH"):
        app.extensions[EXTENSION] = None
        return
    backends = Backends(app.config)
    atexit.register(backends.close)
    app.extensions[EXTENSION] = backends


def start(app: Flask) -> None:
    """Start the query workers of the store being served (a server, before it listens)."""
    backends = app.extensions.get(EXTENSION)
    if backends is not None:
        (backends if isinstance(backends, Backend) else backends.current).start()


def get_backend() -> Backend:
    """The backend of the current request: the same store version for the whole request.

    :raises ServiceError: (503) when the app was started without a store.
    """
    backend = g.get("policykg_backend")
    if backend is None and has_request_context():
        # chosen before Flask by the page cache, which keeps the page in that version's cache
        backend = request.environ.get(PINNED)
    if backend is None:
        backends = current_app.extensions.get(EXTENSION)
        if backends is None:
            raise ServiceError("this server has no store: start it with --store DIR", 503)
        # A fixed Backend (a store given to create_app) stands in for the switching Backends.
        backend = backends if isinstance(backends, Backend) else backends.get()
    g.policykg_backend = backend
    return backend


def get_store() -> Store:
    """The read-only store, for bounded lookups made by the pages themselves."""
    return get_backend().store


def get_pool() -> QueryPool | ServerPool:
    """The query workers, for users' SPARQL."""
    return get_backend().pool


def close(app: Flask) -> None:
    """Stop the workers and release the store (tests, server shutdown)."""
    backends = app.extensions.pop(EXTENSION, None)
    if backends is not None:
        backends.close()
