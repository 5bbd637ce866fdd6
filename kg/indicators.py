"""Indicators and their observations: the 主要指标 table and the figures in running text.
One module (~850 lines) because its two readers, the 主要指标 table and the figures in running
text, make one record (:class:`ObservationRecord`) from one lexicon and one section context
(which year, actual or target), and :func:`merge_observations` reconciles what both read.

Pure functions on normalised report text; every record carries offsets into that text.
Indicator names are canonicalised through ``lexicons/indicators.tsv`` (生产总值 → 地区生产总值),
units come from ``lexicons/units.tsv``.

    >>> text = "一、2022年计划执行情况\\n全年地区生产总值增长3.8%。\\n"
    >>> review = [(0, len(text), "一、2022年计划执行情况")]  # (start, end, heading): kg.structure
    >>> [(r.indicator, r.period, r.value_kind, r.measure, str(r.value))
    ...  for r in find_text_figures(text, review)]
    [('地区生产总值', 2022, 'actual', 'growth', '3.8')]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Literal, NamedTuple, Protocol

from . import lexicons
from .document import Span

ValueKind = Literal["actual", "target"]
Measure = Literal["level", "growth"]
Bound = Literal["at_least", "at_most", "about"]
Section = tuple[int, int, str]
"""A report section as ``(start, end, heading)``: offsets into the text, heading as written."""


class SectionLike(Protocol):
    """Any section object with offsets and a heading (``kg.structure.Section`` is one)."""

    start: int
    end: int
    heading: str


@dataclass
class ObservationRecord:
    """One value of one indicator for one year: 2022年 地区生产总值 实际 增长 3.8%.

    ``value`` is None for qualitative targets, whose wording is in ``target_text``
    (完成市定目标, 与经济增长同步), and for ranges (增长5%—5.5%), which have ``lower`` and
    ``upper`` instead. ``area`` None means the report's own place.
    ``spans`` hold every place the fact is stated (table cell, phrase in a sentence).
    """

    indicator: str
    label: str
    period: int
    area: str | None
    value_kind: ValueKind
    measure: Measure
    value: Decimal | None
    unit: str | None
    bound: Bound | None
    target_text: str | None
    spans: list[Span]
    source: Literal["table", "headline", "text", "commitment"] = "text"
    warnings: list[str] = field(default_factory=list)
    lower: Decimal | None = None
    upper: Decimal | None = None
    headline: bool = False
    """Stated in the report's headline list of the year's targets (主要预期目标是：…)."""
    commitment: bool = False
    """Stated in the government's list of commitments (十件民生实事：…), see kg.commitments."""


@dataclass(frozen=True)
class Indicator:
    """A canonical indicator from the lexicon, with the names it goes by."""

    name: str
    dimension: str
    aliases: tuple[str, ...]
    growth_aliases: tuple[str, ...]
    better: Literal["higher", "lower"]
    """Which way is good: a target of a lower-is-better indicator (失业率, 物价涨幅) is a ceiling."""
    source: str


# --- lexicons -------------------------------------------------------------------------------


def _key(label: str) -> str:
    """Comparison key of a name: no spaces, half-width brackets and percent sign."""
    return re.sub(r"\s+", "", label).translate(str.maketrans("（）％", "()%"))


def _names(cell: str) -> tuple[str, ...]:
    return tuple(n.strip() for n in cell.split(";") if n.strip())


@cache
def _rows() -> tuple[Indicator, ...]:
    """Every row of ``lexicons/indicators.tsv``, pairs (城镇…|农村…) included."""
    rows = ((row + [""] * 6)[:6] for row in lexicons.rows("indicators.tsv"))
    return tuple(
        Indicator(n, dim, _names(a), _names(g), "lower" if b == "lower" else "higher", src)
        for n, dim, a, g, b, src in rows
    )


@cache
def indicator_lexicon() -> dict[str, Indicator]:
    """Canonical indicators by name (pairs like 城镇…|农村… are left out: they are no indicator)."""
    return {row.name: row for row in _rows() if "|" not in row.name}


@cache
def _alias_roles() -> dict[str, tuple[str, str]]:
    """Key of every written name → (canonical, role); role is name, growth or pair."""
    roles: dict[str, tuple[str, str]] = {}
    for row in _rows():
        if "|" in row.name:
            roles.update({_key(a): (row.name, "pair") for a in row.aliases})
            continue
        roles.update({_key(a): (row.name, "name") for a in (row.name, *row.aliases)})
        roles.update({_key(a): (row.name, "growth") for a in row.growth_aliases})
    return roles


def lower_is_better(name: str) -> bool:
    """Whether a lower value of the indicator is the better one (城镇调查失业率, 居民消费价格指数).

    >>> lower_is_better("城镇调查失业率"), lower_is_better("地区生产总值"), lower_is_better("新增x")
    (True, False, False)
    """
    found = indicator_lexicon().get(name)
    return found is not None and found.better == "lower"


