"""Named queries answered on the whole bundled corpus (34 reports), built by the real pipeline.

Expected values are from reading the texts: 平高集团 is named five times in 湛河区's 2023 plan
report and once, as 平高, in Henan's 2026 report (“支持超聚变、中创智领、许继、平高等领军企业…，
支持平煤神马、洛轴等龙头企业…”); 海拉尔区's 2018 report sets 地区生产总值增长6%左右 and its 2019
report states 全年地区生产总值完成192.3亿元，…同比增长6.0%.

The build-time lookup keys and sentence lists (``graph/summary``, kg/summary.py) are checked
against what the queries computed before them, on every name and mention of the corpus; the
lists the build orders (``ORDERS``) against the same questions sorting their answers themselves
(``sorted/*.rq``), on every parameter the corpus gives.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import NamedNode

from policykg import queries
from policykg.kg.store import open_store
from policykg.kg.vocab import prologue
from policykg.queries import get_query, load_catalogue, parse_query_file

from .test_answers import run

BASE = "https://w3id.org/policykg/id/"
POL = "https://w3id.org/policykg/ontology#"
ZHANHE = BASE + "report/zhanhe-district-2023-plan-report"
HENAN = BASE + "report/henan-province-2026-gov-work-report"
PREFIXES = prologue("pol", "rdfs", "skos", "prov")
SORTED = Path(__file__).parent / "sorted"


@pytest.fixture(scope="module")
def corpus_store(corpus_store_dir):
    store = open_store(corpus_store_dir)
    yield store
    store.close()


@pytest.fixture(scope="module")
def texts(corpus_store):
    """Each report's text, by report IRI."""
    rows = corpus_store.select(
        PREFIXES + "SELECT ?r ?text WHERE { ?r a pol:Report ; pol:text ?text }"
    )
    return {r["r"].value: r["text"].value for r in rows}


def test_term_mentions_across_reports(corpus_store, texts):
    rows = run(corpus_store, "term-mentions", term="平高集团")
    by_report = {}
    for r in rows:
        by_report.setdefault(r["report"], []).append(r["quote"])
        assert texts[r["report"]][int(r["start"]) : int(r["end"])] == r["quote"]
        assert r["quote"] in r["sentenceText"]
    assert by_report == {ZHANHE: ["平高集团"] * 5, HENAN: ["平高"]}


def test_term_mentions_by_iri_answers_as_by_name(corpus_store):
    by_name = run(corpus_store, "term-mentions", term="平高集团")
    iri = by_name[0]["thing"]
    by_iri = run(corpus_store, "term-mentions", term=iri)
    assert [r["span"] for r in by_iri] == [r["span"] for r in by_name]


def test_co_mentions_across_reports(corpus_store):
    rows = run(corpus_store, "co-mentions", term="平高集团")
    named = {r.get("otherLabel") for r in rows}
    assert {"许继", "平煤神马"} <= named  # Henan's sentence
    assert {"平高集团智慧新能源产业基地（一期）", "湛河区"} <= named  # 湛河区's
    for r in rows:
        assert "平高" in r["example"]
        assert int(r["sentences"]) >= 1


def test_plan_against_actual_across_two_reports(corpus_store):
    rows = run(corpus_store, "plan-vs-actual", year="2018")
    gdp = [
        r
        for r in rows
        if r["area"] == BASE + "place/150702" and r.get("indicatorLabel") == "地区生产总值"
    ]
    growth = [r for r in gdp if r["measure"] == POL + "GrowthRate"]
    level = [r for r in gdp if r["measure"] == POL + "Level"]
    assert [(float(r["target"]), r["bound"], float(r["actual"])) for r in growth] == [
        (6.0, POL + "About", 6.0)
    ]
    assert [(r.get("target"), float(r["actual"]), r["unit"]) for r in level] == [
        (None, 192.3, "亿元")
    ]


def test_every_name_and_iri_is_a_key(corpus_store):
    """pol:key holds what ``BIND(STR(?label) AS ?term)`` and ``STR(?thing)`` computed."""
    labels = corpus_store.select(
        PREFIXES
        + "SELECT DISTINCT ?x ?name WHERE { ?x rdfs:label|skos:prefLabel|skos:altLabel ?name "
        "FILTER(isIRI(?x)) }"
    )
    derived = corpus_store.select(
        PREFIXES + "SELECT DISTINCT ?x WHERE { ?x prov:wasDerivedFrom ?any FILTER(isIRI(?x)) }"
    )
    expected = {(r["x"].value, r["name"].value) for r in labels}
    expected |= {(r["x"].value, r["x"].value) for r in labels + derived}
    keys = corpus_store.select(PREFIXES + "SELECT ?x ?key WHERE { ?x pol:key ?key }")
    found = {(r["x"].value, r["key"].value) for r in keys}
    assert len(expected) > 10_000
    assert expected <= found
    extra = {x for x, key in found - expected}
    typed = corpus_store.select(PREFIXES + "SELECT DISTINCT ?x WHERE { ?x a ?class }")
    assert extra <= {r["x"].value for r in typed}  # the others: IRIs of typed things


