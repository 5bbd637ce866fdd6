"""Places named in running text become GB/T 2260 divisions, precision first."""

from __future__ import annotations

from pathlib import Path

from policykg.kg.gazetteer import Place, divisions
from policykg.kg.places import find_places
from policykg.kg.read import read_report
from policykg.kg.structure import parse_structure

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


def test_a_distant_short_form_needs_a_place_of_its_own():
    # the founding report's “活力湛江、实力湛江…” is its typo for 湛河: not 湛江市 in Guangdong
    assert "湛江市" not in places_in("zhanhe-district_2023_plan-report")
    assert "济宁市" not in places_in("qinghai-province_2026_gov-work-report")  # 引黄济宁
    assert "南京市" not in places_in("shanghai-municipality_2026_gov-work-report")  # 南京西路
    assert "赤峰市" not in places_in("tianjin-municipality_2026_gov-work-report")  # 赤峰道
    assert "临沂市" not in places_in("hailaer-district_2016_gov-work-report")  # 临沂商城
    # …while a place that stands as one is read: 合浦至湛江铁路, 重庆至武汉段, 西宁—成都—曼谷
    assert places_in("guangxi-region_2026_gov-work-report")["湛江市"][0] == "440800"
    assert "武汉市" in places_in("chongqing-municipality_2026_gov-work-report")
    assert "成都市" in places_in("qinghai-province_2026_gov-work-report")
    assert "赤峰市" in places_in("liaoning-province_2026_gov-work-report")  # 赤峰至锦州


def test_a_full_name_or_a_place_list_is_evidence_enough():
    home = Place("湛河区", "410411")
    names = [r.place.name for r in find_places("赴北京、青岛等地招商；活力湛江。", home)]
    assert names == ["北京市", "青岛市"]
    assert [r.place.name for r in find_places("对口支援定日县。", home)] == ["定日县"]


def test_a_place_inside_an_enterprise_name_is_no_mention():
    text = "积极引进广东来裕等知名物流企业入驻。"
    start = text.index("广东来裕")
    assert find_places(text, None, [(start, start + 4)]) == []
    assert [r.place.name for r in find_places(text)] == ["广东省"]


def test_company_names_do_not_make_places_in_the_graph(graph_labels):
    # 广东 of 广东来裕 (海拉尔区 2013) and 广东昌明集团 (2012): companies, not the province
    for year in (2012, 2013):
        places = graph_labels(f"hailaer-district_{year}_gov-work-report", "Place")
        assert "海拉尔区" in places
        assert "广东省" not in places