def canonical_indicator(label: str) -> str | None:
    """The canonical name of an indicator as written, or None when the lexicon lacks it.

    >>> canonical_indicator("生产总值"), canonical_indicator("规上工业"), canonical_indicator("产值")
    ('地区生产总值', '规模以上工业增加值', None)
    """
    found = _alias_roles().get(_key(label))
    return found[0] if found and found[1] != "pair" else None


class Unit(NamedTuple):
    """A unit as written: its dimension, its factor to the base unit, and that base unit."""

    dimension: str
    factor: Decimal
    base: str


@cache
def units() -> dict[str, Unit]:
    """Every unit as written → its :class:`Unit`: 亿元 → ('money', 1e8, '元').

    >>> units()["万吨"], units()["亩"].base
    (Unit(dimension='mass', factor=Decimal('10000000'), base='千克'), '平方米')
    """
    base: dict[str, Unit] = {}
    prefixes: dict[str, Decimal] = {}
    for unit, value, kind, *rest in lexicons.rows("units.tsv"):
        if kind == "prefix":
            prefixes[unit] = Decimal(value)
        else:
            factor, base_unit = rest
            numerator, _, denominator = factor.partition("/")
            base[unit] = Unit(value, Decimal(numerator) / Decimal(denominator or 1), base_unit)
    scaled = {
        p + u: Unit(b.dimension, f * b.factor, b.base)
        for p, f in prefixes.items()
        for u, b in base.items()
    }
    return scaled | base


def normalise(value: Decimal, unit: str) -> tuple[Decimal, str] | None:
    """``value`` in ``unit`` as a value in its base unit, or None for an unknown unit.

    >>> normalise(Decimal("2.4"), "亿元"), normalise(Decimal("110"), "万人")
    ((Decimal('240000000'), '元'), (Decimal('1100000'), '人'))
    """
    found = units().get(unit)
    if found is None:
        return None
    # four decimals: 亩's factor is 10000/15, a repeating decimal; written without exponent
    product = f"{(value * found.factor).quantize(Decimal('0.0001')):f}"
    return Decimal(product.rstrip("0").rstrip(".") if "." in product else product), found.base


def _alternation(words: Iterable[str]) -> str:
    escaped = (re.escape(w).replace(r"\(", "[(（]").replace(r"\)", "[)）]") for w in words)
    return "|".join(sorted(escaped, key=len, reverse=True))


@cache
def _alias_pattern() -> re.Pattern[str]:
    written: set[str] = set()
    for row in _rows():
        written.update(row.aliases + row.growth_aliases + (() if "|" in row.name else (row.name,)))
    return re.compile(_alternation(written))


# --- the main-indicator table ----------------------------------------------------------------

DASH = {"", "—", "——", "-", "－", "/", "…"}
NUMBER_CELL = re.compile(r"([-－−]?\d+(?:\.\d+)?)(以上|左右|以下|以内)?")
BOUNDS: dict[str, Bound] = {  # written before (不低于5%) or after (5%以上) the number
    "以上": "at_least",
    "不低于": "at_least",
    "不少于": "at_least",
    "高于": "at_least",
    "余": "at_least",
    "多": "at_least",
    "超过": "at_least",
    "超": "at_least",
    "突破": "at_least",
    "左右": "about",
    "约": "about",
    "近": "about",
    "以下": "at_most",
    "以内": "at_most",
    "不超过": "at_most",
    "不高于": "at_most",
    "控制在": "at_most",
}
ROW_NUMBER = re.compile(
    r"^\s*(?:[（(][一二三四五六七八九十]+[）)]|\d+\s*[.．、]|[一二三四五六七八九十]+、)\s*"
)
Cell = tuple[str, int, int]


def parse_indicator_tables(text: str) -> list[ObservationRecord]:
    """Observations from tab-separated 主要指标 tables, one per non-empty value cell.

    The header row (指标名称 / 计量单位 / 2022年计划 / 2022年实际完成 …) gives each column pair
    its year and kind, the sub-header (绝对值 / 增长%) its measure; both may repeat after page
    breaks. "7.5以上" is 7.5 at_least; "完成市定目标" is a target_text; "—" is no observation.
    """
    records: list[ObservationRecord] = []
    columns: list[tuple[int, ValueKind] | None] | None = None
    measures: list[Measure | None] | None = None
    offset = 0
    for line in text.splitlines(keepends=True):
        cells = _cells(line.rstrip("\r\n"), offset)
        offset += len(line)
        if "\t" not in line:
            if line.strip():
                columns = measures = None
            continue
        if _key(cells[0][0]) == "指标名称":
            columns, measures = _header_columns(cells), None
        elif columns is not None and _is_subheader(cells):
            measures = [_column_measure(c[0]) for c in cells]
        elif columns is not None and measures is not None:
            records += _row_observations(cells, columns, measures)
    return records