def test_sentence_lists_are_the_mention_paths(corpus_store):
    path = corpus_store.select(
        PREFIXES + "SELECT DISTINCT ?x ?s WHERE { ?x prov:wasDerivedFrom/pol:inSentence? ?s . "
        "?s a pol:Sentence }"
    )
    listed = corpus_store.select(PREFIXES + "SELECT ?x ?s WHERE { ?x pol:mentionedIn ?s }")
    assert len(path) > 5_000
    assert {(r["x"].value, r["s"].value) for r in path} == {
        (r["x"].value, r["s"].value) for r in listed
    }


@pytest.mark.parametrize("name", ["term-mentions", "co-mentions", "indicator-series"])
def test_a_name_nobody_uses_answers_nothing(corpus_store, name):
    query = get_query(name)
    param = query.params[0].name
    assert query.run(corpus_store, **{param: "无此名称"}) == []


def test_section_starts_are_their_first_sentences(corpus_store):
    path = corpus_store.select(
        PREFIXES
        + "PREFIX dcterms: <http://purl.org/dc/terms/> SELECT ?section (MIN(?at) AS ?start) "
        "WHERE { ?s pol:inSection/dcterms:isPartOf* ?section ; pol:start ?at . "
        "?section a pol:Section } GROUP BY ?section"
    )
    written = corpus_store.select(
        PREFIXES + "SELECT ?section ?start WHERE { ?section pol:sectionStart ?start }"
    )
    assert len(path) > 500
    assert {(r["section"].value, int(r["start"].value)) for r in path} == {
        (r["section"].value, int(r["start"].value)) for r in written
    }


# report-outline as it read the report before the lookup keys held reports' file names: the
# string of every report's names computed per question (400 ms at 10× the corpus)
OUTLINE_BY_NAMES = """
      {
        SELECT ?report ?document WHERE {
          ?document a pol:Report .
          { ?document rdfs:label|dcterms:title ?name . BIND(STR(?name) AS ?report) }
          UNION { ?document pol:sourceFile ?file . BIND(REPLACE(STR(?file), "^.*/|\\\\.[^.]*$", "") AS ?report) }
          UNION { ?document a pol:Report . BIND(STR(?document) AS ?report) }
          UNION { ?document a pol:Report . BIND(REPLACE(STR(?document), "^.*/", "") AS ?report) }
        }
      }
"""


def test_report_outline_by_every_name_of_every_report(corpus_store):
    """Each report by its title, label, file name, IRI and IRI's last segment: the outline the
    query gave when it compared the strings of every report's names."""
    query = get_query("report-outline")
    lookup = "      ?document pol:key ?report ; a pol:Report .\n"
    before = _as_before(query.sparql, {lookup: OUTLINE_BY_NAMES})
    names = corpus_store.select(
        PREFIXES + "PREFIX dcterms: <http://purl.org/dc/terms/> "
        "SELECT DISTINCT ?name WHERE { ?r a pol:Report . "
        "{ ?r rdfs:label|dcterms:title ?n BIND(STR(?n) AS ?name) } "
        "UNION { ?r pol:sourceFile ?f BIND(REPLACE(STR(?f), '^.*/|\\\\.[^.]*$', '') AS ?name) } "
        "UNION { ?r a pol:Report BIND(STR(?r) AS ?name) } "
        "UNION { ?r a pol:Report BIND(REPLACE(STR(?r), '^.*/', '') AS ?name) } }"
    )
    assert len(names) >= 34 * 4
    outlined = 0
    for row in names:
        name = row["name"].value
        now = [{k: v.value for k, v in r.items()} for r in query.run(corpus_store, report=name)]
        then = corpus_store.select(before, **query.bind({"report": name}))
        assert now == [{k: v.value for k, v in r.items()} for r in then], name
        outlined += bool(now)
    assert outlined >= 34 * 4  # every name of every report finds its report's sections
    zhanhe = run(corpus_store, "report-outline", report="zhanhe-district_2023_plan-report")
    assert {r["document"] for r in zhanhe} == {ZHANHE}
    assert zhanhe[0]["heading"] and zhanhe[0]["depth"] == "1"


