"""A reader's path in real Chromium: type 主链, see 四主链, open it, see its four industries and
平高集团, follow the quote into the report. And the same essentials without JavaScript."""

from __future__ import annotations

import re

from playwright.sync_api import expect

FOUR_CHAINS = ["新能源储能（含氢能）产业", "电气装备制造业", "医药健康产业", "尼龙材料制造业"]


def test_type_open_and_follow_the_quote_into_the_report(page, site):
    page.goto(f"{site}/terms")
    expect(page.locator("html")).to_have_attribute("lang", "zh")
    page.locator("#term-q").press_sequentially("主链", delay=50)
    # results arrive as you type: no form submission, the URL keeps the query
    hit = page.locator("#term-results a.hit-label", has_text="四主链")
    expect(hit).to_be_visible()
    expect(page).to_have_url(re.compile(r"/terms\?q=%E4%B8%BB%E9%93%BE"))

    hit.click()
    expect(page).to_have_url(re.compile(r"/terms/slogan/si-zhu-lian-0c35204a$"))
    expect(page.locator("h1")).to_have_text("四主链")
    # the shared term shows each report's version of the slogan: here the founding report's
    version = page.locator("section.versions article.version").first
    parts = version.locator("ul.tree > li > a")
    expect(parts).to_have_count(4)
    assert sorted(parts.all_inner_texts()) == sorted(FOUR_CHAINS)
    expect(version.locator(".enterprises a", has_text="平高集团").first).to_be_visible()

    page.locator("a.to-report").first.click()
    expect(page).to_have_url(
        re.compile(r"/id/report/zhanhe-district-2023-plan-report\?hl=\d+-\d+#span-\d+-\d+$")
    )
    target = page.locator("mark.mention.target")
    expect(target).to_have_text("四主链")
    expect(target).to_be_in_viewport()


def test_pinyin_initials_as_you_type(page, site):
    page.goto(f"{site}/terms")
    page.locator("#term-q").press_sequentially("szl", delay=50)
    expect(page.locator("#term-results a.hit-label").first).to_have_text("四主链")


def test_search_works_without_javascript(page_without_js, site):
    page = page_without_js
    page.goto(f"{site}/terms")
    page.locator("#term-q").fill("四主鏈")  # traditional characters
    page.locator("form.term-search button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/terms\?q="))
    page.locator("#term-results a.hit-label", has_text="四主链").click()
    version = page.locator("section.versions article.version").first
    expect(version.locator("ul.tree > li > a")).to_have_count(4)
    expect(page.locator("blockquote mark.quote").first).to_have_text("四主链")


def test_every_page_declares_chinese(page_without_js, site):
    for path in (
        "/terms",
        "/terms/glossary/zhanhe-district-2023-plan-report",
        "/id/enterprise/410000/ping-gao-22369446",
        "/id/indicator/di-qu-sheng-chan-zong-zhi-9a16d5bc",
        "/ontology",
        "/dumps/",
    ):
        page_without_js.goto(site + path)
        expect(page_without_js.locator("html")).to_have_attribute("lang", "zh")
    expect(page_without_js.locator("svg.chart")).to_have_count(0)  # last page: dumps, no chart


def test_the_indicator_chart_renders_without_javascript(page_without_js, site):
    page_without_js.goto(f"{site}/id/indicator/di-qu-sheng-chan-zong-zhi-9a16d5bc")
    chart = page_without_js.locator("svg.chart").first
    expect(chart).to_be_visible()
    # actuals as a line, targets as markers, the missed 2022 growth target (7.5 vs 3.8) marked
    expect(chart.locator("polyline.series-actual")).to_have_count(1)
    expect(chart.locator("path.target").first).to_be_visible()
    expect(chart.locator("text.missed").first).to_be_visible()


def test_a_glossary_heading_is_found_as_you_type_and_clearing_brings_the_index_back(page, site):
    page.goto(f"{site}/terms")
    index = page.locator("section.term-index")
    page.locator("#term-q").press_sequentially("白名单", delay=50)
    hit = page.locator("#term-results li.hit").first
    expect(hit.locator("a.hit-label")).to_have_text("“四保”白名单")
    expect(hit.locator(".kind")).to_have_text("名词解释")
    expect(index).to_be_hidden()
    page.locator("#term-q").fill("")
    expect(index).to_be_visible()
    expect(page.locator("#term-results li.hit")).to_have_count(0)
