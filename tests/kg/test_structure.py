"""The structure of the bundled reports: front matter, sections, regions, sentences."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest

from policykg.kg.document import Document
from policykg.kg.gazetteer import resolve_place
from policykg.kg.read import read_report
from policykg.kg.structure import Structure, parse_structure, split_sentences

SOURCES = Path(__file__).parents[2] / "kg" / "sources"
FOUNDING = "zhanhe-district_2023_plan-report"
REPORTS = sorted(p.stem for p in SOURCES.glob("*.txt"))


@cache
def read(name: str) -> tuple[Document, Structure]:
    doc = read_report(SOURCES / f"{name}.txt")
    return doc, parse_structure(doc)


MANIFEST = {
    row["file"].removesuffix(".txt"): row
    for row in csv.DictReader((SOURCES / "manifest.csv").read_text("utf-8").splitlines())
}


def test_the_manifest_lists_every_bundled_report():
    assert sorted(MANIFEST) == REPORTS and len(REPORTS) == 34


@pytest.mark.parametrize("name", REPORTS)
def test_place_date_and_years_come_from_the_text(name):
    """Read without the manifest: the text alone gives what the cataloguer wrote down."""
    row = MANIFEST[name]
    _, s = read(name)
    assert (s.place, s.place_code) == (row["place"], row["admin_code"])
    assert s.date == (dt.date.fromisoformat(row["delivered"]) if row["delivered"] else None)
    assert max(s.years) == int(row["year"])
    # every report reviews the year before the one it plans
    assert s.years == (int(row["year"]) - 1, int(row["year"]))
    assert s.level == ("province" if row["admin_code"].endswith("0000") else "county")


PRINTED = {  # title and issuer as printed, where the manifest's title is a cataloguer's
    FOUNDING: (
        "关于湛河区2022年国民经济和社会发展计划执行情况与2023年国民经济和社会发展计划（草案）的报告",
        "湛河区发展和改革委员会",
    ),
    "sichuan-province_2026_gov-work-report": ("2026年四川省人民政府工作报告", "四川省人民政府"),
    "ningxia-region_2026_gov-work-report": (
        "2026年宁夏回族自治区政府工作报告",
        "宁夏回族自治区人民政府",
    ),
    "guizhou-province_2026_gov-work-report": ("政府工作报告", "贵州省人民政府"),
    "yunnan-province_2026_gov-work-report": ("2026年政府工作报告", "云南省人民政府"),
    "jilin-province_2026_gov-work-report": ("2026年吉林省政府工作报告", "吉林省人民政府"),
    "hailaer-district_2012_gov-work-report": ("政府工作报告", "海拉尔区人民政府"),
    "hailaer-district_2017_gov-work-report": (None, "海拉尔区人民政府"),
    "hailaer-district_2019_gov-work-report": ("政府工作报告", "海拉尔区人民政府"),
}


@pytest.mark.parametrize("name", sorted(PRINTED))
def test_printed_title_and_issuer(name):
    _, s = read(name)
    assert (s.title, s.issuer) == PRINTED[name]


@pytest.mark.parametrize("name", REPORTS)
def test_a_printed_title_is_the_manifest_title_or_part_of_it(name):
    _, s = read(name)
    title = MANIFEST[name]["title"]
    assert s.title is None or s.title == title or s.title in title or name == FOUNDING


@pytest.mark.parametrize(
    ("line", "date", "place"),
    [
        ("----2013年2月28日在海拉尔区第十四届人民代表大会第二次会议上", "2013-02-28", "海拉尔区"),
        ("――2026年1月27日在青海省第十四届人民代表大会第四次会议上", "2026-01-27", "青海省"),
        ("——二〇二六年一月二十七日在甘肃省十四届人民代表大会第四次会议上", "2026-01-27", "甘肃省"),
        (
            "2026年1月27日在陕西省第十四届人民代表大会第四次会议上陕西省省长赵刚",
            "2026-01-27",
            "陕西省",
        ),
        ("（2025年1月8日在平顶山市湛河区六届人大三次会议上）", "2025-01-08", "湛河区"),
    ],
)
def test_datelines_in_every_form(line, date, place):
    text = f"政府工作报告\n{line}\n各位代表：\n现在，我代表政府向大会报告工作。过去一年，成绩喜人。"
    s = parse_structure(Document(Path("x.txt"), text, text, list(range(len(text) + 1))))
    assert (s.date, s.place) == (dt.date.fromisoformat(date), place)
    assert s.years == (s.date.year - 1, s.date.year)


def test_a_report_without_a_date_gets_none_and_its_years_from_the_text():
    """No dateline: no date is invented; the years come from what the text plans and reviews."""
    text = (
        "政府工作报告\n各位代表：\n现在，我代表国务院向大会报告工作。\n"
        "过去一年，经济回升向好。\n2024年发展主要预期目标是：国内生产总值增长5%左右。"
    )
    s = parse_structure(Document(Path("x.txt"), text, text, list(range(len(text) + 1))))
    assert s.date is None
    assert s.years == (2023, 2024)
    assert (s.level, s.place, s.issuer) == ("national", "中华人民共和国", "国务院")


def test_the_file_name_gives_the_year_as_a_last_resort():
    text = (
        "政府工作报告\n各位代表：\n现在，我代表区人民政府向大会报告工作。\n一、工作回顾\n成绩喜人。"
    )
    name = Path("some-county_2014_report.txt")
    s = parse_structure(Document(name, text, text, list(range(len(text) + 1))))
    assert (s.date, s.years) == (None, (2014,))


def test_a_manifest_row_overrides_the_text():
    from policykg.kg.manifest import ReportMetadata

    doc, _ = read("hailaer-district_2016_gov-work-report")
    meta = ReportMetadata(
        file=doc.path.name, admin_code="150700", year=2017, delivered=dt.date(2017, 1, 2)
    )
    s = parse_structure(replace(doc, metadata=meta))
    assert (s.place, s.place_code, s.level) == ("呼伦贝尔市", "150700", "prefecture")
    assert s.date == dt.date(2017, 1, 2)
    assert s.years == (2016, 2017)
    untouched = parse_structure(replace(doc, metadata=ReportMetadata(file=doc.path.name)))
    assert (untouched.place, untouched.date) == ("海拉尔区", dt.date(2016, 2, 19))


def test_the_title_span_quotes_the_title_with_its_pdf_spaces():
    doc, s = read(FOUNDING)
    assert s.title_span is not None
    quote = doc.evidence(*s.title_span).quote
    assert (
        quote
        == "关于湛河区2022年国民经济和社会发展计划 执行情况与2023年国民经济和社会发展 计划（草案）的报告"
    )


def test_a_title_split_over_lines_is_one_title():
    text = "关于某某县2024年国民经济和社会发展计划执行情况与\n2025年计划草案的报告\n——2025年1月8日在某某县第十八届人民代表大会第五次会议上\n各位代表：\n一、总体情况\n全县经济稳中向好。"
    s = parse_structure(Document(Path("x.txt"), text, text, list(range(len(text) + 1))))
    assert s.title == "关于某某县2024年国民经济和社会发展计划执行情况与2025年计划草案的报告"
    assert s.date == dt.date(2025, 1, 8)
    assert s.years == (2024, 2025)


def test_a_shared_county_name_is_told_apart_by_its_parent():
    assert resolve_place("朝阳区", "北京市朝阳区 北京市 北京市").code == "110105"
    assert resolve_place("朝阳区", "长春市朝阳区 长春市").code == "220104"
    assert resolve_place("朝阳区", "") is None  # better no code than a guess
    assert resolve_place("呼伦贝尔市海拉尔区", "").code == "150702"


# --- sections ---------------------------------------------------------------------------------


def test_founding_report_sections():
    doc, s = read(FOUNDING)
    assert [(x.path, x.number) for x in s.sections] == [
        ("1", "一"),
        ("2", "二"),
        ("3", "三"),
        ("4", "四"),
    ]
    one, four = s.sections[0], s.sections[3]
    assert one.heading == "2022年国民经济和社会发展计划执行情况"
    assert [(c.path, c.number, c.heading) for c in one.children] == [
        ("1-1", "（一）", "加快转型升级，高质量发展提档换速"),
        ("1-2", "（二）", "注重项目引领，增长动能不断积蓄"),
        ("1-3", "（三）", "全面深化改革，发展活力加速释放"),
        ("1-4", "（四）", "推动城乡共融，城市底色愈发明亮"),
        ("1-5", "（五）", "坚持民生为本，社会事业全面发展"),
    ]
    # a heading that runs on into its paragraph ends at the first 。
    assert [c.heading for c in four.children][:2] == [
        "聚焦实体经济，推动产业发展实现新提升",
        "聚焦项目建设，推动发展载体迈上新台阶",
    ]
    assert four.children[1].number == "（二）"  # printed "(二) " in the source
    assert (
        doc.text[four.children[0].heading_start : four.children[0].heading_end]
        == four.children[0].heading
    )
    assert not s.sections[1].children and not s.sections[2].children


def test_sections_nest_and_tile_the_body():
    doc, s = read(FOUNDING)
    assert s.appendix is not None
    for parent in s.walk():
        assert doc.text[parent.start :].startswith(parent.number.strip("."))
        for a, b in zip(parent.children, parent.children[1:], strict=False):
            assert a.end == b.start
        if parent.children:
            assert parent.start < parent.children[0].start and parent.children[-1].end == parent.end
    assert s.sections[-1].end == s.appendix[0]
    second = s.sections[0].children[1]
    assert doc.text[second.start : second.end].startswith("（二）注重项目引领")
    assert doc.text[second.end :].startswith("（三）全面深化改革")


@pytest.mark.parametrize(
    ("name", "top", "children"),
    [
        ("hailaer-district_2016_gov-work-report", 3, [4, 0, 8]),
        ("hailaer-district_2019_gov-work-report", 3, [6, 6, 5]),
        ("henan-province_2026_gov-work-report", 3, [5, 0, 10]),
        ("sichuan-province_2026_gov-work-report", 3, [0, 0, 10]),
    ],
)
def test_section_trees_of_the_other_reports(name, top, children):
    _, s = read(name)
    assert len(s.sections) == top
    assert [len(x.children) for x in s.sections] == children


def test_section_and_sentence_lookup():
    doc, s = read(FOUNDING)
    at = doc.text.index("全区经济社会呈现总体稳定")
    assert s.section_at(at).path == "1"
    at = doc.text.index("惠企纾困全面落实")
    assert s.section_at(at).path == "1-1"
    sentence = s.sentence_at(at)
    assert doc.text[sentence.start : sentence.end] == "惠企纾困全面落实。"
    assert sentence.section_path == "1-1"
    assert s.section_at(doc.text.index("各位代表：")) is None
    assert s.section_at(doc.text.index("部分名词和专用术语解释")) is None


# --- regions ----------------------------------------------------------------------------------


def test_founding_report_table_and_appendix():
    doc, s = read(FOUNDING)
    assert len(s.tables) == 1
    table = doc.text[slice(*s.tables[0])]
    assert table.startswith("指标名称\t计量单位")
    assert table.rstrip("\t").endswith(
        "26.参加城乡居民基本养老保险人数\t万人\t完成市定目标\t—\t6.26\t—\t6.18\t—"
    )
    assert "四、绿色发展" in table
    assert doc.text[s.appendix[0] : s.appendix[1]].startswith(
        "附件\n部分名词和专用术语解释\n1.“四保”白名单"
    )
    assert s.appendix[1] == len(doc.text)
    # table rows are no sentences and no headings
    assert s.sentence_at(s.tables[0][0] + 3) is None
    assert all(not (s.tables[0][0] <= x.start < s.tables[0][1]) for x in s.walk())


def test_sichuan_glossary_is_the_appendix_and_has_no_sections():
    doc, s = read("sichuan-province_2026_gov-work-report")
    assert s.appendix is not None
    assert doc.text[s.appendix[0] :].startswith("名词解释\n1.“两重”：是指")
    assert all(x.start < s.appendix[0] for x in s.walk())
    assert s.tables == []


# --- paragraphs and sentences -----------------------------------------------------------------


@pytest.mark.parametrize("name", REPORTS)
def test_sentences_are_clean_spans_of_one_paragraph(name):
    doc, s = read(name)
    assert s.sentences
    starts = [x.start for x in s.sentences]
    assert starts == sorted(starts)
    for sentence in s.sentences:
        words = doc.text[sentence.start : sentence.end]
        assert words and words == words.strip()
        assert "\n" not in words and "\t" not in words
        raw = doc.evidence(sentence.start, sentence.end).quote
        assert "\n\n" not in raw or name == FOUNDING  # only PDF page breaks sit inside a sentence
    for start, end in s.paragraphs:
        assert "\n" not in doc.text[start:end]


def test_sentences_keep_quotes_whole():
    doc, s = read(FOUNDING)
    texts = [doc.text[x.start : x.end] for x in s.sentences]
    assert all(t.count("“") == t.count("”") for t in texts)
    assert (
        "“四区”即高质量转型发展先行区、城乡融合发展试验区、黄淮流域生态建设示范区和社会治理现代化样板区。"
        in texts
    )
    assert "设置“企业开办专区”，增设24小时自助服务大厅，加大企业开办便利度。" in texts
    assert "其中，签约项目2个，总投资6.3亿元；" in texts


def test_a_founding_sentence_quotes_its_page_break():
    doc, s = read(FOUNDING)
    sentence = s.sentence_at(doc.text.index("全区经济社会呈现总体稳定"))
    quote = doc.evidence(sentence.start, sentence.end).quote
    assert quote.startswith("2022年，面对严峻复杂的国内外经济形势")
    assert quote.endswith("全区经济社会呈\n\n现总体稳定、积极向好的态势。")


def test_split_sentences_on_a_quoted_full_stop_and_unbalanced_quotes():
    text = "他说：“要抓落实。”随后散会。"
    assert [text[s:e] for s, e in split_sentences(text, 0, len(text))] == [
        "他说：“要抓落实。”",
        "随后散会。",
    ]
    text = "提出“四保要求。继续推进。"  # a quote never closed: plain punctuation decides
    assert [text[s:e] for s, e in split_sentences(text, 0, len(text))] == [
        "提出“四保要求。",
        "继续推进。",
    ]


def test_a_bracketed_dateline_with_an_abbreviated_congress():
    text = "政府工作报告\n（2025年1月8日在平顶山市湛河区六届人大三次会议上）\n各位代表：\n现在，我代表区人民政府向大会报告工作。\n一、2024年工作回顾\n二、2025年工作安排"
    s = parse_structure(Document(Path("x.txt"), text, text, list(range(len(text) + 1))))
    assert s.title == "政府工作报告"
    assert s.date == dt.date(2025, 1, 8)
    assert (s.place, s.place_code, s.parent_place) == ("湛河区", "410411", "平顶山市")
    assert s.issuer == "湛河区人民政府"
    assert s.years == (2024, 2025)


def test_bodies_named_relative_to_the_report_place_get_its_name():
    from policykg.kg.bodies import qualify_body

    _doc, structure = read("sichuan-province_2026_gov-work-report")
    assert qualify_body("省政府办公厅", structure) == "四川省政府办公厅"
    assert qualify_body("国务院办公厅", structure) == "国务院办公厅"