# slogans as it read the parts before the build counted and named them (kg/summary.py): grouped
# over every slogan of the store per question (2.5 s of CPU at 10× the corpus)
SLOGANS_GROUPED = """
SELECT ?slogan ?label ?report ?term ?numeral ?definedIn ?entryLabel
       (COUNT(DISTINCT ?part) AS ?partCount)
       (GROUP_CONCAT(DISTINCT ?partLabel; separator="、") AS ?parts)
WHERE {
  ?slogan a pol:Slogan ; rdfs:label ?label .
  OPTIONAL { ?slogan pol:inReport ?report }
  OPTIONAL { ?slogan pol:versionOf ?term }
  OPTIONAL { ?slogan pol:numeral ?numeral }
  OPTIONAL { ?slogan pol:definedIn ?definedIn . OPTIONAL { ?definedIn rdfs:label ?entryLabel } }
  OPTIONAL { ?slogan pol:hasComponent ?part . OPTIONAL { ?part rdfs:label ?partLabel } }
}
GROUP BY ?slogan ?label ?report ?term ?numeral ?definedIn ?entryLabel
ORDER BY ?label ?report
"""


def test_slogans_answer_as_when_grouped_per_question(corpus_store):
    """Every row and cell as the grouped query gave them; the parts, which GROUP_CONCAT joined
    in the engine's order, now in the order the report names them."""

    def cells(rows):
        out = []
        for r in rows:
            row = {k: (v.value, getattr(v, "language", None)) for k, v in r.items()}
            if "parts" in row:
                row["parts"] = (sorted(row["parts"][0].split("、")), row["parts"][1])
            out.append(row)
        return out

    now = corpus_store.select(get_query("slogans").sparql)
    then = corpus_store.select(PREFIXES + SLOGANS_GROUPED)
    assert len(now) > 1_000
    assert cells(now) == cells(then)
    parted = [r for r in now if int(r["partCount"].value) > 1]
    assert len(parted) > 30


def test_slogan_parts_listed_in_printed_order(corpus_store):
    # 湛河区 2023: “…集中签约一批、集中开工一批、集中投产一批…” (三个一批)
    rows = run(corpus_store, "slogans")
    (three,) = [r for r in rows if r["label"] == "三个一批" and r["report"] == ZHANHE]
    assert three["parts"] == "集中签约一批、集中开工一批、集中投产一批"
    assert three["partCount"] == "3"


@pytest.mark.parametrize("name", sorted(n for n, q in load_catalogue().items() if q.paged))
def test_a_whole_answer_read_a_page_at_a_time_is_the_one_querys(corpus_store, monkeypatch, name):
    """NamedQuery.run reads a list cut at its "# page:" line a page of things a query
    (queries.WHOLE_PAGE, three here): the same rows in the same order as its one text."""
    monkeypatch.setattr(queries, "WHOLE_PAGE", 3)
    query = get_query(name)
    one = _answers(corpus_store.select(query.sparql, query.bind(query.example)))
    assert len(one) > 6 and _answers(query.run(corpus_store, **query.example)) == one


def test_slogan_parts_at_the_depths_it_counted_before(corpus_store):
    """slogan-parts reads a part's depth from the build (pol:treeDepth) where it counted the
    part's ancestors below the root: the same rows in the same order for every slogan of the
    corpus with parts, asked by its IRI, its label and the term its versions share."""
    query = get_query("slogan-parts")
    before = _sorted("slogan-parts")
    asked = corpus_store.select(
        PREFIXES + "SELECT DISTINCT ?asked WHERE { ?s pol:partCount ?n FILTER(?n > 0) "
        "{ ?s a pol:Slogan BIND(STR(?s) AS ?asked) } UNION { ?s rdfs:label ?label BIND(STR(?label) AS ?asked) } "
        "UNION { ?s pol:versionOf ?term BIND(STR(?term) AS ?asked) } }"
    )
    depths = set()
    for row in asked:
        params = {"slogan": row["asked"].value}
        now = _answers(query.run(corpus_store, **params))
        assert now == _answers(corpus_store.select(before, query.bind(params))), params
        depths |= {r["depth"] for r in now}
    assert len(asked) > 100 and depths == {"1", "2"}


