"""/queries and /api/queries/<name> over the hand-written mini store, answered by the same
query workers as /sparql."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from policykg.kg.attainment import attainment
from policykg.kg.iri import Minter
from policykg.kg.store import OxigraphStore
from policykg.kg.summary import summarise
from policykg.service import db
from policykg.service.results import TooManyRows
from policykg.service.testing import warmed_app

STORE_KINDS = ["embedded", "virtuoso"]

MINI = Path(__file__).resolve().parent.parent / "fixtures" / "mini.trig"


@pytest.fixture(scope="module", params=STORE_KINDS)
def mini_location(request, tmp_path_factory) -> str:
    """The mini dataset, with the targets' attainments and the lookup keys a build writes, as
    an embedded store or in Virtuoso."""
    path = tmp_path_factory.mktemp("mini") / "store"
    store = mini_store(path)
    if request.param == "virtuoso":
        return request.getfixturevalue("virtuoso_factory")("mini", OxigraphStore(store)).url
    del store
    return str(path)


def mini_store(path: Path) -> ox.Store:
    store = ox.Store(str(path))
    store.load(path=str(MINI), format=ox.RdfFormat.TRIG)
    attainment(store, Minter())
    summarise(store, Minter())
    store.flush()
    return store


@pytest.fixture(scope="module")
def app(mini_location):
    app = warmed_app({"TESTING": True, "STORE_PATH": mini_location, "WORKERS": 1, "MAX_ROWS": 50})
    yield app
    db.close(app)


@pytest.fixture
def client(app):
    return app.test_client()


def test_the_catalogue_page_lists_every_query_with_a_form(client):
    page = client.get("/queries", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "产业链的产业与企业" in page and "A chain&#39;s industries" in page
    assert "产业链提法（如四主链）在任意层级所列的产业" in page  # descriptions in Chinese
    assert 'action="/queries/chain-enterprises"' in page
    assert 'name="chain"' in page and 'value="四主链"' in page
    assert "/api/queries/plan-vs-actual?year=2022" in page
    assert page.count('class="named-query"') >= 12


def test_a_query_page_runs_the_query_as_a_table(client):
    page = client.get("/queries/slogan-parts?slogan=四纵四横一管网").get_data(as_text=True)
    # Chinese column names from the query's header; label columns hidden beside their IRIs
    assert '<th scope="col" title="?part">组成部分</th>' in page
    assert "partLabel" not in page.split("<tbody>")[0].split("<table")[-1]
    assert "共 6 行" in page
    # IRIs are shown as their labels, linked to this server's pages, the IRI on hover
    assert re.search(
        r'<a href="/(?:id|terms)/slogan/si-zong-si-heng-yi-guan-wang-b134dcd8/zhanhe-district-2023-plan-report"'
        r' title="https://w3id.org/policykg/id/slogan/si-zong-si-heng-yi-guan-wang-b134dcd8/'
        r'zhanhe-district-2023-plan-report" lang="zh">四纵四横一管网</a>',
        page,
    )
    assert re.search(r'title="[^"]+"[^>]*>嵩山路</a>', page)


def test_the_api_answers_json_by_default(client):
    answer = client.get("/api/queries/chain-enterprises?chain=四主链").get_json()
    assert answer["query"] == "chain-enterprises" and answer["params"] == {"chain": "四主链"}
    assert {r["industryLabel"] for r in answer["rows"]} == {
        "新能源储能（含氢能）产业",
        "电气装备制造业",
        "医药健康产业",
        "尼龙材料制造业",
    }
    assert {"平高集团", "双鹤华利药业"} <= {r.get("enterpriseLabel") for r in answer["rows"]}
    assert answer["count"] == len(answer["rows"])


@pytest.mark.parametrize(
    ("query", "accept"),
    [({"year": "2022", "format": "csv"}, "*/*"), ({"year": "2022"}, "text/csv")],
)
def test_the_api_answers_csv_when_asked(client, query, accept):
    response = client.get(
        "/api/queries/plan-vs-actual", query_string=query, headers={"Accept": accept}
    )
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    gdp = [r for r in rows if r["indicatorLabel"] == "地区生产总值" and r["target"]]
    assert [(r["actual"], r["target"], r["missed"]) for r in gdp] == [("3.8", "7.5", "true")]


def test_an_unknown_query_is_404(client):
    response = client.get("/api/queries/no-such-query")
    assert response.status_code == 404
    assert "chain-enterprises" in response.get_json()["error"]


@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("/api/queries/plan-vs-actual?year=22", "year"),
        ("/api/queries/plan-vs-actual", "year"),
        ("/api/queries/plan-vs-actual?year=2022&colour=red", "colour"),
        ("/api/queries/chain-enterprises?chain=", "chain"),
    ],
)
def test_a_bad_parameter_is_400_naming_it(client, url, param):
    response = client.get(url)
    assert response.status_code == 400
    body = response.get_json()
    assert body["ok"] is False and param in body["error"]


def test_a_format_the_api_does_not_speak_is_406_naming_the_offers(client):
    response = client.get("/api/queries/glossary?format=xml")
    assert response.status_code == 406 and "text/csv" in response.get_json()["error"]


def test_the_api_types_numbers_and_booleans_and_varies_with_accept(client):
    response = client.get("/api/queries/plan-vs-actual?year=2022")
    assert "Accept" in response.headers["Vary"]
    rows = response.get_json()["rows"]
    gdp = [r for r in rows if r["indicatorLabel"] == "地区生产总值" and "target" in r]
    assert [(r["actual"], r["target"], r["missed"]) for r in gdp] == [(3.8, 7.5, True)]


def test_named_queries_past_the_row_cap_are_refused_by_the_api_and_cut_on_the_page(client, app):
    answer = client.get("/api/queries/term-mentions?term=四主链").get_json()
    cap = app.config["MAX_ROWS"]
    app.config["MAX_ROWS"] = 1
    try:
        refused = client.get("/api/queries/glossary")
        refused_csv = client.get("/api/queries/glossary?format=csv")
        page = client.get("/queries/glossary")
    finally:
        app.config["MAX_ROWS"] = cap
    assert answer["count"] >= 1 and "truncated" not in answer
    assert refused.status_code == refused_csv.status_code == 400
    assert "LIMIT and OFFSET" in refused.get_json()["error"]
    assert page.status_code == 200 and "共 1 行（已达行数上限，未列全）" in page.get_data(True)


@pytest.fixture
def uncached(mini_location):
    """A client of an app that keeps no answers (pages rendered with this test's PAGE_ROWS)."""
    config = {"TESTING": True, "STORE_PATH": mini_location, "WORKERS": 1, "RESULT_CACHE_BYTES": 0}
    app = warmed_app(config)
    yield app.test_client()
    db.close(app)


# glossary and slogans are cut where their "# page:" line stands, inside
@pytest.mark.parametrize(("name", "key"), [("glossary", "entry"), ("slogans", "slogan")])
def test_a_long_answer_is_shown_a_page_at_a_time_and_downloaded_whole(
    uncached, monkeypatch, name, key
):
    """A page shows PAGE_ROWS rows with links to the next and previous; the downloads and
    the pages together hold every row, each once, in the answer's order."""
    from policykg.service import catalogue

    client = uncached
    whole = client.get(f"/api/queries/{name}").get_json()["rows"]
    monkeypatch.setattr(catalogue, "PAGE_ROWS", 1)
    assert len(whole) >= 3  # three pages at least

    def entries(html: str) -> list[str]:
        body = html.split("<tbody>")[1].split("</tbody>")[0]
        return re.findall(r"<tr>(.*?)</tr>", body, re.S)

    first = client.get(f"/queries/{name}").get_data(as_text=True)
    assert "第 1–1 行" in first and f'rel="next" href="/queries/{name}?page=2"' in first
    assert 'rel="prev"' not in first and len(entries(first)) == 1
    shown, number, page = [], 1, first
    while True:
        shown += entries(page)
        if 'rel="next"' not in page:
            break
        number += 1
        page = client.get(f"/queries/{name}?page={number}").get_data(as_text=True)
        assert f'rel="prev" href="/queries/{name}?page={number - 1}"' in page
    assert len(shown) == len(whole) and f"共 {len(whole)} 行" in page
    # every row once, in the answer's order: each row's IRI is in its own page row
    for row, html in zip(whole, shown, strict=True):
        assert row[key] in html
    past = client.get(f"/queries/{name}?page={number + 1}").get_data(as_text=True)
    assert "没有结果" in past
    assert client.get(f"/queries/{name}?page=0").status_code == 400
    assert client.get(f"/queries/{name}?page=x").status_code == 400
    # the CSV download stays whole
    text = client.get(f"/api/queries/{name}?format=csv").get_data(as_text=True)
    assert len(list(csv.reader(io.StringIO(text)))) == 1 + len(whole)


@pytest.mark.parametrize(("name", "key"), [("glossary", "entry"), ("slogans", "slogan")])
def test_the_api_pages_a_long_answer_with_links_and_answers_it_whole_on_request(
    uncached, name, key
):
    """A machine client follows ``next`` (JSON and ``Link`` header) page by page and gets every
    row once, in the order of the whole answer; ``page=all`` and the CSV download are whole."""
    client = uncached
    whole = client.get(f"/api/queries/{name}?page=all")
    assert whole.status_code == 200 and whole.get_json()["page"] == "all"
    rows = whole.get_json()["rows"]
    assert len(rows) >= 3 and whole.get_json()["count"] == len(rows)
    paged, url, pages = [], f"/api/queries/{name}?limit=2", 0
    while url:
        response = client.get(url)
        body = response.get_json()
        pages += 1
        assert body["page"] == pages and body["limit"] == 2 and body["count"] <= 2
        paged += body["rows"]
        url = body["next"]
        if url:
            assert f"page={pages + 1}" in url and "limit=2" in url
            assert f'<{url}>; rel="next"' in response.headers["Link"]
        if pages > 1:
            assert body["prev"] == f"/api/queries/{name}?page={pages - 1}&limit=2"
    assert pages == (len(rows) + 1) // 2
    assert [r[key] for r in paged] == [r[key] for r in rows] and paged == rows
    # the default page holds them all here (1,000 rows a page); past the end, none
    assert client.get(f"/api/queries/{name}").get_json()["rows"] == rows
    past = client.get(f"/api/queries/{name}?page=99")
    assert past.get_json().get("rows") == [], past.get_json()
    text = client.get(f"/api/queries/{name}?format=csv").get_data(as_text=True)
    assert len(list(csv.reader(io.StringIO(text)))) == 1 + len(rows)
    one = client.get(f"/api/queries/{name}?format=csv&page=2&limit=1")
    assert len(list(csv.reader(io.StringIO(one.get_data(as_text=True))))) == 2
    assert "page=3" in one.headers["Link"] and "format=csv" in one.headers["Link"]
    for bad in ("limit=0", "limit=x", "limit=10001", "page=0"):
        assert client.get(f"/api/queries/{name}?{bad}").status_code == 400, bad


def test_a_page_cut_by_thing_keeps_each_things_rows_together(app, tmp_path):
    """A query paged at its "# page:" line lists things that may have several rows (a slogan
    and each of its parts): a page holds whole things, and the pages together every row once."""
    from policykg.queries import parse_query_file
    from policykg.service import catalogue

    path = tmp_path / "parts.rq"
    path.write_text(
        "# title@zh: 组成\n# title@en: parts\n# description: d.\n# example:\n"
        "PREFIX pol: <https://w3id.org/policykg/ontology#>\n"
        "SELECT ?slogan ?part WHERE {\n"
        "  { SELECT ?slogan WHERE { ?slogan a pol:Slogan }\n    # page: ORDER BY ?slogan\n  }\n"
        "  OPTIONAL { ?slogan pol:hasComponent ?part }\n"
        "} ORDER BY ?slogan ?part\n",
        "utf-8",
    )
    query = parse_query_file(path)
    with app.test_request_context("/"):
        whole, _ = catalogue._run(query, {})
        slogans = list(dict.fromkeys(row["slogan"] for row in whole))
        assert len(whole) > len(slogans) >= 3  # some slogan has several parts
        pages, offset, more = [], 0, True
        while more:
            rows, more, _ = catalogue._run_window(query, {}, 2, offset, page=False)
            pages.append(rows)
            offset += 2
    assert [len({row["slogan"] for row in rows}) for rows in pages[:-1]] == [2] * (len(pages) - 1)
    assert [row for rows in pages for row in rows] == whole


@pytest.mark.parametrize("name", ["slogans", "plan-vs-actual", "glossary"])
def test_a_whole_answer_is_read_a_page_of_things_at_a_time(app, monkeypatch, name):
    """A whole answer (page=all, JSON and CSV) of a list cut at its "# page:" line is read a
    page of things a query (queries.WHOLE_PAGE: one here), and is the one query's, row for
    row in its order; past the row cap it is never cut short: refused whole when its first
    piece is past it, else ended unfinished (sent as it is read)."""
    from policykg import queries
    from policykg.queries import get_query
    from policykg.service import catalogue

    monkeypatch.setattr(queries, "WHOLE_PAGE", 1)
    # read from the store, not from the download kept at start
    monkeypatch.setattr(catalogue, "_kept", lambda *args: Path("/nowhere"))
    query = get_query(name)
    with app.test_request_context("/"):
        one, _ = catalogue._run(query, query.example)
    assert len(one) >= 3  # three queries at least
    args = {**query.example, "page": "all"}
    client = app.test_client()
    assert client.get(f"/api/queries/{name}", query_string=args).get_json()["rows"] == one
    table = client.get(f"/api/queries/{name}", query_string={**args, "format": "csv"})
    assert len(list(csv.reader(io.StringIO(table.get_data(as_text=True))))) == len(one) + 1
    monkeypatch.setitem(app.config, "MAX_ROWS", len(one) - 1)  # format=json: not the page kept
    unfinished = client.get(f"/api/queries/{name}", query_string={**args, "format": "json"})
    assert unfinished.status_code == 200
    with pytest.raises(TooManyRows):
        unfinished.get_data()
    monkeypatch.setattr(queries, "WHOLE_PAGE", len(one))  # the first piece is past the cap
    refused = client.get(f"/api/queries/{name}", query_string={**args, "format": "json"})
    assert refused.status_code == 400


@pytest.mark.parametrize(
    "name",
    ["plan-vs-actual", "year-targets", "indicator-series", "policy-documents", "glossary"],
)
def test_lists_in_the_builds_order_are_paged_one_thing_at_a_time(app, name):
    """A list cut at its "# page:" line in the build's order (kg/summary.py ORDERS) pages
    through every row once, in the whole answer's order: plan-vs-actual's things are targets
    and actuals without a target (two variables), policy-documents' a document in a report."""
    from policykg.queries import get_query
    from policykg.service import catalogue

    query = get_query(name)
    with app.test_request_context("/"):
        whole, _ = catalogue._run(query, query.example)
        assert len(whole) >= 2
        pages, offset, more = [], 0, True
        while more:
            rows, more, _ = catalogue._run_window(query, query.example, 1, offset, page=False)
            pages.append(rows)
            offset += 1
    assert len(pages) == len(whole) and [row for rows in pages for row in rows] == whole
    if name == "plan-vs-actual":  # both kinds of things, each its own page
        assert {"targetObservation" in rows[0] for rows in pages} == {True, False}


@pytest.fixture
def own_mini(tmp_path):
    """An app over a mini store of its own, whose start has made its downloads."""
    mini_store(tmp_path / "store")  # let go at once (closed): the app opens it
    config = {"TESTING": True, "STORE_PATH": str(tmp_path / "store"), "RESULT_CACHE_BYTES": 0}
    app = warmed_app({**config, "WORKERS": 1})
    yield app
    db.close(app)


@pytest.mark.parametrize(
    ("name", "fmt"), [("slogans", "json"), ("glossary", "csv"), ("policy-documents", "csv")]
)
def test_a_download_without_parameters_is_made_at_start_and_sent_as_a_file(
    own_mini, monkeypatch, name, fmt
):
    """The same bytes as the answer read from the store, from a file written at start: its
    length and validator given, so that a repeat with the validator answers 304 and a broken
    download resumes (206)."""
    from policykg.service import catalogue

    client = own_mini.test_client()
    url = f"/api/queries/{name}?page=all&format={fmt}"
    kept = client.get(url)
    assert kept.status_code == 200 and int(kept.headers["Content-Length"]) == len(kept.data) > 100
    assert client.get(url, headers={"If-None-Match": kept.headers["ETag"]}).status_code == 304
    part = client.get(url, headers={"Range": "bytes=100-"})
    assert part.status_code == 206 and part.data == kept.data[100:]
    monkeypatch.setattr(catalogue, "_kept", lambda *args: Path("/nowhere"))  # from the store
    read = client.get(url)
    assert "ETag" not in read.headers and read.data == kept.data
