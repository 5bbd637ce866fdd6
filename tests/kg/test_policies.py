"""Named policies and cited documents: what is no policy stays out."""

from __future__ import annotations

from pathlib import Path

from policykg.kg.policies import find_policies, find_policy_documents
from policykg.kg.read import read_report

SOURCES = Path(__file__).resolve().parents[2] / "kg" / "sources"


def labels(name: str) -> set[str]:
    return {p.label for p in find_policies(read_report(SOURCES / f"{name}.txt").text)}


def test_founding_report_policies():
    found = labels("zhanhe-district_2023_plan-report")
    assert {"万人助万企活动", "放管服效改革", "惠企纾困政策", "就业优先政策"} <= found


def test_no_policy_from_what_is_to_be_avoided_or_from_function_words():
    assert "半拉子工程" not in labels(
        "hailaer-district_2019_gov-work-report"
    )  # 防止出现“半拉子”工程
    henan = labels("henan-province_2026_gov-work-report")
    assert not any(label.startswith("的") for label in henan)  # 中央出台的一揽子增量政策
    assert "15条政策" not in labels("sichuan-province_2026_gov-work-report")


def test_unquoted_policies_are_named_not_described():
    found = [p.label for p in find_policies("落实落细就业优先政策，落实既定政策，落实人才政策。")]
    assert found == ["就业优先政策"]  # 落细 governs it; 既定 and 人才 describe, not name
    assert "国家政策" not in labels("hailaer-district_2012_gov-work-report")
    assert "国家宏观调控政策" not in labels("qinghai-province_2026_gov-work-report")
    assert "就业优先政策" in labels("zhanhe-district_2023_plan-report")


CREATORS = """
PREFIX pol: <https://w3id.org/policykg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?title ?property ?value ?quote WHERE { GRAPH ?g {
  ?doc a pol:PolicyDocument ; dcterms:title ?title ; ?property ?value .
  VALUES ?property { dcterms:creator dcterms:issued }
  OPTIONAL { ?a pol:assertedSubject ?doc ; pol:assertedProperty ?property ;
                pol:assertedObject ?value ; prov:wasDerivedFrom/pol:quote ?quote }
} }
"""


def test_creators_and_issue_dates_carry_their_evidence(report_graph):
    rows = [
        (r["title"].value, r["property"].value.rsplit("/", 1)[-1], r["quote"])
        for r in report_graph("zhanhe-district_2023_plan-report").query(CREATORS)
    ]
    assert rows, "the founding report names who issued two of its documents, and when"
    assert all(quote is not None for *_, quote in rows)
    henan = [q.value for t, p, q in rows if t.startswith("河南省高效统筹")]
    assert len(henan) == 2 and all("2022年5月25日" in q and "印发" in q for q in henan)
    # 2021年6月16日，中共中央、国务院转发了《中央宣传部、司法部关于…》: forwarded, not issued
    assert not [t for t, *_ in rows if t.startswith("中央宣传部、司法部")]


def test_films_shows_and_books_are_no_policy_documents():
    text = (
        "电影《哪吒2》、微短剧《家里家外》热播，舞剧《天工开物》巡演，出版《现代汉语词典》。"
        "省政府办公厅印发《关于推动经济回升向好的若干政策措施》，施行《民营经济促进法》，"
        "制定《湛河区引进项目工作考评办法（试行）》，下发《2024年重点工作清单》。"
    )
    assert [d.title for d in find_policy_documents(text)] == [
        "关于推动经济回升向好的若干政策措施",
        "民营经济促进法",
        "湛河区引进项目工作考评办法（试行）",
        "2024年重点工作清单",
    ]


def test_a_title_without_a_kind_is_a_document_when_issued_or_numbered():
    text = "国务院印发《新时代的东北全面振兴》。见《营商环境再优化》（国发〔2024〕5号）。"
    assert [d.title for d in find_policy_documents(text)] == [
        "新时代的东北全面振兴",
        "营商环境再优化",
    ]