# target-attainment and targets-of-year as they found the place and the indicator before the
# lookup keys held places' codes: the strings of every place's and indicator's names computed
# per question (330 ms at 10× the corpus)
INDICATOR_BY_NAMES = """
  {
    SELECT ?series ?indicator WHERE {
      ?series a pol:Indicator .
      { ?series rdfs:label|skos:altLabel ?name . BIND(STR(?name) AS ?indicator) }
      UNION { ?series a pol:Indicator . BIND(STR(?series) AS ?indicator) }
    }
  }
"""
PLACE_BY_NAMES = """
  {
    SELECT ?area ?place WHERE {
      ?area a pol:Place .
      { ?area rdfs:label|skos:altLabel ?placeName . BIND(STR(?placeName) AS ?place) }
      UNION { ?area pol:adminCode ?code . BIND(STR(?code) AS ?place) }
      UNION { ?area a pol:Place . BIND(STR(?area) AS ?place) }
    }
  }
"""
INDICATOR_KEY = "  ?series pol:key ?indicator ; a pol:Indicator .\n"
PLACE_KEY = "  ?area pol:key ?place ; a pol:Place .\n"


# target-attainment's attainment as it was read before: one OPTIONAL holding OPTIONALs, which
# Oxigraph evaluated over every attainment of the store (16 s at 100× the corpus)
ATTAINMENT_BEFORE = """
  OPTIONAL {
    ?attainment pol:targetObservation ?targetObservation ; pol:actualObservation ?actualObservation .
    OPTIONAL { ?attainment pol:targetMet ?met }
    OPTIONAL { ?attainment pol:attainmentStatus/rdfs:label ?statusLabel FILTER(LANG(?statusLabel) = "en") }
    OPTIONAL { ?attainment pol:margin ?margin }
    OPTIONAL { ?actualObservation pol:value ?actual }
    OPTIONAL { ?actualObservation pol:unit ?actualUnit }
  }
"""
ATTAINMENT_NOW = """
  # the attainment, then what is read of it and of its actual one pattern each: Oxigraph looks a
  # one-pattern OPTIONAL up per row, but evaluates an OPTIONAL holding OPTIONALs once over the
  # whole store and joins after (every attainment of the collection: 16 s at 100× the corpus).
  # The attainment's actual too: an OPTIONAL of two patterns is also evaluated over the store
  # (one place's targets: 97 → 13 ms at 100×); every attainment has its one actual
  # (pols:AttainmentShape, kg/attainment.py). A target without an attainment looks them up from
  # an IRI that states nothing, not from an unbound ?attainment (which would match every
  # attainment of the store)
  OPTIONAL { ?attainment pol:targetObservation ?targetObservation }
  BIND(COALESCE(?attainment, <urn:x-policykg:none>) AS ?found)
  OPTIONAL { ?found pol:actualObservation ?actualObservation }
  BIND(COALESCE(?actualObservation, <urn:x-policykg:none>) AS ?foundActual)
  OPTIONAL { ?found pol:targetMet ?met }
  OPTIONAL { ?found pol:attainmentStatus/rdfs:label ?statusLabel FILTER(LANG(?statusLabel) = "en") }
  OPTIONAL { ?found pol:margin ?margin }
  OPTIONAL { ?foundActual pol:value ?actual }
  OPTIONAL { ?foundActual pol:unit ?actualUnit }
"""


def _names(store, thing: str) -> list[str]:
    """Every name a question may be given for ``thing``: labels, alternative labels, its code
    and its IRI."""
    rows = store.select(
        PREFIXES + f"SELECT DISTINCT ?name WHERE {{ {NamedNode(thing)} "
        "rdfs:label|skos:altLabel|pol:adminCode ?name }"
    )
    return sorted({r["name"].value for r in rows} | {thing})


def _as_before(sparql: str, swaps: dict[str, str]) -> str:
    """A catalogue query with each of its parts (keys) put back as it was written before
    (values): the old shape, whose answers a rewrite must keep. Each part must be there."""
    for now, before in swaps.items():
        assert now in sparql, now
        sparql = sparql.replace(now, before)
    return sparql


def _answers(rows) -> list[dict]:
    return [{k: v.value for k, v in r.items()} for r in rows]


SERIES_ORDER = ("period", "measure", "valueKind", "area")  # indicator-series' old ORDER BY


def _in_order(rows: list[dict], keys: tuple[str, ...]) -> list[tuple]:
    """What an ORDER BY on ``keys`` decides of ``rows``: their keys in the rows' order."""
    return [tuple(r.get(k) for k in keys) for r in rows]


def _row_key(row: dict) -> list:
    return sorted(row.items())


def _sorted(name: str) -> str:
    """The text of catalogue question ``name`` as it sorted its whole answer itself, before the
    build wrote its list's order (``sorted/``)."""
    return parse_query_file(SORTED / f"{name}.rq").sparql


