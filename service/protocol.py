"""Read a SPARQL 1.1 Protocol request: the operation, its dataset, and the media type wanted.

Every way a request can be malformed ends here as a :class:`~.errors.ServiceError` with a 4xx
status and a message naming the parameter or header at fault:

- GET ``?query=``; POST ``application/x-www-form-urlencoded`` (``query=`` in the body);
  POST ``application/sparql-query`` (the body is the query); anything else is 415;
- ``default-graph-uri`` and ``named-graph-uri`` (repeatable) from the URL or the form;
- bodies and URLs that are not UTF-8 are 400, bodies over the cap 413 (``MAX_BODY_BYTES``);
- content negotiation with werkzeug's Accept parsing (q-values), or ``format=``; 406 when no
  format fits.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl

import pyoxigraph as ox
from flask import Request
from werkzeug.datastructures import MIMEAccept, MultiDict
from werkzeug.http import parse_accept_header

from .errors import ServiceError
from .results import GRAPH_TYPES, TABULAR_TYPES

FORM = "application/x-www-form-urlencoded"
DIRECT_QUERY = "application/sparql-query"
DIRECT_UPDATE = "application/sparql-update"
MAX_FIELDS = 200

# Media types a client may ask for, and the type answered (the first of each group is the default).
TABULAR_OFFERS = {
    **{t: t for t in TABULAR_TYPES},
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
    "application/xhtml+xml": "text/html",
}
GRAPH_OFFERS = {
    **{t: t for t in GRAPH_TYPES},
    "application/x-turtle": "text/turtle",
    "text/plain": "application/n-triples",
    "application/json": "application/ld+json",
    "application/xml": "application/rdf+xml",
    "text/xml": "application/rdf+xml",
    "application/xhtml+xml": "text/html",
}
# format= names: (for SELECT/ASK, for CONSTRUCT/DESCRIBE)
FORMAT_NAMES: dict[str, tuple[str | None, str | None]] = {
    "json": ("application/sparql-results+json", "application/ld+json"),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "csv": ("text/csv", None),
    "tsv": ("text/tab-separated-values", None),
    "html": ("text/html", "text/html"),
    "turtle": (None, "text/turtle"),
    "ttl": (None, "text/turtle"),
    "nt": (None, "application/n-triples"),
    "ntriples": (None, "application/n-triples"),
    "jsonld": (None, "application/ld+json"),
    "rdfxml": (None, "application/rdf+xml"),
    "trig": (None, "application/trig"),
    "nquads": (None, "application/n-quads"),
    "nq": (None, "application/n-quads"),
}
TABULAR_DOWNLOADS = ("json", "xml", "csv", "tsv")
GRAPH_DOWNLOADS = ("turtle", "nt", "jsonld", "rdfxml", "trig", "nquads")


@dataclass
class Operation:
    """What a protocol request asks for."""

    query: str | None
    update: str | None
    default_graphs: list[str] | None  # None: no protocol dataset (the union of all graphs)
    named_graphs: list[str] | None
    params: MultiDict

    @property
    def dataset_pairs(self) -> list[tuple[str, str]]:
        """The protocol dataset as URL parameters (for download links)."""
        return [("default-graph-uri", g) for g in self.default_graphs or []] + [
            ("named-graph-uri", g) for g in self.named_graphs or []
        ]


def read_operation(request: Request, max_body: int) -> Operation:
    """The operation carried by ``request``.

    :raises ServiceError: 400 (malformed, not UTF-8, repeated query), 413 (body too large),
        415 (POST without a protocol media type).
    """
    params = MultiDict(_pairs(request.query_string, "URL"))
    if request.method == "POST":
        content_type = request.mimetype
        if content_type not in (FORM, DIRECT_QUERY, DIRECT_UPDATE):
            shown = request.content_type or "no Content-Type"
            raise ServiceError(
                f"POST needs Content-Type {FORM} or {DIRECT_QUERY}, not {shown}", 415
            )
        _check_charset(request)
        body = _read_body(request, max_body)
        if content_type == FORM:
            for key, value in _pairs(body, "form body"):
                params.add(key, value)
        else:
            key = "query" if content_type == DIRECT_QUERY else "update"
            params.add(key, _utf8(body, "request body"))
    queries, updates = params.getlist("query"), params.getlist("update")
    if len(queries) + len(updates) > 1:
        raise ServiceError("send one query (or update) per request, not several", 400)
    default_graphs = [_iri(g, "default-graph-uri") for g in params.getlist("default-graph-uri")]
    named_graphs = [_iri(g, "named-graph-uri") for g in params.getlist("named-graph-uri")]
    has_dataset = bool(default_graphs or named_graphs)
    return Operation(
        query=queries[0] if queries else None,
        update=updates[0] if updates else None,
        default_graphs=default_graphs if has_dataset else None,
        named_graphs=named_graphs if has_dataset else None,
        params=params,
    )


def negotiate(request: Request, params: MultiDict) -> tuple[str | None, str | None]:
    """The media types to answer with: (for SELECT/ASK, for CONSTRUCT/DESCRIBE).

    ``format=`` (a name of :data:`FORMAT_NAMES` or a media type) wins over Accept. Either may
    be None (nothing acceptable for that form).

    :raises ServiceError: 400 for an unknown ``format``.
    """
    fmt = params.get("format")
    if fmt:
        if fmt in FORMAT_NAMES:
            return FORMAT_NAMES[fmt]
        tabular, graph = TABULAR_OFFERS.get(fmt), GRAPH_OFFERS.get(fmt)
        if tabular is None and graph is None:
            names = ", ".join(FORMAT_NAMES)
            raise ServiceError(f"unknown format={fmt}; use one of {names} or a media type", 400)
        return tabular, graph
    return _negotiate_accept(request.headers.get("Accept"))


@lru_cache(maxsize=256)
def _negotiate_accept(header: str | None) -> tuple[str | None, str | None]:
    # Clients repeat the same Accept header; werkzeug's matching is worth doing once per value.
    accept = _parse_accept(header)
    return _best(accept, TABULAR_OFFERS), _best(accept, GRAPH_OFFERS)


def accept_header(request: Request) -> MIMEAccept:
    """The request's Accept header; a missing one accepts anything."""
    return _parse_accept(request.headers.get("Accept"))


