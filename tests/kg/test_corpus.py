"""The whole bundled corpus through the real pipeline, asked of the graph: every report's
metadata, every glossary, no web residue or work of art as a cited document, coverage."""

from __future__ import annotations

import csv
from functools import cache

import pytest

from policykg.kg.stats import COVERAGE, coverage
from policykg.kg.store import open_store
from policykg.kg.vocab import PREFIXES

from ..conftest import REPORTS, SOURCES

PROLOGUE = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())
MANIFEST = {
    row["file"]: row
    for row in csv.DictReader((SOURCES / "manifest.csv").read_text("utf-8").splitlines())
}

# Glossary entries per report, counted by reading each text: only two of the 34 reports have a
# glossary (四川: 名词解释, 20 entries; 湛河: 附件 部分名词和专用术语解释, 25 entries).
GLOSSARY_ENTRIES = {path.name: 0 for path in REPORTS} | {
    "sichuan-province_2026_gov-work-report.txt": 20,
    "zhanhe-district_2023_plan-report.txt": 25,
}

# Works the 2026 provincial reports praise in their culture sections, read in the texts:
# films, TV series, stage shows, songs, books, a journal. None is a policy document.
WORKS = {
    "哪吒2", "家里家外", "长空之王", "钢铁意志", "柳青", "装台", "山海情", "生万物", "我的阿勒泰",
    "龟兹", "飞天", "张骞", "孔子", "右玉", "鲁镇", "阵地", "雪豹", "高原之羚", "金城公主",
    "红石榴餐厅", "西北岁月", "生命树", "生命册", "阳明悟道", "画里乡田", "瓷魂", "先声",
    "浴血荣光", "沉默的荣耀", "靠近我看见你", "您的声音", "我们的赛场", "决不掉队",
    "现代汉语词典", "河西走廊通史", "齐鲁文库", "科学", "美丽新疆", "雪域欢歌", "本巴",
    "五星出东方", "新疆大地", "左宗棠收复新疆", "枕着光的她", "柳柳州", "岩话", "狼洞的外婆",
}  # fmt: skip


@pytest.fixture(scope="module")
def store(corpus_store_dir):
    s = open_store(corpus_store_dir)
    yield s
    s.close()


@cache
def report_rows(store) -> dict[str, dict[str, set[str]]]:
    """Per source file: its place code, years, dates and label, as the graph states them."""
    rows = store.select(
        PROLOGUE
        + """SELECT ?file ?code ?year ?date ?label ?level WHERE {
             ?r a pol:Report ; pol:sourceFile ?file ; rdfs:label ?label .
             OPTIONAL { ?r dcterms:spatial/pol:adminCode ?code }
             OPTIONAL { ?r pol:coversYear ?year }
             OPTIONAL { ?r dcterms:date ?date }
             OPTIONAL { ?r pol:adminLevel ?level } }"""
    )
    found: dict[str, dict[str, set[str]]] = {}
    for row in rows:
        entry = found.setdefault(row["file"].value, {})
        for key in ("code", "year", "date", "label", "level"):
            if key in row:
                entry.setdefault(key, set()).add(row[key].value)
    return found


def test_every_report_is_in_the_graph(store):
    assert sorted(report_rows(store)) == sorted(MANIFEST) == sorted(p.name for p in REPORTS)


@pytest.mark.parametrize("file", sorted(MANIFEST))
def test_place_year_and_date_are_read_from_the_text(store, file):
    """Built without the manifest: the graph says what the cataloguer wrote down."""
    row, got = MANIFEST[file], report_rows(store)[file]
    assert got["code"] == {row["admin_code"]}
    year = int(row["year"])
    assert got["year"] == {str(year - 1), str(year)}
    assert got.get("date", set()) == ({row["delivered"]} if row["delivered"] else set())
    assert got["level"] == {"province" if row["admin_code"].endswith("0000") else "county"}
    if row["place"] in row["title"]:  # the label tells reports apart as a cataloguer would
        assert got["label"] == {row["title"]}


def test_glossary_entries_of_every_report(store):
    rows = store.select(
        PROLOGUE
        + """SELECT ?file (COUNT(DISTINCT ?e) AS ?n) WHERE { GRAPH ?g {
             ?r a pol:Report ; pol:sourceFile ?file . OPTIONAL { ?e a pol:GlossaryEntry } } }
             GROUP BY ?file"""
    )
    assert {r["file"].value: int(r["n"].value) for r in rows} == GLOSSARY_ENTRIES


def test_no_cited_document_is_a_work_or_web_residue(store):
    titles = {
        r["t"].value
        for r in store.select(
            PROLOGUE + "SELECT ?t WHERE { ?d a pol:PolicyDocument ; rdfs:label ?t }"
        )
    }
    assert len(titles) > 60  # the reports cite many plans, opinions and laws
    assert not titles & WORKS
    assert not any("著作权法" in t for t in titles)
    assert {"民营经济促进法", "中华人民共和国青藏高原生态保护法"} <= titles


def test_coverage_counts_each_report_through_sparql(store, corpus_store_dir):
    table = {row.file: row for row in coverage(store, corpus_store_dir)}
    assert sorted(table) == sorted(MANIFEST)
    zhanhe = table["zhanhe-district_2023_plan-report.txt"]
    assert set(zhanhe.counts) == set(COVERAGE)
    assert zhanhe.counts["glossary"] == 25 and zhanhe.counts["targets"] > 20
    assert zhanhe.counts["decomposed"] <= zhanhe.counts["slogans"]
    assert {f: r.counts["glossary"] for f, r in table.items()} == GLOSSARY_ENTRIES
    assert all(r.dropped == 0 for r in table.values())