def test_target_attainment_by_every_name_as_before(corpus_store):
    query = get_query("target-attainment")
    before = _as_before(
        query.sparql,
        {
            INDICATOR_KEY: INDICATOR_BY_NAMES,
            PLACE_KEY: PLACE_BY_NAMES,
            ATTAINMENT_NOW: ATTAINMENT_BEFORE,
        },
    )
    pairs = corpus_store.select(
        PREFIXES + "SELECT DISTINCT ?area ?series WHERE { ?o pol:valueKind pol:Target ; "
        "pol:refArea ?area ; pol:indicator ?series } ORDER BY ?area ?series"
    )
    assert len(pairs) > 100
    answered = 0
    for i, pair in enumerate(pairs[::4]):  # a quarter of them, every name in turn
        places = _names(corpus_store, pair["area"].value)
        indicators = _names(corpus_store, pair["series"].value)
        params = {"place": places[i % len(places)], "indicator": indicators[i % len(indicators)]}
        now = _answers(query.run(corpus_store, **params))
        then = _answers(corpus_store.select(before, query.bind(params)))
        assert now == then, params
        answered += bool(now)
    assert answered > 25


def test_targets_of_year_by_every_name_as_before(corpus_store):
    query = get_query("targets-of-year")
    before = _as_before(query.sparql, {PLACE_KEY: PLACE_BY_NAMES})
    places = corpus_store.select(
        PREFIXES + "SELECT DISTINCT ?area ?year WHERE { ?o pol:valueKind pol:Target ; "
        "pol:refArea ?area ; pol:period ?year } ORDER BY ?area ?year"
    )
    assert len(places) > 30
    answered = 0
    for row in places:
        for name in _names(corpus_store, row["area"].value):
            params = {"place": name, "year": row["year"].value}
            now = _answers(query.run(corpus_store, **params))
            assert now == _answers(corpus_store.select(before, query.bind(params))), params
            answered += bool(now)
    assert answered > 100


# chain-enterprises as it found each slogan's enterprises before: in the graph stating the
# slogan's pol:inReport (every span of the report states one: 290 ms at 10× the corpus)
CHAIN_GRAPH_BEFORE = """    GRAPH ?g {
      ?slogan pol:inReport ?report .
      ?enterprise pol:inIndustry ?variant ; a pol:Enterprise ; rdfs:label ?enterpriseLabel .
    }
"""
CHAIN_GRAPH_NOW = """    GRAPH ?g {
      ?report a pol:Report .
      ?enterprise pol:inIndustry ?variant ; a pol:Enterprise ; rdfs:label ?enterpriseLabel .
    }
"""


def test_chain_enterprises_of_every_chain_as_before(corpus_store):
    """Every slogan that lists an industry, by its IRI, its name and its term's IRI, answers
    the same rows in the same order as when the question walked the industries' variant names
    and narrower industries itself (sorted/chain-enterprises.rq), in the slogan's own graph
    found by the slogan."""
    query = get_query("chain-enterprises")
    assert "(skos:closeMatch|^skos:closeMatch|^skos:broader)*" in _sorted("chain-enterprises")
    before = _as_before(_sorted("chain-enterprises"), {CHAIN_GRAPH_NOW: CHAIN_GRAPH_BEFORE})
    names = corpus_store.select(
        PREFIXES + "SELECT DISTINCT ?s ?label ?term WHERE { ?s a pol:Slogan ; rdfs:label ?label ; "
        "pol:hasComponent+/a pol:Industry OPTIONAL { ?s pol:versionOf ?term } }"
    )
    chains = sorted(
        {r["label"].value for r in names}
        | {r["s"].value for r in names}
        | {r["term"].value for r in names if "term" in r}
    )
    assert len(chains) > 20
    with_enterprises = 0
    for chain in chains:
        now = _answers(query.run(corpus_store, chain=chain))
        assert now == _answers(corpus_store.select(before, query.bind({"chain": chain}))), chain
        with_enterprises += any("enterprise" in r for r in now)
    # 湛河区 2023 files 平高集团 and others under its 四主链's industries (name, IRI, term)
    assert with_enterprises >= 3


