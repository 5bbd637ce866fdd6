"""The questions the founding report must answer, asked in SPARQL of a store built from it."""

from __future__ import annotations

import re
from decimal import Decimal

import pyoxigraph as ox
import pytest

from policykg.kg.vocab import PREFIXES

PROLOGUE = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())


def select(store, sparql: str, **bindings):
    return [
        {k: v.value for k, v in row.items()} for row in store.select(PROLOGUE + sparql, **bindings)
    ]


def column(rows, name):
    return {row[name] for row in rows if name in row}


def test_four_industries_of_si_zhu_lian_and_their_enterprises(seed_store):
    rows = select(
        seed_store,
        """SELECT ?industry ?enterprise WHERE {
             ?s a pol:Slogan ; rdfs:label "四主链"@zh ; pol:hasComponent ?i .
             ?i a pol:Industry ; rdfs:label ?industry .
             OPTIONAL { ?s pol:chainEnterprise ?e . ?e pol:inIndustry ?j ; rdfs:label ?enterprise .
                        ?i (skos:closeMatch|skos:broader|^skos:broader)* ?j }
           }""",
    )
    assert column(rows, "industry") == {
        "新能源储能（含氢能）产业",
        "电气装备制造业",
        "医药健康产业",
        "尼龙材料制造业",
    }
    assert {"平高集团", "双鹤华利药业"} <= column(rows, "enterprise")


def test_gdp_growth_2022_actual_against_target(seed_store):
    rows = select(
        seed_store,
        """SELECT ?kind ?value ?bound WHERE {
             ?o a pol:Observation ; pol:indicator/rdfs:label "地区生产总值"@zh ;
                pol:period 2022 ; pol:measure pol:GrowthRate ;
                pol:valueKind ?kind ; pol:value ?value .
             OPTIONAL { ?o pol:bound ?bound }
           }""",
    )
    by_kind = {row["kind"].rsplit("#")[-1]: row for row in rows}
    assert Decimal(by_kind["Actual"]["value"]) == Decimal("3.8")
    assert Decimal(by_kind["Target"]["value"]) == Decimal("7.5")
    assert by_kind["Target"]["bound"].endswith("#AtLeast")


def test_gdp_growth_2022_is_one_observation_stated_twice(seed_store):
    rows = select(
        seed_store,
        """SELECT ?o (COUNT(DISTINCT ?span) AS ?spans) WHERE {
             ?o pol:indicator/rdfs:label "地区生产总值"@zh ; pol:period 2022 ;
                pol:valueKind pol:Actual ; pol:measure pol:GrowthRate ; prov:wasDerivedFrom ?span .
           } GROUP BY ?o""",
    )
    assert len(rows) == 1 and int(rows[0]["spans"]) >= 2


def test_2023_targets(seed_store):
    rows = select(
        seed_store,
        """SELECT ?indicator ?value ?text WHERE {
             ?o pol:valueKind pol:Target ; pol:period 2023 ;
                pol:measure pol:GrowthRate ; pol:indicator/rdfs:label ?indicator .
             OPTIONAL { ?o pol:value ?value } OPTIONAL { ?o pol:targetText ?text }
           }""",
    )
    growth = {r["indicator"]: Decimal(r["value"]) for r in rows if "value" in r}
    assert growth["地区生产总值"] == Decimal("7.5")
    assert growth["固定资产投资"] == Decimal("12")
    assert growth["社会消费品零售总额"] == Decimal("9")
    assert growth["一般公共预算收入"] == Decimal("9")
    assert any("规模以上工业" in name and v == Decimal("8.5") for name, v in growth.items())
    assert "与经济增长同步" in column(rows, "text")


@pytest.mark.parametrize(
    ("enterprise", "project"),
    [("双鹤华利药业", "双鹤华利药业BFS生产线"), ("平高集团", "平高集团智慧新能源产业基地（一期）")],
)
def test_projects_undertaken_by(seed_store, enterprise, project):
    rows = select(
        seed_store,
        """SELECT ?project ?name WHERE {
             ?p a pol:Project ; pol:undertakenBy/rdfs:label ?name ; rdfs:label ?project }""",
        name=ox.Literal(enterprise, language="zh"),
    )
    assert project in column(rows, "project")


def test_seventeen_policy_documents_cited(seed_store):
    rows = select(
        seed_store,
        "SELECT DISTINCT ?d ?title WHERE { ?r a pol:Report ; dcterms:references ?d . "
        "?d a pol:PolicyDocument ; rdfs:label ?title }",
    )
    assert len(rows) == 17
    assert "湛河区2022年“万人助万企”活动重点目标任务分工方案" in column(rows, "title")


