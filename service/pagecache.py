"""Whole answers of the pages that depend only on their URL, kept per store version.

An entity page (``/id/…``), a catalogue query (``/queries/…``, ``/api/queries/…``), a term
page or the term index (``/terms…``, ``/api/terms…``), a full-text search (``/search``) or the
ontology's page runs several lookups and renders a template; asked again, it would give the
same bytes until the store changes. :class:`PageCache`, a WSGI middleware in front of Flask,
keeps the status, headers and body of their successful GET answers (a streamed download, or a
file too large to keep, is passed through) in the store version's result cache (``cache.py``,
bounded by ``RESULT_CACHE_BYTES`` and ``RESULT_CACHE_ENTRIES``, off when they are 0), keyed on
everything the answer can depend on: the path, the query string, ``Accept``, and the host and
scheme that absolute links are built from. A rebuild serves a new backend with an empty cache,
so a page never outlives its store version. Errors, redirects and answers that set cookies are
never kept; the security headers are added outside, on every answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from flask import Flask

from .cache import ResultCache
from .db import EXTENSION, PINNED, Backend

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

# Paths whose GET answers depend only on the request's URL, Accept and the store version.
CACHED_PATHS = (
    "/id/", "/queries/", "/api/queries/", "/terms", "/api/terms", "/search", "/ontology"
)  # fmt: skip


@dataclass(frozen=True)
class Page:
    """One kept answer."""

    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


class PageCache:
    """WSGI middleware answering repeated GETs of :data:`CACHED_PATHS` from the cache."""

    def __init__(self, wsgi_app: WSGIApplication, app: Flask):
        self.wsgi_app = wsgi_app
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        backend = self._backend() if environ.get("REQUEST_METHOD") == "GET" else None
        if backend is None or not environ.get("PATH_INFO", "").startswith(CACHED_PATHS):
            return self.wsgi_app(environ, start_response)
        cache = backend.cache
        environ[PINNED] = backend  # the page is rendered from the version it is kept for
        key = (
            "page",
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
            environ.get("HTTP_ACCEPT", ""),
            environ.get("HTTP_HOST", ""),
            environ.get("SCRIPT_NAME", ""),
            environ.get("wsgi.url_scheme", ""),
        )
        page = cast(Page | None, cache.get(key))
        if page is None:
            rendered = self._render(environ, start_response, cache)
            if not isinstance(rendered, Page):
                return rendered  # streamed as it comes: never kept
            page = rendered
            if page.status.startswith("200 ") and not _sets_cookie(page.headers):
                cache.put(key, page)
        start_response(page.status, list(page.headers))  # a fresh list: the caller extends it
        return [page.body]

    def _backend(self) -> Backend | None:
        """The store version being served, or None when there is none or its cache is off."""
        backends = self.app.extensions.get(EXTENSION)
        if backends is None:
            return None
        backend = backends if isinstance(backends, Backend) else backends.get()
        return backend if backend.cache.enabled else None

    def _render(
        self, environ: WSGIEnvironment, start_response: StartResponse, cache: ResultCache
    ) -> Page | Iterable[bytes]:
        """The app's whole answer to ``environ``; an answer streamed as it is written (no
        ``Content-Length``: a download of a whole answer, read a piece at a time) or one larger
        than ``cache`` keeps (a download sent from its file) is passed on to
        ``start_response`` as it comes instead."""
        answer: list = []

        def start(status: str, headers: list, exc_info=None):
            answer[:] = [status, tuple(headers)]
            return _no_write

        chunks = self.wsgi_app(environ, start)
        length = next((v for name, v in answer[1] if name.lower() == "content-length"), None)
        if length is None or not cache.fits(int(length)):
            start_response(answer[0], list(answer[1]))
            return chunks
        try:
            body = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        return Page(answer[0], answer[1], body)


def _no_write(data: bytes) -> None:
    raise NotImplementedError("the pages never use start_response's write()")


def _sets_cookie(headers: tuple[tuple[str, str], ...]) -> bool:
    return any(name.lower() == "set-cookie" for name, _ in headers)
