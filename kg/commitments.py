"""The government's own list of commitments for the year: “办好十件民生实事：（1）…（10）…”.

Such a list (民生实事, 为民办实事, 民生工程) announces its number of items and then states each
with figures: “完成老旧小区改造600个；治理中心城区交通堵乱点60处；…”. Every figure becomes a
target of the report's year, named by the item's own words (the commitment as written, without
list markers, leading 完成/实现 or trailing bound words); the number announced is checked
against the items listed (:class:`kg.checks.Check` of kind ``items``)::

    >>> text = "今年要继续办好“三件民生实事”。（1）新建县域医疗次中心58个。（2）完成2.08万人搬迁任务。（3）实施危桥改造100座。"
    >>> found, checks = find_commitments(text, 2026)
    >>> [(r.indicator, str(r.value), r.unit) for r in found], [(c.stated, c.passed) for c in checks]
    ([('新建县域医疗次中心', '58', '个'), ('搬迁任务', '2.08', '万人'), ('实施危桥改造', '100', '座')], [(Decimal('3'), True)])
"""

from __future__ import annotations

import re
from decimal import Decimal

from .checks import Check
from .document import Span
from .indicators import BOUNDS, Bound, Measure, ObservationRecord, _number, match_values, units
from .structure import chinese_numeral

LEAD = re.compile(
    r"(?:办好|实施|抓好|安排|推进|办实|完成|接续办好|继续办好)[^。；\n]{0,6}?[“\"]?"
    r"(?P<n>\d+|[一二三四五六七八九十百]+)(?:件|项|大类\d+项)[^。；：:\n]{0,8}?"
    r"(?:民生实事|为民办实事|民生工程|实事)(?:工程|项目)?[”\"]?"
)
ITEM_MARK = re.compile(r"[（(](?P<k>\d{1,2})[)）]")
NOT_PAST = re.compile(r"全部完成|已完成|圆满完成|全面完成")
CLAUSE_MARKS = "，,；;：:。"
TRIM_START = re.compile(r"^(?:[，,；;：:。、\s]|完成|实现|累计)+")
LOCATIVE_END = re.compile(r"[在等或和及与]$")
TRIM_END = re.compile(r"(?:达到|达|超过|超|突破|不少于|不低于|以上|约|近|共|为)+$")
BAD_NAME = re.compile(r"\d|[在等对给向从或]$|^[为在对给向]")
GROWTH_END = re.compile(r"(?:提升|提高|增长|下降|降低)$")


def find_commitments(text: str, year: int | None) -> tuple[list[ObservationRecord], list[Check]]:
    """Targets of every commitment list for ``year``, and the item-count checks."""
    records: list[ObservationRecord] = []
    checks: list[Check] = []
    if year is None:
        return records, checks
    for lead in LEAD.finditer(text):
        end = text.find("\n", lead.end())
        end = len(text) if end < 0 else end
        sentence_end = text.find("。", lead.end(), end)
        if NOT_PAST.search(text, lead.end(), sentence_end if sentence_end >= 0 else end):
            continue
        items = _items(text, lead.end(), end)
        if not items:
            continue
        for start, stop in items:
            records += _item_figures(text, start, stop, year)
        n = lead["n"]
        stated = Decimal(int(n) if n.isdigit() else chinese_numeral(n))
        span = (lead.start("n"), lead.end())
        checks.append(Check(
            "items", f"{lead.group()}：列出{len(items)}项", stated, Decimal(len(items)),
            stated == len(items), span, [span, *items],
        ))  # fmt: skip
    return records, checks


def _items(text: str, start: int, end: int) -> list[Span]:
    """（1）…（2）… numbered items, else the ；-separated items after 包括：."""
    marks = [m for m in ITEM_MARK.finditer(text, start, end)]
    if marks and marks[0]["k"] == "1":
        numbered = [m for i, m in enumerate(marks) if m["k"] == str(i + 1)]
        bounds = [m.end() for m in numbered] + [end]
        return [(a, bounds[i + 1] - (len(numbered[i + 1].group()) if i + 1 < len(numbered)
                                     else 0)) for i, a in enumerate(bounds[:-1])]  # fmt: skip
    colon = re.match(r"[^。：:\n]{0,6}(?:包括|有)[：:]", text[start:end])
    if colon is None:
        return []
    body_start = start + colon.end()
    body_end = text.find("。", body_start, end)
    body_end = end if body_end < 0 else body_end
    items, pos = [], body_start
    for piece in text[body_start:body_end].split("；"):
        items.append((pos, pos + len(piece)))
        pos += len(piece) + 1
    return items


def _item_figures(text: str, start: int, stop: int, year: int) -> list[ObservationRecord]:
    """The figures of one item, each named by the item's words around it.

    完成老旧小区改造600个 (words before); 改造提升25个标准化养老机构 (verb before, object after:
    改造提升标准化养老机构); 为2万名特殊困难老年人提供… (recipients: the words after). A figure
    that only counts where (在30个县…), or a second figure of the same clause that no 、 lists
    (100所海拔1500米以上…), is left out: better missing than misnamed.
    """
    found = []
    previous = start
    for value in re.finditer(_number(), text[start:stop]):
        a, b = start + value.start(), start + value.end()
        clause = max(text.rfind(p, start, a) for p in CLAUSE_MARKS) + 1
        since = previous
        previous = b
        if since > max(clause, start) and not text[since:a].startswith("、"):
            continue
        name_start = max(clause, start, since)
        before = text[name_start:a]
        if LOCATIVE_END.search(before):
            continue
        after = re.match(r"[^，,；;。、\d]*", text[b:stop]).group()  # type: ignore[union-attr]
        if after and b + len(after) < stop and text[b + len(after)].isdigit():
            continue
        head = TRIM_END.sub("", TRIM_START.sub("", before))
        recipient = re.match(r"^(?:为|对|给|向)", head)
        name = (after if recipient or not head else head + after) if after else head
        name = TRIM_START.sub("", name)
        if len(re.findall(r"[\u4e00-\u9fff]", name)) < 2 or len(name) > 30 or BAD_NAME.search(name):
            continue
        measure: Measure = "level"
        if GROWTH_END.search(name) and units()[value["unit"]].dimension in ("percent", "points"):
            name, measure = GROWTH_END.sub("", name), "growth"
        number, lower, upper = match_values(value)
        bound = BOUNDS.get(value["bound"] or "") or _written_bound(before)
        record = ObservationRecord(
            name, name, year, None, "target", measure, number, value["unit"], bound, None,
            [(name_start + len(before) - len(before.lstrip("、，,；;：: ")), b + len(after))],
            source="commitment", lower=lower, upper=upper, commitment=True,
        )  # fmt: skip
        found.append(record)
    return found


def _written_bound(before: str) -> Bound | None:
    """A bound written before the number: 不少于5万名, 超过."""
    match = re.search(r"(不少于|不低于|超过|突破|不超过|控制在)$", before)
    return BOUNDS.get(match.group()) if match else None
