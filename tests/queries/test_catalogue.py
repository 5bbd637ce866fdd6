"""The catalogue itself: every query documented, parsing, and its parameters bound safely."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from policykg.kg.remote import orders_a_subquery_without_limit
from policykg.kg.store import bind_values
from policykg.queries import (
    CATALOGUE_DIR,
    PARAM_TYPES,
    ParameterError,
    QueryFileError,
    UnknownQuery,
    get_query,
    load_catalogue,
    parse_query_file,
    run_named,
)

CATALOGUE = load_catalogue()
FILES = sorted(CATALOGUE_DIR.glob("*.rq"))


def test_the_catalogue_answers_at_least_twelve_questions():
    assert len(CATALOGUE) >= 12
    assert {p.stem for p in FILES} == set(CATALOGUE)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_query_is_documented(path: Path):
    query = CATALOGUE[path.stem]
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", query.name)
    assert re.search(r"[\u4e00-\u9fff]", query.title_zh), "title@zh must be Chinese"
    assert query.title_en and query.description.endswith((".", "。", ")"))
    for param in query.params:
        assert param.type in PARAM_TYPES and param.help, param
        assert f"?{param.name}" in query.sparql
        assert param.name in query.variables, f"?{param.name} must be in the outermost SELECT"
    assert set(query.example) == {p.name for p in query.params}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_query_never_tests_a_parameter_in_a_filter(path: Path):
    """A remote store binds with a trailing VALUES, which a FILTER inside WHERE cannot see."""
    query = CATALOGUE[path.stem]
    filters = " ".join(re.findall(r"FILTER[^\n]*", query.sparql))
    for param in query.params:
        assert not re.search(rf"\?{param.name}\b", filters), param.name


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_bound_and_bind_clauses_give_the_same_rows(path: Path, mini_store):
    """pyoxigraph substitutions (embedded store) and BIND clauses (RemoteStore) agree."""
    query = CATALOGUE[path.stem]
    bindings = query.bind(query.example)
    substituted = query.run(mini_store, **query.example)
    appended = mini_store.query(bind_values(query.sparql, bindings)) if bindings else substituted
    key = sorted(sorted((k, v.value) for k, v in row.items()) for row in appended)
    assert key == sorted(sorted((k, v.value) for k, v in row.items()) for row in substituted)
    assert substituted, f"{query.name} answers nothing on its own example"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_no_query_orders_a_subquery_without_a_limit(path: Path):
    """A server is never sent that shape (kg/remote.py refuses it: Virtuoso 7.2 joined one by
    growing past the machine's memory): a page's order stands in its "# page:" line instead,
    used with the page's LIMIT only."""
    assert not orders_a_subquery_without_limit(CATALOGUE[path.stem].sparql)


def test_a_header_without_a_title_names_the_file(tmp_path):
    bad = tmp_path / "bad.rq"
    bad.write_text("# title@en: x\n# description: y.\n# example:\nSELECT * WHERE {}\n", "utf-8")
    with pytest.raises(QueryFileError, match=r"bad\.rq.*title@zh"):
        parse_query_file(bad)


def test_a_parameter_missing_from_the_projection_is_caught(tmp_path):
    bad = tmp_path / "bad.rq"
    bad.write_text(
        "# title@zh: 坏\n# title@en: bad\n# description: d.\n"
        "# param: x string — a label\n# example: x=四主链\n"
        "SELECT ?s WHERE { ?s ?p ?x }\n",
        "utf-8",
    )
    with pytest.raises(QueryFileError, match="bad.rq"):
        parse_query_file(bad)


def test_a_syntax_error_names_the_file(tmp_path):
    bad = tmp_path / "broken.rq"
    bad.write_text(
        "# title@zh: 坏\n# title@en: b\n# description: d.\n# example:\nSELEC ?s\n", "utf-8"
    )
    with pytest.raises(QueryFileError, match="broken.rq"):
        parse_query_file(bad)


@pytest.mark.parametrize(
    ("kind", "value", "term"),
    [
        (
            "year",
            "2022",
            ox.Literal(2022),
        ),
        ("integer", "10", ox.Literal(10)),
        (
            "iri",
            "https://w3id.org/policykg/id/slogan/si-zhu-lian-0c35204a",
            ox.NamedNode("https://w3id.org/policykg/id/slogan/si-zhu-lian-0c35204a"),
        ),
        ("string", "四主链", ox.Literal("四主链")),
    ],
)
def test_values_are_bound_as_terms_of_their_type(kind, value, term):
    from policykg.queries import Param

    assert Param("p", kind, None, "help").to_term(value) == term


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("year", "22"),
        ("year", "2022年"),
        ("integer", "ten"),
        ("iri", "si-zhu-lian"),
        ("iri", "ftp://example.org/x"),
        ("iri", "http://a b"),
        ("string", ""),
    ],
)
def test_ill_typed_values_are_refused_naming_the_parameter(kind, value):
    from policykg.queries import Param

    with pytest.raises(ParameterError, match="^parameter p=") as info:
        Param("p", kind, None, "help").to_term(value)
    assert info.value.param == "p"


def test_a_quote_in_a_label_is_bound_not_pasted(mini_store):
    rows = get_query("chain-enterprises").run(mini_store, chain='四主链" } UNION { ?s ?p ?o')
    assert rows == []


def test_missing_and_unknown_parameters_are_named():
    query = get_query("plan-vs-actual")
    with pytest.raises(ParameterError, match="needs parameter year") as missing:
        query.bind({})
    assert missing.value.param == "year"
    with pytest.raises(ParameterError, match="no parameter colour") as unknown:
        query.bind({"year": "2022", "colour": "red"})
    assert unknown.value.param == "colour"


def test_run_named_is_what_the_cli_calls(mini_store):
    rows = run_named(mini_store, "year-targets", ["year=2023"])
    assert {r["indicatorLabel"].value for r in rows} == {"地区生产总值", "城镇新增就业人数"}
    with pytest.raises(UnknownQuery, match="there are: .*chain-enterprises"):
        run_named(mini_store, "no-such-query", [])
    with pytest.raises(ParameterError, match="name=value"):
        run_named(mini_store, "year-targets", ["2023"])
