"""Read a SPARQL 1.1 Protocol request: the operation, its dataset, and the media type wanted.

Every way a request can be malformed ends here as a :class:`~.errors.ServiceError` with a 4xx
status and a message naming the parameter or header at fault:

- GET ``?query=``; POST ``application/x-www-form-urlencoded`` (``query=`` in the body);
  POST ``application/sparql-query`` (the body is the query); anything else is 415;
- ``default-graph-uri`` and ``named-graph-uri`` (repeatable) from the URL or the form;
- bodies and URLs that are not UTF-8 are 400, bodies over the cap 413 (``MAX_BODY_BYTES``);
- content negotiation (``negotiation.py``): ``format=``, else Accept with q-values.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

import pyoxigraph as ox
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Request  # Flask's request, or the fast path's bare one

from .errors import ServiceError
from .negotiation import choose

FORM = "application/x-www-form-urlencoded"
DIRECT_QUERY = "application/sparql-query"
DIRECT_UPDATE = "application/sparql-update"
MAX_FIELDS = 200

# The formats of each form of result, the default (for */*) first.
TABULAR = ("json", "xml", "csv", "tsv", "html")
GRAPH = ("ttl", "nt", "jsonld", "rdf", "trig", "nq", "html")


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

    ``format=`` (a name, an alias or a media type, from the URL or the form) wins over Accept;
    a ``format=`` value no format answers to falls back to Accept. Either may be None (nothing
    acceptable for that form).
    """
    fmt, accept = params.get("format"), request.headers.get("Accept")
    tabular, graph = choose(TABULAR, fmt, accept), choose(GRAPH, fmt, accept)
    return (tabular.media_type if tabular else None), (graph.media_type if graph else None)


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
