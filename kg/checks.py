"""Consistency checks a careful reader does on a report's own figures.

Four kinds, each a :class:`Check` with the stated figure, what the other figures give for it,
whether the two agree within the rounding of the figures as written, and every figure's span:

- parts against their total: “安排重点项目77个…其中省重点项目6个…；市重点项目16个…；区重点项目
  55个” and the lists that follow it (“按行业类别划分：…”), per unit (个, 亿元 …);
- a rate against its count and total: “收到各类问题102个…已解决99个，解决率97%”;
- the growth between two levels: “由2010年的68亿元增加到2015年的136.3亿元，年均增长14.9%”;
- a numbered list against the number of items it announces (“十件民生实事”：（1）…（10）…,
  see :mod:`kg.commitments`).

Agreement within rounding: a figure written with *d* decimals stands for any value within half a
unit of its last digit (97% is 96.5%…97.5%); the check passes when the interval of the stated
figure meets the interval the other figures give.

    >>> [(c.kind, c.stated, c.expected, c.passed) for c in find_checks(
    ...     "全年共收到各类问题102个，其中区级问题101个，已解决99个，解决率97%。")]
    [('share', Decimal('97'), Decimal('97.0588'), True)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Literal

from . import lexicons
from .document import Span
from .indicators import _alternation, units

CheckKind = Literal["parts", "share", "growth", "items"]


@dataclass
class Check:
    """One comparison: ``stated`` (at ``stated_span``) against ``expected`` from ``spans``."""

    kind: CheckKind
    label: str
    stated: Decimal
    expected: Decimal
    passed: bool
    stated_span: Span
    spans: list[Span]


@dataclass(frozen=True)
class Figure:
    """A number with its unit as written, the words before it, and where it stands."""

    value: Decimal
    unit: str
    label: str
    start: int
    end: int

    @property
    def base(self) -> tuple[Decimal, Decimal, str]:
        """(value, half a unit of its last digit) in the base unit, and that base unit."""
        unit = units()[self.unit]
        return self.value * unit.factor, _half_ulp(self.value) * unit.factor, unit.base


def _half_ulp(value: Decimal) -> Decimal:
    exponent = value.as_tuple().exponent
    return Decimal(5).scaleb(int(exponent) - 1) if isinstance(exponent, int) else Decimal(0)


@cache
def _figure_pattern() -> re.Pattern[str]:
    # no range, no percent sign inside: plain figures (6个, 51.4亿元, 97%)
    return re.compile(rf"(?<![\d.])(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>{_alternation(units())})")


LABEL = re.compile(r"[\u4e00-\u9fff“”\s]*$")


def figures(text: str, start: int, end: int) -> list[Figure]:
    """Every figure between ``start`` and ``end`` with the words right before it (no spaces)."""
    found = []
    pos = start
    for match in _figure_pattern().finditer(text, start, end):
        before = LABEL.search(text, pos, match.start())
        label = re.sub(r"\s+", "", before.group() if before else "").lstrip("年")
        found.append(
            Figure(Decimal(match["num"]), match["unit"], label, match.start(), match.end())
        )
        pos = match.end()
    return found


def find_checks(text: str) -> list[Check]:
    """Every check the text offers, in text order."""
    found = _parts_checks(text) + _share_checks(text) + _growth_checks(text)
    return sorted(found, key=lambda c: c.stated_span)


def agree(stated: Decimal, low: Decimal, high: Decimal) -> bool:
    """Whether ``stated``, as rounded, meets the interval ``[low, high]``."""
    half = _half_ulp(stated)
    return stated - half <= high and low <= stated + half


# --- parts and their total -----------------------------------------------------------------

SENTENCE_END = "。！？"
PARTITION_LEAD = re.compile(r"按[^：:。\n]{1,12}(?:划分|分类|分)[：:]")


@cache
def _partition_heads() -> re.Pattern[str]:
    heads = _alternation(lexicons.lines("partition_words.txt"))
    return re.compile(rf"^(?:{heads})级?|[类级型]$")


def _sentence_bounds(text: str, pos: int) -> Span:
    start = max(text.rfind(p, 0, pos) for p in SENTENCE_END) + 1
    ends = [i for p in SENTENCE_END if (i := text.find(p, pos)) >= 0]
    return start, min(ends, default=len(text))


def _parts_checks(text: str) -> list[Check]:
    checks: list[Check] = []
    for match in re.finditer("其中[，,：:]?", text):
        start, end = _sentence_bounds(text, match.start())
        if text[start : match.start()].strip():
            total_text = (start, match.start())
        else:
            total_text = _sentence_bounds(text, start - 2)
        totals = figures(text, *total_text)
        if not totals:
            continue
        lists = [(match.end(), end, False)]
        pos = end + 1
        while True:
            stripped = len(text[pos:]) - len(text[pos:].lstrip())
            lead = PARTITION_LEAD.match(text, pos + stripped)
            if lead is None:
                break
            _, list_end = _sentence_bounds(text, lead.end())
            lists.append((lead.end(), list_end, True))
            pos = list_end + 1
        for list_start, list_end, partition in lists:
            checks += _compare_parts(text, totals, list_start, list_end, partition)
    return checks


def _compare_parts(
    text: str, totals: list[Figure], start: int, end: int, partition: bool
) -> list[Check]:
    """Parts (split by ；, else by 、) summed per figure of the total they share a name with."""
    body = text[start:end]
    separator = "；" if "；" in body else "、"
    parts: list[list[Figure]] = []
    pos = start
    for piece in body.split(separator):
        found = figures(text, pos, pos + len(piece))
        pos += len(piece) + 1
        if found:
            parts.append(found)
    if len(parts) < 2:
        return []
    nouns = [p[0].label for p in parts]
    if not partition and not all(_partition_heads().search(n) for n in nouns):
        return []  # “其中高新技术企业30家、专精特新企业20家”: a subset, no sum
    checks = []
    for index, total in enumerate(totals):
        key = None if index == 0 else _measure_word(total.label)
        chosen = []
        for part in parts:
            same = [f for f in (part[:1] if key is None else part[1:]) if
                    (key is None or _measure_word(f.label) == key)]  # fmt: skip
            same = [f for f in same if f.base[2] == total.base[2]]
            if len(same) != 1:
                break
            chosen.append(same[0])
        else:
            checks.append(_sum_check(total, chosen))
    return checks


def _measure_word(label: str) -> str:
    """总投资 and 投资 name the same measure of a total and its parts."""
    return re.sub(r"^.*?[，,]|^总", "", label)


def _sum_check(total: Figure, parts: list[Figure]) -> Check:
    value, half, _ = total.base
    scale = value / total.value if total.value else Decimal(1)
    expected = sum((p.base[0] for p in parts), Decimal(0))
    slack = sum((p.base[1] for p in parts), Decimal(0))
    passed = agree(total.value, (expected - slack) / scale, (expected + slack) / scale)
    label = f"{total.label}{total.value}{total.unit} = " + " + ".join(
        f"{p.value}{p.unit}" for p in parts
    )
    return Check("parts", label, total.value, _round(expected / scale), passed,
                 (total.start, total.end), [(total.start, total.end)]
                 + [(p.start, p.end) for p in parts])  # fmt: skip


def _round(value: Decimal) -> Decimal:
    """Four decimals at most, written without exponent or trailing zeros: 97.0588, 77."""
    written = f"{value.quantize(Decimal('0.0001')):f}"
    return Decimal(written.rstrip("0").rstrip(".") if "." in written else written)


# --- a rate and its count over a total ----------------------------------------------------

RATE = re.compile(r"(?P<stem>[\u4e00-\u9fff]{1,4})率(?:为|达到|达)?(?P<num>\d+(?:\.\d+)?)[%％]")


def _share_checks(text: str) -> list[Check]:
    """“…问题102个…已解决99个，解决率97%”: 99 / 102 against 97%; the count is the figure whose
    words hold the rate's stem (解决), the total the sentence's first larger figure in that unit."""
    checks = []
    for rate in RATE.finditer(text):
        start, _ = _sentence_bounds(text, rate.start())
        counts = [f for f in figures(text, start, rate.start()) if units()[f.unit].dimension in
                  ("count", "person")]  # fmt: skip
        stem = rate["stem"][-2:]
        numerators = [f for f in counts if stem in f.label]
        if not numerators:
            continue
        count = numerators[-1]
        totals = [f for f in counts if f.unit == count.unit and f.value > count.value
                  and stem not in f.label and f.start < count.start]  # fmt: skip
        if not totals:
            continue
        total = totals[0]
        stated = Decimal(rate["num"])
        low = (count.value - _half_ulp(count.value)) / (total.value + _half_ulp(total.value))
        high = (count.value + _half_ulp(count.value)) / (total.value - _half_ulp(total.value))
        span = (rate.start("stem"), rate.end())
        checks.append(Check(
            "share", f"{rate['stem']}率{stated}% = {count.value} / {total.value}", stated,
            _round(count.value / total.value * 100), agree(stated, low * 100, high * 100),
            span, [span, (count.start, count.end), (total.start, total.end)],
        ))  # fmt: skip
    return checks


# --- two levels and the growth between them ------------------------------------------------


@cache
def _growth_pattern() -> re.Pattern[str]:
    unit = _alternation(units())
    level = rf"(?:(?P<{{y}}>\d{{{{4}}}})年(?:的|底|末)?)?(?P<{{n}}>\d+(?:\.\d+)?)(?P<{{u}}>{unit})"
    first = level.format(y="y1", n="n1", u="u1").replace("{{4}}", "{4}")
    second = level.format(y="y2", n="n2", u="u2").replace("{{4}}", "{4}")
    return re.compile(
        rf"由{first}(?:增加|增长|提高|提升|扩大|上升|跃升)(?:到|至){second}[，,、]?\s*"
        r"(?P<avg>年均)?(?:增长|递增)(?P<g>\d+(?:\.\d+)?)[%％]"
    )


def _growth_checks(text: str) -> list[Check]:
    """The growth stated between two levels, over the years the text names (one year when it
    names none and the growth is no annual average; an average without years is skipped)."""
    checks = []
    for match in _growth_pattern().finditer(text):
        a = Figure(Decimal(match["n1"]), match["u1"], "", match.start("n1"), match.end("u1"))
        b = Figure(Decimal(match["n2"]), match["u2"], "", match.start("n2"), match.end("u2"))
        if a.base[2] != b.base[2] or a.value == 0:
            continue
        if match["y1"] and match["y2"]:
            years = int(match["y2"]) - int(match["y1"])
        else:
            years = 0 if match["avg"] else 1
        if years <= 0:
            continue
        stated = Decimal(match["g"])
        (va, ha, _), (vb, hb, _) = a.base, b.base
        low, high = _rate(va + ha, vb - hb, years), _rate(va - ha, vb + hb, years)
        span = (match.start("g"), match.end())
        checks.append(Check(
            "growth", f"{a.value}{a.unit} → {b.value}{b.unit}, {years}年, 增长{stated}%", stated,
            _round(Decimal(str(_rate(va, vb, years)))),
            agree(stated, Decimal(str(low)), Decimal(str(high))), span,
            [(a.start, a.end), (b.start, b.end), span],
        ))  # fmt: skip
    return checks


def _rate(first: Decimal, last: Decimal, years: int) -> float:
    """Average annual growth in percent from ``first`` to ``last`` over ``years``."""
    return (float(last / first) ** (1 / years) - 1) * 100