# policy-documents as it counted a report's spans before: per row, every span of the document
# compared with the row's report (rows × spans: 42 s at 100× the corpus)
POLICY_SPANS_BEFORE = """
  OPTIONAL {
    # the spans in each branch, not after the UNION (the same rows: a left join distributes
    # over a union): Virtuoso 7.2 joined them after it in 12 s on the corpus, past 30 s at ten
    # times. The report compared, not joined: Oxigraph then follows the document's own spans
    # (570 → 19 ms); not FILTER EXISTS, which Virtuoso 7.2 evaluates inside an OPTIONAL
    # without ?report
    {
      ?report dcterms:references ?document .
      OPTIONAL {
        ?document prov:wasDerivedFrom ?span . ?span pol:start ?start ; pol:inReport ?spanReport .
        FILTER(?spanReport = ?report)
      }
    } UNION {
      ?document prov:wasDerivedFrom/pol:inReport ?report .
      OPTIONAL {
        ?document prov:wasDerivedFrom ?span . ?span pol:start ?start ; pol:inReport ?spanReport .
        FILTER(?spanReport = ?report)
      }
    }
    OPTIONAL { ?report dcterms:title ?reportTitle }
  }
}
"""
POLICY_SPANS_NOW = """
  OPTIONAL {
    { ?report dcterms:references ?document }
    UNION { ?document prov:wasDerivedFrom/pol:inReport ?report }
    # the document's spans in that report: every document's spans at once, joined with the
    # rows on both (a subquery, so that the engine evaluates it once and joins on the two: as
    # a group of patterns Oxigraph read the document's spans in every report for each row, or
    # compared the report: rows × spans, 42 s at 100× the corpus)
    OPTIONAL {
      SELECT ?document ?report ?span ?start WHERE {
        ?document a pol:PolicyDocument ; prov:wasDerivedFrom ?span .
        ?span pol:inReport ?report ; pol:start ?start .
      }
    }
    OPTIONAL { ?report dcterms:title ?reportTitle }
  }
}
"""


def test_policy_documents_as_before(corpus_store):
    """Every document, report, count and first mention as the old shape gave them."""
    query = get_query("policy-documents")
    before = _as_before(_sorted("policy-documents"), {POLICY_SPANS_NOW: POLICY_SPANS_BEFORE})
    now = _answers(query.run(corpus_store))
    assert len(now) > 50
    assert now == _answers(corpus_store.select(before))
    assert now == _answers(corpus_store.select(_sorted("policy-documents")))
    assert sum(1 for r in now if "firstMention" in r) > 40  # counted spans, not only reports


# inconsistent-figures as it found the place before: every report's place and names as strings,
# and a branch without ?report (every check compared with every report: 5.6 s at 100×)
CHECK_PLACE_BEFORE = """
  { BIND("any" AS ?place) } UNION { ?report dcterms:spatial ?area BIND(STR(?area) AS ?place) }
  UNION { ?report dcterms:spatial/rdfs:label ?placeName BIND(STR(?placeName) AS ?place) }
"""
CHECK_PLACE_NOW = """
  # every branch binds ?report, so that the branches are joined with the checks on it: a
  # branch without it (the "any" one) made the join compare every check with every report's
  # place names (5.6 s at 100× the corpus). A name is found by its key (kg/summary.py), then
  # tested: the engine evaluates each branch apart, and from the key it reads only that
  # place's reports, not every report's place and names
  { ?check pol:inReport ?report BIND("any" AS ?place) }
  UNION {
    ?area pol:key ?place . ?report dcterms:spatial ?area
    BIND(?place AS ?asked)  # tested through ?asked: a parameter is never tested in a FILTER
    FILTER(STR(?area) = ?asked)
  } UNION {
    ?area pol:key ?place . ?report dcterms:spatial ?area . ?area rdfs:label ?placeName
    BIND(?place AS ?asked)
    FILTER(STR(?placeName) = ?asked)
  }
"""


def test_inconsistent_figures_by_every_place_as_before(corpus_store):
    """Every outcome asked for, for any place and for each name and IRI of every report's
    place, answers the same rows in the same order as the old shape."""
    query = get_query("inconsistent-figures")
    then = _sorted("inconsistent-figures")
    before = _as_before(then, {CHECK_PLACE_NOW: CHECK_PLACE_BEFORE})
    areas = corpus_store.select(
        PREFIXES + "PREFIX dcterms: <http://purl.org/dc/terms/> "
        "SELECT DISTINCT ?area WHERE { ?r a pol:Report ; dcterms:spatial ?area } ORDER BY ?area"
    )
    assert len(areas) > 20
    places = ["any"] + [n for r in areas for n in _names(corpus_store, r["area"].value)]
    checked = 0
    for place in places:
        for passed in ("any", "true", "false"):
            params = {"passed": passed, "place": place}
            now = _answers(query.run(corpus_store, **params))
            assert now == _answers(corpus_store.select(before, query.bind(params))), params
            assert now == _answers(corpus_store.select(then, query.bind(params))), params
            checked += len(now)
    assert checked > 20