def _cells(line: str, offset: int) -> list[Cell]:
    """Tab-separated cells, stripped, with their offsets in the text."""
    cells, start = [], 0
    for part in line.split("\t"):
        lead = len(part) - len(part.lstrip())
        stripped = part.strip()
        cells.append((stripped, offset + start + lead, offset + start + lead + len(stripped)))
        start += len(part) + 1
    return cells


def _header_columns(cells: list[Cell]) -> list[tuple[int, ValueKind] | None]:
    """Year and kind of every column; a blank header cell continues the one on its left."""
    columns: list[tuple[int, ValueKind] | None] = [None, None]
    current = None
    for cell, _, _ in cells[2:]:
        if cell:
            current = _column_kind(_key(cell))
        columns.append(current)
    return columns


def _column_kind(header: str) -> tuple[int, ValueKind] | None:
    """'2022年计划' → (2022, 'target'); '2022年实际完成' → (2022, 'actual'); '2023年预计' → None."""
    match = re.match(r"(\d{4})年?(.*)", header)
    if match is None or "预计" in match.group(2):
        return None
    if re.search(r"实际|完成|执行", match.group(2)):
        return int(match.group(1)), "actual"
    if re.search(r"计划|目标|预期", match.group(2)):
        return int(match.group(1)), "target"
    return None


def _column_measure(header: str) -> Measure | None:
    if re.search(r"增长|增速|增幅", header):
        return "growth"
    return "level" if re.search(r"绝对值|总量|数值|绝对数", header) else None


def _is_subheader(cells: list[Cell]) -> bool:
    return any(_column_measure(c[0]) for c in cells) and not cells[0][0] and not cells[1][0]


def _row_observations(
    cells: list[Cell], columns: list[tuple[int, ValueKind] | None], measures: list[Measure | None]
) -> list[ObservationRecord]:
    """One row: "(一) 生产总值 | 亿元 | — | 7.5以上 | 245.24 | 3.8 | — | 7.5"."""
    label = ROW_NUMBER.sub("", cells[0][0]).strip()
    unit = cells[1][0] if len(cells) > 1 else ""
    if not label or not unit or not re.search(r"[\u4e00-\u9fffA-Za-z]", label):
        return []
    name = canonical_indicator(label) or _key(label)
    records = []
    for i, (cell, start, end) in enumerate(cells[2:], start=2):
        column = columns[i] if i < len(columns) else None
        measure = measures[i] if i < len(measures) else None
        if cell in DASH or column is None or measure is None:
            continue
        value, bound, target_text = _cell_value(cell)
        if value is None and column[1] == "actual":
            continue
        record_unit = unit if measure == "level" else "%"
        records.append(
            ObservationRecord(
                name, label, column[0], None, column[1], measure, value,
                record_unit if value is not None else None, bound, target_text,
                [(start, end)], source="table",
            )
        )  # fmt: skip
    return records


def _cell_value(cell: str) -> tuple[Decimal | None, Bound | None, str | None]:
    match = NUMBER_CELL.fullmatch(cell)
    if match is None:
        return None, None, cell
    number = match.group(1).replace("－", "-").replace("−", "-")
    return Decimal(number), BOUNDS.get(match.group(2) or ""), None


# --- sections: which year, and actual or target ------------------------------------------------

GLOSSARY = re.compile(r"附件|附录|名词解释|术语解释|注释")
ACTUAL_CUE = re.compile(r"执行情况|完成情况|回顾|过去一年|成绩|成就")
TARGET_CUE = re.compile(r"目标|计划|预期|任务|安排|力争|打算|思路")
YEAR = re.compile(r"(?<![比较由从与])(\d{4})年(?!以来|来|代|前)")
RELATIVE_YEAR = re.compile(r"(?<![比较由从与同])(今年|本年|去年|明年|过去一年|一年来)")
RELATIVE_OFFSET = {"今年": 0, "本年": 0, "去年": -1, "明年": 1, "过去一年": -1, "一年来": -1}


def years_in(fragment: str, year: int | None = None) -> list[int]:
    """The years a fragment names, in order: 2025年, and 今年/去年/明年 when the report's
    ``year`` is known (a report delivered in 2026 says 今年 for 2026).

    >>> years_in("去年地区生产总值增长5.4%，2026年", 2026)
    [2025, 2026]
    """
    found = [(m.start(), int(m.group(1))) for m in YEAR.finditer(fragment)]
    if year is not None:
        found += [
            (m.start(), year + RELATIVE_OFFSET[m.group(1)])
            for m in RELATIVE_YEAR.finditer(fragment)
        ]
    return [y for _, y in sorted(found)]


