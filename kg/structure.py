"""The shape of a report: front matter, section tree, tables, appendix, paragraphs, sentences.
About 600 lines: the front matter is read from the same lines, headings and dateline patterns
as the section tree (the title ends where the first heading starts). Places are resolved by
:mod:`kg.gazetteer`, bodies named by :mod:`kg.bodies`.

:func:`parse_structure` reads a normalised :class:`~policykg.kg.document.Document` (one
paragraph, heading or table row a line) and returns offsets into ``doc.text``:

- front matter: ``title``, ``date`` (of the dateline "——2023年10月17日在…会议上" in any of
  its forms), ``place`` and its GB/T 2260 code (via the ``cpca`` tables) with its parent and
  ``level``, ``issuer``, ``years`` (the years it reviews and plans); a manifest row
  (``doc.metadata``) overrides them, the file name gives the year as a last resort;
- the section tree of numbered headings ``一、`` → ``（一）`` → ``1.``; a heading followed by
  text in the same paragraph ("（一）聚焦实体经济，推动产业发展实现新提升。坚持…") ends at
  its first 。;
- ``tables`` (runs of tab-separated lines) and the ``appendix`` (附件, 名词解释…);
- ``paragraphs`` and ``sentences`` (split on 。！？； and line ends, never inside “…”).
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache

from . import lexicons
from .bodies import body_lexicon, qualify_body
from .document import Document, Span
from .gazetteer import Place, divisions, resolve_place
from .glossary import is_glossary_title

NUMERALS = "一二三四五六七八九十"
HEADING = re.compile(
    rf"^(?:(?P<l1>[{NUMERALS}]{{1,3}})、|(?P<l2>（[{NUMERALS}]{{1,3}}）)|(?P<l3>\d{{1,2}})[.、](?!\d)) *"
)
# "——2023年10月17日在湛河区第六届人民代表大会第三次会议上", "----2013年2月28日在海拉尔区…",
# "（2025年1月8日在…）", "——二〇二六年一月二十七日在甘肃省十四届人民代表大会…", or the date alone
DATELINE_LEAD = "-‐‑‒–—―－～~（(〔【 \t"  # as lexicons/front_matter.toml [dateline]
DATELINE_CLOSE = "）)〕】"
_CN_DIGIT = "〇零一二三四五六七八九"
DATELINE = re.compile(
    rf"^[{re.escape(DATELINE_LEAD)}]*(?P<y>\d{{4}}|[{_CN_DIGIT}]{{4}})年"
    rf"(?P<m>\d{{1,2}}|[{NUMERALS}]{{1,3}})月(?P<d>\d{{1,2}}|[{NUMERALS}]{{1,3}})日"
    rf"(?:\s*在(?P<meeting>[^{DATELINE_CLOSE}]*))?[{DATELINE_CLOSE}]?\s*$"
)
CONGRESS = re.compile(rf"^(?P<place>.{{2,20}}?)第?[{NUMERALS}百]+届人民代表大会")
SALUTATION = re.compile(r"^各位(代表|委员)")
ON_BEHALF = re.compile(
    r"我(?:受.{1,10}?委托，?)?代表(?P<body>国务院|[^，。、：“”]{0,24}?(?:人民)?政府)"
)
GOVERNMENT_WORK = re.compile(r"向大会(?:作)?(?:政府)?(?:工作报告|报告(?:政府)?工作)")
# Place.level → the level of government a report speaks for
LEVELS = {0: "province", 1: "prefecture", 2: "county"}
SENTENCE_END = "。！？；"
OPENING = {"“": "”", "‘": "’", "《": "》"}
SECTION_OPENING = 12  # characters after a top-level heading that may name its year
FRONT_LINES = 14  # the front matter is at most this many lines (page headings included)


@dataclass
class Section:
    """A numbered heading and the text up to the next heading of the same or a higher level.

    ``number`` is printed as in the contract: "一", "（一）", "1."; ``heading`` has no number
    and no final 。; ``path`` is "1", "1-2", "1-2-3"; ``start``/``end`` are offsets into
    ``doc.text`` (``start`` at the number), ``heading_start``/``heading_end`` those of the
    heading words.
    """

    number: str
    heading: str
    level: int
    start: int
    end: int
    heading_start: int
    heading_end: int
    path: str = ""
    children: list[Section] = field(default_factory=list)


@dataclass(frozen=True)
class Sentence:
    """``doc.text[start:end]``: one sentence, without surrounding whitespace."""

    start: int
    end: int
    section_path: str | None


@dataclass
class Structure:
    """Everything :func:`parse_structure` finds; offsets are into ``doc.text``."""

    title: str | None = None
    title_span: Span | None = None
    date: dt.date | None = None
    place: str | None = None
    place_code: str | None = None
    parent_place: str | None = None
    parent_place_code: str | None = None
    level: str | None = None  # national, province, prefecture or county
    kind: str | None = None  # 政府工作报告 when the report says it reports the government's work
    issuer: str | None = None
    years: tuple[int, ...] = ()
    sections: list[Section] = field(default_factory=list)
    appendix: Span | None = None
    tables: list[Span] = field(default_factory=list)
    paragraphs: list[Span] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    _starts: list[int] = field(default_factory=list, repr=False, compare=False)

    def walk(self) -> Iterator[Section]:
        """Every section, depth first, in text order."""
        stack = list(reversed(self.sections))
        while stack:
            section = stack.pop()
            yield section
            stack.extend(reversed(section.children))

    def section_at(self, offset: int) -> Section | None:
        """The innermost section holding ``offset``, or None (front matter, appendix)."""
        found = None
        for section in self.walk():
            if section.start <= offset < section.end:
                found = section
        return found

    def sentence_at(self, offset: int) -> Sentence | None:
        """The sentence holding ``offset``, or None (between sentences, in a table)."""
        if len(self._starts) != len(self.sentences):
            self._starts = [s.start for s in self.sentences]
        i = bisect.bisect_right(self._starts, offset) - 1
        if i >= 0 and self.sentences[i].start <= offset < self.sentences[i].end:
            return self.sentences[i]
        return None


def parse_structure(doc: Document) -> Structure:
    """The structure of a normalised report.

    >>> from pathlib import Path
    >>> text = "关于某区工作的报告\\n一、总体要求\\n坚持稳中求进。推动发展；\\n（一）聚焦项目。抓好“三个一批”。"
    >>> s = parse_structure(Document(Path("x.txt"), text, text, list(range(len(text) + 1))))
    >>> s.title, [(x.path, x.number, x.heading) for x in s.walk()]
    ('关于某区工作的报告', [('1', '一', '总体要求'), ('1-1', '（一）', '聚焦项目')])
    >>> [text[x.start:x.end] for x in s.sentences][2:]
    ['坚持稳中求进。', '推动发展；', '（一）聚焦项目。', '抓好“三个一批”。']
    """
    text = doc.text
    lines = list(_lines(text))
    structure = Structure()
    structure.tables = find_tables(lines)
    structure.appendix = find_appendix(lines, structure.tables)
    body_end = structure.appendix[0] if structure.appendix else len(text)
    structure.sections = find_sections(lines, structure.tables, body_end)
    read_front_matter(structure, text, lines, doc.metadata)
    if not structure.years:  # the last resort: the year in the file name
        year = year_from_file_name(doc.path.stem)
        structure.years = (year,) if year else ()
    structure.paragraphs = [
        (s, e) for s, e, line in lines if line.strip() and not _in_any(s, structure.tables)
    ]
    structure.sentences = [
        Sentence(s, e, _path_at(structure, s))
        for ps, pe in structure.paragraphs
        for s, e in split_sentences(text, ps, pe)
    ]
    return structure


def _lines(text: str) -> Iterator[tuple[int, int, str]]:
    start = 0
    for line in text.split("\n"):
        yield start, start + len(line), line
        start += len(line) + 1


def _in_any(offset: int, regions: list[Span]) -> bool:
    return any(s <= offset < e for s, e in regions)


def _path_at(structure: Structure, offset: int) -> str | None:
    section = structure.section_at(offset)
    return section.path if section else None


# --- regions ----------------------------------------------------------------------------------


def find_tables(lines: list[tuple[int, int, str]]) -> list[Span]:
    """Runs of two or more consecutive tab-separated lines: (start of the first, end of the last)."""
    tables: list[Span] = []
    run: list[Span] = []
    for start, end, line in [*lines, (0, 0, "")]:
        if "\t" in line:
            run.append((start, end))
            continue
        if len(run) >= 2:
            tables.append((run[0][0], run[-1][1]))
        run = []
    return tables


@cache
def appendix_headings() -> tuple[re.Pattern[str], ...]:
    """Lines that open the back matter: 附件, 名词解释… (lexicons/report_parts.txt)."""
    return tuple(re.compile(p) for p in lexicons.lines("report_parts.txt"))


def find_appendix(lines: list[tuple[int, int, str]], tables: list[Span]) -> Span | None:
    """From the first appendix heading after the body's sections to the end of the text.

    Only the second half of the text counts, so that a 附件 cited early is no appendix.
    """
    total = lines[-1][1] if lines else 0
    for start, _end, line in lines:
        if start < total / 2 or _in_any(start, tables):
            continue
        if any(p.fullmatch(line.strip()) for p in appendix_headings()) or is_glossary_title(line):
            return (start, total)
    return None


# --- sections ---------------------------------------------------------------------------------


def find_sections(
    lines: list[tuple[int, int, str]], tables: list[Span], body_end: int
) -> list[Section]:
    """The tree of numbered headings before ``body_end``; numbering must run 一, 二, 三…"""
    top: list[Section] = []
    open_sections: list[Section] = []  # the current section at each depth
    for start, _end, line in lines:
        if start >= body_end or "\t" in line or _in_any(start, tables):
            continue
        heading = read_heading(line, start)
        if heading is None:
            continue
        while open_sections and open_sections[-1].level >= heading.level:
            open_sections.pop()
        siblings = open_sections[-1].children if open_sections else top
        if _numeral_value(heading) != len(siblings) + 1:
            continue  # out of sequence: a numbered list in running text, not a heading
        heading.path = (
            f"{open_sections[-1].path}-{len(siblings) + 1}"
            if open_sections
            else str(len(siblings) + 1)
        )
        siblings.append(heading)
        open_sections.append(heading)
    _close(top, body_end)
    return top


def read_heading(line: str, start: int) -> Section | None:
    """A heading at the start of ``line``: "一、2022年…执行情况", "（一）聚焦实体经济，…。坚持…"."""
    m = HEADING.match(line)
    if m is None:
        return None
    level = 1 if m["l1"] else 2 if m["l2"] else 3
    number = m["l1"] or m["l2"] or f"{m['l3']}."
    rest = line[m.end() :]
    cut = min((i for i in (rest.find(c) for c in SENTENCE_END) if i >= 0), default=len(rest))
    words = rest[:cut].rstrip()
    if not words or len(words) > 60:
        return None
    h_start = start + m.end()
    return Section(number, words, level, start, start + len(line), h_start, h_start + len(words))


def _numeral_value(section: Section) -> int:
    digits = section.number.strip("（）.")
    return int(digits) if digits.isdigit() else chinese_numeral(digits)


def chinese_numeral(numeral: str) -> int:
    """一 → 1, 十 → 10, 十二 → 12, 二十三 → 23 (up to 九十九).

    >>> [chinese_numeral(n) for n in ("五", "十", "十一", "二十", "二十三")]
    [5, 10, 11, 20, 23]
    """
    values = {ch: i for i, ch in enumerate(NUMERALS[:9], start=1)}
    if "十" not in numeral:
        return values.get(numeral, 0)
    tens, _, units = numeral.partition("十")
    return values.get(tens, 1) * 10 + values.get(units, 0) if tens in values or not tens else 0


def _close(sections: list[Section], end: int) -> None:
    """Each section ends where its next sibling starts; the last one where its parent ends."""
    for i, section in enumerate(sections):
        section.end = sections[i + 1].start if i + 1 < len(sections) else end
        _close(section.children, section.end)


# --- front matter -----------------------------------------------------------------------------


@cache
def front_lexicon() -> dict:
    """Title words, dateline characters, national words, year phrases (lexicons/front_matter.toml)."""
    return lexicons.toml("front_matter.toml")


def read_front_matter(
    structure: Structure, text: str, lines: list[tuple[int, int, str]], metadata=None
) -> None:
    """Title, date, place, level, issuer and years from the front matter and the opening;
    what ``metadata`` (a manifest row) states overrides them."""
    first = structure.sections[0].start if structure.sections else len(text)
    front = [ln for ln in lines[:FRONT_LINES] if ln[0] < first and ln[2].strip()]
    dateline = next((ln for ln in front if DATELINE.match(ln[2])), None)
    structure.title_span = _title_span(front, dateline)
    if structure.title_span:
        structure.title = text[slice(*structure.title_span)].replace("\n", "")
    m = DATELINE.match(dateline[2]) if dateline else None
    if m:
        structure.date = dateline_date(m)
    read_place(structure, text, m["meeting"] or "" if m else "", front)
    structure.issuer = find_issuer(structure, text, front)
    structure.years = covered_years(structure, text)
    if GOVERNMENT_WORK.search(text[:2000]) or "政府工作报告" in (structure.title or ""):
        structure.kind = "政府工作报告"
    if metadata is not None:
        apply_metadata(structure, metadata)


def _title_span(front: list[tuple[int, int, str]], dateline) -> Span | None:
    """The first title line before the dateline ("2026年吉林省政府工作报告"), and up to two
    more lines when the title is split and the dateline follows."""
    before = front[: front.index(dateline)] if dateline else front
    first = next((i for i, ln in enumerate(before) if _is_title_line(ln[2])), None)
    if first is None:
        return None
    title, end = before[first][2], before[first][1]
    if dateline is not None:
        for _start, line_end, line in before[first + 1 : first + 3]:
            if _title_complete(title) or not _title_continues(line):
                break
            title, end = title + line, line_end
    return (before[first][0], end)


def _is_title_line(line: str) -> bool:
    """A line that can open a title: it names a kind of report (报告, 规划, 纲要…)."""
    words = front_lexicon()["title"]["words"]
    return (
        _title_continues(line)
        and not DATELINE.match(line)
        and len(line) <= 80
        and any(w in line for w in words)
    )


def _title_complete(title: str) -> bool:
    return title.rstrip().endswith(tuple(front_lexicon()["title"]["ends"]))


def _title_continues(line: str) -> bool:
    return not (
        SALUTATION.match(line) or HEADING.match(line) or "。" in line or line.startswith("—")
    )


CHINESE_DIGITS = {ch: i for i, ch in enumerate("〇一二三四五六七八九")} | {"零": 0}


def dateline_date(m: re.Match[str]) -> dt.date | None:
    """The date of a dateline match, in Arabic or Chinese numerals (二〇二六年一月二十七日)."""
    y, mo, d = m["y"], m["m"], m["d"]
    year = int(y) if y.isdigit() else int("".join(str(CHINESE_DIGITS[c]) for c in y))
    month = int(mo) if mo.isdigit() else chinese_numeral(mo)
    day = int(d) if d.isdigit() else chinese_numeral(d)
    return _date(year, month, day)


def dateline_complete(line: str) -> bool:
    """Does this dateline end, or does it run on to the next line ("…人民代表大会" + "第三次会议上")?"""
    m = DATELINE.match(line)
    if m is None:
        return True
    meeting = m["meeting"]
    return meeting is None or "上" in meeting or line.rstrip()[-1:] in DATELINE_CLOSE


def _date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def covered_years(structure: Structure, text: str = "") -> tuple[int, ...]:
    """The years a report covers: those its title and top-level headings name
    ("一、2022年…执行情况", "三、2026年工作安排", kept within a few years of its date), the
    year it plans (its date's year; undated, the latest heading year or the year its text
    sets targets for: "2026年主要目标") and the year before when the text reviews it
    ("过去一年", "2025年工作回顾", or that year named again and again). A top-level section
    that opens with a year ("一、工作回顾" "2025年是…") covers it like its heading."""
    texts = [structure.title or ""] + [s.heading for s in structure.sections]
    texts += [text[s.heading_end : s.heading_end + SECTION_OPENING] for s in structure.sections]
    years = {int(y) for t in texts for y in re.findall(r"(?<!\d)(\d{4})年", t)}
    if structure.date:
        years = {y for y in years if structure.date.year - 3 <= y <= structure.date.year + 1}
    plan = plan_year(text, structure.date, years)
    if plan is not None:
        years.add(plan)
        if reviews_year(text, plan - 1):
            years.add(plan - 1)
    return tuple(sorted(y for y in years if 1949 <= y <= 2100))


def _year_phrases(text: str, kind: str) -> list[int]:
    """Years named in the ``kind`` phrases of lexicons/front_matter.toml ``[years]``."""
    found = []
    for phrase in front_lexicon()["years"][kind]:
        found += [int(y) for y in re.findall(phrase.replace("{y}", r"(?<!\d)(\d{4})"), text)]
    return found


def plan_year(text: str, date: dt.date | None, heading_years: set[int]) -> int | None:
    """The year a report plans: its date's year; undated, the latest year its title and
    headings name, else the year its text most often sets targets or tasks for."""
    if date is not None:
        return date.year
    if heading_years:
        return max(heading_years)
    planned = _year_phrases(text, "plan")
    return max(set(planned), key=planned.count) if planned else None


def reviews_year(text: str, year: int) -> bool:
    """Does the text look back on ``year``: "过去一年", "2025年工作回顾", "刚刚过去的2025年",
    or ``year`` named at least ``review_mentions`` times?"""
    lex = front_lexicon()["years"]
    return (
        any(w in text for w in lex["last_year"])
        or year in _year_phrases(text, "review")
        or len(re.findall(rf"(?<!\d){year}年", text)) >= lex["review_mentions"]
    )


def year_from_file_name(name: str) -> int | None:
    """The last resort: a year in the file name (``hailaer-district_2013_gov-work-report``)."""
    m = re.search(r"(?<!\d)((?:19|20)\d{2})(?!\d)", name)
    return int(m[1]) if m else None


# --- place and issuer -------------------------------------------------------------------------


def read_place(
    structure: Structure, text: str, meeting: str, front: list[tuple[int, int, str]] | None = None
) -> None:
    """The place a report is about: the congress it was given to ("在湛河区第六届人民代表大会"),
    else the title, else the body it speaks for ("我代表海拉尔区人民政府", a signature
    line); resolved to a GB/T 2260 code, with its parent. A report to 全国人民代表大会 or
    on behalf of 国务院 is national."""
    level = front_lexicon()["level"]
    opening = ON_BEHALF.search(text[:2000])
    body = opening["body"] if opening else ""
    if any(w in meeting for w in level["national_meetings"]) or body in level["national_bodies"]:
        structure.place = level["national_place"]
        structure.level = "national"
        return
    congress = CONGRESS.match(meeting)
    signatures = [ln[2] for ln in (front or [])[1:] if not DATELINE.match(ln[2])]
    candidates = (
        congress["place"] if congress else "",
        meeting,
        structure.title or "",
        body,
        *signatures,
    )
    for candidate in candidates:
        place = resolve_place(candidate, text) if candidate else None
        if place is not None:
            set_place(structure, place)
            return


def set_place(structure: Structure, place: Place) -> None:
    """Place, code, level and parent of the report."""
    structure.place, structure.place_code = place.name, place.code
    structure.level = LEVELS[place.level]
    parent = place.parent()
    structure.parent_place = parent.name if parent else None
    structure.parent_place_code = parent.code if parent else None


def apply_metadata(structure: Structure, meta) -> None:
    """What a manifest row states overrides the text: place (by code, else by name), date,
    title and the plan year (the text's years up to it stay, later ones go)."""
    by_code = divisions()[1]
    if meta.admin_code and meta.admin_code in by_code:
        set_place(structure, by_code[meta.admin_code])
    elif meta.place:
        place = resolve_place(meta.place, "")
        if place is not None:
            set_place(structure, place)
        else:
            structure.place, structure.place_code = meta.place, meta.admin_code
    if meta.delivered:
        structure.date = meta.delivered
    if meta.title:
        structure.title = meta.title
    if meta.kind:
        structure.kind = meta.kind
    if meta.year:
        kept = {y for y in structure.years if meta.year - 1 <= y <= meta.year}
        structure.years = tuple(sorted(kept | {meta.year}))


def find_issuer(structure: Structure, text: str, front: list[tuple[int, int, str]]) -> str | None:
    """The issuing body: a signature line of the front matter ("湛河区发展和改革委员会",
    "四川省人民政府省长施小琳"), else "我代表省人民政府" completed with the place."""
    suffixes, roles = body_lexicon()
    alternatives = "|".join(map(re.escape, suffixes))
    signature = re.compile(
        rf"^(?P<body>[^，。：；“”]+?(?:{alternatives}))(?:{'|'.join(map(re.escape, roles))})?[^，。：；“”]{{0,5}}$"
    )
    for _start, _end, line in front[1:]:
        m = signature.match(line)
        if m and not DATELINE.match(line) and not HEADING.match(line):
            return _local_name(qualify_body(m["body"], structure), structure)
    m = ON_BEHALF.search(text[:2000])
    if m is None:
        return None
    return _local_name(qualify_body(m["body"], structure), structure)


def _local_name(body: str, structure: Structure) -> str:
    """呼伦贝尔市海拉尔区人民政府 → 海拉尔区人民政府: one name per body across reports."""
    if (
        structure.parent_place
        and structure.place
        and body.startswith(structure.parent_place + structure.place)
    ):
        return body[len(structure.parent_place) :]
    return body


# --- sentences --------------------------------------------------------------------------------


def split_sentences(text: str, start: int, end: int) -> list[Span]:
    """Sentences of ``text[start:end]`` (one paragraph): split after 。！？； but not inside
    “…” or 《…》; a quote that closes right after a full stop ("…。”") ends the sentence.

    >>> t = "确保企业和群众“进一扇门，能办所有事。”设置专区；增设大厅。"
    >>> [t[s:e] for s, e in split_sentences(t, 0, len(t))]
    ['确保企业和群众“进一扇门，能办所有事。”', '设置专区；', '增设大厅。']
    """
    cuts = _cuts(text, start, end, quotes=True)
    if cuts is None:  # unbalanced quotes: fall back to plain punctuation
        cuts = _cuts(text, start, end, quotes=False) or []
    spans = []
    for s, e in zip([start, *cuts], [*cuts, end], strict=True):
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            spans.append((s, e))
    return spans


def _cuts(text: str, start: int, end: int, quotes: bool) -> list[int] | None:
    """Offsets after which a sentence ends; None when quotes do not balance."""
    cuts: list[int] = []
    closing: list[str] = []
    for i in range(start, end):
        ch = text[i]
        if quotes and ch in OPENING:
            closing.append(OPENING[ch])
        elif quotes and closing and ch == closing[-1]:
            closing.pop()
            if not closing and text[i - 1] in SENTENCE_END:
                cuts.append(i + 1)
        elif ch in SENTENCE_END and not closing:
            cuts.append(i + 1)
    if closing:
        return None
    return [c for c in cuts if c < end]
