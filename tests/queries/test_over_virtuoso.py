"""Every catalogue question answers the same rows from a Virtuoso holding the founding report's
build as from the embedded store (the rows as sets of terms; blank nodes aside)."""

from __future__ import annotations

import pytest

from policykg.kg.store import open_store
from policykg.queries import load_catalogue

CATALOGUE = load_catalogue()
# Differences no standard rewrite removes without slowing the embedded store; each is listed in
# the README ("Your own SPARQL server").
KNOWN: dict[str, str] = {}


# Columns chosen by SAMPLE: any of the values of the group is right, and the stores pick others.
SAMPLED = {"co-mentions": {"example"}}


def rows(store, query) -> list[tuple]:
    answer = query.run(store, **query.example)
    sampled = SAMPLED.get(query.name, set())
    return sorted(
        tuple(
            sorted(
                (k, str(v))
                for k, v in row.items()
                if not str(v).startswith("_:") and k not in sampled
            )
        )
        for row in answer
    )


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(reason=KNOWN[n], strict=True)) if n in KNOWN else n
        for n in sorted(CATALOGUE)
    ],
)
def test_virtuoso_answers_as_the_embedded_store(name, seed_store, seed_virtuoso_url):
    query = CATALOGUE[name]
    embedded = rows(seed_store, query)
    assert embedded, f"{name} answers nothing on the founding report"
    with open_store(seed_virtuoso_url) as server:
        assert rows(server, query) == embedded


@pytest.fixture(scope="module")
def corpus_store(corpus_store_dir):
    with open_store(corpus_store_dir) as store:
        yield store


@pytest.fixture(scope="module")
def corpus_virtuoso_url(corpus_store_dir, virtuoso_factory) -> str:
    """A Virtuoso holding the 34 reports, loaded as ``policykg build --store URL`` loads."""
    with open_store(corpus_store_dir) as store:
        return virtuoso_factory("corpus", store).url


# Where many reports state the same thing (an indicator's label, a place): a server's union
# default graph counted it once per report (year-targets: 290 rows for 27, 29,000 for 270 at
# ten times the corpus) and Virtuoso lost the root of a slogan's parts; not on one report. An
# industry's variant names and narrower industries (chain-enterprises) and what a glossary
# entry explains are written by the build of each report that names them.
ACROSS_REPORTS = [
    "year-targets",
    "indicator-series",
    "plan-vs-actual",
    "slogan-parts",
    "chain-enterprises",
    "glossary",
]


@pytest.mark.parametrize("name", ACROSS_REPORTS)
def test_questions_across_reports_answer_as_the_embedded_store(
    name, corpus_store, corpus_virtuoso_url
):
    query = CATALOGUE[name]
    embedded = rows(corpus_store, query)
    assert embedded, f"{name} answers nothing on the corpus"
    with open_store(corpus_virtuoso_url) as server:
        answered = rows(server, query)
    assert len(answered) == len(embedded)  # each answer once, not once per report stating it
    if name not in KNOWN:
        assert answered == embedded


def test_the_server_lists_its_graphs_and_version_from_the_load(corpus_store, corpus_virtuoso_url):
    """No scan of the server: its graphs and version come from the description of the load."""
    with open_store(corpus_virtuoso_url) as server:
        assert server.dataset() is not None
        assert server.graphs() == corpus_store.graphs()
        assert server.version() is not None


def test_graph_ranges_over_the_named_graphs_only(seed_store, seed_virtuoso_url):
    """Not over the merge or the description a load adds to the server."""
    sparql = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    with open_store(seed_virtuoso_url) as server:
        found = sorted(row["g"].value for row in server.select(sparql))
    assert found == seed_store.graphs()