MULTI_YEAR = re.compile(
    r"(?:——|各位代表[，,！!]?)?(?:(?<!\d)[二三四五六七八九十2-9]年来"
    r"|(?:过去(?:的)?|这)[二三四五六七八九十2-9]年"
    r"|[“\"]?十[一二三四五六七八九]五[”\"]?(?:时期|期间|以来))"
)
SINGLE_YEAR = re.compile(r"\d{4}年|一年来|过去一年|今年|去年")
TARGET_WORDS = re.compile(r"力争|预期目标|目标是|目标为")


def _is_glossary(line: str) -> bool:
    return len(line) <= 16 and GLOSSARY.search(line) is not None


def _context(
    text: str, pos: int, sections: Sequence[Section], year: int | None = None
) -> tuple[int, ValueKind] | None:
    """Year and kind of a figure at ``pos``, or None when it cannot be told or spans many years.

    The innermost heading with a year decides (执行情况/回顾 → actual; 目标/计划/任务 → target);
    a year written earlier in the same sentence overrides it (earlier → actual, later →
    target), as do 力争/目标是. Under no heading with a year, the one year that the
    paragraph's first sentence names stands for it ("刚刚过去的2025年，全省上下……"), else, under
    headings that plan nothing, the one past year of the nearest paragraph that opens with a
    year (the paragraphs after "2025年是……之年。" in 一、工作回顾). With the report's ``year``
    known, 今年/去年/明年 name years too, and a heading year without a cue ("2026年重点工作")
    is a target year when it is the report's year or later, a year of results when earlier.
    Figures in 五年来 paragraphs and in glossaries are skipped.

    >>> text = "工作回顾\\n2025年是收官之年。我们顶压前行，地区生产总值增长5%。"
    >>> _context(text, text.index("地区"), [(0, len(text), "工作回顾")], 2026)
    (2025, 'actual')
    >>> for span in ("五年来", "5年来", "过去5年"):
    ...     text = f"工作回顾\\n2025年任务完成。{span}，地区生产总值增长5%。"
    ...     assert _context(text, text.index("地区"), [(0, len(text), "工作回顾")], 2026) is None
    >>> text = "工作回顾\\n刚刚过去的2025年，我们顶压前行。\\n狠抓项目建设。民间投资增长2.8%。"
    >>> _context(text, text.index("民间"), [(0, len(text), "工作回顾")], 2026)
    (2025, 'actual')
    """
    around = sorted((s for s in sections if s[0] <= pos < s[1]), key=lambda s: (s[0], -s[1]))
    if any(_is_glossary(h.strip()) for _, _, h in around):
        return None
    clause = text[_sentence_start(text, pos) : pos]
    own = years_in(clause, year)
    opening = _opening_years(text, pos, around[0], year) if around and not own else []
    if not own and opening is None:
        return None
    period, kind = _heading_context([h for _, _, h in around], year)
    if period is None and not own:
        # under a heading that plans nothing, the paragraphs after one that opens with a past
        # year ("刚刚过去的2025年，……") state that year's results, up to the next heading
        review = kind != "target" and not TARGET_WORDS.search(clause)
        past = opening if review and opening and (year is None or max(opening) < year) else []
        period = _paragraph_year(text, pos, year, past)
        if period is not None and kind is None and year is not None:
            kind = "actual" if period < year else "target"
    if own:
        if period is not None and own[-1] != period:
            kind = "actual" if own[-1] < period else "target"
        elif year is not None and kind is None:
            kind = "actual" if own[-1] < year else "target"
        period = own[-1]
    if TARGET_WORDS.search(clause):
        kind = "target"
    return (period, kind) if period is not None and kind is not None else None


def _heading_context(
    headings: list[str], year: int | None = None
) -> tuple[int | None, ValueKind | None]:
    """Year and kind from the innermost heading with a year, its kind cue, else any cue,
    else (the report's ``year`` known) the year itself: the report's year is planned."""

    def kind_of(heading: str) -> ValueKind | None:
        if ACTUAL_CUE.search(heading):
            return "actual"
        return "target" if TARGET_CUE.search(heading) else None

    for heading in reversed(headings):
        years = years_in(heading, year)
        if years:
            cue = ACTUAL_CUE.search(heading) or TARGET_CUE.search(heading)
            before = years_in(heading[: cue.start()], year) if cue else []
            period = (before or years)[-1]
            kind = kind_of(heading) or next(filter(None, map(kind_of, reversed(headings))), None)
            if kind is None and year is not None:
                kind = "actual" if period < year else "target"
            return period, kind
    return None, next(filter(None, map(kind_of, reversed(headings))), None)


