"""Enterprises, government bodies, projects and enterprises' industries, read from the real reports."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from policykg.kg.bodies import body_label, find_government_bodies, is_government_body
from policykg.kg.enterprises import (
    enterprise_industries,
    find_enterprises,
    find_leading_enterprises,
)
from policykg.kg.industries import load_industries
from policykg.kg.projects import find_projects
from policykg.kg.read import read_report
from policykg.kg.structure import parse_structure

SOURCES = Path(__file__).resolve().parents[2] / "kg" / "sources"
SEED = SOURCES / "zhanhe-district_2023_plan-report.txt"
OTHERS = sorted(p for p in SOURCES.glob("*.txt") if p != SEED)
HAILAER_2016 = SOURCES / "hailaer-district_2016_gov-work-report.txt"
HAILAER_2019 = SOURCES / "hailaer-district_2019_gov-work-report.txt"
HENAN = SOURCES / "henan-province_2026_gov-work-report.txt"

# Never enterprises: government bodies, institutions, kinds of enterprise, generic words.
NOT_ENTERPRISES = {
    "湛河区发展和改革委员会",
    "国务院办公厅",
    "区人民医院",
    "金融机构",
    "金融企业",
    "美的",
    "德信泉",
    "中骏世界城",
    "上市公司",
    "跨国公司",
    "城市医疗集团",
    "国有融资平台公司",
    "环卫PPP项目公司",
    "集团",
    "公司",
    "企业",
    "重点企业",
    "龙头企业",
    "配套企业",
    "银行",
}


def quoted_terms(text: str) -> list[str]:
    """The report's quoted phrases, as the pipeline passes them (with glossary headings)."""
    return re.findall(r"“([^”]{2,20})”", text)


@pytest.fixture(scope="module")
def seed():
    doc = read_report(SEED)
    tax = load_industries()
    terms = quoted_terms(doc.text)
    enterprises = find_enterprises(doc.text, terms)
    projects = find_projects(doc.text, enterprises, tax, terms)
    sentences = parse_structure(doc).sentences
    links = enterprise_industries(doc.text, sentences, enterprises, projects, tax)
    return doc, tax, enterprises, projects, links


def by_label(records):
    return {r.label: r for r in records}


def test_enterprises_of_the_founding_report(seed):
    doc, _, enterprises, _, _ = seed
    assert [e.label for e in enterprises] == [
        "神马博列麦（平顶山）气囊丝制造有限公司",
        "平高集团",
        "平高电气",
        "平顶山冠宏矿山技术装备有限公司",
        "双鹤华利药业",
        "耀中纸业",
        "姚电公司",
        "湛开公司",
    ]
    for e in enterprises:
        assert all(doc.text[s:t] in e.names for s, t in e.mentions)


def test_enterprise_mentions_are_cut_at_word_boundaries(seed):
    doc, _, enterprises, _, _ = seed
    pinggao = by_label(enterprises)["平高集团"]
    assert len(pinggao.mentions) == 5
    start = doc.text.index("以辖区平高集团") + 3
    assert (start, start + 4) in pinggao.mentions
    assert (
        len(by_label(enterprises)["姚电公司"].mentions) == 2
    )  # …的姚电公司独立储能, 辖区…姚电公司


def test_no_government_body_or_generic_word_is_an_enterprise(seed):
    _, _, enterprises, _, _ = seed
    names = {n for e in enterprises for n in e.names}
    assert not names & NOT_ENTERPRISES
    assert not any(is_government_body(n) for n in names)


@pytest.mark.parametrize("path", OTHERS, ids=lambda p: p.stem)
def test_other_reports_give_no_body_or_generic_enterprise(path):
    text = read_report(path).text
    names = {n for e in find_enterprises(text, quoted_terms(text)) for n in e.names}
    bodies = {b.label for b in find_government_bodies(text)}
    assert not names & (NOT_ENTERPRISES | bodies)
    assert not any(is_government_body(n) or n.endswith(("企业", "产业", "政府")) for n in names)


def test_enterprises_of_other_reports():
    hailaer = read_report(SOURCES / "hailaer-district_2016_gov-work-report.txt").text
    assert {"大兴安岭森工集团", "蒙西水泥有限公司", "贝伦公司", "古纳河酒业"} <= {
        e.label for e in find_enterprises(hailaer)
    }
    henan = read_report(SOURCES / "henan-province_2026_gov-work-report.txt").text
    assert "中豫航空集团" in {e.label for e in find_enterprises(henan)}
    sichuan = read_report(SOURCES / "sichuan-province_2026_gov-work-report.txt").text
    # 城市医疗集团 and 城市更新 are no enterprises; 比亚迪 undertakes 比亚迪半导体 (a brand alone)
    assert [e.label for e in find_enterprises(sichuan)] == ["比亚迪"]


