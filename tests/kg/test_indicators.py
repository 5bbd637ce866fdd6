"""Indicator observations read from the bundled reports: the 主要指标 table and running text.

Expected values are read by hand from the reports in kg/sources.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from policykg.kg.document import Document
from policykg.kg.extract import find_observations, report_year
from policykg.kg.indicators import (
    ObservationRecord,
    canonical_indicator,
    find_text_figures,
    merge_observations,
    parse_indicator_tables,
)
from policykg.kg.read import read_report
from policykg.kg.structure import Structure, parse_structure
from policykg.kg.targets import headline_spans

from .conftest import one

SOURCES = Path(__file__).resolve().parents[2] / "kg" / "sources"
ZHANHE = "zhanhe-district_2023_plan-report"
OTHERS = [
    "henan-province_2026_gov-work-report",
    "sichuan-province_2026_gov-work-report",
    "hailaer-district_2016_gov-work-report",
    "hailaer-district_2019_gov-work-report",
]


@cache
def document(name: str) -> tuple[Document, Structure]:
    """The report as the pipeline reads it, and its outline."""
    doc = read_report(SOURCES / f"{name}.txt")
    return doc, parse_structure(doc)


def text_of(name: str) -> str:
    return document(name)[0].text


def text_figures(name: str) -> list[ObservationRecord]:
    """The running text's figures, read as kg.extract reads them: in the report's own
    sections, its year, the headline target list left to its own reader."""
    doc, structure = document(name)
    year = report_year(structure)
    taken = headline_spans(doc.text)
    return find_text_figures(doc.text, structure.walk(), year, taken=taken)


@cache
def observations(name: str) -> tuple[ObservationRecord, ...]:
    """Every figure of the report, merged, as the pipeline finds them (kg.extract)."""
    doc, structure = document(name)
    return tuple(find_observations(doc.text, structure))


def quote(name: str, span: tuple[int, int]) -> str:
    return text_of(name)[span[0] : span[1]]


# --- the founding report's table ---------------------------------------------------------------


def test_table_rows_parse_across_repeated_headers():
    table = parse_indicator_tables(text_of(ZHANHE))
    labels = {r.label.translate(str.maketrans("（）", "()")) for r in table}  # either width
    numbered = {
        "第一产业", "第二产业", "第三产业", "人均生产总值", "固定资产投资", "社会消费品零售总额",
        "一般公共预算收入", "一般公共预算支出", "每万人口发明专利拥有量", "九年义务教育巩固率",
        "常住人口城镇化率", "煤炭消费总量", "万元生产总值能耗降低率", "营造林面积",
        "空气质量优良天数", "细微颗粒物(PM2.5)平均浓度", "可吸入颗粒物(PM10)平均浓度",
        "城市生活垃圾无害化清运率", "外贸进出口总额", "实际利用境外资金", "城镇新增就业人数",
        "城镇居民人均可支配收入", "农村居民人均可支配收入", "常住人口",
        "参加城镇企业职工基本养老保险人数", "参加城乡居民基本养老保险人数",
    }  # fmt: skip
    assert len(numbered) == 26
    assert labels == numbered | {"生产总值", "规上工业"}
    assert not labels & {"综合类", "投资", "投 资", "科技", "创新发展"}


def test_gdp_2022_actual_growth_against_its_target():
    table = parse_indicator_tables(text_of(ZHANHE))
    actual = one(table, "地区生产总值", 2022, "actual", "growth")
    target = one(table, "地区生产总值", 2022, "target", "growth")
    assert (actual.value, actual.unit, actual.bound) == (Decimal("3.8"), "%", None)
    assert (target.value, target.bound, quote(ZHANHE, target.spans[0])) == (
        Decimal("7.5"),
        "at_least",
        "7.5以上",
    )
    level = one(table, "地区生产总值", 2022, "actual", "level")
    assert (level.value, level.unit) == (Decimal("245.24"), "亿元")


def test_table_cells_give_bounds_texts_and_signs():
    table = parse_indicator_tables(text_of(ZHANHE))
    jobs = one(table, "城镇新增就业人数", 2023, "target", "level")
    assert (jobs.value, jobs.unit, jobs.bound) == (Decimal("8850"), "人", None)
    population = one(table, "常住人口", 2022, "target", "level")
    assert (population.value, population.unit, population.bound) == (Decimal(35), "万人", "about")
    spending = one(table, "一般公共预算支出", 2023, "target", "growth")
    assert spending.value == Decimal("-16.8")
    urban = one(table, "常住人口城镇化率", 2022, "target", "level")
    assert (urban.value, urban.unit, urban.target_text) == (None, None, "完成市定目标")
    income = one(table, "农村居民人均可支配收入", 2022, "target", "growth")
    assert income.target_text == "与经济增长协调同步"
    # "—" cells are no observation: no GDP level target for 2023, no 2022 actual energy level
    assert not [r for r in table if r.indicator == "地区生产总值" and r.measure == "level"
                and r.value_kind == "target"]  # fmt: skip
    assert all(quote(ZHANHE, r.spans[0]) not in ("", "—") for r in table)


# --- the founding report's running text ------------------------------------------------------


def test_figures_in_the_review_are_2022_actuals():
    figures = text_figures(ZHANHE)
    gdp = one(figures, "地区生产总值", 2022, "actual", "growth")
    assert (gdp.value, quote(ZHANHE, gdp.spans[0])) == (Decimal("3.8"), "地区生产总值增长3.8%")
    firms = one(figures, "新增市场主体", 2022, "actual", "level")
    assert (firms.value, firms.unit, firms.label) == (Decimal(5284), "户", "新增市场主体")
    high_tech = one(figures, "新增国家高新技术企业", 2022, "actual", "level")
    assert (high_tech.value, high_tech.unit) == (Decimal(5), "家")


def test_figures_in_the_plan_are_2023_targets():
    figures = observations(ZHANHE)
    high_tech = one(figures, "新增国家高新技术企业", 2023, "target", "level")
    assert (high_tech.value, high_tech.unit, high_tech.bound) == (Decimal(7), "家", "at_least")
    expected = {
        "地区生产总值": "7.5",
        "规模以上工业增加值": "8.5",
        "固定资产投资": "12",
        "社会消费品零售总额": "9",
        "一般公共预算收入": "9",
    }
    for indicator, value in expected.items():
        assert one(figures, indicator, 2023, "target", "growth").value == Decimal(value)
    income = one(figures, "居民人均可支配收入", 2023, "target", "growth")
    assert (income.value, income.target_text, income.label) == (None, "与经济增长同步", "居民收入")


def test_same_fact_in_table_and_text_is_one_observation_with_both_spans():
    merged = observations(ZHANHE)
    gdp = one(merged, "地区生产总值", 2022, "actual", "growth")
    assert [quote(ZHANHE, s) for s in gdp.spans] == ["3.8", "地区生产总值增长3.8%"]
    assert gdp.source == "table" and not gdp.warnings
    target = one(merged, "地区生产总值", 2023, "target", "growth")
    assert [quote(ZHANHE, s) for s in target.spans] == ["7.5", "地区生产总值增长7.5%"]
    # 外贸进出口总额 24290万元 in the table is the text's 2.4亿元
    trade = one(merged, "进出口总额", 2022, "actual", "level")
    assert (trade.value, trade.unit, len(trade.spans)) == (Decimal(24290), "万元", 2)
    assert one(merged, "新增技能人才", 2022, "actual", "level").spans.__len__() == 2


def test_glossary_and_table_lines_give_no_text_figures():
    text = text_of(ZHANHE)
    glossary = text.index("部分名词和专用术语解释")
    table = text.index("主要指标（草案）")
    assert all(r.spans[0][0] < table for r in text_figures(ZHANHE))
    assert glossary > table


# --- the other reports: no table, figures in the text ---------------------------------------


def test_sichuan_2025_results_and_2026_targets():
    name = "sichuan-province_2026_gov-work-report"
    merged = observations(name)
    gdp = one(merged, "地区生产总值", 2025, "actual", "level")
    assert (gdp.value, gdp.unit) == (Decimal(67665), "亿元")
    assert quote(name, gdp.spans[0]) == "地区生产总值67665亿元"
    assert one(merged, "地区生产总值", 2025, "actual", "growth").value == Decimal("5.5")
    assert one(merged, "城镇居民人均可支配收入", 2025, "actual", "growth").value == Decimal("4.4")
    assert one(merged, "农村居民人均可支配收入", 2025, "actual", "growth").value == Decimal("5.6")
    target = one(merged, "地区生产总值", 2026, "target", "growth")
    assert (target.value, target.bound) == (Decimal("5.5"), "about")
    revenue = one(merged, "一般公共预算收入", 2026, "target", "growth")
    assert (revenue.label, revenue.value) == ("地方一般公共预算收入", Decimal(2))


def test_henan_targets_and_no_five_year_totals():
    merged = observations("henan-province_2026_gov-work-report")
    growth = one(merged, "地区生产总值", 2026, "target", "growth")
    assert (growth.label, growth.value, growth.bound) == ("经济增长", Decimal(5), "about")
    jobs = one(merged, "城镇新增就业人数", 2026, "target", "level")
    assert (jobs.value, jobs.unit, jobs.bound) == (Decimal(110), "万人", "at_least")
    assert one(merged, "地区生产总值", 2025, "actual", "growth").value == Decimal("5.6")
    # "过去的五年…生产总值6.66万亿元", "城镇新增就业603.7万人" are five-year figures: left out
    assert not [r for r in merged if r.value in (Decimal("6.66"), Decimal("603.7"))]


@pytest.mark.parametrize(
    "name, value",
    [("gansu-province_2026_gov-work-report", "5.8"),  # 刚刚过去的2025年，…… under no heading
     ("jilin-province_2026_gov-work-report", "5")],  # 一、工作回顾 / 2025年是……之年。我们……
)  # fmt: skip
def test_a_review_paragraph_opened_by_its_year_gives_that_years_results(name, value):
    merged = observations(name)
    assert one(merged, "地区生产总值", 2025, "actual", "growth").value == Decimal(value)
    assert not [r for r in merged if r.period == 2025 and r.value_kind == "target"]


@pytest.mark.parametrize(
    ("name", "indicator", "measure", "value"),
    [("shanxi-province_2026_gov-work-report", "民间投资", "growth", "2.8"),
     ("shanxi-province_2026_gov-work-report", "城镇新增就业人数", "level", "47.3"),
     ("jilin-province_2026_gov-work-report", "粮食产量", "level", "871.6"),
     ("jilin-province_2026_gov-work-report", "社会消费品零售总额", "growth", "3.9"),
     ("fujian-province_2026_gov-work-report", "城镇新增就业人数", "level", "54.58")],
)  # fmt: skip
def test_the_paragraphs_after_a_reviews_opening_year_give_that_years_results(
    name, indicator, measure, value
):
    """Under a review of several years (一、“十四五”时期工作回顾), of no year (一、工作回顾) or
    under headings with no cue (一、一年接着一年干…… / （六）着力办好办实民生实事……), the
    paragraphs after the one opening with its year (刚刚过去的2025年，……; 2025年是……之年)
    state that year's results, up to the next heading of the outermost level."""
    found = one(observations(name), indicator, 2025, "actual", measure)
    assert found.value == Decimal(value)


