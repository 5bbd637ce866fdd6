"""Places named in running text become GB/T 2260 divisions, precision first."""

from __future__ import annotations

from pathlib import Path

from policykg.kg.places import find_places
from policykg.kg.read import read_report
from policykg.kg.structure import Place, divisions, parse_structure

SOURCES = Path(__file__).parents[2] / "kg" / "sources"


def places_in(name: str) -> dict[str, tuple[str, int]]:
    doc = read_report(SOURCES / f"{name}.txt")
    home = divisions()[1].get(parse_structure(doc).place_code or "")
    return {r.place.name: (r.place.code, len(r.mentions)) for r in find_places(doc.text, home)}


def test_founding_report_places():
    found = places_in("zhanhe-district_2023_plan-report")
    assert found["湛河区"][0] == "410411"
    assert found["平顶山市"][0] == "410400"
    assert found["河南省"][0] == "410000"
    assert found["北京市"] == ("110000", 1)  # 赴北京、青岛等地开展招商
    assert found["青岛市"] == ("370200", 1)
    assert found["湛河区"][1] >= 20


def test_short_forms_and_common_words():
    text = "赴北京、河南、内蒙古考察；沿海城市长治久安；推进老城区、城区改造；大同社会。"
    names = [r.place.name for r in find_places(text)]
    assert names == ["北京市", "河南省", "内蒙古自治区"]


def test_two_character_counties_and_inner_words_are_no_places():
    # 示范县 holds 范县, 完成县 holds 成县, 融和县 holds 和县: all are words of the sentence
    assert find_places("创建国家级示范县，完成县域改革，融和县城发展。") == []


def test_a_shared_name_is_resolved_near_home_or_left_out():
    home = Place("湛河区", "410411")
    (record,) = find_places("新华区、湛河区协同发展。", home)[:1]
    assert (record.place.name, record.place.code) == ("新华区", "410402")
    assert find_places("新华区协同发展。") == []  # 平顶山, 石家庄 and 沧州 each have one


def test_sichuan_cities():
    found = places_in("sichuan-province_2026_gov-work-report")
    assert found["成都市"][0] == "510100"
    assert found["四川省"][1] >= 40
    assert "丹巴县" in found
