"""Numbered slogans of the bundled reports and the parts the reports say they name."""

from __future__ import annotations

import pytest

from policykg.kg.glossary import find_glossary
from policykg.kg.slogans import component_kind, find_slogans, parse_label

from .conftest import REPORTS
from .conftest import report_slogans as slogans
from .conftest import report_text as text

ZHANHE = "zhanhe-district_2023_plan-report"
SICHUAN = "sichuan-province_2026_gov-work-report"


def parts(name: str, label: str) -> list[str]:
    return [c.label for c in slogans(name)[label].components]


def kinds(name: str, label: str) -> set[str]:
    return {c.kind for c in slogans(name)[label].components}


def walk(components):
    for c in components:
        yield c
        yield from walk(c.components)


def test_four_main_chains_are_four_industries_and_three_side_chains_three():
    assert parts(ZHANHE, "四主链") == [
        "新能源储能（含氢能）产业",
        "电气装备制造业",
        "医药健康产业",
        "尼龙材料制造业",
    ]
    assert kinds(ZHANHE, "四主链") == {"industry"}
    assert parts(ZHANHE, "三副链") == [
        "乡村振兴及食品加工业",
        "数字经济及战略性新兴产业",
        "现代化服务业（含物流业）",
    ]
    assert slogans(ZHANHE)["四主链"].defined_by == 21


def test_compound_nests_its_segments_down_to_roads():
    slogan = slogans(ZHANHE)["四纵四横一管网"]
    assert (slogan.numeral, slogan.form, slogan.defined_by) == (4, "compound", 7)
    assert [(c.label, c.kind) for c in slogan.components] == [
        ("四纵", "slogan"),
        ("四横", "slogan"),
        ("一管网", "slogan"),
    ]
    vertical, horizontal, network = slogan.components
    assert [c.label for c in vertical.components] == [
        "嵩山路",
        "恒山路",
        "河山南路",
        "开源路高速引线",
    ]
    assert [c.label for c in horizontal.components] == ["长江路", "淮河路", "规划七路", "运河路"]
    assert {c.kind for c in vertical.components + horizontal.components} == {"place"}
    assert [c.label for c in network.components] == ["污水主管网"]
    assert parts(ZHANHE, "四纵") == ["嵩山路", "恒山路", "河山南路", "开源路高速引线"]


def test_the_numeral_chooses_the_separator():
    assert parts(ZHANHE, "十大战略") == [
        "创新驱动、科教兴省、人才强省战略",
        "优势再造战略",
        "数字化转型战略",
        "换道领跑战略",
        "文旅文创融合战略",
        "以人为核心的新型城镇化战略",
        "乡村振兴战略",
        "绿色低碳转型战略",
        "制度型开放战略",
        "全面深化改革战略",
    ]
    assert parts(ZHANHE, "两个确保") == ["确保高质量建设现代化河南", "确保高水平实现现代化河南"]


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("四保", ["保生产经营", "保物流畅通", "保政策助力", "保防疫安全"]),
        ("三个一批", ["集中签约一批", "集中开工一批", "集中投产一批"]),
        ("三大改造", ["工业企业智能化改造", "绿色化改造", "企业技术改造"]),
        ("三零", ["零上访", "零事故", "零案件"]),
        ("五星", ["产业兴旺星", "生态宜居星", "平安法治星", "文明幸福星", "支部过硬星"]),
        ("五育并举", ["德育", "智育", "体育", "美育", "劳动教育"]),
        ("双违", ["违法建设", "违法占地"]),
        ("四张图谱", ["产业图谱", "企业图谱", "产品图谱", "研究机构图谱"]),
        ("五个一", ["红色引擎", "全科网格", "枫桥式社区", "幸福家园", "民呼必应"]),
        ("放管服效", ["简政放权", "放管结合", "优化服务", "提高效能"]),
    ],
)
def test_founding_report_decompositions(label, expected):
    assert parts(ZHANHE, label) == expected


def test_two_terms_of_one_entry_take_its_lists_in_order():
    assert parts(ZHANHE, "四个拜访") == [
        "产业发展的国家级科研机构",
        "产业发展的专家和人才",
        "产业发展的知名企业",
        "产业发展的国家级行业协会",
    ]


def test_cities_and_zones():
    four_cities_four_zones = slogans(ZHANHE)["四城四区"]
    cities, zones = four_cities_four_zones.components
    assert [c.label for c in cities.components] == [
        "中国尼龙城",
        "新型能源城",
        "文旅康养城",
        "绿色食品城",
    ]
    assert zones.components[-1].label == "社会治理现代化样板区"
    assert len(zones.components) == 4