@pytest.mark.parametrize(
    ("name", "indicator", "measure", "value"),
    [("fujian-province_2026_gov-work-report", "地区生产总值", "growth", "5"),  # 60199.45亿元、增长5%
     ("shanghai-municipality_2026_gov-work-report", "进出口总额", "growth", "5.6"),
     ("shandong-province_2026_gov-work-report", "地区生产总值", "level", "10.3")],  # 增长5.5%、达到
)  # fmt: skip
def test_a_figure_chained_after_a_pause_mark_is_the_same_indicators(
    name, indicator, measure, value
):
    """地区生产总值60199.45亿元、增长5%: the growth after 、 is the output's, as after ，."""
    assert one(observations(name), indicator, 2025, "actual", measure).value == Decimal(value)


def test_a_paragraph_of_this_five_years_gives_no_year():
    """这五年，…… reviews five years, as 五年来 does: yunnan's 新增铁路里程989公里 and
    城镇新增就业261.6万人 are five years' sums, and its 2025 output is the year's own figure."""
    yunnan = observations("yunnan-province_2026_gov-work-report")
    past = [r for r in yunnan if r.period == 2025]
    assert not [r for r in past if r.indicator in ("新增铁路里程", "城镇新增就业人数")]
    assert one(yunnan, "地区生产总值", 2025, "actual", "level").value == Decimal(32765)


