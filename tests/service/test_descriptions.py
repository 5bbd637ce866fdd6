"""Entity descriptions in RDF (issue 10, item 6): a symmetric concise bounded description, so a
crawler walks the graph both ways, capped at 500 incoming triples with links to the rest."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import requests

BASE = "https://w3id.org/policykg/id/"
SEE_ALSO = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso")
INDICATOR = ox.NamedNode("https://w3id.org/policykg/ontology#indicator")
IN_REPORT = ox.NamedNode("https://w3id.org/policykg/ontology#inReport")
REPORT = "report/zhanhe-district-2023-plan-report"


@pytest.fixture(scope="module")
def url(seed_server) -> str:
    """The service over the founding report's store: embedded, or in Virtuoso."""
    return seed_server.url


def turtle(url: str, **params) -> tuple[requests.Response, set[ox.Triple]]:
    answer = requests.get(url, params=params, headers={"Accept": "text/turtle"}, timeout=60)
    assert answer.status_code == 200, answer.text
    return answer, {q.triple for q in ox.parse(answer.content, format=ox.RdfFormat.TURTLE)}


def test_an_indicator_lists_the_observations_pointing_to_it(url):
    # 湛河区's table, row 21 城镇新增就业人数: 2022 plan 完成市定目标, 2022 actual 9770,
    # 2023 plan 8850 (the 9770 of the text is the same 2022 actual): three observations.
    indicator = ox.NamedNode(BASE + "indicator/cheng-zhen-xin-zeng-jiu-ye-ren-shu-dcea7f57")
    _, triples = turtle(f"{url}/id/indicator/cheng-zhen-xin-zeng-jiu-ye-ren-shu-dcea7f57")
    observations = {
        t.subject.value for t in triples if (t.predicate, t.object) == (INDICATOR, indicator)
    }
    area = BASE + "observation/410411/cheng-zhen-xin-zeng-jiu-ye-ren-shu-dcea7f57/"
    assert observations == {
        area + "2022/actual/level",
        area + "2022/target/level",
        area + "2023/target/level",
    }
    # and its own statements (the outgoing half) are still there
    assert any(t.subject == indicator and "label" in t.predicate.value for t in triples)


def test_a_resource_with_many_incoming_triples_is_capped_and_links_to_the_rest(url, seed_store):
    report = ox.NamedNode(BASE + REPORT)
    expected = {
        ox.Triple(r["x"], r["p"], report)
        for r in seed_store.query(f"SELECT ?x ?p WHERE {{ ?x ?p {report} }}")
    }
    assert len(expected) > 500  # every span and sentence points at its report
    answer, triples = turtle(f"{url}/id/{REPORT}", format="ttl")
    first = {t for t in triples if t.object == report}
    assert len(first) == 500
    assert any(t.subject == report for t in triples)  # outgoing too
    links = {t.object.value for t in triples if (t.subject, t.predicate) == (report, SEE_ALSO)}
    next_page = f"{url}/id/{REPORT}?page=2"
    assert next_page in links
    assert answer.headers["Link"] == f'<{next_page}>; rel="next"'

    # the pages together hold every incoming triple, each once
    seen, page = set(first), next_page
    while page:
        answer, triples = turtle(page)
        got = {t for t in triples if t.object == report}
        assert got and not got & seen
        seen |= got
        page = answer.links.get("next", {}).get("url")
    assert seen == expected
    assert (
        requests.get(
            f"{url}/id/{REPORT}", params={"page": 99}, headers={"Accept": "text/turtle"}
        ).status_code
        == 404
    )
    assert (
        requests.get(
            f"{url}/id/{REPORT}", params={"page": "x"}, headers={"Accept": "text/turtle"}
        ).status_code
        == 400
    )

    # the SPARQL link returns them all at once
    sparql = next(link for link in links if "/sparql?" in link)
    _, everything = turtle(sparql)
    assert everything == expected