def test_segments_read_without_their_own_names():
    reform = slogans(ZHANHE)["三化三制"]
    assert [[p.label for p in c.components] for c in reform.components] == [
        ["专业化", "国际化", "市场化"],
        ["领导班子任期制", "员工全员聘任制", "工资绩效薪酬制"],
    ]
    one_two_three = slogans(ZHANHE)["一新区二园区三主导"]
    assert [[p.label for p in c.components] for c in one_two_three.components] == [
        ["湛河新区"],
        ["工业园区", "物流园区"],
        ["生物医药", "装备制造", "尼龙新材料"],
    ]
    new_area, parks, industries = one_two_three.components
    assert {p.kind for p in new_area.components + parks.components} == {"place"}
    assert {p.kind for p in industries.components} == {"industry"}
    random = slogans(ZHANHE)["双随机一公开"]
    assert [[p.label for p in c.components] for c in random.components] == [
        ["随机抽取检查对象", "随机选派执法人员"],
        ["抽查情况及查处结果及时向社会公开"],
    ]


def test_plan_ordinal_is_no_count():
    eighth = slogans(ZHANHE)["八五"]
    assert (eighth.numeral, eighth.form, eighth.defined_by) == (None, "ordinal", 25)
    assert slogans(ZHANHE)["十四五"].numeral is None


def test_quoted_words_that_are_not_numbered_are_not_slogans():
    found = slogans(ZHANHE)
    for label in ["首席服务员", "项目为王", "万人助万企", "新区引领", "平安法治星", "八五普法"]:
        assert label not in found
    assert "四川云教" not in slogans(SICHUAN)


def test_undecomposable_definition_keeps_the_slogan_with_a_warning():
    double = slogans(ZHANHE)["双减"]
    assert double.components == [] and double.defined_by == 14
    assert double.warnings
    assert slogans(ZHANHE)["四个图谱"].components == []  # never defined under that name


def test_sichuan_decompositions():
    assert parts(SICHUAN, "两重") == ["国家重大战略实施", "重点领域安全能力建设"]
    assert parts(SICHUAN, "双向揭榜挂帅") == ["企业找技术", "成果找市场"]
    assert parts(SICHUAN, "四早") == ["早预防", "早干预", "早发现", "早诊治"]
    assert parts(SICHUAN, "五个专项治理")[0] == "违规设置市场准入门槛"
    assert parts(SICHUAN, "六大科技专项") == [
        "人工智能",
        "航空航天",
        "先进装备",
        "生物制造",
        "清洁能源",
        "先进材料",
    ]
    water = slogans(SICHUAN)["六横六纵"]
    assert [len(c.components) for c in water.components] == [6, 6]
    assert water.components[0].components[-1].label == "南水北调西线"
    assert slogans(SICHUAN)["四向八廊"].warnings


def _expected_count(label: str, form: str) -> int:
    if form == "abbreviation":
        return len(label)
    segments = parse_label(label)
    return len(segments) if len(segments) > 1 else segments[0].numeral


@pytest.mark.parametrize("name", REPORTS)
def test_every_count_agrees_with_its_numeral(name):
    checked = 0
    for slogan in slogans(name).values():
        if slogan.components:
            assert len(slogan.components) == _expected_count(slogan.label, slogan.form), slogan
            checked += 1
        for c in walk(slogan.components):
            if c.kind == "slogan" and c.components:
                assert len(c.components) == _expected_count(c.label, "count"), c
    assert checked or name not in (ZHANHE, SICHUAN)


@pytest.mark.parametrize("name", REPORTS)
def test_labels_are_clean_and_offsets_slice_to_them(name):
    t = text(name)
    for slogan in slogans(name).values():
        assert slogan.mentions, slogan.label
        assert all(t[s:e] == slogan.label for s, e in slogan.mentions)
        for c in walk(slogan.components):
            assert t[c.start : c.end] == c.label
        for label in [slogan.label, *(c.label for c in walk(slogan.components))]:
            assert not any(ch in label for ch in " \t\n“”‘’\"'"), label


def test_mentions_inside_and_outside_the_glossary():
    t = text(ZHANHE)
    mentions = slogans(ZHANHE)["四纵四横一管网"].mentions
    glossary_start = find_glossary(t)[0].start
    assert len(mentions) == 3
    assert sum(s >= glossary_start for s, _ in mentions) == 1