def test_research_spending_and_its_share_of_output_by_their_many_names():
    shanghai = observations("shanghai-municipality_2026_gov-work-report")
    share = one(shanghai, "研究与试验发展经费投入强度", 2026, "target", "level")
    assert (share.label, share.value, share.bound) == (
        "全社会研发经费支出相当于全市生产总值的比例", Decimal("4.6"), "about")  # fmt: skip
    assert one(shanghai, "研究与试验发展经费投入强度", 2025, "actual", "level").value == Decimal(
        "4.5"
    )
    jiangsu = observations("jiangsu-province_2026_gov-work-report")
    assert one(jiangsu, "研究与试验发展经费投入强度", 2026, "target", "level").value == Decimal(
        "3.42"
    )
    jilin = observations("jilin-province_2026_gov-work-report")
    spending = one(jilin, "研究与试验发展经费支出", 2026, "target", "growth")
    assert (spending.label, spending.value) == ("全社会研发经费投入", Decimal(10))


def test_high_tech_output_technology_trade_and_private_investment():
    sichuan = observations("sichuan-province_2026_gov-work-report")
    growth = one(sichuan, "高技术制造业增加值", 2025, "actual", "growth")
    assert growth.value == Decimal("12.3")  # the second of 分别增长6.8%、12.3%
    trade = one(observations("henan-province_2026_gov-work-report"), "技术合同成交额", 2026,
                "target", "level")  # fmt: skip
    assert (trade.value, trade.unit) == (Decimal(3000), "亿元")
    shaanxi = observations("shaanxi-province_2026_gov-work-report")
    assert one(shaanxi, "民间投资", 2025, "actual", "growth").value == Decimal("4.6")
    assert one(shaanxi, "民间投资", 2026, "target", "growth").value == Decimal(6)