def _paragraph_year(
    text: str, pos: int, year: int | None, earlier: Sequence[int] = ()
) -> int | None:
    """The one year that the first sentence of the paragraph holding ``pos`` names before
    ``pos``, else the one year of ``earlier`` (an earlier paragraph's opening), if the
    paragraph spans no years before ``pos`` (五年来, "十四五"时期: "2025年目标任务顺利完成。
    五年来，……" reviews five years, not 2025)."""
    start = text.rfind("\n", 0, pos) + 1
    if MULTI_YEAR.search(text, start, pos):
        return None
    years = set(years_in(text[start:pos].split("。", 1)[0], year) or earlier)
    return years.pop() if len(years) == 1 else None


def _sentence_start(text: str, pos: int) -> int:
    return max(text.rfind(p, 0, pos) for p in "。！？；\n") + 1


def _opening_years(text: str, pos: int, outer: Section, year: int | None) -> list[int] | None:
    """The years named by the first sentence of the nearest paragraph of ``outer`` (up to
    ``pos``) that opens with a time cue: None when it opens with 五年来, "十四五"时期…, [] when
    no paragraph does."""
    end = pos
    while True:
        start = text.rfind("\n", 0, end) + 1
        if start < outer[0]:
            return []
        paragraph = text[start:end].strip(" \t\u3000")
        if not paragraph.startswith(outer[2].strip()):
            first = paragraph.split("。", 1)[0]
            if MULTI_YEAR.match(first):
                return None
            if SINGLE_YEAR.search(first):
                return years_in(first, year)
        if start == 0:
            return []
        end = start - 1


# --- figures in running text -----------------------------------------------------------------

LEFT_CLEAN = re.compile(
    r"(?:\d{4}年)?(?:全年|全区|全市|全省|全县|全旗|全州|实现|完成|其中|今年|当年|年末|预计|力争|共)*"
)
CONNECT = r"(?:\s|[（(][^（()）\n]{1,12}[）)]|[，,]?(?:按可比价计算|按可比口径计算|同比|比上年|较上年)[，,]?)*"
VERB = (
    r"(?P<verb>年均增长|年均递增|年均|增速达到|增速达|增速为|增速|同比增长|增长|递增|下降|降低|减少"
    r"|上涨|提高|提升|达到|达|完成|实现|为|突破|超过|超|不低于|不少于|不超过|不高于|控制在"
    r"|保持在|稳定在|约|近|)"
)
GROWTH_VERBS = ("增长", "递增", "增速", "同比增长", "上涨", "提高", "提升", "下降", "降低", "减少")
DECREASE = ("下降", "降低", "减少")
QUALITATIVE = re.compile(r"(?:增长)?(?:与|和|同)经济增长(?:基本|协调)?同步")
NOUN_STOP = re.compile(
    r"^(?:[再又增减新共]|总[量数计额]|累计|合计|其中)|[的了和及与等为比较在由从是到将]|[达超近约逾]$|增长|下降|突破"
)
"""What no new item's name holds: verbs and bound words (新增总量达, 床位超), or a total (总数)."""
ITEM_VERB = r"(?P<verb>达到|达|超过|超|突破|近|约|逾)?"


@cache
def _number() -> str:
    unit = _alternation(units())
    # a range writes its unit once or twice: 5%—5.5%, 4.5-5%, 6%－6.5%, 6%至6.5%
    return (
        r"(?P<num>-?\d+(?:\.\d+)?)(?:[%％]?\s*(?:—{1,2}|–|-|－|~|～|至|到)\s*"
        rf"(?P<num2>\d+(?:\.\d+)?))?(?P<approx>余|多)?\s*(?P<unit>{unit})"
        r"(?P<bound>以上|左右|以内|以下)?"
    )


@cache
def _value_pattern() -> re.Pattern[str]:
    return re.compile(CONNECT + VERB + r"\s*" + _number())


@cache
def _chain_pattern() -> re.Pattern[str]:
    verb = r"(?P<verb>同比增长|增长|下降|降低|增速为|达到|达)"
    return re.compile(r"[，,、]\s*" + CONNECT + verb + r"\s*" + _number())


@cache
def _pair_pattern() -> re.Pattern[str]:
    second = _number().replace("?P<", "?P<b_")
    return re.compile(
        r"(?:[，,]\s*)?(?:同比)?分别(?:同比)?" + VERB + _number() + r"(?:、|和|与)" + second
    )


@cache
def _new_item_pattern() -> re.Pattern[str]:
    return re.compile(r"(?P<noun>[\u4e00-\u9fff“”]{2,14}?)" + ITEM_VERB + _number())