def test_definition_text_without_glossary():
    t = "落实“三保”任务。“三保”即保基本民生、保工资、保运转。“两高”即高耗能、高排放、高污染。"
    found = {s.label: s for s in find_slogans(t, [])}
    assert [c.label for c in found["三保"].components] == ["保基本民生", "保工资", "保运转"]
    assert found["三保"].defined_by is None and found["三保"].definition_span is not None
    assert found["两高"].components == [] and found["两高"].warnings


def test_a_word_every_item_ends_with_stays_on_the_last_item():
    # “四上”企业: …规模以上工业企业、…、规模以上服务业企业 (the heading's 企业 is each item's)
    assert parts(ZHANHE, "四上")[-1] == "规模以上服务业企业"
    assert kinds(ZHANHE, "四上") == {"concept"}


def test_a_bare_count_of_articles_is_no_slogan():
    # 出台稳增长“21条”“18条”等政策: a count of articles, not a name
    assert not {"21条", "18条", "15条"} & set(slogans(SICHUAN))


def test_kinds_of_roads_and_parks_are_no_places():
    # “四好农村路”: 建设好、管理好、养护好、运营好农村公路; “四网融合”: 干线铁路、城际铁路…
    assert component_kind("运营好农村公路") == "concept"
    assert component_kind("干线铁路") == "concept"
    assert component_kind("城际铁路") == "concept"
    assert [component_kind(x) for x in ("嵩山路", "长江路", "开源路高速引线")] == ["place"] * 3


@pytest.mark.parametrize(
    "report, phrase",
    [
        ("beijing-municipality_2026_gov-work-report", "一张床"),  # “一张床、一间房、一套房”产品
        ("beijing-municipality_2026_gov-work-report", "一套房"),
        ("fujian-province_2026_gov-work-report", "2025最具幸福感城市"),  # a title, not a count
        ("tianjin-municipality_2026_gov-work-report", "117项目"),
        ("xinjiang-region_2026_gov-work-report", "2025全球十大工程成就"),
        ("guizhou-province_2026_gov-work-report", "一刀切"),  # idioms
        ("xinjiang-region_2026_gov-work-report", "一风吹"),
        ("anhui-province_2026_gov-work-report", "五经普"),  # the fifth economic census
        ("shandong-province_2026_gov-work-report", "十一连冠"),  # a streak counts years
        ("chongqing-municipality_2026_gov-work-report", "18连增"),
        ("fujian-province_2026_gov-work-report", "八闽英才"),  # 八闽: Fujian's customary name
        ("shaanxi-province_2026_gov-work-report", "三秦四季"),
    ],
)
def test_numbered_phrases_that_are_no_slogans(report, phrase):
    assert phrase in text(report)
    assert phrase not in slogans(report)


def test_slogans_beside_those_phrases_stay():
    assert {"一市一试点", "一县一特色"} <= slogans("fujian-province_2026_gov-work-report").keys()
    assert "两新" in slogans("beijing-municipality_2026_gov-work-report")
    assert parse_label("2030启航计划") is None and parse_label("四个自信")


def test_an_entry_defining_two_slogans_gives_each_its_own_definition(tmp_path):
    from policykg.kg.document import Document
    from policykg.kg.extract import report_quads
    from policykg.kg.iri import Minter
    from policykg.kg.read import normalise

    report = tmp_path / "x.txt"  # too short for read_report's check: read by hand
    report.write_text(
        "某某县2025年政府工作报告\n——2025年1月10日在某某县人民代表大会上\n"
        "一、过去一年工作回顾\n过去一年，全县经济发展稳中有进。用好“两重”“两新”政策。\n"
        "名词解释\n1.“两重”“两新”：国家重大战略实施和重点领域安全能力建设，"
        "大规模设备更新和消费品以旧换新。\n",
        encoding="utf-8",
    )
    raw = report.read_text(encoding="utf-8")
    quads = report_quads(Document(report, raw, *normalise(raw)), Minter()).quads
    labels = {q.subject: q.object.value for q in quads if q.predicate.value.endswith("#label")}
    definitions = {
        labels[q.subject]: q.object.value
        for q in quads
        if q.predicate.value.endswith("core#definition") and q.subject in labels
    }
    assert definitions["两重"] == "国家重大战略实施和重点领域安全能力建设"
    assert definitions["两新"] == "大规模设备更新和消费品以旧换新"
