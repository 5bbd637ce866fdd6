"""Entity pages and catalogue answers are kept whole in the store version's result cache
(``service/pagecache.py``), against the running server over the founding report's store, embedded
or in Virtuoso."""

from __future__ import annotations

import pytest
import requests

from policykg.service.testing import LiveServer

SLOGAN = "/id/slogan/si-zhu-lian-0c35204a/zhanhe-district-2023-plan-report"


@pytest.fixture(scope="module")
def url(seed_location) -> str:
    """A server of its own over the founding report's store (embedded, or in Virtuoso, whose
    build-loaded description gives the cache its version): the counts start from nothing."""
    with LiveServer(seed_location, WORKERS=1) as live:
        yield live.url


def cache_stats(url: str) -> dict:
    return requests.get(url + "/healthz").json()["cache"]


def test_a_repeated_page_comes_from_the_cache_per_accept(url):
    before = cache_stats(url)
    pages = [
        requests.get(url + SLOGAN, headers={"Accept": accept})
        for accept in ("text/html", "text/turtle", "text/html", "text/turtle")
    ]
    after = cache_stats(url)
    assert [p.status_code for p in pages] == [200] * 4
    assert pages[0].content == pages[2].content and pages[1].content == pages[3].content
    assert pages[0].content != pages[1].content
    assert pages[2].headers["Content-Type"] == pages[0].headers["Content-Type"]
    assert after["hits"] - before["hits"] == 2  # the third and fourth
    assert after["entries"] - before["entries"] == 2  # one per Accept
    for page in pages:  # added outside the cache, on every answer
        assert page.headers["X-Content-Type-Options"] == "nosniff"
        assert page.headers.get("Vary") == "Accept"


def test_a_catalogue_answer_comes_from_the_cache(url):
    first = requests.get(url + "/api/queries/slogans")
    hits = cache_stats(url)["hits"]
    again = requests.get(url + "/api/queries/slogans")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and again.json()["count"] >= 1
    assert cache_stats(url)["hits"] == hits + 1


@pytest.mark.parametrize(
    "path",
    ["/terms/slogan/si-zhu-lian-0c35204a", "/api/terms/index", "/terms?q=四主链",
     "/search?q=新能源", "/ontology"],
)  # fmt: skip
def test_term_search_and_ontology_pages_come_from_the_cache(url, path):
    first = requests.get(url + path)
    hits = cache_stats(url)["hits"]
    again = requests.get(url + path)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content and len(first.content) > 1000
    assert cache_stats(url)["hits"] == hits + 1


def test_a_whole_download_is_sent_as_it_is_read_and_its_pieces_kept(url):
    """Not the page (its bytes are written as its pieces are read): the pieces' answers,
    which the next download, in any format, reads again."""
    whole = requests.get(url + "/api/queries/plan-vs-actual?year=2022&page=all", stream=True)
    assert whole.status_code == 200 and "Content-Length" not in whole.headers  # chunked
    assert whole.json()["count"] == len(whole.json()["rows"]) > 10
    hits = cache_stats(url)["hits"]
    table = requests.get(url + "/api/queries/plan-vs-actual?year=2022&format=csv")
    assert table.status_code == 200 and table.text.count("\n") == whole.json()["count"] + 1
    assert cache_stats(url)["hits"] > hits


def test_errors_are_never_kept(url):
    entries = cache_stats(url)["entries"]
    for _ in range(2):
        assert requests.get(url + "/id/slogan/no-such-thing").status_code == 404
    assert cache_stats(url)["entries"] == entries