def test_government_bodies_of_the_founding_report(seed):
    doc = seed[0]
    bodies = by_label(find_government_bodies(doc.text))
    assert set(bodies) == {
        "湛河区发展和改革委员会",
        "湛河区人民政府办公室",
        "湛河区人民政府",
        "河南省人民政府办公厅",
        "国务院",
        "湛河区委",
        "河南省委",
        "国务院办公厅",
        "中央宣传部",
        "司法部",
        "中共中央",
    }
    assert len(bodies["国务院办公厅"].mentions) == 2
    for body in bodies.values():
        assert all(doc.text[s:e] == body.label for s, e in body.mentions)


def test_projects_and_their_owners(seed):
    _, _, _, projects, _ = seed
    owned: dict[str, list[str]] = {}
    for p in projects:
        if p.owner:
            owned.setdefault(p.owner, []).append(p.label)
    assert owned == {
        "平高集团": ["平高集团智慧新能源产业基地（一期）"],
        "双鹤华利药业": ["双鹤华利药业BFS生产线"],
        "姚电公司": ["姚电公司独立储能示范项目"],
    }
    labels = {p.label for p in projects}
    assert {
        "中骏世界城商业综合体",
        "湛河区智能装备制造产业园（一期）",
        "勇鸿机械",
        "正鑫特种卷材",
        "卓翔金属新材料",
        "神马博列麦安全气囊丝7000吨填平补齐",
    } <= labels
    assert not labels & {
        "重点项目",
        "重大项目",
        "城市交通基础设施项目",
        "房地产项目",
        "湛河区引进项目",
    }


def test_a_project_written_with_and_without_xiangmu_is_one(seed):
    doc, tax, _, projects, _ = seed
    yaodian = [p for p in projects if p.label.startswith("姚电绿能")]
    assert len(yaodian) == 1
    assert yaodian[0].label == "姚电绿能智慧新能源综合利用"
    assert yaodian[0].names == ["姚电绿能智慧新能源综合利用", "姚电绿能智慧新能源综合利用项目"]
    assert len(yaodian[0].mentions) == 4
    assert yaodian[0].owner is None  # 姚电绿能 is not 姚电公司 as written
    assert [tax[i].label for i in yaodian[0].industries] == ["新能源"]


def test_project_industries_come_from_their_names(seed):
    _, tax, _, projects, _ = seed
    industries = {p.label: [tax[i].label for i in p.industries] for p in projects}
    assert industries["双鹤华利药业BFS生产线"] == ["医药"]
    assert industries["姚电公司独立储能示范项目"] == ["储能"]
    assert industries["平高集团智慧新能源产业基地（一期）"] == ["新能源"]


def test_enterprise_industries_with_evidence(seed):
    doc, tax, _, _, links = seed
    named = {e: {tax[i].label for i in iris} for e, iris in links.items()}
    assert named == {
        "平高集团": {"新能源", "装备制造"},
        "双鹤华利药业": {"医药", "生物医药"},
        "姚电公司": {"储能"},
    }
    s, e = links["平高集团"][tax.match("装备制造").iri]
    assert doc.text[s:e] == "装备制造产业集群，延伸平高集团"
    s, e = links["双鹤华利药业"][tax.match("生物医药").iri]
    assert doc.text[s:e] == "生物医药产业规模，加快推进双鹤华利药业"


@pytest.mark.parametrize(
    ("chain", "enterprises"),
    [
        ("新能源储能（含氢能）产业", {"平高集团", "姚电公司"}),
        ("电气装备制造业", {"平高集团"}),
        ("医药健康产业", {"双鹤华利药业"}),
        ("尼龙材料制造业", set()),
    ],
)
def test_four_main_chains_reach_their_enterprises(seed, chain, enterprises):
    _, tax, _, _, links = seed
    covered = tax.covers(tax.match(chain).iri)
    assert {e for e, iris in links.items() if covered & set(iris)} == enterprises


def test_leading_enterprises(seed):
    doc, _, enterprises, _, _ = seed
    [(labels, (s, e))] = find_leading_enterprises(doc.text, enterprises)
    assert labels == ["平高集团", "姚电公司"]
    assert doc.text[s:e] == "以辖区平高集团、姚电公司等企业为龙头"


def test_leading_enterprises_in_a_province_report():
    text = read_report(SOURCES / "henan-province_2026_gov-work-report.txt").text
    leaders = [labels for labels, _ in find_leading_enterprises(text)]
    assert ["许继", "平高"] in leaders


# ------------------------------------------------------- one real-world entity, one record


def test_a_government_written_short_is_one_body_with_its_full_name():
    henan = read_report(HENAN).text
    bodies = by_label(find_government_bodies(henan))
    assert "河南省政府" not in bodies  # 2026年河南省政府工作报告
    assert bodies["河南省人民政府"].names == ["河南省政府", "河南省人民政府"]
    assert {henan[s:e] for s, e in bodies["河南省人民政府"].mentions} == {
        "河南省政府",
        "河南省人民政府",
    }


def test_a_body_named_with_its_parent_place_is_the_body_named_alone():
    text = read_report(HAILAER_2019).text
    bodies = by_label(find_government_bodies(text))
    assert not {"海拉尔区政府", "呼伦贝尔市海拉尔区人民政府"} & set(bodies)
    hailaer = bodies["海拉尔区人民政府"]
    assert hailaer.names == ["海拉尔区政府", "海拉尔区人民政府", "呼伦贝尔市海拉尔区人民政府"]
    assert {text[s:e] for s, e in hailaer.mentions} == {
        "海拉尔区政府",
        "呼伦贝尔市海拉尔区人民政府",
    }