def test_glossary_entries_explain_slogans_with_parts(seed_store):
    entries = select(
        seed_store,
        "SELECT ?e ?n ?label ?def WHERE { ?e a pol:GlossaryEntry ; pol:number ?n ; rdfs:label ?label ; "
        "skos:definition ?def }",
    )
    assert len(entries) == 25
    explained = select(
        seed_store,
        """SELECT ?entry ?slogan (COUNT(DISTINCT ?part) AS ?parts) ?numeral WHERE {
             ?e rdfs:label ?entry ; pol:explains ?s . ?s a pol:Slogan ; rdfs:label ?slogan .
             OPTIONAL { ?s pol:numeral ?numeral } OPTIONAL { ?s pol:hasComponent ?part }
           } GROUP BY ?entry ?slogan ?numeral""",
    )
    parts = {r["slogan"]: int(r["parts"]) for r in explained}
    assert parts["四主链"] == 4 and parts["三副链"] == 3
    assert parts["十大战略"] == 10 and parts["两个确保"] == 2
    assert parts["四纵四横一管网"] == 3
    assert parts["三个一批"] == 3


def test_nested_parts_reach_roads(seed_store):
    rows = select(
        seed_store,
        """SELECT ?road WHERE { ?s rdfs:label "四纵四横一管网"@zh ; pol:hasPart ?r .
             ?r a pol:Place ; rdfs:label ?road }""",
    )
    assert {"嵩山路", "长江路", "开源路高速引线"} <= column(rows, "road")


def test_every_span_quotes_the_report_text(seed_store):
    rows = select(
        seed_store,
        "SELECT ?text WHERE { ?r a pol:Report ; pol:text ?text }",
    )
    text = rows[0]["text"]
    spans = select(
        seed_store, "SELECT ?q ?s ?e WHERE { ?x pol:quote ?q ; pol:start ?s ; pol:end ?e }"
    )
    assert len(spans) > 500
    assert all(text[int(s["s"]) : int(s["e"])] == s["q"] for s in spans)


def test_labels_carry_no_page_break_debris(corpus_store_dir):
    from policykg.kg.store import open_store

    store = open_store(corpus_store_dir)
    labels = select(store, "SELECT DISTINCT ?l WHERE { ?x rdfs:label ?l }")
    bad = [r["l"] for r in labels if any(c in r["l"] for c in "\n\t\r") or r["l"] != r["l"].strip()]
    assert bad == []


def test_every_numbered_slogan_decomposes_to_its_numeral(corpus_store_dir):
    from policykg.kg.store import open_store

    store = open_store(corpus_store_dir)
    rows = select(
        store,
        """SELECT ?label ?numeral (COUNT(DISTINCT ?p) AS ?n) WHERE {
             ?s a pol:Slogan ; rdfs:label ?label ; pol:numeral ?numeral ; pol:hasComponent ?p }
           GROUP BY ?s ?label ?numeral""",
    )  # per slogan: two reports' 三大行动 are two slogans with three parts each
    assert rows, "some slogans decompose"
    wrong = [r for r in rows if int(r["n"]) != int(r["numeral"]) and not _is_compound(r["label"])]
    assert wrong == []


def _is_compound(label: str) -> bool:
    """四纵四横一管网 has three parts (四纵, 四横, 一管网), not four: its numeral is its first."""
    import re

    return len(re.findall(r"[一二两三四五六七八九十]", label)) > 1


def test_a_chain_reaches_only_enterprises_of_its_own_report(corpus_store_dir):
    from policykg.kg.store import open_store

    rows = select(
        open_store(corpus_store_dir),
        'SELECT ?name WHERE { ?s rdfs:label "四主链"@zh ; pol:chainEnterprise/rdfs:label ?name }',
    )
    assert {"平高集团", "双鹤华利药业", "姚电公司"} <= column(rows, "name")
    assert "比亚迪" not in column(rows, "name")  # a Henan enterprise, named in another report


def test_places_named_in_the_text_with_codes_parents_and_mentions(seed_store):
    rows = select(
        seed_store,
        """SELECT ?name ?code ?parent (COUNT(DISTINCT ?span) AS ?mentions) WHERE {
             ?p a pol:Place ; rdfs:label ?name ; pol:adminCode ?code .
             OPTIONAL { ?p pol:within/rdfs:label ?parent }
             OPTIONAL { ?p prov:wasDerivedFrom ?span }
           } GROUP BY ?name ?code ?parent""",
    )
    places = {r["name"]: (r["code"], r.get("parent"), int(r["mentions"])) for r in rows}
    assert places["湛河区"][:2] == ("410411", "平顶山市")
    assert places["平顶山市"][:2] == ("410400", "河南省")
    assert places["河南省"][:2] == ("410000", "全国")
    assert places["北京市"] == ("110000", "全国", 1)
    assert places["青岛市"] == ("370200", "山东省", 1)
    assert all(places[n][2] > 0 for n in ("湛河区", "平顶山市", "河南省"))


