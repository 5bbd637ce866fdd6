"""Answers written by pyoxigraph's serialisers (the embedded store) say what the Python writers
(a server's answers) say, in every format, and both refuse past the row and byte caps.

No store kind to choose: both writers run here on in-memory stores, the server's side included.
"""

from __future__ import annotations

import csv
import io

import pyoxigraph as ox
import pytest

from policykg.kg.store import MemoryStore, Solutions, Triples
from policykg.service.results import (
    GRAPH_FORMATS,
    RESULT_FORMATS,
    Job,
    TooLarge,
    TooManyRows,
    evaluate,
)

DATA = """
<http://a> <http://p> "x\\ny\\t\\"q\\"" .
<http://a> <http://p> "中文"@zh .
<http://a> <http://p> "12"^^<http://www.w3.org/2001/XMLSchema#integer> .
<http://a> <http://p> "1.5"^^<http://www.w3.org/2001/XMLSchema#decimal> .
<http://a> <http://p> "true"^^<http://www.w3.org/2001/XMLSchema#boolean> .
<http://a> <http://p> "a,b" .
<http://a> <http://p> "x"^^<http://example.org/dt> .
<http://b> <http://q> <http://a> .
"""
SELECT = "SELECT ?s ?o ?u WHERE { ?s ?p ?o OPTIONAL { ?s <http://none> ?u } }"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


class RowByRow(MemoryStore):
    """The same store read as a server's answers are: rows of terms, no engine result."""

    def execute(self, sparql, **kwargs):
        result = super().execute(sparql, **kwargs)
        if isinstance(result, Solutions):
            return Solutions(result.variables, list(result))
        if isinstance(result, Triples):
            return Triples(list(result))
        return result


def stores() -> tuple[MemoryStore, MemoryStore]:
    out = []
    for kind in (MemoryStore, RowByRow):
        store = kind()
        store._store.load(DATA.encode(), format=ox.RdfFormat.N_TRIPLES)
        out.append(store)
    return out[0], out[1]


def solutions(body: bytes, media_type: str) -> set:
    if media_type == "text/csv":  # values only: compared as they are
        return {tuple(row) for row in csv.reader(io.StringIO(body.decode(), newline=""))}
    parsed = ox.parse_query_results(body, format=RESULT_FORMATS[media_type])
    names = [v.value for v in parsed.variables]
    return {tuple(str(s[n]) for n in names) for s in parsed}


@pytest.mark.parametrize("media_type", list(RESULT_FORMATS))
def test_solutions_say_the_same_either_way(media_type):
    native, by_row = stores()
    job = Job(SELECT, media_type, None, 100)
    ours, theirs = evaluate(native, job).body, evaluate(by_row, job).body
    assert solutions(ours, media_type) == solutions(theirs, media_type)
    assert len(solutions(ours, media_type)) == 8 + (media_type == "text/csv")  # CSV's header


@pytest.mark.parametrize("media_type", list(GRAPH_FORMATS))
def test_graphs_say_the_same_either_way(media_type):
    native, by_row = stores()
    job = Job(CONSTRUCT, None, media_type, 100)
    fmt = GRAPH_FORMATS[media_type]
    ours = set(ox.parse(evaluate(native, job).body, format=fmt))
    theirs = set(ox.parse(evaluate(by_row, job).body, format=fmt))
    assert ours == theirs and len(ours) == 8


@pytest.mark.parametrize("query", [SELECT, CONSTRUCT])
def test_past_the_row_cap_both_refuse(query):
    for store in stores():
        job = Job(query, "application/sparql-results+json", "text/turtle", 7)
        with pytest.raises(TooManyRows):
            evaluate(store, job)
        job.max_rows = 8
        assert evaluate(store, job).body


def test_past_the_byte_cap_both_refuse():
    for store in stores():
        job = Job(SELECT, "application/sparql-results+xml", None, 100, max_bytes=300)
        with pytest.raises(TooLarge):
            evaluate(store, job)
