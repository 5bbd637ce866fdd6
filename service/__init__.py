"""The PolicyKG web service: a read-only SPARQL 1.1 endpoint, the query page, and term pages.

    >>> app = create_app({"STORE_PATH": "var/store"})     # doctest: +SKIP

Each URL area is one blueprint; to add one, append its import path to :data:`BLUEPRINTS`.
Settings and limits are declared once, in ``settings.py``.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
import time
from collections.abc import Callable, Iterable
from importlib import import_module
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, url_for
from jinja2 import FileSystemBytecodeCache
from jinja2.bccache import Bucket
from werkzeug.routing import PathConverter

from ..kg.store import Store, is_remote
from . import db, errors, jobs, settings
from .pagecache import PageCache

log = logging.getLogger(__name__)

# "module:attribute" of every blueprint, registered in this order.
BLUEPRINTS = [
    "policykg.service.home:bp",
    "policykg.service.sparql:bp",
    "policykg.service.catalogue:bp",
    "policykg.service.terms:bp",
    "policykg.service.entities:bp",
    "policykg.service.vocabulary:bp",
    "policykg.service.dumps:bp",
    "policykg.service.health:bp",
]

# The site's navigation: (endpoint, label); entries whose blueprint is not registered are hidden.
NAV = [
    ("home.search_page", "检索"),
    ("terms.search_page", "术语"),
    ("catalogue.index", "常用查询"),
    ("sparql.endpoint", "SPARQL 查询"),
    ("vocabulary.ontology", "本体"),
    ("dumps.listing", "数据下载"),
]


def create_app(config: dict[str, Any] | None = None, *, store: Store | None = None) -> Flask:
    """A configured app; ``config`` overrides the defaults of ``settings.SETTINGS``.

    ``store`` is served instead of the one at ``STORE_PATH``, as it is (no new versions, no
    warm-up: pages read what they need on first use) and left open. The query workers start on
    the first query (``db.start`` starts them now).

    :raises ValueError: if ``config`` names an unknown setting or a value of the wrong type.
    :raises StoreUnavailable: if ``STORE_PATH`` holds no store.
    """
    app = Flask(__name__)
    app.config.update(settings.resolve(config, frozenset(app.config)))
    # Paths given relative to the working directory (``--store var/store``) must not be read
    # relative to the package, as Flask's send_from_directory would.
    for name in ("STORE_PATH", "DUMPS_DIR"):
        if app.config.get(name) and not is_remote(app.config[name]):
            app.config[name] = str(Path(app.config[name]).resolve())
    # Flask stops reading a body at this size (413); the endpoint checks Content-Length first.
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_BODY_BYTES"]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.url_map.converters["iri"] = IriPath
    errors.init_app(app)
    db.init_app(app, store)
    jobs.init_app(app)
    for path in BLUEPRINTS:
        module, attribute = path.split(":")
        app.register_blueprint(getattr(import_module(module), attribute))
    origin = app.config["CORS_ORIGIN"]
    headers = SECURITY_HEADERS + (cors_headers(origin) if origin else [])
    app.wsgi_app = PageCache(app.wsgi_app, app)  # type: ignore[method-assign]
    app.wsgi_app = FixedHeaders(app.wsgi_app, headers)  # type: ignore[method-assign]
    app.context_processor(lambda: {"nav_links": nav_links})
    if app.config.get("STORE_PATH") and not is_remote(app.config["STORE_PATH"]):
        kept = db.kept_root(app.config["STORE_PATH"]) / "templates"
        with contextlib.suppress(OSError):  # a read-only store: templates compiled each start
            kept.mkdir(parents=True, exist_ok=True)
            app.jinja_env.bytecode_cache = KeptTemplates(str(kept))
    backends = app.extensions.get(db.EXTENSION)
    if store is None and backends is not None:
        app.extensions["policykg.warming"] = warm_in_background(app)
        backends.prepare = functools.partial(warm, app)  # each new version before it is served
    return app


class KeptTemplates(FileSystemBytecodeCache):
    """Compiled page templates kept in the store across starts (50–150 ms each to compile);
    one that cannot be written (the store swapped by a rebuild, a read-only disk) is not kept."""

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def warm(app: Flask, backend: db.Backend | None = None) -> None:
    """Build what pages read from the served store version, or from ``backend`` (a new version,
    before it is served): term and full-text indexes, the collection, the newest reports'
    comparison rows, vocabulary names, the catalogue's downloads; and the map outlines and the
    page templates, so that no request waits for them.

    Each step's seconds and the process's resident memory before and after it are kept in
    ``app.extensions["policykg.warm_steps"]`` (and logged); a step that fails is logged and the
    next one still runs (the page needing it makes it on first use)."""
    from . import catalogue, compare, corpus, entityview, fulltext, links, maps, search

    steps: list[dict] = []
    app.extensions["policykg.warm_steps"] = steps
    with app.app_context():
        if backend is not None:
            g.policykg_backend = backend  # what db.get_backend gives the steps
        for step in (
            search.term_index,
            fulltext.fulltext_index,
            corpus.corpus,
            links.vocab_labels,
            entityview.property_links,
            compare.warm,  # the newest reports' and their places' rows only
            catalogue.warm,  # the downloads of the queries that need no parameter
        ):
            steps.append(_timed(step))
    maps.provinces()
    for name in app.jinja_env.list_templates(extensions=["html"]):
        app.jinja_env.get_template(name)  # compiled now, not on its first request (50–150 ms)


def _timed(step: Callable[[], object]) -> dict:
    """Run one warm-up step: its name, seconds, resident MB before and after it, and its error
    if any."""
    name = f"{step.__module__.rsplit('.', 1)[-1]}.{step.__name__}"
    before = resident_mb()
    started, error = time.perf_counter(), ""
    try:
        step()
    except Exception as e:  # logged; the page that needs it makes it again on first use
        error = f"{type(e).__name__}: {e}"[:300]
        log.error("warm-up step %s failed: %s", name, error)
    seconds = time.perf_counter() - started
    done = {
        "step": name,
        "seconds": round(seconds, 2),
        "rss_before_mb": before,
        "rss_mb": resident_mb(),
        "error": error,
    }
    log.info("warm-up step %s: %.1f s, %.0f MB resident", name, seconds, done["rss_mb"])
    return done


def resident_mb() -> float:
    """This process's resident memory now, MB (Linux ``/proc``; 0 elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return 0.0