def _parse_accept(header: str | None) -> MIMEAccept:
    if header is None:
        return MIMEAccept([("*/*", 1)])
    return parse_accept_header(header, MIMEAccept)


def _best(accept: MIMEAccept, offers: dict[str, str]) -> str | None:
    match = accept.best_match(list(offers))
    return offers[match] if match else None


def _pairs(raw: bytes, where: str) -> list[tuple[str, str]]:
    text = _utf8(raw, where)
    try:
        return parse_qsl(
            text,
            keep_blank_values=True,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FIELDS,
        )
    except UnicodeDecodeError:
        raise ServiceError(f"the {where} has percent-escapes that are not UTF-8", 400) from None
    except ValueError:
        raise ServiceError(f"the {where} has more than {MAX_FIELDS} parameters", 400) from None


def _utf8(raw: bytes, where: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ServiceError(f"the {where} is not UTF-8 (byte {e.start})", 400) from None


def _check_charset(request: Request) -> None:
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise ServiceError(f"the request body must be UTF-8, not charset={charset}", 400)


def _read_body(request: Request, max_body: int) -> bytes:
    if request.content_length is not None and request.content_length > max_body:
        raise ServiceError(f"the request body is over {max_body} bytes", 413)
    return request.get_data(cache=False)


def _iri(value: str, parameter: str) -> str:
    try:
        ox.NamedNode(value)
    except ValueError:
        raise ServiceError(f"{parameter}={value!r} is not an absolute IRI", 400) from None
    if ":" not in value:
        raise ServiceError(f"{parameter}={value!r} is not an absolute IRI", 400)
    return value