def find_text_figures(
    text: str,
    sections: Iterable[Section | SectionLike],
    year: int | None = None,
    taken: Iterable[Span] = (),
) -> list[ObservationRecord]:
    """Figures stated in sentences, when the indicator is a lexicon name or 新增+noun.

    "全年地区生产总值增长3.8%" in 一、2022年…执行情况 → 2022 actual growth 3.8 %;
    "全年新增国家高新技术企业7家以上" in 四、2023年…主要任务 → 2023 target level 7 家 at_least.
    ``sections`` are ``(start, end, heading)`` tuples or objects with those attributes (pass
    every level, e.g. ``structure.walk()``: the report's own outline, kg.structure).
    ``year`` is the report's year (今年, 去年); figures inside the ``taken`` spans (read by
    another reader, e.g. the headline target list) are left to it.
    Figures whose year or kind cannot be told are left out, as are multi-year figures
    (年均增长, 五年来) and anything in a table line or a glossary.
    """
    outline = [_as_section(s) for s in sections]
    records: list[ObservationRecord] = []
    given = list(taken)
    taken = list(given)
    for match in _alias_pattern().finditer(text):
        if _fenced(text, match.start()) or any(s <= match.start() < e for s, e in given):
            continue
        context = _context(text, match.start(), outline, year)
        if context is not None:
            found = _lexicon_figures(text, match, context)
            records += found
            taken += [span for r in found for span in r.spans]
    for match in re.finditer("新增", text):
        if _fenced(text, match.start()) or any(s <= match.start() < e for s, e in taken):
            continue
        context = _context(text, match.start(), outline, year)
        if context is not None:
            records += _new_items(text, match.end(), context, match.start())
    taken += [span for r in records for span in r.spans]
    for match in re.finditer(r"(?<!年均)分别", text):
        head = max(text.rfind(p, 0, match.start()) for p in "，,。；;：:！？\n") + 1
        line = text[text.rfind("\n", 0, head) + 1 : text.find("\n", head) % (len(text) + 1)]
        if "\t" in line or any(s <= match.start() < e for s, e in taken):
            continue
        context = _context(text, head, outline, year)
        if context is not None:
            records += _each_list(text, head, match, context)
    return sorted(records, key=lambda r: r.spans[0])


def _as_section(section: Section | SectionLike) -> Section:
    if isinstance(section, tuple):
        return section
    return section.start, section.end, section.heading


def _fenced(text: str, pos: int) -> bool:
    """A mention that is no subject of its own clause (占规上工业增加值比重) or sits in a table."""
    line_start = text.rfind("\n", 0, pos) + 1
    line_end = text.find("\n", pos)
    if "\t" in text[line_start : line_end if line_end >= 0 else len(text)]:
        return True
    clause = max(text.rfind(p, 0, pos) for p in "，,。；;：:、“”（(）)！？\n\u3000 ") + 1
    return LEFT_CLEAN.fullmatch(text[clause:pos]) is None


def _lexicon_figures(
    text: str, alias: re.Match[str], context: tuple[int, ValueKind]
) -> list[ObservationRecord]:
    """The figures right after a lexicon name: level, growth, chained (…亿元，增长5.5%), pairs."""
    name, role = _alias_roles()[_key(alias.group())]
    if role == "pair":
        return _pair_figures(text, alias, name, context)
    qualitative = QUALITATIVE.match(text, alias.end())
    if qualitative and context[1] == "target":
        span = (alias.start(), qualitative.end())
        return [_record(name, alias.group(), context, "growth", None, None, None, span,
                        target_text=qualitative.group())]  # fmt: skip
    value = _value_pattern().match(text, alias.end())
    first = value and _figure(name, alias.group(), role, value, context, alias.start())
    if not first:
        return []
    found = [first]
    chained = _chain_pattern().match(text, value.end())  # type: ignore[union-attr]
    second = chained and _figure(name, alias.group(), "name", chained, context, alias.start())
    if second and second.measure != first.measure:
        found.append(second)
    return found


def _figure(
    name: str,
    label: str,
    role: str,
    match: re.Match[str],
    context: tuple[int, ValueKind],
    start: int,
    prefix: str = "",
) -> ObservationRecord | None:
    """One figure from a value match, if its unit fits the indicator and its verb one year.

    ``prefix`` picks the second value of a pair match (``b_num``, ``b_unit``); both values
    share the pair's verb.
    """
    verb = match.group("verb") or "" if "verb" in match.re.groupindex else ""
    if verb.startswith("年均"):
        return None
    unit = match.group(prefix + "unit")
    growth = role == "growth" or verb.startswith(GROWTH_VERBS)
    if growth:
        if units()[unit].dimension not in ("percent", "points"):
            return None
    elif _dimension(name) is not None and units()[unit].dimension != _dimension(name):
        return None
    value, lower, upper = match_values(match, prefix, negate=growth and verb in DECREASE)
    written_bound = match.group(prefix + "bound")
    bound = BOUNDS.get(written_bound or match.group(prefix + "approx") or verb)
    end = match.end(prefix + "bound") if written_bound else match.end(prefix + "unit")
    measure: Measure = "growth" if growth else "level"
    record = _record(name, label, context, measure, value, unit, bound, (start, end))
    if lower is not None:
        record.lower, record.upper, record.bound = lower, upper, None
    return record


