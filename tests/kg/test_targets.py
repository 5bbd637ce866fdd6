"""Targets and results through the real pipeline: headline lists, the 海拉尔区 2012–2019 series,
and the attainment of targets across reports. Every expected figure is read by hand from the
report text in kg/sources.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from policykg.kg.extract import find_observations
from policykg.kg.indicators import ObservationRecord, normalise
from policykg.kg.read import read_report
from policykg.kg.structure import parse_structure

SOURCES = Path(__file__).resolve().parents[2] / "kg" / "sources"
D = Decimal


@cache
def observations(name: str) -> tuple[ObservationRecord, ...]:
    doc = read_report(SOURCES / f"{name}.txt")
    return tuple(find_observations(doc.text, parse_structure(doc)))


def headline(name: str) -> set[tuple]:
    """(indicator, measure, value or (lower, upper) or words, bound) of every headline target."""
    return {
        (
            r.indicator,
            r.measure,
            r.value if r.value is not None else (r.lower, r.upper) if r.lower else r.target_text,
            r.bound,
        )
        for r in observations(name)
        if r.headline
    }


G, L = "growth", "level"
GDP, REV, RETAIL, INV = "地区生产总值", "一般公共预算收入", "社会消费品零售总额", "固定资产投资"
JOBS, UNEMP, CPI, INCOME = (
    "城镇新增就业人数",
    "城镇调查失业率",
    "居民消费价格指数",
    "居民人均可支配收入",
)
URBAN, RURAL = "城镇居民人均可支配收入", "农村居民人均可支配收入"
SYNC = "增长与经济增长同步"

HEADLINES = {
    # 全省地区生产总值增长5%—5.5%…社会消费品零售总额增长4%左右，进出口总额增长6%左右，一般公共预算收入
    # 增长2%左右，城镇/农村常住居民人均可支配收入增速高于…，城镇新增就业68万人左右，城镇调查失业率
    # 5.5%左右，居民消费价格指数上涨2%左右 (全员劳动生产率增速高于…, 投资占比 are not figures)
    "anhui-province_2026_gov-work-report": {
        (GDP, G, (D(5), D("5.5")), None), (RETAIL, G, D(4), "about"),
        ("进出口总额", G, D(6), "about"), (REV, G, D(2), "about"),
        (URBAN, G, "增速高于全国平均水平", None),
        (RURAL, G, "增速高于全国平均水平、高于城镇居民收入增速", None),
        (JOBS, L, D(68), "about"), (UNEMP, L, D("5.5"), "about"), (CPI, G, D(2), "about"),
    },
    "beijing-municipality_2026_gov-work-report": {
        (GDP, G, D(5), "about"), (REV, G, D(4), "about"), (UNEMP, L, D(5), "at_most"),
        (CPI, G, D(2), "about"), (INCOME, G, "增长和经济增长同步", None),
        ("细颗粒物年均浓度", L, D(29), "about"),
    },
    "chongqing-municipality_2026_gov-work-report": {
        (GDP, G, D(5), "at_least"), ("规模以上工业增加值", G, D(6), None), (INV, G, D(3), None),
        (RETAIL, G, D(4), "at_least"), ("进出口总额", G, D(5), None),
        (JOBS, L, D(65), "at_least"), (REV, G, D(3), None), (INCOME, G, SYNC, None),
        ("单位地区生产总值二氧化碳排放", G, D("-3.8"), None),
    },
    "gansu-province_2026_gov-work-report": {
        (GDP, G, D("5.5"), "about"), ("第一产业增加值", G, D(6), "about"),
        ("第二产业增加值", G, D(6), "about"), ("第三产业增加值", G, D("5.5"), "about"),
        ("规模以上工业增加值", G, D(8), "about"), (INV, G, D("4.5"), "about"),
        (RETAIL, G, D(4), "about"), ("进出口总额", G, D(10), "at_least"),
        (REV, G, D("5.5"), "about"), (UNEMP, L, D("5.5"), "about"),
        (URBAN, G, D(5), "about"), (RURAL, G, D("6.5"), "about"),
        ("常住人口城镇化率", G, D(1), "at_least"), (CPI, G, D(2), None),
        ("粮食产量", L, D(1300), "at_least"),
    },
    # 一二三产增加值分别增长3.5%左右、6%左右、5%左右; 城镇和农村常住居民…分别增长4%左右和6%左右
    "guizhou-province_2026_gov-work-report": {
        (GDP, G, D(5), "about"), ("第一产业增加值", G, D("3.5"), "about"),
        ("第二产业增加值", G, D(6), "about"), ("第三产业增加值", G, D(5), "about"),
        ("规模以上工业增加值", G, D("7.5"), "about"), (INV, G, D(3), "about"),
        (RETAIL, G, D(4), "about"), (REV, G, D(2), "about"), (URBAN, G, D(4), "about"),
        (RURAL, G, D(6), "about"), (JOBS, L, D(60), "about"), (UNEMP, L, D("5.5"), "about"),
        (CPI, G, D(2), "about"), ("常住人口城镇化率", L, D(59), "about"),
    },
    "shanxi-province_2026_gov-work-report": {
        (GDP, G, (D("4.5"), D(5)), None), (INV, G, D(5), None), (RETAIL, G, D(5), None),
        ("进出口总额", G, "争取实现正增长", None), (INCOME, G, "与经济增长同步", None),
        (CPI, G, D(2), "about"), (JOBS, L, D(45), None), (UNEMP, L, D("5.5"), "about"),
    },
    "xinjiang-region_2026_gov-work-report": {
        (GDP, G, (D("5.5"), D(6)), None), ("规模以上工业增加值", G, D("7.5"), "about"),
        (INV, G, D(8), "about"), (RETAIL, G, D(6), "about"), ("进出口总额", G, D(10), "about"),
        (REV, G, D(10), "about"), (URBAN, G, D(7), "about"), (RURAL, G, D(8), "about"),
        (CPI, G, D(2), "about"), (JOBS, L, D(47), "at_least"), (UNEMP, L, D("5.5"), "at_most"),
    },
    "tibet-region_2026_gov-work-report": {
        (GDP, G, D(7), "at_least"), (INV, G, D(15), "about"), (RETAIL, G, D(7), "about"),
        (URBAN, G, D(7), "about"), (RURAL, G, D(8), "about"), (UNEMP, L, D(5), "at_most"),
        (CPI, L, "合理回升", None),
    },
    "zhanhe-district_2023_plan-report": {
        (GDP, G, D("7.5"), None), ("规模以上工业增加值", G, D("8.5"), None),
        (INV, G, D(12), None), (RETAIL, G, D(9), None), (REV, G, D(9), None),
        (INCOME, G, "与经济增长同步", None),
    },
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(HEADLINES))
def test_every_headline_target_is_read(name):
    assert headline(name) == HEADLINES[name]


def test_headline_targets_are_for_the_reports_year():
    records = [r for r in observations("heilongjiang-province_2026_gov-work-report")]
    gdp = [r for r in records if r.headline and r.indicator == GDP]
    assert [(r.period, r.value_kind, r.lower, r.upper, r.value) for r in gdp] == [
        (2026, "target", D("4.5"), D(5), None)  # 地区生产总值增长4.5-5%
    ]


# --- 海拉尔区 2012–2019 -----------------------------------------------------------------------

HAILAER = "hailaer-district_{}_gov-work-report"
# (report year → GDP growth target of that year, GDP growth actual of the year before)
GDP_SERIES = {
    2012: (D(21), D("22.3")), 2013: (D(20), D("18.5")), 2014: (D(11), D("10.1")),
    2015: (D(8), D("9.1")), 2016: (D("7.5"), D("8.9")), 2017: (D("7.5"), D("7.2")),
    2018: (D(6), None),  # the 2018 report gives no 2017 growth figure (稳中有升)
    2019: (D("3.5"), D("6.0")),
}  # fmt: skip


def one(records, indicator, period, kind, measure) -> ObservationRecord:
    found = [
        r
        for r in records
        if (r.indicator, r.period, r.value_kind, r.measure) == (indicator, period, kind, measure)
    ]
    assert len(found) == 1, (indicator, period, kind, measure, found)
    return found[0]


@pytest.mark.parametrize("year", sorted(GDP_SERIES))
def test_hailaer_gdp_growth_target_and_last_years_actual(year):
    records = observations(HAILAER.format(year))
    target, actual = GDP_SERIES[year]
    assert one(records, GDP, year, "target", G).value == target
    actuals = [r for r in records if (r.indicator, r.period, r.value_kind, r.measure)
               == (GDP, year - 1, "actual", G)]  # fmt: skip
    assert [r.value for r in actuals] == ([actual] if actual is not None else [])


HAILAER_TARGETS = {  # report year → {(indicator, measure): value} of its headline list
    2012: {(RETAIL, L): D("100.8"), (RETAIL, G): D(20), ("财政总收入", L): D(20),
           ("农村居民人均纯收入", L): D(16892), (URBAN, L): D(23896)},
    2013: {(RETAIL, G): D(22), (RETAIL, L): D(120), ("财政总收入", L): D("24.8")},
    2014: {(RETAIL, G): D(14), ("农村居民人均纯收入", G): D(14), (URBAN, G): D(12)},
    2015: {(RETAIL, G): D("11.5"), (REV, L): D("14.6"), (URBAN, G): D(10)},
    2016: {(RETAIL, G): D(9), (URBAN, G): D(8), (RURAL, G): D(8), (REV, G): D(5)},
    2017: {(RETAIL, L): D("164.1"), (RURAL, L): D(25617), (INV, L): D("110.7"),
           (REV, G): D("7.5")},
    2018: {(REV, G): D(6), (URBAN, G): D("7.5"), (RURAL, G): D("7.5")},
    2019: {(RETAIL, G): D("6.5"), (URBAN, G): D(7), (RURAL, G): D(8)},
}  # fmt: skip


@pytest.mark.parametrize("year", sorted(HAILAER_TARGETS))
def test_hailaer_more_indicators(year):
    records = observations(HAILAER.format(year))
    for (indicator, measure), value in HAILAER_TARGETS[year].items():
        assert one(records, indicator, year, "target", measure).value == value


# --- names, units ------------------------------------------------------------------------------


def test_new_items_are_never_named_by_verbs_bound_words_or_totals():
    names = {r.indicator for name in HEADLINES for r in observations(name)}
    names |= {r.indicator for y in GDP_SERIES for r in observations(HAILAER.format(y))}
    assert names
    assert not [n for n in names if n.endswith(("达", "超", "突破", "总量达", "总数"))]


def test_units_normalise_to_base_units():
    assert normalise(D("2.4"), "亿元") == (D(240000000), "元")
    assert normalise(D(110), "万人") == (D(1100000), "人")
    assert normalise(D(1300), "亿斤") == (D(65000000000), "千克")
    assert normalise(D(15), "亩") == (D(10000), "平方米")


# --- attainment across reports, through a real build --------------------------------------------


@pytest.fixture(scope="module")
def hailaer_store(tmp_path_factory):
    from policykg.kg.build import build
    from policykg.kg.store import open_store

    store_dir = tmp_path_factory.mktemp("hailaer") / "store"
    build([SOURCES / f"{HAILAER.format(y)}.txt" for y in (2016, 2017, 2018, 2019)],
          store_dir, dumps=False)  # fmt: skip
    store = open_store(store_dir)
    yield store
    store.close()


def test_target_attainment_of_gdp_growth(hailaer_store):
    from policykg.queries import get_query

    rows = get_query("target-attainment").run(hailaer_store, place="海拉尔区", indicator=GDP)
    growth = {
        int(r["year"].value): (r.get("met"), r.get("margin"))
        for r in rows
        if r["measure"].value.endswith("GrowthRate")
    }
    met = {
        y: (m.value if m else None, float(g.value) if g else None) for y, (m, g) in growth.items()
    }
    # 2016: 7.5 target, 7.2 actual (2017 report); 2018: 6左右, 6.0 (2019 report); 2017, 2019: no actual
    assert met == {
        2016: ("false", pytest.approx(-0.3)),
        2017: (None, None),
        2018: ("true", 0.0),
        2019: (None, None),
    }


def test_targets_of_year(hailaer_store):
    from policykg.queries import get_query

    rows = get_query("targets-of-year").run(hailaer_store, place="150702", year="2019")
    headline_rows = {r["indicatorLabel"].value for r in rows if r.get("headline")}
    assert headline_rows == {GDP, INV, URBAN, RURAL, RETAIL}