def test_policies_named_by_slogans_and_documents_about_them(seed_store):
    rows = select(
        seed_store,
        """SELECT ?policy ?slogan ?document WHERE { ?p a pol:Policy ; rdfs:label ?policy .
             OPTIONAL { ?p pol:namedBy/rdfs:label ?slogan }
             OPTIONAL { ?p pol:document/rdfs:label ?document } }""",
    )
    named = {(r["policy"], r["slogan"]) for r in rows if "slogan" in r}
    assert ("放管服效改革", "放管服效") in named and ("双减政策", "双减") in named
    documents = {r["document"] for r in rows if r["policy"] == "万人助万企活动" and "document" in r}
    assert documents == {
        "关于建立完善“万人助万企”活动包联服务机制的通知",
        "湛河区2022年“万人助万企”活动重点目标任务分工方案",
    }


# The founding report's main-indicator table, read by hand: indicator → cells of
# (2022 target level, 2022 target growth, 2022 actual level, 2022 actual growth,
#  2023 target level, 2023 target growth); "" is an empty cell (—); the unit of levels.
TABLE = {
    "地区生产总值": ("亿元", "", "7.5以上", "245.24", "3.8", "", "7.5"),
    "第一产业增加值": ("亿元", "", "3", "2.7", "1.7", "", ""),
    "第二产业增加值": ("亿元", "", "7", "95.71", "6", "", ""),
    "规模以上工业增加值": ("亿元", "", "8.5以上", "53.5", "9.5", "", "8.5"),
    "第三产业增加值": ("亿元", "", "9", "146.83", "2.4", "", ""),
    "人均地区生产总值": ("元", "", "7左右", "", "", "", "7左右"),
    "固定资产投资": ("亿元", "", "10以上", "68.7", "19.5", "", "12"),
    "社会消费品零售总额": ("亿元", "", "8以上", "93.9", "2", "", "9"),
    "一般公共预算收入": ("亿元", "", "9", "9.9", "9.1", "", "9"),
    "一般公共预算支出": ("亿元", "", "10.85", "15.63", "31.4", "", "-16.8"),
    "每万人口发明专利拥有量": ("件", "4", "", "28.97", "", "", ""),
    "九年义务教育巩固率": ("%", "98", "", "98.2", "", "98.5", ""),
    "常住人口城镇化率": ("%", "完成市定目标", "", "81.06", "", "", "1.5"),
    "煤炭消费总量": ("万吨", "完成市定目标", "", "457", "", "完成市定目标", ""),
    "万元生产总值能耗降低率": ("%", "完成市定目标", "", "", "6.34", "", "完成市定目标"),
    "营造林面积": ("亩", "完成市定目标", "", "180", "", "完成市定目标", ""),
    "空气质量优良天数": ("天", "完成市定目标", "", "243", "-9.9", "完成市定目标", ""),
    "细颗粒物(PM2.5)平均浓度": ("微克/立方米", "完成市定目标", "", "49", "8.9", "完成市定目标", ""),
    "可吸入颗粒物(PM10)平均浓度": (
        "微克/立方米",
        "完成市定目标",
        "",
        "87",
        "7.4",
        "完成市定目标",
        "",
    ),
    "城市生活垃圾无害化清运率": ("%", "100", "", "100", "", "100", ""),
    "进出口总额": ("万元", "基本持平", "", "24290", "", "基本持平", ""),
    "实际利用境外资金": ("万美元", "基本持平", "", "5966", "", "基本持平", ""),
    "城镇新增就业人数": ("人", "完成市定目标", "", "9770", "", "8850", ""),
    "城镇居民人均可支配收入": (
        "元",
        "",
        "与经济增长协调同步",
        "42390",
        "3.1",
        "",
        "与经济增长同步",
    ),
    "农村居民人均可支配收入": (
        "元",
        "",
        "与经济增长协调同步",
        "23847",
        "5.7",
        "",
        "与经济增长同步",
    ),
    "常住人口": ("万人", "35左右", "", "33.95", "", "", ""),
    "参加城镇企业职工基本养老保险人数": ("万人", "2.19", "", "2.32", "", "2.59", ""),
    "参加城乡居民基本养老保险人数": ("万人", "完成市定目标", "", "6.26", "", "6.18", ""),
}
CELLS = [
    ("2022", "Target", "Level"),
    ("2022", "Target", "GrowthRate"),
    ("2022", "Actual", "Level"),
    ("2022", "Actual", "GrowthRate"),
    ("2023", "Target", "Level"),
    ("2023", "Target", "GrowthRate"),
]
BOUND_WORDS = {"以上": "AtLeast", "左右": "About", "以下": "AtMost"}