# plan-vs-actual as it matched a target's actual, and an actual without a target, before the
# build's pairs (pol:Attainment) were read: over every actual and target of the store
ACTUAL_BEFORE = """
    OPTIONAL {
      ?actualObservation pol:valueKind pol:Actual ; pol:period ?year ;
          pol:indicator ?indicator ; pol:refArea ?area ; pol:measure ?measure .
      OPTIONAL { ?actualObservation pol:value ?actual }
      OPTIONAL { ?actualObservation pol:unit ?actualUnit }
    }
"""
ACTUAL_NOW = """
    # the actual of the same indicator, area, year and measure, as the build paired them
    # (pol:Attainment, kg/attainment.py): one lookup per target. Matched here, the actual's
    # five patterns were read for every actual of the store, whether as a group joined after
    # or per row (from its one constant, pol:Actual)
    # (one pattern per OPTIONAL: Oxigraph evaluates an OPTIONAL of two over the whole store;
    # every attainment has its one actual: pols:AttainmentShape)
    OPTIONAL { ?attainment pol:targetObservation ?targetObservation }
    BIND(COALESCE(?attainment, <urn:x-policykg:none>) AS ?pair)
    OPTIONAL { ?pair pol:actualObservation ?actualObservation }
    # a target without an actual looks its value up from an IRI that states nothing, not from
    # an unbound ?actualObservation (which would match every observation's value)
    BIND(COALESCE(?actualObservation, <urn:x-policykg:none>) AS ?foundActual)
    OPTIONAL { ?foundActual pol:value ?actual }
    OPTIONAL { ?foundActual pol:unit ?actualUnit }
"""
UNPAIRED_BEFORE = """
    # MINUS, not FILTER NOT EXISTS: the same rows here (every shared variable is bound on both
    # sides), but one join instead of one lookup per actual (350 ms → 20 ms on the corpus)
    MINUS {
      ?anyTarget pol:valueKind pol:Target ; pol:period ?year ;
          pol:indicator ?indicator ; pol:refArea ?area ; pol:measure ?measure .
    }
"""
UNPAIRED_NOW = """
    # none paired with a target by the build: one lookup per actual (the targets of the same
    # indicator, area, year and measure matched here cost a join over every target of the store)
    FILTER NOT EXISTS { ?paired pol:actualObservation ?actualObservation }
"""


def test_plan_vs_actual_of_every_year_as_before(corpus_store):
    """Every year a target or an actual is set for answers the same rows in the same order as
    when the actuals were matched in the query."""
    query = get_query("plan-vs-actual")
    then = _sorted("plan-vs-actual")
    before = _as_before(then, {ACTUAL_NOW: ACTUAL_BEFORE, UNPAIRED_NOW: UNPAIRED_BEFORE})
    years = corpus_store.select(
        PREFIXES + "SELECT DISTINCT ?year WHERE { ?o pol:period ?year } ORDER BY ?year"
    )
    assert len(years) > 5
    paired = unpaired = 0
    for row in years:
        params = {"year": row["year"].value}
        now = _answers(query.run(corpus_store, **params))
        assert now == _answers(corpus_store.select(before, query.bind(params))), params
        assert now == _answers(corpus_store.select(then, query.bind(params))), params
        paired += sum(1 for r in now if "actual" in r and "targetObservation" in r)
        unpaired += sum(1 for r in now if "targetObservation" not in r)
    assert paired > 10 and unpaired > 10


# enterprise-profile as it found the enterprise before: the string of every enterprise's names
# computed per question (75 ms at 10× the corpus, growing with the store)
ENTERPRISE_BY_NAMES = """
  ?company a pol:Enterprise .
  { ?company rdfs:label|skos:altLabel ?name . BIND(STR(?name) AS ?enterprise) }
  UNION { ?company a pol:Enterprise . BIND(STR(?company) AS ?enterprise) }
"""
ENTERPRISE_KEY = "  ?company pol:key ?enterprise FILTER EXISTS { ?company a pol:Enterprise }\n"


def test_enterprise_profile_by_every_name_as_before(corpus_store):
    """Every name, alternative name and IRI of every enterprise answers the same rows in the
    same order as when the names were compared as strings."""
    query = get_query("enterprise-profile")
    before = _as_before(query.sparql, {ENTERPRISE_KEY: ENTERPRISE_BY_NAMES})
    rows = corpus_store.select(
        PREFIXES + "SELECT DISTINCT ?x ?name WHERE { ?x a pol:Enterprise . "
        "{ ?x rdfs:label|skos:altLabel ?n BIND(STR(?n) AS ?name) } "
        "UNION { ?x a pol:Enterprise BIND(STR(?x) AS ?name) } }"
    )
    names = sorted({r["name"].value for r in rows})
    assert len(names) > 100
    answered = 0
    for name in names:
        now = _answers(query.run(corpus_store, enterprise=name))
        assert now == _answers(corpus_store.select(before, query.bind({"enterprise": name}))), name
        answered += bool(now)
    assert answered > 50  # names of enterprises the reports file under something


