"""Reading reports: decoding, refusing what is not a report, normalisation with an exact offset map."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from policykg.kg.document import Document
from policykg.kg.read import ReportError, normalise, read_report
from policykg.kg.structure import HEADING

SOURCES = Path(__file__).parents[2] / "kg" / "sources"
FOUNDING = "zhanhe-district_2023_plan-report"
REPORTS = sorted(p.stem for p in SOURCES.glob("*.txt"))
TERMINAL = "。！？；：…"
CLOSERS = "”’」』）》】"


@cache
def doc(name: str) -> Document:
    return read_report(SOURCES / f"{name}.txt")


def test_the_34_reports_of_the_manifest_are_bundled():
    import csv

    with open(SOURCES / "manifest.csv", encoding="utf-8", newline="") as f:
        listed = {Path(row["file"]).stem for row in csv.DictReader(f)}
    assert len(listed) == 34 and FOUNDING in listed
    assert set(REPORTS) == listed


# --- decoding and refusal ---------------------------------------------------------------------


@pytest.mark.parametrize("name", [FOUNDING, "hailaer-district_2016_gov-work-report"])
def test_a_gb18030_copy_reads_the_same(tmp_path, name):
    original = doc(name)
    copy = tmp_path / "copy.txt"
    copy.write_bytes(original.raw.encode("gb18030"))
    again = read_report(copy)
    assert again.raw == original.raw
    assert again.text == original.text
    assert again.origin == original.origin


def test_a_utf8_bom_is_not_part_of_the_text(tmp_path):
    original = doc(FOUNDING)
    copy = tmp_path / "bom.txt"
    copy.write_bytes(b"\xef\xbb\xbf" + original.raw.encode("utf-8"))
    assert read_report(copy).text == original.text


def test_crlf_line_ends_give_the_same_text_and_quotes_keep_the_cr(tmp_path):
    original = doc(FOUNDING)
    copy = tmp_path / "crlf.txt"
    copy.write_bytes(original.raw.replace("\n", "\r\n").encode("utf-8"))
    again = read_report(copy)
    assert again.text == original.text
    i = again.text.index("全区经济社会呈现总体稳定")
    assert again.evidence(i, i + 12).quote == "全区经济社会呈\r\n\r\n现总体稳定"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "is empty"),
        (b"  \n\n \t\n", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
        (b"\xfa\xff\xfe" * 300, "neither UTF-8 nor GB18030"),
        ("政府工作报告".encode("utf-16"), "is UTF-16 text"),
        (
            b"This is a plain English text about nothing in particular.\n" * 50,
            "Chinese characters",
        ),
        (("今天天气很好，我们去公园散步，看见许多花草树木和小鸟。" * 20).encode(), "not a report"),
    ],
    ids=["empty", "blank", "binary", "undecodable", "utf-16", "english", "chinese-not-a-report"],
)
def test_files_that_are_not_reports_are_refused_by_name(tmp_path, content, problem):
    path = tmp_path / "bad-input.txt"
    path.write_bytes(content)
    with pytest.raises(ReportError) as caught:
        read_report(path)
    assert "bad-input.txt" in str(caught.value)
    assert problem in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_a_missing_file_is_a_report_error(tmp_path):
    with pytest.raises(ReportError, match="nowhere.txt: cannot be read"):
        read_report(tmp_path / "nowhere.txt")


# --- the offset map ---------------------------------------------------------------------------


def _same_character(normalised: str, raw: str) -> bool:
    """``raw`` normalises to ``normalised``: equal, width-folded, or a newline kept."""
    if normalised == raw:
        return True
    folded = {"，": ",", "；": ";", "：": ":", "（": "(", "）": ")", "！": "!", "？": "?"}
    if folded.get(normalised) == raw:
        return True
    return raw != " " and ord(raw) - 0xFEE0 == ord(normalised)


@pytest.mark.parametrize("name", REPORTS)
def test_every_character_of_the_text_maps_to_its_raw_source(name):
    d = doc(name)
    assert len(d.origin) == len(d.text) + 1 and d.origin[-1] == len(d.raw)
    assert d.origin == sorted(d.origin)
    wrong = [
        (i, d.text[i], d.raw[d.origin[i]])
        for i in range(len(d.text))
        if not _same_character(d.text[i], d.raw[d.origin[i]])
    ]
    assert wrong == []


@pytest.mark.parametrize("name", REPORTS)
def test_every_sentence_span_quotes_the_raw_text(name):
    from policykg.kg.structure import parse_structure

    d = doc(name)
    for sentence in parse_structure(d).sentences:
        span = d.evidence(sentence.start, sentence.end)
        assert span.quote == d.raw[span.start : span.end]
        assert span.quote[0] == d.raw[d.origin[sentence.start]]
        # the quote holds the same words, give or take spaces, line breaks and widths
        words = re.sub(r"\s", "", span.quote)
        assert len(words) >= len(re.sub(r"\s", "", d.text[sentence.start : sentence.end]))


# --- normalisation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quoted", "raw"),
    [
        ("全区经济社会呈现总体稳定", "全区经济社会呈\n\n现总体稳定"),
        ("“四区”即", "“四\n\n区”即"),
        ("在全区各单位", "在全\n\n区各单位"),
        ("加大就业创业", "加大\n\n就业创业"),
        ("完整准确", "完\n\n整准确"),
        ("确保企业和群众“进一扇门", "确保企业和群众\n\n“进一扇门"),
        ("真正帮助企业（项目）解决困难问题，为推动", "真正帮助企业（项\n\n目)解决困难问题,为推动"),
        (
            "——2023年10月17日在湛河区第六届人民代表大会第三次会议上",
            "——2023年10月17日在湛河区第六届人民代表大会\n\n第三次会议上",
        ),
    ],
)
def test_page_breaks_in_the_founding_report_are_joined(quoted, raw):
    d = doc(FOUNDING)
    i = d.text.index(quoted)
    span = d.evidence(i, i + len(quoted))
    assert span.quote == raw
    assert d.raw[span.start : span.end] == raw


@pytest.mark.parametrize("name", REPORTS)
def test_no_running_text_line_stops_mid_sentence(name):
    """A line of running text (punctuated, longer than a heading) ends a sentence."""
    text = doc(name).text
    assert "\n\n" not in text
    for line in text.split("\n"):
        if "\t" in line or len(line) <= 40 or not re.search("[，。]", line):
            continue
        if HEADING.match(line) and "。" not in line:  # a long heading is no running text
            continue
        assert line.rstrip(CLOSERS)[-1] in TERMINAL, line[-30:]


def test_headings_stay_on_their_own_lines():
    lines = doc(FOUNDING).text.split("\n")
    for heading in [
        "一、2022年国民经济和社会发展计划执行情况",
        "（一）加快转型升级，高质量发展提档换速",
        "（二）注重项目引领，增长动能不断积蓄",
        "四、2023年经济社会发展的主要任务",
        "附件",
        "部分名词和专用术语解释",
        "1.“四保”白名单",
        "25.“八五”普法",
        "湛河区发展和改革委员会",
        "各位代表：",
    ]:
        assert heading in lines


def test_a_glossary_entry_broken_over_web_lines_is_one_line():
    text = doc("sichuan-province_2026_gov-work-report").text
    entry = next(line for line in text.split("\n") if line.startswith("7.“双向揭榜挂帅”"))
    assert entry.startswith("7.“双向揭榜挂帅”：企业找技术、成果找市场“双向揭榜挂帅”的简称，")
    assert "由技术供给方带团队、带技术揭榜；“成果找市场”" in entry
    assert entry.endswith("由成果需求方带资金、带场景揭榜。")


def test_ascii_and_full_width_forms_read_the_same():
    assert (
        normalise("(二) 聚焦项目建设")[0]
        == normalise("（二）聚焦项目建设")[0]
        == "（二）聚焦项目建设"
    )
    assert normalise("ＰＭ２．５浓度下降１０％")[0] == "PM2.5浓度下降10%"
    assert normalise("指 标 名 称\t计 量 单 位\t2022年计划")[0] == "指标名称\t计量单位\t2022年计划"
    assert normalise("细微颗粒物(PM2.5)平均浓度")[0] == "细微颗粒物（PM2.5）平均浓度"
    assert normalise("海拉尔区人民政府区长　　杜联合")[0] == "海拉尔区人民政府区长杜联合"
    assert normalise("PM 2.5 and GDP")[0] == "PM 2.5 and GDP"


def test_the_founding_tables_keep_their_tabs():
    text = doc(FOUNDING).text
    assert "指标名称\t计量单位\t2022年计划\t\t2022年实际完成\t\t2023年计划\t" in text
    assert "\t\t绝对值\t增长%\t绝对值\t增长%\t绝对值\t增长%" in text
    assert "（一）生产总值\t亿元\t—\t7.5以上\t245.24\t3.8\t—\t7.5" in text


# --- web residue ------------------------------------------------------------------------------


def test_web_residue_is_gone_from_the_sichuan_report():
    d = doc("sichuan-province_2026_gov-work-report")
    lines = d.text.split("\n")
    assert lines[:4] == [
        "2026年四川省人民政府工作报告",
        "2026年2月3日在四川省第十四届人民代表大会第五次会议上",
        "四川省人民政府省长施小琳",
        "各位代表：",
    ]
    for residue in [
        "【字体",
        "分享：",
        "来源",
        "四川日报",
        "07时41分",
        "责任编辑",
        "李莎莎",
        "扫一扫",
        "相关链接",
        "打印本页",
        "关闭窗口",
        "abcd39f1",
    ]:
        assert residue not in d.text, residue
    assert not {"大", "中", "小", "】"} & set(lines)
    assert lines[-1].startswith("20.“一件事”全链条专项整治：")
    assert "各位代表！骐骥迎春至" in d.text


def test_web_residue_is_gone_from_the_henan_report():
    d = doc("henan-province_2026_gov-work-report")
    lines = d.text.split("\n")
    assert lines[:3] == [
        "2026年河南省政府工作报告",
        "——2026年1月26日在河南省第十四届人民代表大会第四次会议上",
        "河南省人民政府省长王凯",
    ]
    for residue in [
        "下载",
        "全屏",
        "收藏",
        "【字号",
        "来源：河南日报",
        "时间：2026-02-03",
        "相关报道",
    ]:
        assert residue not in d.text, residue
    assert not {"打印", "加大", "还原", "减小", "】"} & set(lines)
    assert lines[-1].startswith("雄关漫道真如铁")


def test_the_hailaer_front_matter_is_clean():
    lines = doc("hailaer-district_2019_gov-work-report").text.split("\n")
    assert lines[:4] == [
        "政府工作报告",
        "——2019年3月4日在呼伦贝尔市海拉尔区第十五届人民代表大会第三次会议上",
        "呼伦贝尔市海拉尔区人民政府代区长萨国文",
        "各位代表：",
    ]


def test_a_footer_marker_early_in_a_text_does_not_cut_the_report():
    body = "坚持稳中求进工作总基调，推动经济社会发展取得新成效。" * 10
    text, _ = normalise(f"政府工作报告\n相关链接\n{body}\n{body}\n责任编辑：张三\n相关报道：某某")
    assert text.split("\n")[:2] == ["政府工作报告", "相关链接"]
    assert text.endswith("取得新成效。")


LICENCE = """
版权声明：
本网站所有内容，凡注明“来源：四川省人民政府网站”的，版权均属本网站所有。根据《中华人民共和国著作权法》，未经本网站书面授权，任何单位和个人不得转载、摘编或以其他方式使用。
Copyright © 2026 www.sc.gov.cn All Rights Reserved
蜀ICP备05003828号
"""


def test_a_licence_appended_to_a_report_is_no_part_of_its_text(tmp_path):
    from policykg.kg.policies import find_policy_documents

    original = SOURCES / "hailaer-district_2016_gov-work-report.txt"
    path = tmp_path / "with-licence.txt"
    path.write_text(original.read_text("utf-8") + LICENCE, "utf-8")
    d = read_report(path)
    assert d.text == doc("hailaer-district_2016_gov-work-report").text
    assert not any("著作权法" in x.title for x in find_policy_documents(d.text))


def test_copyright_lines_above_a_report_go_but_the_report_stays(tmp_path):
    original = SOURCES / "hailaer-district_2016_gov-work-report.txt"
    path = tmp_path / "with-header.txt"
    path.write_text("版权所有：海拉尔区人民政府\n" + original.read_text("utf-8"), "utf-8")
    assert read_report(path).text == doc("hailaer-district_2016_gov-work-report").text


def test_photo_captions_are_web_residue():
    text = doc("ningxia-region_2026_gov-work-report").text
    assert "记者王鼎摄" not in text and "各位代表" in text