def expected_cell(cell: str, unit: str, measure: str) -> tuple:
    """(value, unit, bound, targetText) as the graph should hold a table cell."""
    bound = next((b for w, b in BOUND_WORDS.items() if cell.endswith(w)), None)
    number = cell.removesuffix("以上").removesuffix("左右")
    if not re.fullmatch(r"-?[\d.]+", number):
        return (None, None, None, cell)
    return (Decimal(number), unit if measure == "Level" else "%", bound, None)


def test_every_cell_of_the_26_table_rows(seed_store):
    rows = select(
        seed_store,
        """SELECT ?name ?period ?kind ?measure ?value ?unit ?bound ?text WHERE {
             ?o a pol:Observation ; pol:indicator/rdfs:label ?name ; pol:period ?period ;
                pol:valueKind ?kind ; pol:measure ?measure .
             OPTIONAL { ?o pol:value ?value } OPTIONAL { ?o pol:unit ?unit }
             OPTIONAL { ?o pol:bound ?bound } OPTIONAL { ?o pol:targetText ?text } }""",
    )
    graph = {
        (r["name"], r["period"], r["kind"].split("#")[1], r["measure"].split("#")[1]): (
            Decimal(r["value"]) if "value" in r else None,
            r.get("unit"),
            r["bound"].split("#")[1] if "bound" in r else None,
            r.get("text"),
        )
        for r in rows
    }
    assert len(TABLE) == 28  # 26 numbered rows, 规上工业 and the 生产总值 total
    for name, (unit, *cells) in TABLE.items():
        for (period, kind, measure), cell in zip(CELLS, cells, strict=True):
            key = (name, period, kind, measure)
            if cell:
                assert graph.get(key) == expected_cell(cell, unit, measure), key
            else:
                assert key not in graph, key


def test_observation_labels_tell_level_from_growth(seed_store):
    rows = select(
        seed_store,
        """SELECT ?label WHERE { ?o pol:indicator/rdfs:label "地区生产总值"@zh ;
             pol:period 2022 ; pol:valueKind pol:Actual ; rdfs:label ?label }""",
    )
    assert column(rows, "label") == {"地区生产总值 2022年实际", "地区生产总值 2022年实际增速"}


def test_a_document_two_bodies_forwarded_has_no_creator(seed_store):
    """中共中央、国务院转发了《中央宣传部、司法部关于…》: forwarded, not issued (issue 7)."""
    rows = select(
        seed_store,
        """SELECT ?body WHERE { ?d a pol:PolicyDocument ; rdfs:label ?title ;
             dcterms:creator/rdfs:label ?body . FILTER(CONTAINS(?title, "法治宣传教育")) }""",
    )
    assert column(rows, "body") == set()


def test_reports_have_labels_that_tell_them_apart(corpus_store_dir):
    from policykg.kg.store import open_store

    rows = select(
        open_store(corpus_store_dir),
        "SELECT ?label ?title WHERE { ?r a pol:Report ; rdfs:label ?label ; dcterms:title ?title }",
    )
    assert len({r["label"] for r in rows}) == len(rows) == 34
    assert "2016年海拉尔区政府工作报告" in column(rows, "label")
    assert "政府工作报告" in column(rows, "title")  # the printed title is kept as printed


def test_relations_carry_their_evidence(seed_store):
    rows = select(
        seed_store,
        """SELECT ?subject ?object ?quote WHERE {
             ?a a pol:Assertion ; pol:assertedProperty pol:inIndustry ;
                pol:assertedSubject/rdfs:label ?subject ; pol:assertedObject/rdfs:label ?object ;
                prov:wasDerivedFrom/pol:quote ?quote }""",
    )
    pinggao = [r for r in rows if r["subject"] == "平高集团" and r["object"] == "装备制造"]
    assert pinggao and all("平高集团" in r["quote"] and "装备制造" in r["quote"] for r in pinggao)


def test_every_link_between_things_read_from_the_text_has_an_assertion(seed_store):
    unexplained = select(
        seed_store,
        """SELECT ?s ?p ?o WHERE {
             GRAPH ?g { ?s ?p ?o }
             FILTER(STRSTARTS(STR(?g), "https://w3id.org/policykg/id/graph/report/"))
             VALUES ?p { pol:hasComponent pol:inIndustry pol:undertakenBy pol:leadingEnterprise
                         pol:namedBy pol:document }
             FILTER NOT EXISTS { ?a pol:assertedSubject ?s ; pol:assertedProperty ?p ;
                                   pol:assertedObject ?o ; prov:wasDerivedFrom ?span }
           }""",
    )
    assert unexplained == []


def test_leaders_lead_chains_of_industries_not_every_slogan_nearby(seed_store):
    rows = select(
        seed_store,
        'SELECT ?of WHERE { ?x pol:leadingEnterprise/rdfs:label "平高集团"@zh ; rdfs:label ?of }',
    )
    assert {"四主链", "三副链", "湛河区"} <= column(rows, "of")
    assert "四个拜访" not in column(rows, "of")
