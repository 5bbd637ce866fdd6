"""/queries and /api/queries/<name> over the hand-written mini store, answered by the same
query workers as /sparql."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyoxigraph as ox
import pytest

from policykg.kg.store import MemoryStore
from policykg.service import create_app, db

STORE_KINDS = ["embedded", "virtuoso"]

MINI = Path(__file__).resolve().parent.parent / "fixtures" / "mini.trig"


@pytest.fixture(scope="module", params=STORE_KINDS)
def mini_location(request, tmp_path_factory) -> str:
    """The mini dataset as an embedded store, or in Virtuoso."""
    if request.param == "virtuoso":
        store = MemoryStore(ox.parse(path=str(MINI), format=ox.RdfFormat.TRIG))
        return request.getfixturevalue("virtuoso_factory")("mini", store).url
    path = tmp_path_factory.mktemp("mini") / "store"
    store = ox.Store(str(path))
    store.load(path=str(MINI), format=ox.RdfFormat.TRIG)
    store.flush()
    del store
    return str(path)


@pytest.fixture(scope="module")
def app(mini_location):
    app = create_app({"TESTING": True, "STORE_PATH": mini_location, "WORKERS": 1, "MAX_ROWS": 50})
    yield app
    db.close(app)


@pytest.fixture
def client(app):
    return app.test_client()


def test_the_catalogue_page_lists_every_query_with_a_form(client):
    page = client.get("/queries", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "产业链的产业与企业" in page and "A chain&#39;s industries" in page
    assert 'action="/queries/chain-enterprises"' in page
    assert 'name="chain"' in page and 'value="四主链"' in page
    assert "/api/queries/plan-vs-actual?year=2022" in page
    assert page.count('class="named-query"') >= 12


def test_a_query_page_runs_the_query_as_a_table(client):
    page = client.get("/queries/slogan-parts?slogan=四纵四横一管网").get_data(as_text=True)
    assert "<th>partLabel</th>" in page
    assert "<td>嵩山路</td>" in page
    assert "6 rows" in page
    # IRIs link to this server's entity pages
    assert 'href="/id/slogan/si-zong-si-heng-yi-guan-wang/zhanhe-district-2023-plan-report"' in page


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
    assert answer["count"] == len(answer["rows"]) and answer["truncated"] is False


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


def test_named_queries_obey_the_row_cap(client, app):
    answer = client.get("/api/queries/term-mentions?term=四主链").get_json()
    cap = app.config["MAX_ROWS"]
    app.config["MAX_ROWS"] = 1
    try:
        cut = client.get("/api/queries/glossary").get_json()
    finally:
        app.config["MAX_ROWS"] = cap
    assert answer["truncated"] is False and answer["count"] >= 1
    assert (cut["count"], cut["truncated"]) == (1, True)
