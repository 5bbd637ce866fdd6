"""What ``/id/…`` answers in RDF: a symmetric concise bounded description, capped.

The shape (documented in ``ontology/README.md``, "Entity descriptions"), after the W3C member
submission on CBD (https://www.w3.org/submission/CBD/):

- every triple whose subject is the resource, and, for every blank node among their objects,
  that blank node's triples in turn (the blank-node closure);
- every triple whose object is the resource (so a crawler walks the graph both ways: the
  observations of an indicator, the spans of a report), with the closure of blank-node subjects
  backwards, at most :data:`INCOMING_PAGE` of them, ordered by property and subject;
- when more point at it, ``<resource> rdfs:seeAlso <…?page=2>`` (the next page: the next
  :data:`INCOMING_PAGE` incoming triples, which links to the page after it) and ``rdfs:seeAlso``
  a SPARQL ``CONSTRUCT`` URL on this endpoint that returns every incoming triple at once. The
  HTTP answer carries the same next page as ``Link: <…>; rel="next"``.

Links are made from the address the server is reached at, so they work on any deployment.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pyoxigraph as ox
from flask import request, url_for

from ..kg import vocab
from .db import get_store

INCOMING_PAGE = 500
MAX_BLANK_DEPTH = 16  # nested blank nodes deeper than this are cut (an RDF list of 16 items)
RDFS_SEE_ALSO = ox.NamedNode(vocab.PREFIXES["rdfs"] + "seeAlso")

# The resource is written into the queries (``{s}``, an IRI already checked by pyoxigraph)
# rather than bound: a binding does not reach into a sub-SELECT, nor past a remote LIMIT.
_Q_OUT = "CONSTRUCT {{ {s} ?p ?o }} WHERE {{ {s} ?p ?o }}"
_Q_IN = """
CONSTRUCT {{ ?x ?p {s} }} WHERE {{
  {{ SELECT ?x ?p WHERE {{ ?x ?p {s} }} ORDER BY ?p ?x OFFSET {offset} LIMIT {limit} }}
}}
"""
_Q_IN_COUNT = "SELECT (COUNT(*) AS ?n) WHERE {{ ?x ?p {s} }}"
_Q_ALL_IN = "CONSTRUCT {{ ?x ?p {s} }} WHERE {{ ?x ?p {s} }}"


def _closure_query(node: ox.NamedNode, depth: int, forward: bool) -> str:
    """The triples of the blank nodes ``depth`` steps from ``node`` through blank nodes only.

    Forward: ``?s ?p0 ?b1 . ?b1 ?p1 ?b2 …`` then ``?bN ?p ?o``; backward the mirror image. A
    path expression cannot require its middle nodes to be blank, hence one query per depth.
    """
    steps = []
    for i in range(1, depth + 1):
        prev = str(node) if i == 1 else f"?b{i - 1}"
        step = f"{prev} ?p{i} ?b{i}" if forward else f"?b{i} ?p{i} {prev}"
        steps.append(f"{step} . FILTER(isBlank(?b{i}))")
    last = f"?b{depth} ?p ?o" if forward else f"?o ?p ?b{depth}"
    limit = "" if forward else f" LIMIT {INCOMING_PAGE}"
    return f"CONSTRUCT {{ {last} }} WHERE {{ {' '.join(steps)} {last} }}{limit}"


def _closure(node: ox.NamedNode, first: list[ox.Triple], forward: bool) -> list[ox.Triple]:
    """The blank-node closure of ``first`` (the resource's own triples, one direction)."""
    out: list[ox.Triple] = []
    level = first
    for depth in range(1, MAX_BLANK_DEPTH + 1):
        ends = [t.object if forward else t.subject for t in level]
        if not any(isinstance(e, ox.BlankNode) for e in ends):
            break
        level = get_store().construct(_closure_query(node, depth, forward))
        out.extend(level)
    return out


def outgoing(node: ox.NamedNode) -> list[ox.Triple]:
    """The resource's own triples and the closure of the blank nodes they lead to."""
    own = get_store().construct(_Q_OUT.format(s=node))
    return own + _closure(node, own, forward=True)


def incoming(node: ox.NamedNode, page: int) -> list[ox.Triple]:
    """Page ``page`` (from 1) of the triples pointing at the resource; page 1 with the closure
    of their blank-node subjects."""
    query = _Q_IN.format(s=node, offset=(page - 1) * INCOMING_PAGE, limit=INCOMING_PAGE)
    found = get_store().construct(query)
    return found + (_closure(node, found, forward=False) if page == 1 else [])


def incoming_count(node: ox.NamedNode) -> int:
    """How many triples point at the resource."""
    return int(get_store().select(_Q_IN_COUNT.format(s=node))[0]["n"].value)


def page_url(key: str, page: int) -> str:
    """The absolute URL of page ``page`` of ``/id/{key}``, at the address the server is reached at."""
    return url_for("entities.entity", key=key, page=page, _external=True)


def all_incoming_url(iri: str) -> str:
    """A SPARQL URL on this server returning every triple that points at ``iri``."""
    query = urlencode({"query": _Q_ALL_IN.format(s=ox.NamedNode(iri))})
    return request.host_url.rstrip("/") + url_for("sparql.endpoint").rstrip("/") + "?" + query


def describe(iri: str, key: str, page: int = 1) -> tuple[list[ox.Triple], str | None]:
    """The description of ``iri`` (served at ``/id/{key}``): its triples and the next page's
    URL (None on the last page). Empty triples: nothing is known, or the page is past the end."""
    node = ox.NamedNode(iri)
    triples = outgoing(node) if page == 1 else []
    total = incoming_count(node)
    if page > 1 and total <= (page - 1) * INCOMING_PAGE:
        return [], None
    triples += incoming(node, page)
    next_url = page_url(key, page + 1) if total > page * INCOMING_PAGE else None
    if next_url:
        triples.append(ox.Triple(node, RDFS_SEE_ALSO, ox.NamedNode(next_url)))
        triples.append(ox.Triple(node, RDFS_SEE_ALSO, ox.NamedNode(all_incoming_url(iri))))
    return list(dict.fromkeys(triples)), next_url
