"""The SKOS industry taxonomy and industry names in the founding report."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDF, SKOS

from policykg.kg.industries import TAXONOMY_FILE, load_industries
from policykg.kg.iri import Minter, pinyin
from policykg.kg.read import read_report

SOURCES = Path(__file__).resolve().parents[2] / "kg" / "sources"
SEED = SOURCES / "zhanhe-district_2023_plan-report.txt"
SCHEME = rdflib.URIRef("https://w3id.org/policykg/id/scheme/industry")
POL_INDUSTRY = rdflib.URIRef("https://w3id.org/policykg/ontology#Industry")
FOUR_MAIN_CHAINS = ["新能源储能（含氢能）产业", "电气装备制造业", "医药健康产业", "尼龙材料制造业"]


@pytest.fixture(scope="module")
def tax():
    return load_industries()


@pytest.fixture(scope="module")
def graph():
    g = rdflib.Graph()
    g.parse(TAXONOMY_FILE, format="turtle")
    return g


def label_of(tax, name):
    found = tax.match(name)
    return found.label if found else None


def test_every_concept_is_a_typed_skos_concept_named_by_the_pinyin_of_its_label(graph):
    concepts = set(graph.subjects(RDF.type, POL_INDUSTRY))
    assert len(concepts) >= 60
    for concept in concepts:
        (label,) = graph.objects(concept, SKOS.prefLabel)  # two homophone names would be one IRI
        assert label.language == "zh"
        assert (concept, RDF.type, SKOS.Concept) in graph
        assert (concept, SKOS.inScheme, SCHEME) in graph
        assert str(concept) == f"{Minter().base}industry/{pinyin(str(label))}"


def test_close_matches_are_symmetric_and_broader_points_inside_the_scheme(graph):
    concepts = set(graph.subjects(RDF.type, POL_INDUSTRY))
    for a, b in graph.subject_objects(SKOS.closeMatch):
        assert (b, SKOS.closeMatch, a) in graph
    for _, parent in graph.subject_objects(SKOS.broader):
        assert parent in concepts


def test_no_label_names_two_concepts(tax):
    seen: dict[str, str] = {}
    for industry in tax.industries.values():
        for label in industry.labels:
            assert seen.setdefault(label, industry.label) == industry.label, label


@pytest.mark.parametrize(
    ("name", "concept"),
    [
        ("新能源储能（含氢能）产业", "新能源储能"),
        ("电气装备制造业", "电气装备制造"),
        ("医药健康产业", "医药健康"),
        ("尼龙材料制造业", "尼龙材料制造"),
        ("装备制造产业集群", "装备制造"),
        ("现代化服务业（含物流业）", "现代服务业"),
        ("物流业", "物流"),
        ("食品加工业", "食品加工"),
        ("文旅", "文化旅游"),
        ("金融业", "金融服务业"),
    ],
)
def test_match_reads_the_names_reports_use(tax, name, concept):
    assert label_of(tax, name) == concept


@pytest.mark.parametrize("name", ["乡村振兴及食品加工业", "招商引资", "产业", "业"])
def test_match_refuses_what_is_no_single_industry(tax, name):
    assert tax.match(name) is None


def test_variant_names_are_close_matches(tax):
    pairs = [
        ("装备制造", "电气装备制造业"),
        ("生物医药", "医药健康"),
        ("新能源", "新能源储能"),
        ("尼龙新材料", "尼龙材料制造业"),
    ]
    for a, b in pairs:
        assert tax.match(b).iri in tax.match(a).close_matches


def test_broader_links(tax):
    assert tax.match("新能源").iri in tax.match("储能").broader
    assert tax.match("新材料").iri in tax.broader_closure(tax.match("尼龙新材料").iri)
    assert tax.match("新材料").iri in tax.broader_closure(tax.match("尼龙材料制造业").iri)
    assert tax.match("制造业").iri in tax.broader_closure(tax.match("电气装备制造").iri)


def test_covers_goes_down_and_across_close_matches(tax):
    covered = {tax[i].label for i in tax.covers(tax.match("新能源储能（含氢能）产业").iri)}
    assert {"新能源储能", "新能源", "储能", "氢能", "光伏"} <= covered
    assert "能源" not in covered and "装备制造" not in covered


def test_four_main_chains_each_match_a_concept(tax):
    assert [label_of(tax, n) for n in FOUR_MAIN_CHAINS] == [
        "新能源储能",
        "电气装备制造",
        "医药健康",
        "尼龙材料制造",
    ]


def test_mentions_in_the_founding_report():
    tax = load_industries()
    text = read_report(SEED).text
    mentions = tax.find_mentions(text)
    labels = [tax[i].label for i, _, _ in mentions]
    for iri, s, e in mentions:
        assert text[s:e] in tax[iri].labels
    assert "化工" not in labels  # 文化工作, 绿化工作
    i = text.index("打造装备制造产业集群")
    assert (tax.match("装备制造").iri, i + 2, i + 8) in mentions  # surface 装备制造产业
    assert labels.count("生物医药") == 3
    assert {"新能源储能", "电气装备制造", "医药健康", "尼龙材料制造"} <= set(labels)