# indicator-series as it read an observation's area before: an OPTIONAL holding an OPTIONAL
AREA_BEFORE = """
  OPTIONAL { ?observation pol:refArea ?area . OPTIONAL { ?area rdfs:label ?areaLabel } }
"""
AREA_NOW = """
  # one pattern per OPTIONAL: Oxigraph evaluated the area's OPTIONAL holding the label's one
  # over every observation's area in the store (3.5 → 2.9 s at 100× the corpus); the label read
  # from an IRI that states nothing when there is no area
  OPTIONAL { ?observation pol:refArea ?area }
  BIND(COALESCE(?area, <urn:x-policykg:none>) AS ?foundArea)
  OPTIONAL { ?foundArea rdfs:label ?areaLabel }
"""


def test_indicator_series_of_every_indicator_as_before(corpus_store):
    """Every name and IRI of every indicator with an observation answers the same rows in the
    same order as with the area's label read inside the area's OPTIONAL."""
    query = get_query("indicator-series")
    then = _sorted("indicator-series")
    before = _as_before(then, {AREA_NOW: AREA_BEFORE})
    series = corpus_store.select(
        PREFIXES + "SELECT DISTINCT ?series WHERE { ?o pol:indicator ?series } ORDER BY ?series"
    )
    assert len(series) > 20
    answered = 0
    for row in series:
        for name in _names(corpus_store, row["series"].value):
            now = _answers(query.run(corpus_store, indicator=name))
            bound = query.bind({"indicator": name})
            old = _answers(corpus_store.select(then, bound))
            assert old == _answers(corpus_store.select(before, bound)), name
            # a name of two indicators (安全生产事故起数、死亡人数) gives rows the old order
            # left in the engine's order (same period, measure, kind, area): now by IRI
            assert _in_order(now, SERIES_ORDER) == _in_order(old, SERIES_ORDER), name
            assert sorted(map(_row_key, now)) == sorted(map(_row_key, old)), name
            answered += bool(now)
    assert answered > 40


def test_year_targets_of_every_year_as_sorted_before(corpus_store):
    """Every year a target is set for answers the same targets in the same order as when the
    question sorted them by indicator label, measure and area itself."""
    query = get_query("year-targets")
    years = corpus_store.select(
        PREFIXES + "SELECT DISTINCT ?year WHERE { ?o pol:valueKind pol:Target ; pol:period ?year }"
    )
    assert len(years) > 5
    listed = 0
    for row in years:
        params = {"year": row["year"].value}
        now = _answers(query.run(corpus_store, **params))
        assert now == _answers(corpus_store.select(_sorted("year-targets"), query.bind(params)))
        listed += len(now)
    assert listed > 400  # every target of the corpus, each in its year


def test_glossary_as_sorted_before(corpus_store):
    """Every glossary entry of the corpus with what it explains, in the order the question
    sorted them itself (report, number, term); what an entry explains, which GROUP_CONCAT
    joined in the engine's order, now in the order the entry names it (the same labels and
    IRIs, in the same language)."""

    def cells(rows):
        out = []
        for r in rows:
            row = {k: (v.value, getattr(v, "language", None)) for k, v in r.items()}
            for name, separator in (("explains", "、"), ("explainsIris", " ")):
                text, language = row[name]
                row[name] = (sorted(text.split(separator)), language)
            out.append(row)
        return out

    now = get_query("glossary").run(corpus_store)
    then = corpus_store.select(_sorted("glossary"))
    assert len(now) > 40 and sum(1 for r in now if r["explains"].value) > 10
    assert cells(now) == cells(then)
    assert sum(1 for r in now if "、" in r["explains"].value) > 10
    assert {r["explains"].language for r in now if r["explains"].value} == {"zh"}


def test_glossary_explains_in_the_order_the_entry_names_it(corpus_store):
    # 湛河区 2023, 附件 6. 新区引领、园区联动; 7. 四纵四横一管网 (the whole, then its parts)
    rows = [r for r in run(corpus_store, "glossary") if r["report"] == ZHANHE]
    explains = {r["number"]: r["explains"] for r in rows}
    assert explains["6"] == "新区引领、园区联动"
    assert explains["7"] == "四纵四横一管网、四纵、四横、一管网"
    # their IRIs in the same order: each one's version in this report
    iris = {r["number"]: r["explainsIris"].split() for r in rows}
    assert [i.split("/")[-2].rsplit("-", 1)[0] for i in iris["6"]] == [
        "xin-qu-yin-ling",
        "yuan-qu-lian-dong",
    ]
    assert {i.split("/")[-1] for i in iris["6"] + iris["7"]} == {"zhanhe-district-2023-plan-report"}