def test_hailaer_pairs_chains_and_no_average_growth():
    name = "hailaer-district_2019_gov-work-report"
    merged = observations(name)
    gdp = one(merged, "地区生产总值", 2018, "actual", "growth")
    assert gdp.value == Decimal("6.0")
    assert quote(name, gdp.spans[0]).endswith("按可比价计算，同比增长6.0%")
    assert one(merged, "城镇居民人均可支配收入", 2018, "actual", "level").value == 37820
    assert one(merged, "农村居民人均可支配收入", 2018, "actual", "level").value == 28104
    assert one(merged, "农村居民人均可支配收入", 2018, "actual", "growth").value == Decimal("9.4")
    rural = one(merged, "农村居民人均可支配收入", 2019, "target", "growth")
    assert (rural.value, rural.bound) == (Decimal(8), "about")
    older = observations("hailaer-district_2016_gov-work-report")
    assert one(older, "地区生产总值", 2016, "target", "level").value == 309
    assert not [r for r in older if r.value == Decimal("12.1")]  # 年均增长12.1%


@pytest.mark.parametrize("name", [ZHANHE, *OTHERS])
def test_every_observation_names_its_indicator_and_quotes_a_number(name):
    text = text_of(name)
    assert len(observations(name)) >= 5
    for record in observations(name):
        assert re.search(r"[\u4e00-\u9fffA-Za-z]", record.indicator), record
        assert record.spans and all(0 <= s < e <= len(text) for s, e in record.spans)
        assert (record.value is None) == (record.target_text is not None), record
        if record.value is not None:
            assert re.search(r"\d", quote(name, record.spans[0])), record
        assert 2010 <= record.period <= 2030


# --- merging --------------------------------------------------------------------------------


def test_disagreeing_text_keeps_the_table_value_with_a_warning():
    def record(indicator, value, source, span):
        return ObservationRecord(
            indicator, indicator, 2022, None, "actual", "growth", Decimal(value), "%", None,
            None, [span], source=source,
        )  # fmt: skip

    merged = merge_observations(
        [
            record("地区生产总值", "3.9", "text", (50, 60)),
            record("生产总值", "3.8", "table", (1, 4)),
        ]
    )
    assert len(merged) == 1
    assert (merged[0].indicator, merged[0].value, merged[0].spans) == (
        "地区生产总值",
        Decimal("3.8"),
        [(1, 4)],
    )
    assert merged[0].warnings and "3.9" in merged[0].warnings[0]


def test_aliases_meet_in_one_canonical_name():
    assert canonical_indicator("生产总值") == canonical_indicator("地区生产总值") == "地区生产总值"
    assert canonical_indicator("规上工业") == "规模以上工业增加值"
    assert canonical_indicator("经营主体") == "市场主体"
    assert canonical_indicator("城乡居民人均可支配收入") is None  # a pair, not one indicator