def test_a_parent_place_is_dropped_only_when_the_report_names_the_body_alone():
    # 新华区 is in three cities: alone, the qualified name is the only safe one
    bodies = find_government_bodies("平顶山市新华区人民政府印发通知。")
    assert [b.label for b in bodies] == ["平顶山市新华区人民政府"]


@pytest.mark.parametrize(
    ("written", "label"),
    [
        ("河南省政府", "河南省人民政府"),
        ("海拉尔区政府", "海拉尔区人民政府"),
        ("四川省政府办公厅", "四川省人民政府办公厅"),
        ("湛河区人民政府办公室", "湛河区人民政府办公室"),
        ("香港特别行政区政府", "香港特别行政区政府"),  # its name has no 人民
        ("国务院", "国务院"),
        ("湛河区委", "湛河区委"),
    ],
)
def test_body_label_is_the_full_name(written, label):
    assert body_label(written) == label


def test_an_enterprise_with_and_without_its_country_is_one():
    henan = read_report(HENAN).text
    enterprises = by_label(find_enterprises(henan, quoted_terms(henan)))
    assert "中国平煤神马" not in enterprises
    assert enterprises["平煤神马"].names == ["平煤神马", "中国平煤神马"]
    assert len(enterprises["平煤神马"].mentions) == 2
    assert "中国河南国际" in enterprises  # 河南国际 and 国际 are never written: nothing to join


def test_project_names_keep_their_first_characters():
    hailaer_2016 = {p.label for p in find_projects(read_report(HAILAER_2016).text)}
    assert "万家惠农贸市场" in hailaer_2016 and "惠农贸市场" not in hailaer_2016
    hailaer_2019 = {p.label for p in find_projects(read_report(HAILAER_2019).text)}
    assert "第三中学东山分校" in hailaer_2019 and "中学东山分校" not in hailaer_2019


def test_places_sharing_one_head_name_a_project_each(seed):
    doc, _, _, projects, _ = seed
    found = by_label(projects)
    assert {"姚孟村棚改项目", "后城村棚改项目"} <= set(found)
    [(s, e)] = found["姚孟村棚改项目"].mentions
    assert doc.text[s:e] == "姚孟村、后城村棚改项目"
    assert [doc.text[s:e] for s, e in found["后城村棚改项目"].mentions] == ["后城村棚改项目"]


def test_common_words_before_a_shared_head_name_no_project():
    labels = {
        p.label for p in find_projects("推进农村、城中村改造项目。实施行政村、社区服务项目。")
    }
    assert not any(label.startswith(("农村", "行政村")) for label in labels)


def test_each_body_and_enterprise_of_the_corpus_has_one_iri(corpus_store_dir):
    from policykg.kg.store import open_store
    from policykg.kg.vocab import PREFIXES

    prologue = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())
    rows = open_store(corpus_store_dir).select(
        prologue
        + """SELECT DISTINCT ?kind ?label ?alt WHERE {
               VALUES ?kind { pol:GovernmentBody pol:Enterprise }
               ?s a ?kind ; rdfs:label ?label . OPTIONAL { ?s skos:altLabel ?alt } }"""
    )
    alts: dict[str, set[str]] = {}
    for r in rows:
        alts.setdefault(r["label"].value, set()).update([r["alt"].value] if "alt" in r else [])
    labels = set(alts)
    assert not labels & {"河南省政府", "海拉尔区政府", "呼伦贝尔市海拉尔区人民政府", "中国平煤神马"}
    assert not labels & {"四川省政府办公厅"}  # an issuer of a cited document
    assert {"海拉尔区政府", "呼伦贝尔市海拉尔区人民政府"} <= alts["海拉尔区人民政府"]
    assert alts["河南省人民政府"] == {"河南省政府"}
    assert alts["平煤神马"] == {"中国平煤神马"}


def project_labels(name: str) -> set[str]:
    doc = read_report(SOURCES / f"{name}.txt")
    text = doc.text
    return {p.label for p in find_projects(text, find_enterprises(text, quoted_terms(text)))}


def test_actions_and_quantities_are_no_projects_and_names_are_not_cut():
    # 新建5条主干道路、2台热水锅炉、12公里热力主管网…等项目: quantities of works, not names;
    # 实施奋斗镇1万亩节水灌溉: the town's whole name, though 奋斗 is also a verb
    found = project_labels("hailaer-district_2013_gov-work-report")
    assert not {"新建5条主干道路", "2台热水锅炉", "5条主干道路"} & found
    assert "奋斗镇1万亩节水灌溉" in found
    assert "镇1万亩节水灌溉" not in found
    assert "努力提高项目" not in project_labels("hailaer-district_2014_gov-work-report")
    text = "建立健全招商引资项目跟踪服务机制，推动湛河区智能装备制造产业园项目建设。"
    assert [p.label for p in find_projects(text)] == ["湛河区智能装备制造产业园项目"]
