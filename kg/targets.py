"""The headline target list: “今年经济社会发展的主要预期目标是：…”, every item.

The list is the report's own statement of what it promises for the year, so every item counts,
named by the indicator lexicon where it knows the name and otherwise by the item's own noun
phrase when that is a clean one (新能源产业产值, 全社会研发投入强度). Items are separated by
，；。; an item is ``subject [分别|均] [verb] value [、value …]`` or, without a figure, a
qualitative target of a lexicon indicator (居民收入增长与经济增长同步)::

    >>> text = "主要预期目标是：地区生产总值增长5%—5.5%，城乡居民人均可支配收入分别增长5%、6.5%左右。"
    >>> [(r.indicator, r.value, r.lower, r.upper, r.bound) for r in find_headline_targets(text, 2026)]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('地区生产总值', None, Decimal('5'), Decimal('5.5'), None),
     ('城镇居民人均可支配收入', Decimal('5'), None, None, 'about'),
     ('农村居民人均可支配收入', Decimal('6.5'), None, None, 'about')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from .document import Span
from .indicators import (
    BOUNDS,
    DECREASE,
    GROWTH_VERBS,
    LEFT_CLEAN,
    MULTI_YEAR,
    Measure,
    ObservationRecord,
    _alias_pattern,
    _alias_roles,
    _key,
    _number,
    _sentence_start,
    indicator_lexicon,
    match_values,
    units,
    years_in,
)

HEADLINE = re.compile(r"(?:主要预期|主要|预期)目标(?:是|为)[：:]")
FIVE_YEAR = re.compile(r"五年|十[一二三四五六七八九]五|时期|规划")
SEGMENT_END = re.compile(r"[，,；;。！？]")
CONNECTORS = "、和与及 \u3000"
HEAD_VERBS = (
    "同比增长|增长|增速为|增速|下降|降低|减少|上涨|提高|提升|达到|达|为|完成|实现|突破|超过|超"
    "|不低于|不少于|不超过|不高于|控制在|保持在|稳定在|约"
)
HEAD = re.compile(
    r"(?P<subject>.*?)(?:按可比价计算|按可比口径|同口径|同比|按)?(?P<each>分别|均|都)?"
    rf"(?:同比|同口径)?(?P<verb>{HEAD_VERBS})?",
    re.DOTALL,
)
CLEAN_NOUN = re.compile(r"[\u4e00-\u9fffA-Za-z0-9.（）()]{2,20}")
NOT_A_NOUN = re.compile(
    r"[的了在于将要使对把被、，]|[比较][上去]年|相当于|高于|低于|力争|争取|努力|确保|实现|完成|保持|稳定"
    r"|提高|提升|控制|增长|下降|降低|达到|突破|超过|^[达超约近为]|[达超约近为]$"
)
QUALITATIVE_START = re.compile(r"[、，,等]|[和与及](?!经济)")


@dataclass
class _Subject:
    """The indicators an item names: one, or several for 分别/均 lists, and the growth role."""

    names: list[str | None]
    growth_role: bool
    each: bool
    label: str


def find_headline_targets(text: str, year: int | None) -> list[ObservationRecord]:
    """Every target of each “主要预期目标是：” list, for the year the list is about.

    The year is the one the list's lead names (2012年…预期目标是), else the report's ``year``.
    Lists of five-year goals (“十五五”时期…主要目标) are no annual targets and are skipped.
    """
    records: list[ObservationRecord] = []
    for match in HEADLINE.finditer(text):
        lead = text[_sentence_start(text, match.start()) : match.start()]
        if FIVE_YEAR.search(lead) or MULTI_YEAR.search(lead):
            continue
        named = years_in(lead, year)
        period = named[-1] if named else year
        if period is None:
            continue
        end = text.find("\n", match.end())
        records += _items(text, match.end(), len(text) if end < 0 else end, period)
    return records


def headline_spans(text: str) -> list[Span]:
    """The paragraphs that hold headline lists, which the running-text reader leaves alone."""
    spans = []
    for match in HEADLINE.finditer(text):
        end = text.find("\n", match.end())
        spans.append((match.start(), len(text) if end < 0 else end))
    return spans


@cache
def _value_pattern() -> re.Pattern[str]:
    return re.compile(_number())


def _items(text: str, start: int, end: int, period: int) -> list[ObservationRecord]:
    """The items of one list between ``start`` and ``end``, segment by segment."""
    records: list[ObservationRecord] = []
    previous: _Subject | None = None
    for seg_start, seg_end in _segments(text, start, end):
        values = list(_value_pattern().finditer(text, seg_start, seg_end))
        if not values:
            records += _qualitative(text, seg_start, seg_end, period, records)
            previous = None
            continue
        pos, subject, index, item_start, verb = seg_start, None, 0, seg_start, ""
        for value in values:
            raw = text[pos : value.start()]
            head = raw.strip(CONNECTORS)
            head_start = pos + len(raw) - len(raw.lstrip(CONNECTORS))
            pos = value.end()
            parsed = HEAD.fullmatch(head)
            assert parsed is not None  # every part of HEAD is optional
            if parsed.group("subject"):
                subject = _subject(head, parsed)
                index, item_start, verb = 0, head_start, parsed.group("verb") or ""
            elif subject is not None and subject.each and not head:
                index += 1  # 分别增长5%、6.5%: the next name's value, with the same verb
            elif subject is None and previous is not None:
                subject, index, item_start = previous, 0, head_start  # 增长20%，达到282亿元
                verb = parsed.group("verb") or ""
            else:
                continue
            if subject is not None:
                records += _figures(text, value, subject, index, verb, period, item_start)
        previous = subject
    _share_bounds(records)
    return records


def _segments(text: str, start: int, end: int) -> list[Span]:
    cuts = [m.end() for m in SEGMENT_END.finditer(text, start, end)]
    bounds = [start, *cuts, end] if not cuts or cuts[-1] != end else [start, *cuts]
    return [(a, b) for a, b in zip(bounds, bounds[1:], strict=False) if text[a:b].strip()]


def _subject(head: str, parsed: re.Match[str]) -> _Subject | None:
    """The indicators a head names: 地区生产总值; 一产、二产、三产增加值 (each); a pair.

    The whole head is tried first, so that a growth alias keeps its verb (经济增长5%).
    """
    whole = _clean(head)
    found = _alias_roles().get(_key(whole))
    if found is not None and found[1] == "growth":
        return _Subject([found[0]], True, False, whole)
    written, each = _clean(parsed.group("subject")), bool(parsed.group("each"))
    roles = _alias_roles()
    if each:
        found = roles.get(_key(written))
        if found and found[1] == "pair":
            return _Subject(list(found[0].split("|")), False, True, written)
        parts = [p for p in re.split(r"[、和与及]", written) if p]
        numerals = re.match(r"[一二三]{2,}(?=产)", written)  # 一二三产增加值: 一, 二, 三产增加值
        if len(parts) == 1 and numerals:
            parts = [*numerals.group()[:-1], written[numerals.end() - 1 :]]
        if len(parts) > 1:
            return _Subject(_distribute(parts), False, True, written)
    name, growth_role = _name(written)
    if name is None:
        return None
    return _Subject([name], growth_role, each, written)


def _clean(written: str) -> str:
    written = written.strip(CONNECTORS + "，,；;：:")
    prefix = LEFT_CLEAN.match(written)
    return written[prefix.end() :] if prefix else written


def _name(written: str) -> tuple[str | None, bool]:
    """(canonical name or clean noun phrase, whether the name is a growth alias)."""
    found = _alias_roles().get(_key(written))
    if found is not None:
        return (None, False) if found[1] == "pair" else (found[0], found[1] == "growth")
    clean = CLEAN_NOUN.fullmatch(written) and not NOT_A_NOUN.search(written)
    if clean and re.search(r"[\u4e00-\u9fff]", written):
        return written, False
    return None, False


def _distribute(parts: list[str]) -> list[str | None]:
    """一产、二产、三产增加值 → 一产增加值, 二产增加值, 三产增加值 (the last part's tail is shared);
    城镇和农村常住居民人均可支配收入 → 城镇常住居民…, 农村常住居民…. None where no lexicon name fits."""
    last = parts[-1]
    names: list[str | None] = []
    for part in parts[:-1]:
        if (own := _lexicon_name(part)) is not None:
            names.append(own)
            continue
        tails = (last[i:] for i in range(1, len(last)))
        names.append(next((n for t in tails if (n := _lexicon_name(part + t))), None))
    names.append(_lexicon_name(last))
    return names


def _lexicon_name(written: str) -> str | None:
    found = _alias_roles().get(_key(written))
    return found[0] if found and found[1] == "name" else None


def _figures(
    text: str,
    value: re.Match[str],
    subject: _Subject,
    index: int,
    verb: str,
    period: int,
    item_start: int,
) -> list[ObservationRecord]:
    """The records one value gives: one per name it belongs to (均: all; 分别: the index-th)."""
    if subject.each and len(subject.names) > 1:
        if index == 0 and _is_last_value(text, value):
            names = subject.names  # 均增长8%, 分别增长7.5%: one figure for every name
        elif index < len(subject.names):
            names = [subject.names[index]]
        else:
            return []
    else:
        names = subject.names if index == 0 else []
    records = []
    for name in names:
        if name is not None and (record := _figure(name, subject, value, verb, period, item_start)):
            records.append(record)
    return records


def _is_last_value(text: str, value: re.Match[str]) -> bool:
    rest = text[value.end() : value.end() + 1]
    return rest not in ("、", "和", "与", "及")


def _figure(
    name: str, subject: _Subject, value: re.Match[str], verb: str, period: int, start: int
) -> ObservationRecord | None:
    unit = value.group("unit")
    dimension = units()[unit].dimension
    growth = subject.growth_role or verb.startswith(GROWTH_VERBS)
    if growth and dimension not in ("percent", "points"):
        return None
    lexicon = indicator_lexicon().get(name)
    if not growth and lexicon is not None and dimension != lexicon.dimension:
        return None
    number, lower, upper = match_values(value, negate=growth and verb in DECREASE)
    written = value.group("bound") or value.group("approx")
    bound = BOUNDS.get(written or verb) if lower is None else None
    end = value.end("bound") if value.group("bound") else value.end("unit")
    measure: Measure = "growth" if growth else "level"
    return ObservationRecord(
        name, subject.label, period, None, "target", measure, number, unit, bound, None,
        [(start, end)], source="headline", lower=lower, upper=upper, headline=True,
    )  # fmt: skip


def _qualitative(
    text: str, start: int, end: int, period: int, records: list[ObservationRecord]
) -> list[ObservationRecord]:
    """A target without a figure, for a lexicon indicator: 居民收入增长与经济增长同步."""
    segment = text[start:end].rstrip("，,；;。！？")
    lead = LEFT_CLEAN.match(segment)
    offset = lead.end() if lead else 0
    alias = _alias_pattern().match(segment, offset)
    if alias is None:
        return []
    rest = segment[alias.end() :]
    if not rest or QUALITATIVE_START.match(rest):
        return []
    name, role = _alias_roles()[_key(alias.group())]
    names = name.split("|") if role == "pair" else [name]
    measure: Measure = "growth" if re.search(r"增长|增速|增幅|下降|降低", rest) else "level"
    if role == "growth":
        measure = "growth"
    taken = {(r.indicator, r.measure) for r in records}
    span = (start + offset, start + len(segment))
    return [
        ObservationRecord(
            n,
            alias.group(),
            period,
            None,
            "target",
            measure,
            None,
            None,
            None,
            rest,
            [span],
            source="headline",
            headline=True,
        )  # fmt: skip
        for n in names
        if (n, measure) not in taken
    ]


def _share_bounds(records: list[ObservationRecord]) -> None:
    """In “分别增长5%、6.5%左右” the closing 左右 bounds every value of the list."""
    for first, second in zip(records, records[1:], strict=False):
        same_list = first.label == second.label and first.spans[0][0] == second.spans[0][0]
        if same_list and first.bound is None and first.lower is None and second.bound:
            first.bound = second.bound
