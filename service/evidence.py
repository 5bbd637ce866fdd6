"""Where the reports state things: the mentions of a resource (the quote inside its
sentence) and the evidence of its links (pol:Assertion, ``ontology/README.md``), read for one
resource or for many at once (a term page and its parts).
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pyoxigraph as ox
from flask import g

from ..kg.vocab import prologue
from .db import get_store
from .links import Link, link, passage_href, row_value

_Q_MENTIONS = (
    prologue("pol", "prov", "dcterms")
    + """SELECT DISTINCT ?s ?span ?quote ?start ?end ?report ?title WHERE {
  ?s prov:wasDerivedFrom ?span .
  ?span pol:quote ?quote ; pol:start ?start ; pol:end ?end ; pol:inReport ?report .
  OPTIONAL { ?report dcterms:title ?title }
}
ORDER BY ?report ?start ?end
"""
)

# Apart from _Q_MENTIONS: as an OPTIONAL there, Oxigraph joins every sentence of the store
# (20 ms a page); as a query of its own it starts from the resource (0.3 ms).
_Q_MENTION_SENTENCES = (
    prologue("pol", "prov")
    + """SELECT ?s ?span ?sq ?ss WHERE {
  ?s prov:wasDerivedFrom ?span .
  ?span pol:inSentence ?sentence .
  ?sentence pol:quote ?sq ; pol:start ?ss .
}
"""
)

# The links stated in the reports about the given resources (as subject, then as object), with
# the span each was read from: pol:Assertion (ontology/README.md, "Evidence of relations"),
# read per page for the resource and its parts. The whole collection's were read at each start
# (50,900 at 100 times the corpus: 52 s over Virtuoso, kept in every web process).
_Q_ASSERTIONS = (
    prologue("pol", "prov", "dcterms")
    + """SELECT DISTINCT ?s ?p ?o ?quote ?start ?end ?report ?title WHERE {
  VALUES ?%s { %s }
  ?a pol:assertedSubject ?s ; pol:assertedProperty ?p ; pol:assertedObject ?o ;
     prov:wasDerivedFrom ?span .
  ?span pol:quote ?quote ; pol:start ?start ; pol:end ?end ; pol:inReport ?report .
  OPTIONAL { ?report dcterms:title ?title }
}
"""
)
ASSERTION_BATCH = 200

# A resource and its parts at any depth (a term page's tree).
_Q_SELF_AND_PARTS = (
    prologue("pol")
    + """SELECT DISTINCT ?r ?x WHERE { ?r pol:hasComponent* ?x }
