"""The queries' own logic on the hand-written mini.trig: variants, depth, flags, label or IRI."""

from __future__ import annotations

import pytest

from policykg.queries import get_query

ID = "https://w3id.org/policykg/id/"


def run(store, name: str, **params) -> list[dict[str, str]]:
    return [{k: v.value for k, v in row.items()} for row in get_query(name).run(store, **params)]


def test_enterprises_filed_under_a_variant_name_count_for_the_chain(mini_store):
    rows = run(mini_store, "chain-enterprises", chain="四主链")
    by_enterprise = {r.get("enterpriseLabel"): r["industryLabel"] for r in rows}
    assert by_enterprise["平高集团"] == "电气装备制造业"  # filed under 装备制造 (closeMatch)
    assert by_enterprise["双鹤华利药业"] == "医药健康产业"  # filed under 生物医药 (closeMatch)
    assert "尼龙材料制造业" in {r["industryLabel"] for r in rows if "enterprise" not in r}


def test_narrower_industries_count_for_the_broader_one(mini_store):
    rows = run(mini_store, "industry-profile", industry="新能源")
    items = {(r["relation"], r.get("itemLabel"), r.get("viaLabel")) for r in rows}
    assert ("enterprise", "姚电公司", "储能") in items
    assert ("project", "平高集团智慧新能源产业基地（一期）", "新能源") in items


@pytest.mark.parametrize("chain", ["四主链", ID + "slogan/si-zhu-lian-0c35204a"])
def test_a_term_is_given_by_label_or_by_iri(mini_store, chain):
    assert len(run(mini_store, "chain-enterprises", chain=chain)) == 5


def test_another_name_finds_the_enterprise(mini_store):
    rows = run(mini_store, "enterprise-profile", enterprise="姚电")
    assert {r["companyLabel"] for r in rows} == {"姚电公司"}


def test_only_comparable_targets_are_flagged(mini_store):
    rows = {
        r["indicatorLabel"] + r["measure"][-5:]: r
        for r in run(mini_store, "plan-vs-actual", year="2022")
    }
    assert rows["地区生产总值hRate"]["missed"] == "true"
    assert "missed" not in rows["常住人口Level"]  # 35左右: an "about" target is not judged
    assert "missed" not in rows["城镇新增就业人数Level"]  # 完成市定目标: qualitative
    assert "target" not in rows["地区生产总值Level"]  # an actual without a target still shows


@pytest.mark.parametrize(
    "report",
    [
        "zhanhe-district_2023_plan-report",
        "zhanhe-district-2023-plan-report",
        ID + "report/zhanhe-district-2023-plan-report",
        "关于湛河区2022年国民经济和社会发展计划执行情况与2023年国民经济和社会发展计划（草案）的报告",
    ],
)
def test_the_outline_is_in_reading_order_whatever_names_the_report(mini_store, report):
    rows = run(mini_store, "report-outline", report=report)
    assert [r["number"] for r in rows] == ["一", "（一）", "（二）", "二", "四", "（一）", "（三）"]
    assert [r["depth"] for r in rows] == ["1", "2", "2", "1", "1", "2", "2"]


def test_mentions_carry_quote_offsets_and_section(mini_store):
    rows = run(mini_store, "term-mentions", term="四纵四横一管网")
    located = [(r["quote"], r["start"], r.get("sectionNumber")) for r in rows]
    assert located == [("四纵四横一管网", "2373", "（二）"), ("四纵四横一管网", "15300", None)]


def test_co_mentions_count_shared_sentences(mini_store):
    rows = run(mini_store, "co-mentions", term="平高电气")
    shared = {r["otherLabel"]: int(r["sentences"]) for r in rows}
    assert shared == {"平高集团": 1, "神马博列麦": 1, "双鹤华利药业": 1}


def test_a_chain_reaches_only_the_enterprises_of_its_own_report(mini_store):
    # Henan's report files 比亚迪 and 平高 (the company 湛河's report calls 平高集团) under 储能,
    # a variant of 湛河's chain industry 新能源储能: neither joins 湛河's 四主链 through it
    rows = run(mini_store, "chain-enterprises", chain="四主链")
    assert "比亚迪" not in {r.get("enterpriseLabel") for r in rows}
    assert {
        r["industryLabel"] for r in rows if r.get("enterpriseLabel") in ("平高", "平高集团")
    } == {"电气装备制造业"}
    assert {r["report"] for r in rows} == {ID + "report/zhanhe-district-2023-plan-report"}
