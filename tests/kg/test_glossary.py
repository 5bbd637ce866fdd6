"""The glossary appendix of the bundled reports, read entry by entry."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from policykg.kg.glossary import find_glossary, glossary_terms
from policykg.kg.read import read_report

SOURCES = Path(__file__).resolve().parents[2] / "kg" / "sources"
ZHANHE = "zhanhe-district_2023_plan-report"
SICHUAN = "sichuan-province_2026_gov-work-report"
WITHOUT_GLOSSARY = [
    "henan-province_2026_gov-work-report",
    "hailaer-district_2016_gov-work-report",
    "hailaer-district_2019_gov-work-report",
]

ZHANHE_HEADINGS = [
    "“四保”白名单",
    "三大改造",
    "万人助万企",
    "首席服务员",
    "三个一批",
    "新区引领、园区联动",
    "四纵四横一管网",
    "“三化三制”改革",
    "四个一批",
    "放管服效",
    "“四上”企业",
    "一新区二园区三主导",
    "四张图谱、四个拜访",
    "双减",
    "消防安全专项整治“五清”行动",
    "“三零”创建",
    "“平安法治星”创建",
    "两个确保、十大战略",
    "四城四区",
    "双随机一公开",
    "“四主链”+“三副链”招商体系",
    "社区治理“五个一”",
    "双违",
    "五育并举",
    "“八五”普法",
]


@cache
def text(name: str) -> str:
    return read_report(SOURCES / f"{name}.txt").text


@cache
def glossary(name: str):
    return find_glossary(text(name))


def test_founding_report_has_its_25_entries_in_order():
    entries = glossary(ZHANHE)
    assert [e.number for e in entries] == list(range(1, 26))
    assert [e.heading for e in entries] == ZHANHE_HEADINGS


@pytest.mark.parametrize(
    ("number", "terms"),
    [
        (1, ["四保"]),
        (2, ["三大改造"]),
        (6, ["新区引领", "园区联动"]),
        (7, ["四纵四横一管网"]),
        (8, ["三化三制"]),
        (13, ["四张图谱", "四个拜访"]),
        (15, ["五清"]),
        (16, ["三零"]),
        (18, ["两个确保", "十大战略"]),
        (21, ["四主链", "三副链"]),
        (22, ["五个一"]),
        (25, ["八五普法"]),
    ],
)
def test_founding_report_terms(number, terms):
    assert glossary(ZHANHE)[number - 1].terms == terms


def test_founding_report_definitions_run_over_paragraphs_and_page_breaks():
    entries = glossary(ZHANHE)
    five_stars = entries[16].definition
    assert five_stars.startswith("2022年4月，河南省委决定")
    assert five_stars.endswith(
        "“五星”即产业兴旺星、生态宜居星、平安法治星、文明幸福星、支部过硬星。"
    )
    assert "“四区”即高质量转型发展先行区" in entries[18].definition
    assert entries[1].definition == "指工业企业智能化改造、绿色化改造、企业技术改造。"
    assert entries[24].definition.endswith("并发出通知。")


def test_sichuan_inline_entries():
    entries = glossary(SICHUAN)
    assert [e.number for e in entries] == list(range(1, 21))
    first = entries[0]
    assert (first.heading, first.terms) == ("“两重”", ["两重"])
    assert first.definition == "是指国家重大战略实施和重点领域安全能力建设。"
    assert entries[3].heading == "稳增长“21”条" and entries[3].terms == ["稳增长21条"]
    assert entries[16].terms == ["科技英才领航工程", "双千"]
    assert entries[14].terms == ["六横六纵"]
    assert entries[18].terms == ["医保影像云"]
    assert "“双向揭榜挂帅”的简称" in entries[6].definition


def test_last_entry_stops_before_web_residue():
    last = glossary(SICHUAN)[-1]
    assert last.heading == "“一件事”全链条专项整治"
    assert last.definition.endswith("推进系统治理、源头治理、综合治理。")


@pytest.mark.parametrize("name", WITHOUT_GLOSSARY)
def test_reports_without_glossary_have_no_entries(name):
    assert find_glossary(text(name)) == []


@pytest.mark.parametrize("name", [ZHANHE, SICHUAN])
def test_offsets_slice_to_heading_definition_and_entry(name):
    t = text(name)
    previous_end = 0
    assert len(glossary(name)) >= 5
    for e in glossary(name):
        assert t[e.heading_start : e.heading_end] == e.heading
        assert t[e.definition_start : e.definition_end] == e.definition
        assert e.start <= e.heading_start < e.heading_end <= e.definition_start < e.end
        assert e.start >= previous_end
        assert e.definition and e.heading == e.heading.strip()
        previous_end = e.end


def test_a_numbered_table_without_glossary_title_is_no_glossary():
    table = "主要指标\n1.地区生产总值\t亿元\t245\n2.第一产业\t亿元\t2.7\n3.第二产业\t亿元\t95.7"
    assert find_glossary(table) == []


def test_circled_numbers_under_a_notes_title():
    t = "正文。\n注释：\n①“两新”：是指大规模设备更新和消费品以旧换新。\n②“三保”：保基本民生、保工资、保运转。"
    entries = find_glossary(t)
    assert [(e.number, e.terms, e.definition) for e in entries] == [
        (1, ["两新"], "是指大规模设备更新和消费品以旧换新。"),
        (2, ["三保"], "保基本民生、保工资、保运转。"),
    ]


def test_bracket_headings_and_ideographic_comma_numbers():
    brackets = "名词解释\n【两重】是指国家重大战略实施和重点领域安全能力建设。\n【两新】是指大规模设备更新。"
    assert [(e.number, e.heading) for e in find_glossary(brackets)] == [(1, "两重"), (2, "两新")]
    commas = "术语解释\n1、双减\n指减轻学生作业负担和校外培训负担。\n2、五育并举\n指德育、智育、体育、美育、劳动教育全面发展。"
    entries = find_glossary(commas)
    assert [e.heading for e in entries] == ["双减", "五育并举"]
    assert entries[1].definition == "指德育、智育、体育、美育、劳动教育全面发展。"


def test_numbering_must_not_skip():
    t = "名词解释\n1.“两重”：是指重大战略。\n3.“两新”：是指设备更新。"
    entries = find_glossary(t)
    assert [(e.number, e.definition) for e in entries] == [(1, "是指重大战略。")]


def test_terms_rules():
    assert glossary_terms("“三零”创建") == ["三零"]
    assert glossary_terms("三大改造") == ["三大改造"]
    assert glossary_terms("优化环境“五个专项治理”") == ["五个专项治理"]


@pytest.mark.parametrize(
    "title",
    [
        "有关内容名词注释",
        "名词注释",
        "术语解释",
        "注释",
        "附件：部分名词和专用术语解释",
        "附件2 相关名词解释",
        "报告中部分名词解释",
        "【名词解释】",
        "名词解释：",
    ],
)
def test_every_form_of_glossary_title_opens_the_glossary(title):
    """The Sichuan glossary under each title a report may give it: all 20 entries."""
    retitled = text(SICHUAN).replace("\n名词解释\n", f"\n{title}\n")
    assert retitled != text(SICHUAN)
    entries = find_glossary(retitled)
    assert [e.number for e in entries] == list(range(1, 21))
    assert entries[0].terms == ["两重"]


@pytest.mark.parametrize("line", ["工作说明", "关于计划执行情况的说明", "附件", "政府工作报告"])
def test_other_appendix_lines_open_no_glossary(line):
    assert find_glossary(text(SICHUAN).replace("\n名词解释\n", f"\n{line}\n")) == []