"""
)


@dataclass(frozen=True)
class Mention:
    """One place a resource is mentioned: ``quote`` inside ``before``…``after`` of its sentence."""

    report: Link
    start: int
    end: int
    quote: str
    before: str
    after: str
    href: str  # the highlighted passage in the report text


@dataclass(frozen=True)
class Evidence:
    """The passage a link was read from: ``quote`` at ``start``–``end`` of ``report``."""

    report: Link
    start: int
    end: int
    quote: str
    href: str  # the highlighted passage in the report text


# (subject, property, object) IRIs → the passages stating that link
EvidenceMap = dict[tuple[str, str, str], list[Evidence]]


def rows_for(sparql: str, var: str, iris: Iterable[str]) -> dict[str, list[dict]]:
    """The rows of ``sparql`` for each of ``iris`` bound to ``?var``, in one run of the query
    where the store can (``Store.select_each``): a page listing twenty-five things runs each of
    its queries once, not twenty-five times. Rows :func:`prefetch` is reading are waited for."""
    out: dict[str, list[dict]] = {iri: [] for iri in iris}
    pending = g.get("policykg_prefetch") or {}
    future = pending.pop((sparql, var, tuple(out)), None)
    if future is not None:
        rows = future.result()
    else:
        rows = get_store().select_each(sparql, var, [ox.NamedNode(iri) for iri in out])
    for row in rows:
        out[row[var].value].append(row)
    return out


def prefetch(queries: Iterable[tuple[str, str, list[str]]]) -> None:
    """Start running each ``(sparql, var, iris)`` of :func:`rows_for` now, in threads: the
    queries of a page that do not wait for each other's answers then wait on a server
    together, not one after another (a term page asks a dozen, ~0.1 s each over Virtuoso at
    100 times the corpus). :func:`rows_for` with the same arguments takes the answer."""
    store = get_store()
    pending = g.setdefault("policykg_prefetch", {})
    for sparql, var, iris in queries:
        key = (sparql, var, tuple(dict.fromkeys(iris)))
        if key[2] and key not in pending:
            nodes = [ox.NamedNode(iri) for iri in key[2]]
            pending[key] = _READERS.submit(store.select_each, sparql, var, nodes)


_READERS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="policykg-prefetch")


def mentions(iri: str) -> list[Mention]:
    """Every span ``iri`` was derived from, with its sentence, in report and text order."""
    return mentions_of([iri])[iri]


# the queries mentions_of reads, each with its variable (to prefetch with a page's others)
MENTION_QUERIES = ((_Q_MENTION_SENTENCES, "s"), (_Q_MENTIONS, "s"))


def mentions_of(iris: Iterable[str]) -> dict[str, list[Mention]]:
    """:func:`mentions` of each of ``iris``, read in two queries for all of them
    (:data:`MENTION_QUERIES`)."""
    sentences = {
        row["span"].value: (row["sq"].value, int(row["ss"].value))
        for rows in rows_for(_Q_MENTION_SENTENCES, "s", iris).values()
        for row in rows
    }
    return {
        iri: [_mention(row, sentences) for row in rows]
        for iri, rows in rows_for(_Q_MENTIONS, "s", iris).items()
    }


def _mention(row: dict, sentences: dict[str, tuple[str, int]]) -> Mention:
    start, end, quote = int(row["start"].value), int(row["end"].value), row["quote"].value
    before = after = ""
    if row["span"].value in sentences:
        sentence, offset = sentences[row["span"].value]
        if sentence[start - offset : end - offset] == quote:
            before, after = sentence[: start - offset], sentence[end - offset :]
    report = row["report"].value
    return Mention(
        report=link(report, row_value(row, "title")),
        start=start,
        end=end,
        quote=quote,
        before=before,
        after=after,
        href=passage_href(report, start, end),
    )


def evidence(iri: str) -> EvidenceMap:
    """The passages each link of ``iri`` (or of its parts) was read from, in text order.

    ``evidence(平高集团)[(平高集团, pol:inIndustry, 装备制造)]`` → 装备制造产业集群，延伸平高集团.
    """
    return evidence_of([iri])[iri]


def evidence_of(
    iris: Iterable[str], parts: dict[str, list[str]] | None = None
) -> dict[str, EvidenceMap]:
    """:func:`evidence` of each of ``iris``, their parts read in one query (or given:
    ``parts``, each resource with its parts at any depth): the links of the resource itself
    and those between it and its parts or between its parts."""
    if parts is None:
        parts = {
            iri: [row["x"].value for row in rows]
            for iri, rows in rows_for(_Q_SELF_AND_PARTS, "r", iris).items()
        }
    # a link between two nodes of a tree is found from its subject: only the resources
    # themselves are looked up as objects too
    by_node = assertions_of((x for nodes in parts.values() for x in nodes), objects=list(parts))
    return {iri: _evidence_map(iri, nodes, by_node) for iri, nodes in parts.items()}


def _evidence_map(iri: str, nodes: list[str], by_node: dict[str, list[dict]]) -> EvidenceMap:
    # a part's own links to things outside the tree are left out: an industry that is a part
    # of a slogan is the object of every enterprise's pol:inIndustry in every report (8,000
    # passages for a page of twenty versions of a slogan at 100 times the corpus, 3.5 s)
    tree = set(nodes)
    rows = {
        id(row): row
        for x in nodes
        for row in by_node.get(x, [])
        if iri in (row["s"].value, row["o"].value)
        or (row["s"].value in tree and row["o"].value in tree)
    }.values()
    out: EvidenceMap = defaultdict(list)
    for row in sorted(
        rows, key=lambda r: (r["report"].value, int(r["start"].value), int(r["end"].value))
    ):
        start, end, report = int(row["start"].value), int(row["end"].value), row["report"].value
        found = Evidence(
            report=link(report, row_value(row, "title")),
            start=start,
            end=end,
            quote=row["quote"].value,
            href=passage_href(report, start, end),
        )
        spans = out[(row["s"].value, row["p"].value, row["o"].value)]
        if found not in spans:
            spans.append(found)
    return dict(out)


def assertions_of(
    nodes: Iterable[str], objects: Iterable[str] | None = None
) -> dict[str, list[dict]]:
    """Every stated link with its passage of each of ``nodes``, as subject, and as object
    (of each of ``objects`` only, when given)."""
    wanted = {"s": [str(node) for node in _iris(nodes)]}
    wanted["o"] = wanted["s"] if objects is None else [str(node) for node in _iris(objects)]
    found: dict[str, list[dict]] = defaultdict(list)
    store = get_store()
    for end in ("s", "o"):
        for first in range(0, len(wanted[end]), ASSERTION_BATCH):
            values = " ".join(wanted[end][first : first + ASSERTION_BATCH])
            for row in store.select(_Q_ASSERTIONS % (end, values)):
                if end == "o" and row["o"].value == row["s"].value:
                    continue  # found as subject already
                found[row[end].value].append(row)
    return dict(found)


def _iris(values: Iterable[str]) -> list[ox.NamedNode]:
    """Each distinct IRI among ``values`` (a blank node's label is none)."""
    out = []
    for value in dict.fromkeys(values):
        with contextlib.suppress(ValueError):
            out.append(ox.NamedNode(value))
    return out
