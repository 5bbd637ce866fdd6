"""What every negotiated URL (``/id/…``, ``/ontology``, ``/dumps/``) shares: the choice of a
page or RDF, the RDF answer with readable prefixes, the links to its downloadable forms,
``Vary: Accept``.
"""

from __future__ import annotations

from typing import NamedTuple

import pyoxigraph as ox
from flask import (
    Response,
)

from . import negotiation
from .db import get_store
from .links import PREFIXES, base_iri
from .negotiation import FORMATS, RDF, rdf_format

_Q_DESCRIBE = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


def page_or_rdf(prefer: str = "html") -> str:
    """The media type to answer with: a page or RDF (``format=`` first, then Accept; 406 if
    none fits); ``prefer`` answers clients that take anything."""
    offers = [prefer, *(name for name in ("html", *RDF) if name != prefer)]
    return negotiation.negotiate(offers).media_type


def rdf_response(triples: list[ox.Triple], media_type: str, filename: str) -> Response:
    """Triples serialised as ``media_type`` with readable prefixes."""
    fmt = rdf_format(media_type)
    prefixes = PREFIXES | {"id": base_iri()} if fmt != ox.RdfFormat.N_TRIPLES else None
    body = ox.serialize(triples, format=fmt, prefixes=prefixes)
    response = Response(body, mimetype=media_type)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}.{fmt.file_extension}"'
    return response


class DataLink(NamedTuple):
    """A downloadable form of a page: what the link says, where it goes, its media type."""

    title: str
    href: str
    media_type: str


def data_links(path: str) -> list[DataLink]:
    """The downloadable forms (RDF) of the page at ``path``."""
    return [
        DataLink(FORMATS[key].title, f"{path}?format={key}", FORMATS[key].media_type) for key in RDF
    ]


def vary_accept(response: Response) -> Response:
    """Every answer of a negotiated URL varies with ``Accept`` (errors too), for caches."""
    response.vary.add("Accept")
    return response


def graph_triples(graph: str) -> list[ox.Triple]:
    """Every statement of the named graph ``graph``."""
    return get_store().construct(_Q_DESCRIBE, default_graphs=[graph])