def match_values(
    match: re.Match[str], prefix: str = "", negate: bool = False
) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """(value, lower, upper) of a number match: a range (5%—5.5%) has no single value.

    ``negate`` turns a decrease (下降3%—4%) into negative growth, lower bound first.
    """
    first = Decimal(match.group(prefix + "num"))
    second = match.group(prefix + "num2")
    sign = -1 if negate else 1
    if second is None:
        return sign * first, None, None
    low, high = sorted((sign * first, sign * Decimal(second)))
    return None, low, high


def _dimension(name: str) -> str | None:
    indicator = indicator_lexicon().get(name)
    return indicator.dimension if indicator else None


def _record(
    name: str, label: str, context: tuple[int, ValueKind], measure: Measure,
    value: Decimal | None, unit: str | None, bound: Bound | None, span: Span,
    target_text: str | None = None,
) -> ObservationRecord:  # fmt: skip
    year, kind = context
    return ObservationRecord(
        name, label, year, None, kind, measure, value, unit, bound, target_text, [span]
    )


def _pair_figures(
    text: str, alias: re.Match[str], names: str, context: tuple[int, ValueKind]
) -> list[ObservationRecord]:
    """Both halves of a pair: 城乡…收入分别完成37820元、28104元，同比分别增长6.5%、9.4%."""
    first_name, second_name = names.split("|")
    found: list[ObservationRecord] = []
    end = alias.end()
    while (match := _pair_pattern().match(text, end)) is not None:
        first = _figure(first_name, alias.group(), "name", match, context, alias.start())
        if match.group("bound") is None and match.group("b_bound"):
            first = first and replace(first, bound=BOUNDS[match.group("b_bound")])
        second = _figure(second_name, alias.group(), "name", match, context, alias.start(), "b_")
        if not first or not second:
            break
        found += [first, second]
        end = match.end()
    return found


EACH_VERB = (
    r"(?P<verb>同比增长|增长|下降|降低|减少|上涨|提高到|提升到|提高至|提升至|增至|降至|下降到|达到|达"
    r"|为|突破|超过|超|提高|提升|完成|实现)"
)
MEASURE_END = re.compile(r"(?:率|数|额|量|值|面积|收入|人次|营收|花费)$")
"""How the name of a measured quantity ends (合格率, 零售额, 产量, 增加值, 人次)."""


@cache
def _each_pattern() -> re.Pattern[str]:
    return re.compile(r"分别(?:同比)?" + EACH_VERB + r"?\s*" + _number())


def _each_list(
    text: str, head: int, match: re.Match[str], context: tuple[int, ValueKind]
) -> list[ObservationRecord]:
    """“一、二、三产业增加值分别增长4.2%、5%、5.4%”: one figure per name, in order.

    The names are the list before 分别, an earlier part taking the last part's tail when it
    lacks one (城市、县城建成区面积 → 城市建成区面积); the values must be as many as the names,
    else nothing is read (better missing than misassigned). 年均分别 (multi-year) is skipped.
    """
    subject = LEFT_CLEAN.sub("", text[head : match.start()], count=1)
    start = match.start() - len(subject)
    parts = [p for p in re.split(r"[、和与及]", subject) if p]
    first = _each_pattern().match(text, match.start())
    if len(parts) < 2 or first is None:
        return []
    values = [first]
    pos = first.end()
    while (more := re.compile(r"(?:、|和|与|及)" + _number()).match(text, pos)) is not None:
        values.append(more)
        pos = more.end()
    names = _each_names(parts)
    if len(values) != len(names):
        return []
    verb = first["verb"] or ""
    growth = verb.startswith(GROWTH_VERBS) and not verb.endswith(("到", "至"))
    found = []
    for name, value in zip(names, values, strict=True):
        if name is None:
            continue
        unit = value["unit"]
        if growth and units()[unit].dimension not in ("percent", "points"):
            return []
        if not growth and _dimension(name) not in (None, units()[unit].dimension):
            continue
        number, lower, upper = match_values(value, negate=growth and verb in DECREASE)
        bound = BOUNDS.get(value["bound"] or value["approx"] or verb)
        if value is not first and value["bound"] is None and values[-1]["bound"]:
            bound = BOUNDS[values[-1]["bound"]]  # 分别增长5%、6.5%左右: 左右 bounds both
        measure: Measure = "growth" if growth else "level"
        record = _record(name, subject, context, measure, number, unit, bound,
                         (start, value.end()))  # fmt: skip
        record.lower, record.upper = lower, upper
        if lower is not None:
            record.bound = None
        found.append(record)
    return found


