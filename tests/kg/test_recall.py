"""Recall on the bundled corpus: slogans whose parts stand beside them without 指/即, national
slogans written without quotes, and enterprises named by brand alone.

Every expectation was read by hand from the report text; the negative cases are the look-alikes
the same reports hold (a list that qualifies the slogan, a list that follows it by chance).
"""

from __future__ import annotations

from functools import cache

import pytest

from policykg.kg.enterprises import find_enterprises
from policykg.kg.glossary import find_glossary
from policykg.kg.projects import find_projects
from policykg.kg.slogans import find_slogans

from .conftest import REPORTS, report_slogans, report_text


def report(place: str) -> str:
    return next(r for r in REPORTS if r.startswith(place))


def text(place: str) -> str:
    return report_text(report(place))


def slogans(place: str) -> dict:
    return report_slogans(report(place))


def parts(place: str, label: str) -> list[str]:
    return [c.label for c in slogans(place)[label].components]


@cache
def enterprises(place: str) -> list:
    t = text(place)
    return find_enterprises(t, set())


def owners(place: str) -> dict[str, str | None]:
    return {p.label: p.owner for p in find_projects(text(place), enterprises(place))}


# --- parts written before the slogan ----------------------------------------------------------


@pytest.mark.parametrize(
    ("place", "label", "expected"),
    [
        # 实施新建布局、优化提升、整合重组、调整淘汰“四个一批”: 新建 (a verb) stays in its item
        ("guizhou", "四个一批", ["新建布局", "优化提升", "整合重组", "调整淘汰"]),
        ("guizhou", "三大转型", ["社会治理", "生活服务", "产业升级"]),
        ("shanghai", "五篇大文章", ["科技金融", "绿色金融", "普惠金融", "养老金融", "数字金融"]),
        ("shanghai", "四个体系", ["金融市场", "产品", "机构", "基础设施"]),  # 产品、机构和基础设施
        ("jiangsu", "五优联动", ["优土", "优种", "优产", "优储", "优销"]),
        ("hunan", "两个融合", ["文化和科技", "文化和旅游"]),
        ("sichuan", "四个不摘", ["责任", "政策", "帮扶", "监管"]),
        # 磨憨镇…、常住人口实现“四个翻番”: 实现 is the verb of the sentence, not the last part's
        (
            "yunnan",
            "四个翻番",
            ["磨憨镇固定资产投资", "一般公共预算收入", "引进省外到位资金", "常住人口"],
        ),
    ],
)
def test_quoted_slogan_takes_the_list_written_before_it(place, label, expected):
    assert parts(place, label) == expected
    assert slogans(place)[label].numeral == len(expected)


@pytest.mark.parametrize(
    ("place", "label", "expected"),
    [
        ("chongqing", "三大动力", ["改革", "开放", "创新"]),  # 强化改革、开放、创新三大动力支撑
        ("tianjin", "三条主线", ["整车制造", "关键部件配套", "智能网联配套服务"]),
        ("anhui", "三大工程", ["城市生命线", "全域水患治理", "城乡安居"]),  # 全面展开…
        ("henan", "四个端点城市", ["安阳", "商丘", "信阳", "三门峡"]),  # 充分发挥…
        ("shanghai", "三大先导产业", ["集成电路", "生物医药", "人工智能"]),
        ("zhanhe", "三个主导产业", ["生物医药", "装备制造", "尼龙新材料"]),  # 三主导指…
    ],
)
def test_unquoted_counted_phrase_after_a_list_of_as_many_is_a_slogan(place, label, expected):
    assert parts(place, label) == expected


def test_a_list_that_qualifies_or_merely_precedes_a_slogan_gives_it_no_parts():
    assert parts("anhui", "两项补贴") == []  # 最低工资标准、残疾人“两项补贴”
    assert parts("henan", "双一流") == []  # 郑州大学、河南大学“双一流”建设
    assert parts("xinjiang", "三保") == []  # 财政资金统筹、零基预算改革、基层“三保”
    assert parts("hunan", "双师型") == []  # 加强“双师型”教师培养和师德师风建设
    for place in ("shanghai", "tianjin", "xinjiang"):  # “两个确立”的决定性意义、…做到“两个维护”
        assert parts(place, "两个维护") == []
    # 坚决做到“两个维护”，强化大局观、执行力: a comma and two items are no definition
    assert parts("sichuan", "两个维护") == []


def test_unquoted_phrases_without_a_matching_list_are_no_slogans():
    assert "三大先导产业规模" not in slogans("shanghai")  # 三大先导产业 is the slogan
    assert "三条文化" not in slogans("beijing")  # 三条文化带: jieba does not know the word
    assert "四大流域" not in slogans("henan")  # 四大流域内城市: unsure where the noun ends
    assert "八个五年规划" not in slogans("zhanhe")


