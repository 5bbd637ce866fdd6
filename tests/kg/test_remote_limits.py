"""A server's own limits (Virtuoso's ``MaxQueryExecutionTime``): a query it stops is a timeout,
never "the store is unavailable"; the service's whole-store reads come in pieces under them."""

from __future__ import annotations

import pytest

from policykg.kg.remote import RemoteStore, stopped_at_limit
from policykg.kg.store import StoreTimeout, open_store

# Every pattern joined with every other: ~10^12 rows on the founding report's 10^4 triples.
ENDLESS_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ENDLESS_LIST = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"


@pytest.fixture(scope="module")
def limited_virtuoso(virtuoso_factory, seed_store_dir):
    """A Virtuoso holding the founding report that stops every query after one second."""
    with open_store(seed_store_dir) as store:
        return virtuoso_factory("limited", store, max_query_seconds=1)


@pytest.mark.parametrize("query", [ENDLESS_COUNT, ENDLESS_LIST], ids=["count", "listing"])
def test_a_query_the_server_stops_at_its_own_limit_is_a_timeout(limited_virtuoso, query):
    # we give it a minute: the server's own second is what stops it
    store = RemoteStore(limited_virtuoso.url, timeout=60)
    with pytest.raises(StoreTimeout):
        store.query(query)


@pytest.mark.parametrize(
    "said",
    [
        # Virtuoso 7.2, MaxQueryExecutionTime reached while the answer was being written: HTTP
        # 500, the partial answer first, its words last
        '{ "head": { "vars": ["t"] }, "results": { "bindings": [ { "t": { "type": "uri", '
        '"value": "http://x" }},\nVirtuoso S1TAT Error RC...: Returning incomplete results, '
        "query interrupted by result timeout.",
        "Virtuoso S1T00 Error SR171: Transaction timed out",
        "Query timed out",  # Fuseki (HTTP 503)
        "Query evaluation error: org.eclipse.rdf4j.query.QueryInterruptedException: "
        "Query evaluation took too long",  # GraphDB, RDF4J
        "com.bigdata.bop.engine.QueryTimeoutException: Query deadline is expired.",
        "TimeLimitExceededException: Operation terminated (deadline exceeded)",  # Neptune
    ],
)
def test_servers_words_for_their_own_limit_are_a_timeout(said):
    assert stopped_at_limit(f"HTTP 500.\n\nResponse:\n{said}\n\nSPARQL query:\nSELECT ...")


def test_other_server_errors_and_the_echoed_query_are_not_a_timeout():
    assert not stopped_at_limit("Virtuoso 42000 Error SR186: No permission")
    # the server echoes the query after its message: words in the query do not count
    assert not stopped_at_limit('Virtuoso 37000 Error\n\nSPARQL query:\nASK { ?s ?p "timed out" }')


def test_whole_store_reads_in_pieces_answer_as_one_read(limited_virtuoso, seed_store):
    """Keyset pages of a few rows (keys with more rows than a page among them) give every row
    the embedded store gives in one read, and no other."""
    from policykg.service.search import _Q_TERMS

    remote = RemoteStore(limited_virtuoso.url)
    whole = seed_store.select(_Q_TERMS)
    assert len(whole) > 100
    pieces = list(remote.select_whole(_Q_TERMS, "t", rows=7))

    def rows(found):  # distinct: a path p|q repeats a row matched both ways on Virtuoso
        return sorted({tuple(sorted((k, str(v)) for k, v in row.items())) for row in found})

    assert rows(pieces) == rows(whole)
    assert rows(seed_store.select_whole(_Q_TERMS, "t")) == rows(whole)