def _each_names(parts: list[str]) -> list[str | None]:
    """Names of a 分别 list: each part a lexicon name or a whole noun phrase ending in a measure
    word (…率, …额, …数量); an earlier part may take the last one's tail only when that makes a
    lexicon name (一、二、三产业增加值 → 第一产业增加值). Else None: 新能源、输变电装备产业产值
    does not say where 新能源's name ends."""
    last = parts[-1]
    names: list[str | None] = []
    for part in parts[:-1]:
        own = _each_name(part)
        tails = (last[i:] for i in range(1, len(last)))
        shared = next((n for t in tails if (n := canonical_indicator(part + t))), None)
        names.append(own or shared)
    names.append(_each_name(last))
    return names


def _each_name(written: str) -> str | None:
    if (found := canonical_indicator(written)) is not None:
        return found
    clean = re.fullmatch(r"[\u4e00-\u9fff“”（）()A-Za-z0-9.]{4,24}", written)
    if clean is None or not MEASURE_END.search(written) or NOUN_STOP.search(written):
        return None
    return None if re.search(r"占|比重|比例|累计", written) else written


def _new_items(
    text: str, pos: int, context: tuple[int, ValueKind], start: int
) -> list[ObservationRecord]:
    """ "新增市场主体5284户", and each further "、noun+number+unit" of the same list."""
    found = []
    while (match := _new_item_pattern().match(text, pos)) is not None:
        noun = match.group("noun")
        dimension = units()[match.group("unit")][0]
        if NOUN_STOP.search(noun) or dimension in ("percent", "points", "ratio"):
            break
        bare = noun.replace("“", "").replace("”", "")
        name = "新增" + (canonical_indicator(bare) or bare)
        bound = BOUNDS.get(
            match.group("bound") or match.group("approx") or match.group("verb") or ""
        )
        value, lower, upper = match_values(match)
        record = _record(name, "新增" + noun, context, "level", value, match.group("unit"),
                         bound, (start, match.end()))  # fmt: skip
        record.lower, record.upper = lower, upper
        found.append(record)
        if not text.startswith("、", match.end()):
            break
        pos = start = match.end() + 1
    return found


# --- one observation per fact ----------------------------------------------------------------


def merge_observations(records: Iterable[ObservationRecord]) -> list[ObservationRecord]:
    """One record per (indicator, area, period, kind, measure), with every span that states it.

    Names meet through the lexicon (生产总值 in the table, 地区生产总值 in the text). Values
    agree when equal after unit scaling and rounding (24290万元 ~ 2.4亿元). When they do not,
    the table's value is kept and the record gets a warning naming the other statement.
    """
    merged: dict[tuple[str, str | None, int, str, str], ObservationRecord] = {}
    for record in sorted(records, key=lambda r: r.source != "table"):
        name = canonical_indicator(record.indicator) or record.indicator
        key = (name, record.area, record.period, record.value_kind, record.measure)
        kept = merged.get(key)
        if kept is None:
            merged[key] = replace(record, indicator=name, spans=list(record.spans),
                                  warnings=list(record.warnings))  # fmt: skip
        elif _agree(kept, record):
            kept.spans += [s for s in record.spans if s not in kept.spans]
            kept.bound = kept.bound or record.bound
            kept.headline = kept.headline or record.headline
            kept.commitment = kept.commitment or record.commitment
        else:
            kept.warnings.append(
                f"{record.source} at {record.spans[0]} states {record.value or record.target_text}"
                f"{record.unit or ''}, kept {kept.value or kept.target_text}{kept.unit or ''}"
            )
    return sorted(merged.values(), key=lambda r: r.spans[0])


def _agree(a: ObservationRecord, b: ObservationRecord) -> bool:
    if (a.lower, a.upper) != (b.lower, b.upper):
        return False
    if a.value is None or b.value is None:
        return (
            a.value is None
            and b.value is None
            and _key(a.target_text or "") == _key(b.target_text or "")
        )
    if a.unit is None or b.unit is None or a.unit not in units() or b.unit not in units():
        return a.value == b.value and a.unit == b.unit
    (_, scale_a, base_a), (_, scale_b, base_b) = units()[a.unit], units()[b.unit]
    if base_a != base_b:
        return False
    in_b = a.value * scale_a / scale_b
    in_a = b.value * scale_b / scale_a
    return _rounds_to(in_b, b.value) or _rounds_to(in_a, a.value)


def _rounds_to(precise: Decimal, written: Decimal) -> bool:
    """Whether ``precise`` rounded to the decimals of ``written`` is ``written``: 2.429 → 2.4."""
    return precise.quantize(written, rounding=ROUND_HALF_UP) == written
