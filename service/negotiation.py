"""Content negotiation, written once: the formats the service speaks, the names and media types
clients use for them, and how a request picks one.

The formats themselves are listed once, in :mod:`kg.formats`; each URL offers some of them by
name. :func:`choose` reads ``format=`` first (a name,
an alias such as SPARQLWrapper's ``rdf+xml``, ``json-ld`` or ``n3``, or a media type), and falls
back to ``Accept`` (q-values honoured; parameters such as ``charset`` or a JSON-LD ``profile``
ignored) when ``format=`` names nothing it knows. :func:`negotiate` also answers 406 with the
offers and marks the response ``Vary: Accept``::

    >>> choose(["html", "ttl", "jsonld"], None, 'application/ld+json;profile="x"').name
    'jsonld'
    >>> choose(["json", "csv"], "csv", "application/json").name
    'csv'
    >>> choose(["ttl", "nt"], "n-triples", "text/turtle").name   # format= first
    'nt'
    >>> choose(["ttl", "nt"], "whatever", "text/turtle").name    # unknown name: Accept decides
    'ttl'
    >>> choose(["ttl", "nt"], "rdf+xml", "text/turtle") is None  # known, not offered: 406
    True
    >>> choose(["json", "xml"], None, "text/turtle") is None
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import pyoxigraph as ox
from flask import after_this_request, request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from ..kg.formats import BY_MEDIA_TYPE, FORMATS, Format
from .errors import ServiceError

RDF = ("ttl", "jsonld", "rdf", "nt")  # what an entity, the ontology or VoID is offered as
QUADS = ("trig", "nq")
RESULTS = ("json", "xml", "csv", "tsv")


def choose(offers: Sequence[str], fmt: str | None, accept: str | None) -> Format | None:
    """The offered format that ``format=`` (else ``Accept``) asks for; None when none fits.

    The first offer answers a client that takes anything (``*/*`` or no Accept header).
    """
    offered = [FORMATS[name] for name in offers]
    if fmt:
        named = next((f for f in offered if f.answers(fmt)), None)
        if named is not None:
            return named
        if any(f.answers(fmt) for f in FORMATS.values()):
            return None  # a format we know, not offered here
    return _by_accept(tuple(offers), accept)


@lru_cache(maxsize=512)
def _by_accept(offers: tuple[str, ...], header: str | None) -> Format | None:
    # Clients repeat the same Accept header; werkzeug's matching is worth doing once per value.
    offered = [FORMATS[name] for name in offers]
    candidates = {f.media_type: f for f in offered}
    for f in offered:
        for alias in f.aliases:
            if "/" in alias:
                candidates.setdefault(alias, f)
    best = parse_accept(header).best_match(list(candidates))
    return candidates[best] if best else None


def rdf_format(media_type: str) -> ox.RdfFormat:
    """The pyoxigraph format that writes the RDF media type ``media_type``.

    :raises ValueError: if ``media_type`` is not one of our RDF formats.
    """
    fmt = BY_MEDIA_TYPE[media_type].rdf if media_type in BY_MEDIA_TYPE else None
    if fmt is None:
        raise ValueError(f"{media_type} is not an RDF format")
    return fmt


def parse_accept(header: str | None) -> MIMEAccept:
    """An Accept header with every parameter but ``q`` dropped (``charset``, JSON-LD's
    ``profile``: none changes which format we send); a missing header accepts anything."""
    if not header:
        return MIMEAccept([("*/*", 1)])
    accept = parse_accept_header(header, MIMEAccept)
    return MIMEAccept([(value.split(";", 1)[0].strip(), q) for value, q in accept])


def negotiate(offers: Sequence[str], fmt: str | None = None) -> Format:
    """The format to answer the current request with (``format=`` from the URL unless ``fmt``
    is given); the response will say ``Vary: Accept``.

    :raises ServiceError: 406 naming the offers when none fits.
    """

    @after_this_request
    def vary(response):
        response.vary.add("Accept")
        return response

    chosen = choose(offers, fmt or request.args.get("format"), request.headers.get("Accept"))
    if chosen is None:
        names = ", ".join(f"{FORMATS[n].media_type} (format={n})" for n in offers)
        raise ServiceError(f"this resource is available as {names}", 406)
    return chosen


__all__ = [
    "BY_MEDIA_TYPE",
    "FORMATS",
    "Format",
    "choose",
    "negotiate",
    "parse_accept",
    "rdf_format",
]
