"""kg.reason.materialise over the zhanhe graph: inverses, transitive parts, closeMatch, chains."""

from __future__ import annotations

import pyoxigraph as ox

from policykg.kg.reason import materialise

from .conftest import INFERRED_GRAPH, ONTOLOGY_GRAPH, REPORT_GRAPH

ID = "https://w3id.org/policykg/id/"
POL = "https://w3id.org/policykg/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"


def inferred(store: ox.Store, subject: str, predicate: str) -> set[str]:
    quads = store.quads_for_pattern(
        ox.NamedNode(ID + subject), ox.NamedNode(predicate), None, ox.NamedNode(INFERRED_GRAPH)
    )
    return {q.object.value.removeprefix(ID) for q in quads}


def test_parts_of_nested_slogans_at_any_depth(zhanhe_store):
    materialise(zhanhe_store, ONTOLOGY_GRAPH, None, INFERRED_GRAPH)
    parts = inferred(
        zhanhe_store,
        "slogan/si-zong-si-heng-yi-guan-wang/zhanhe-district-2023-plan-report",
        POL + "hasPart",
    )
    assert {
        "slogan/si-zong/zhanhe-district-2023-plan-report",
        "place/zhan-he-qu-song-shan-lu",
        "place/zhan-he-qu-yun-he-lu",
        "concept/wu-shui-zhu-guan-wang/zhanhe-district-2023-plan-report",
    } <= parts
    assert len(parts) == 3 + 4 + 4 + 1


def test_inverses(zhanhe_store):
    materialise(zhanhe_store, ONTOLOGY_GRAPH, None, INFERRED_GRAPH)
    assert inferred(zhanhe_store, "place/zhan-he-qu-song-shan-lu", POL + "isComponentOf") == {
        "slogan/si-zong/zhanhe-district-2023-plan-report"
    }
    assert inferred(zhanhe_store, "enterprise/shuang-he-hua-li-yao-ye", POL + "undertakes") == {
        "project/shuang-he-hua-li-yao-ye-bfs-sheng-chan-xian"
    }
    # inIndustry splits by kind: enterprises to hasEnterprise, projects to hasProject
    assert inferred(zhanhe_store, "industry/sheng-wu-yi-yao", POL + "hasEnterprise") == {
        "enterprise/shuang-he-hua-li-yao-ye"
    }
    assert inferred(zhanhe_store, "industry/sheng-wu-yi-yao", POL + "hasProject") == {
        "project/shuang-he-hua-li-yao-ye-bfs-sheng-chan-xian"
    }


def test_a_shared_term_lists_each_report_s_version(zhanhe_store):
    materialise(zhanhe_store, ONTOLOGY_GRAPH, None, INFERRED_GRAPH)
    assert inferred(zhanhe_store, "slogan/si-zhu-lian", POL + "hasVersion") == {
        "slogan/si-zhu-lian/zhanhe-district-2023-plan-report"
    }


def test_close_match_is_symmetric_and_broader_transitive(zhanhe_store):
    materialise(zhanhe_store, ONTOLOGY_GRAPH, None, INFERRED_GRAPH)
    assert inferred(zhanhe_store, "industry/yi-yao-jian-kang-chan-ye", SKOS + "closeMatch") == {
        "industry/sheng-wu-yi-yao"
    }
    assert inferred(zhanhe_store, "industry/chu-neng", SKOS + "broaderTransitive") == {
        "industry/xin-neng-yuan"
    }
    assert inferred(zhanhe_store, "industry/xin-neng-yuan", SKOS + "narrower") == {
        "industry/chu-neng"
    }


def test_chain_enterprises_through_variant_names_and_narrower_industries(zhanhe_store):
    materialise(zhanhe_store, ONTOLOGY_GRAPH, None, INFERRED_GRAPH)
    # 四主链 → 电气装备制造业 ~ 装备制造 ← 平高集团; → 医药健康产业 ~ 生物医药 ← 双鹤华利药业
    # (closeMatch stated the other way); → 新能源储能产业 ~ 新能源 ⊃ 储能 ← 姚电公司
    assert inferred(
        zhanhe_store, "slogan/si-zhu-lian/zhanhe-district-2023-plan-report", POL + "chainEnterprise"
    ) == {
        "enterprise/ping-gao-ji-tuan",
        "enterprise/shuang-he-hua-li-yao-ye",
        "enterprise/yao-dian-gong-si",
    }


def test_a_second_run_adds_nothing_and_nothing_is_copied_from_the_data(zhanhe_store):
    first = materialise(zhanhe_store, ONTOLOGY_GRAPH, [REPORT_GRAPH], INFERRED_GRAPH)
    assert first > 0
    assert materialise(zhanhe_store, ONTOLOGY_GRAPH, [REPORT_GRAPH], INFERRED_GRAPH) == 0
    report = ox.NamedNode(REPORT_GRAPH)
    for quad in zhanhe_store.quads_for_pattern(None, None, None, ox.NamedNode(INFERRED_GRAPH)):
        assert not list(
            zhanhe_store.quads_for_pattern(quad.subject, quad.predicate, quad.object, report)
        )


def test_spans_and_types_are_left_alone(zhanhe_store):
    materialise(zhanhe_store, ONTOLOGY_GRAPH, None, INFERRED_GRAPH)
    predicates = {
        q.predicate.value
        for q in zhanhe_store.quads_for_pattern(None, None, None, ox.NamedNode(INFERRED_GRAPH))
    }
    assert "http://www.w3.org/1999/02/22-rdf-syntax-ns#type" not in predicates
    assert (
        not {POL + "start", POL + "end", POL + "quote", "http://www.w3.org/ns/oa#start"}
        & predicates
    )