def test_every_decomposed_count_slogan_of_the_corpus_has_as_many_parts_as_its_numeral():
    checked = 0
    for name in REPORTS:
        t = report_text(name)
        for s in find_slogans(t, find_glossary(t)):
            if s.form == "count" and s.components:
                assert len(s.components) == s.numeral, (name, s.label)
                assert all(t[c.start : c.end] == c.label for c in s.components)
                checked += 1
    assert checked >= 70  # 30-odd before parts beside a slogan were read


# --- parts written after the slogan -----------------------------------------------------------


def test_parts_after_a_slogan_past_a_comma_when_each_holds_its_word():
    t = "全面落实“六保”任务，保居民就业、保基本民生、保市场主体、保粮食能源安全、保产业链供应链稳定、保基层运转。"
    (six,) = find_slogans(t, [])
    assert [c.label for c in six.components][:2] == ["保居民就业", "保基本民生"]
    assert len(six.components) == 6
    assert all(t[c.start : c.end] == c.label for c in six.components)


def test_parts_after_a_slogan_past_a_colon():
    t = "开展“三项行动”：稳岗扩岗、技能提升、兜底帮扶。"
    (three,) = find_slogans(t, [])
    assert [c.label for c in three.components] == ["稳岗扩岗", "技能提升", "兜底帮扶"]


# --- well-known slogans without quotes --------------------------------------------------------


def test_national_slogans_are_found_without_quotation_marks():
    assert "两个大局" in slogans("shandong")  # 更好统筹国内国际两个大局
    assert "两个大局" in slogans("xinjiang")  # 我们要胸怀两个大局
    assert "八项规定" in slogans("hailaer-district_2014")  # 坚决贯彻中央八项规定
    for place in ("shandong", "hailaer-district_2014"):
        t = text(place)
        for s in slogans(place).values():
            assert all(t[a:b] == s.label for a, b in s.mentions)


# --- enterprises named by brand alone ---------------------------------------------------------


def test_firms_listed_as_leaders_are_enterprises_kinds_are_not():
    henan = {e.label for e in enterprises("henan")}
    # 培育了超聚变、中创智领等一批行业领军企业; 牧原、宇通、华兰等…龙头企业; 平煤神马、洛轴等龙头企业
    assert {"超聚变", "中创智领", "宇通", "洛轴", "许继", "平高"} <= henan
    assert "依法平" not in henan  # 依法平等保护民营企业: 等 of 平等
    beijing = {e.label for e in enterprises("beijing")}
    assert "中国华能" in beijing  # 服务保障中国中化、中国华能等中央企业
    assert not any(label.startswith("服务保障") for label in beijing)
    hailaer = {e.label for e in enterprises("hailaer-district_2016")}
    assert {"晨鸣纸业", "华润雪花", "三元乳业"} <= hailaer  # …等企业; …等重点企业


def test_projects_are_linked_to_the_firm_that_opens_their_name():
    shaanxi = owners("shaanxi")
    assert shaanxi["法士特新能源汽车传动系统"] == "法士特"
    assert shaanxi["比亚迪新能源汽车动力电池"] == "比亚迪"
    assert shaanxi["修正生物医药产业园"] is None  # 修正 is a word before it is a brand
    assert owners("hunan")["株洲中车IGBT"] == "中车"  # after its place
    assert owners("qinghai")["中国盐湖金属镁一体化技术改造"] == "中国盐湖集团"  # a stem
    assert owners("gansu")["金川镍钴高品质镍基材料"] == "金川集团"


def test_sites_and_sister_firms_are_no_undertakers():
    guangxi = owners("guangxi")
    assert guangxi["白龙核电一期"] is None and guangxi["红沙核电三期"] is None  # plant sites
    assert all(o is None for p, o in owners("liaoning").items() if p.startswith("秦沈高速"))
    # 姚电绿能 is a firm of its own, not 姚电公司 by its stem
    assert owners("zhanhe")["姚电绿能智慧新能源综合利用"] is None


def test_an_undertaker_link_keeps_its_evidence(report_graph):
    rows = report_graph(report("shaanxi")).query(
        """PREFIX pol: <https://w3id.org/policykg/ontology#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?quote WHERE { GRAPH ?g {
          ?p a pol:Project ; rdfs:label "法士特新能源汽车传动系统"@zh ; pol:undertakenBy ?e .
          ?e rdfs:label "法士特"@zh .
          ?a pol:assertedSubject ?p ; pol:assertedProperty pol:undertakenBy ;
             pol:assertedObject ?e ; prov:wasDerivedFrom/pol:quote ?quote } }"""
    )
    assert [row["quote"].value for row in rows] == ["法士特新能源汽车传动系统"]
