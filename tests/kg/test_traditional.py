"""A report in traditional characters reads and builds like its simplified original.

The traditional copy is made here with OpenCC (s2t) from a bundled report, not written by hand.
"""

from __future__ import annotations

import pytest
from opencc import OpenCC

from policykg.kg.read import is_traditional, read_report
from policykg.kg.store import open_store
from policykg.kg.structure import parse_structure
from policykg.kg.vocab import PREFIXES

from ..conftest import SOURCES

PROLOGUE = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())
ORIGINAL = SOURCES / "sichuan-province_2026_gov-work-report.txt"  # a glossary and many slogans


@pytest.fixture(scope="module")
def traditional(tmp_path_factory):
    path = tmp_path_factory.mktemp("traditional") / "sichuan-traditional.txt"
    path.write_text(OpenCC("s2t").convert(ORIGINAL.read_text("utf-8")), "utf-8")
    return path


@pytest.fixture(scope="module")
def store(traditional, tmp_path_factory):
    from policykg.kg.build import build

    store_dir = tmp_path_factory.mktemp("both") / "store"
    build([ORIGINAL, traditional], store_dir, dumps=False)
    s = open_store(store_dir)
    yield s
    s.close()


def test_the_fixture_is_traditional(traditional):
    raw = traditional.read_text("utf-8")
    assert "報告" in raw and "发展" not in raw
    assert is_traditional(raw) and not is_traditional(ORIGINAL.read_text("utf-8"))


def test_a_traditional_report_is_read_with_quotes_in_its_own_characters(traditional):
    doc = read_report(traditional)
    assert "政府工作报告" in doc.text  # extraction sees simplified text
    s = parse_structure(doc)
    assert s.title_span is not None
    title = doc.evidence(*s.title_span)
    assert title.quote == "2026年四川省人民政府工作報告" == doc.raw[title.start : title.end]
    for sentence in s.sentences:
        span = doc.evidence(sentence.start, sentence.end)
        assert span.quote == doc.raw[span.start : span.end]


def per_report(store, sparql: str) -> dict[str, set[str]]:
    """``{source file: {values}}`` for a query binding ?file and ?value."""
    found: dict[str, set[str]] = {}
    for row in store.select(PROLOGUE + sparql):
        found.setdefault(row["file"].value, set()).add(row["value"].value)
    return found


def test_the_traditional_copy_builds_the_same_graph(store, traditional):
    original, copy = ORIGINAL.name, traditional.name
    queries = {
        "glossary": "?x a pol:GlossaryEntry ; rdfs:label ?value .",
        "slogans": "?x a pol:Slogan ; rdfs:label ?value .",
        "parts": "?x a pol:Slogan ; rdfs:label ?l ; pol:hasComponent/rdfs:label ?p . "
        'BIND(CONCAT(?l, " ", ?p) AS ?value)',
        "place": "?r dcterms:spatial/pol:adminCode ?value .",
        "years": "?r pol:coversYear ?y . BIND(STR(?y) AS ?value)",
        "date": "?r dcterms:date ?d . BIND(STR(?d) AS ?value)",
    }
    to_simplified = OpenCC("t2s").convert
    for what, pattern in queries.items():
        found = per_report(
            store,
            "SELECT ?file ?value WHERE { GRAPH ?g { ?r a pol:Report ; pol:sourceFile ?file . "
            f"{pattern} }} }}",
        )
        assert found.get(original), what
        # labels are quoted from the traditional source: compare them in simplified form
        assert {to_simplified(v) for v in found[copy]} == found[original], what
    assert per_report(
        store,
        "SELECT ?file ?value WHERE { GRAPH ?g { ?r pol:sourceFile ?file ; pol:coversYear ?y . "
        "BIND(STR(?y) AS ?value) } }",
    )[copy] == {"2025", "2026"}


def test_every_quote_of_the_traditional_graph_is_its_source_text(store, traditional):
    import pyoxigraph as ox

    raw = traditional.read_text("utf-8")
    rows = store.select(
        PROLOGUE
        + """SELECT ?file ?quote ?start ?end WHERE {
             ?r pol:sourceFile ?file . ?span pol:inReport ?r ; pol:quote ?quote ;
                pol:start ?start ; pol:end ?end }""",
        file=ox.Literal(traditional.name),
    )
    spans = [(r["quote"].value, int(r["start"].value), int(r["end"].value)) for r in rows]
    assert len(spans) > 400
    assert sum("報" in quote or "發" in quote for quote, _, _ in spans) > 50
    for quote, start, end in spans:
        assert raw[start:end] == quote
