"""Every error answers with the same JSON shape (and an HTML page for browsers)."""

from __future__ import annotations

import requests

SHAPE = {"ok", "status", "title", "error", "line", "column"}


def test_syntax_error_shape(sparql):
    response = requests.get(sparql, params={"query": "ASK {"})
    body = response.json()
    assert response.headers["Content-Type"] == "application/json"
    assert set(body) == SHAPE
    assert body["ok"] is False
    assert body["status"] == response.status_code == 400
    assert body["title"] == "Bad Request"
    assert (body["line"], body["column"]) == (1, 6)
    assert body["error"].startswith("error at 1:6")


def test_http_errors_share_the_shape(server, sparql):
    not_found = requests.get(server.url + "/no/such/page")
    not_allowed = requests.put(sparql, params={"query": "ASK {}"})
    unsupported = requests.post(sparql, data=b"ASK {}", headers={"Content-Type": "text/plain"})
    for response, status in ((not_found, 404), (not_allowed, 405), (unsupported, 415)):
        body = response.json()
        assert set(body) == SHAPE
        assert body["status"] == response.status_code == status
        assert body["line"] is None and body["column"] is None
        assert body["error"]


def test_browsers_get_the_error_as_a_page(server):
    response = requests.get(server.url + "/no/such/page", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/html")
    assert '<html lang="zh">' in response.text
    assert "404 未找到" in response.text and "Not Found" in response.text  # Chinese first


def test_an_undeclared_prefix_is_one_readable_line_naming_it(sparql):
    query = "SELECT * WHERE {\n  ?s rdfs:label ?label ; pol:numeral ?n .\n}"
    response = requests.get(sparql, params={"query": query})
    assert response.status_code == 400
    error = response.json()
    assert "\n" not in error["error"] and "expected" not in error["error"]
    assert "the prefixes pol:, rdfs: are not declared" in error["error"]
    assert "PREFIX rdfs: <…>" in error["error"]
    assert (error["line"], error["column"]) == (2, 6)


def test_every_page_number_is_read_alike(seed_server):
    """Every page that takes ``page=N`` answers a number that is not a whole number from 1
    with the same 400 and message, never a 500 or a silent first page."""
    pages = [
        "/search?q=发展",
        "/terms/slogan/si-zhu-lian-0c35204a",
        "/api/terms/slogan/si-zhu-lian-0c35204a",
        "/queries/slogans",
        "/api/queries/slogans",
        "/id/report/zhanhe-district-2023-plan-report",
    ]
    # an entity's pages of incoming links are its RDF's
    turtle = {"Accept": "text/turtle, */*;q=0.1"}
    for page in pages:
        assert requests.get(seed_server.url + page, params={"page": "1"}, headers=turtle).ok, page
        for bad in ("0", "x", "-1", "1.5", "²", "9" * 40):
            response = requests.get(seed_server.url + page, params={"page": bad}, headers=turtle)
            assert response.status_code == 400, (page, bad)
            assert response.json()["error"].startswith("page must be a whole number from 1 to")
            assert response.json()["error"].endswith(f"not {bad!r}")