def warm_in_background(app: Flask) -> threading.Thread:
    """Run :func:`warm` in a daemon thread started now (``join()`` it to wait)."""
    thread = threading.Thread(target=warm, args=(app,), name="policykg-warm", daemon=True)
    thread.start()
    return thread


def nav_links() -> list[tuple[str, str]]:
    """(href, label) of the navigation entries this app serves."""
    return [
        (url_for(endpoint), label)
        for endpoint, label in NAV
        if endpoint in current_app.view_functions
    ]


class IriPath(PathConverter):
    """A path that can end an IRI: no spaces, controls, ``<>"{}|\\^``` or stray ``%``
    (RFC 3987), so a malformed key is an unknown URL (404) before a view builds an IRI of it."""

    _char = r'(?:[^%<>"{}|\\^`\x00-\x20\x7f-\x9f\ue000-\uf8ff\ufdd0-\ufdef\ufff0-\uffff]|%[0-9A-Fa-f]{2})'
    regex = rf"(?!/){_char}+"


# Sent with every answer: pages load nothing from elsewhere, are never framed, never sniffed.
SECURITY_HEADERS = [
    (
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
]


def cors_headers(origin: str) -> list[tuple[str, str]]:
    """The CORS headers (``CORS_ORIGIN``) that let browser clients on other origins call us."""
    return [
        ("Access-Control-Allow-Origin", origin),
        ("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
        ("Access-Control-Allow-Headers", "Accept, Content-Type"),
        ("Access-Control-Expose-Headers", "Retry-After"),
        ("Access-Control-Max-Age", "86400"),
    ]


class FixedHeaders:
    """WSGI middleware adding the same headers to every answer (errors included). Plain tuples
    appended at ``start_response`` cost a fraction of setting them on each Flask response."""

    def __init__(self, app: Callable, headers: list[tuple[str, str]]):
        self.app = app
        self.headers = headers

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        def start(status: str, headers: list, exc_info=None):
            headers.extend(self.headers)
            return start_response(status, headers, exc_info)

        return self.app(environ, start)


__all__ = ["BLUEPRINTS", "NAV", "create_app"]
