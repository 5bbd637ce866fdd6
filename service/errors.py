"""One error handler for the whole app: JSON for programs, an HTML page for browsers.

Every error a request can cause is a :class:`ServiceError` (or one of werkzeug's HTTP errors)
and answers with the same JSON shape, pinned by ``tests/service/test_error_shape.py``::

    {"ok": false, "status": 400, "title": "Bad Request",
     "error": "error at 1:6: expected ...", "line": 1, "column": 6}

``line`` and ``column`` are 1-based and ``null`` unless the error points into the query text.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from policykg.errors import PolicyKGError
from policykg.kg.store import StoreTimeout, StoreUnavailable


class ServiceError(PolicyKGError):
    """An error the client can act on, with its HTTP status and, for queries, a position."""

    def __init__(
        self,
        message: str,
        status: int = 400,
        *,
        line: int | None = None,
        column: int | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.status = status
        self.line = line
        self.column = column
        self.headers = headers or {}


TITLES = {
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def payload(error: ServiceError) -> dict[str, Any]:
    """The JSON body of an error answer."""
    return {
        "ok": False,
        "status": error.status,
        "title": TITLES.get(error.status, "Error"),
        "error": error.message,
        "line": error.line,
        "column": error.column,
    }


def whole_number(name: str, default: int, high: int = 999_999_999, low: int = 1) -> int:
    """The request's parameter ``name`` (``page``, ``limit``...), a whole number from ``low``
    to ``high``; ``default`` when it is not given. Every page and API reads its numbers here,
    so that a bad one gets the same answer everywhere.

    :raises ServiceError: 400 for anything else, naming the parameter and what it takes.
    """
    text = request.args.get(name, str(default))
    if not (text.isascii() and text.isdigit() and len(text) < 10 and low <= int(text) <= high):
        raise ServiceError(f"{name} must be a whole number from {low} to {high}, not {text!r}", 400)
    return int(text)


def wants_html() -> bool:
    """True when the client is a browser (prefers text/html) or asked for ``format=html``."""
    if request.args.get("format") == "html":
        return True
    return request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html"


def respond(error: ServiceError) -> Response:
    """Answer ``error`` as an HTML page or as JSON, following the request's Accept header."""
    if wants_html():
        html = render_template("error.html", error=payload(error))
        response = current_app.response_class(html, status=error.status, mimetype="text/html")
    else:
        response = jsonify(payload(error))
        response.status_code = error.status
    response.headers.update(error.headers)
    return response


def from_http_exception(e: HTTPException) -> ServiceError:
    """A werkzeug HTTP error (404, 405, 413...) as a :class:`ServiceError`, keeping its headers."""
    if isinstance(e, InternalServerError):
        # Never leak a traceback or an internal message to the client.
        return ServiceError("the server failed to answer this request", 500)
    headers = {k: v for k, v in e.get_headers() if k.lower() not in ("content-type",)}
    return ServiceError(e.description or e.name, e.code or 500, headers=headers)


def from_store_error(e: StoreTimeout | StoreUnavailable) -> ServiceError:
    """A store that did not answer a page's own lookup in time (a server's own limit) or could
    not be reached: 503 with ``Retry-After``, the page is not broken; the server's words are
    logged, not shown."""
    current_app.logger.warning("%s on %s: %s", type(e).__name__, request.path, e)
    if isinstance(e, StoreTimeout):
        message = "the store did not answer this page in time: try again later"
    else:
        message = "the store cannot be reached: try again later"
    return ServiceError(message, 503, headers={"Retry-After": "30"})


def init_app(app: Flask) -> None:
    """Register the one error handler on ``app``."""
    app.register_error_handler(ServiceError, respond)
    app.register_error_handler(HTTPException, lambda e: respond(from_http_exception(e)))
    for error in (StoreTimeout, StoreUnavailable):
        app.register_error_handler(error, lambda e: respond(from_store_error(e)))
