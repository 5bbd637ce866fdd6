"""Named policies, campaigns and reforms, and the 《》 policy documents a report cites.

Pure functions on normalised report text; offsets are into that text.

    >>> text = "扎实开展“万人助万企”活动，制定了《湛河区2022年“万人助万企”活动重点目标任务分工方案》。"
    >>> [p.label for p in find_policies(text)]
    ['万人助万企活动']
    >>> [d.title for d in find_policy_documents(text)]
    ['湛河区2022年“万人助万企”活动重点目标任务分工方案']
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache

from . import lexicons
from .document import Span
from .jiebaload import jieba
from .phrases import find_all

# a count of articles or items alone names nothing: “15条”政策
BARE_COUNT = re.compile(r"[0-9一二三四五六七八九十两]+[个大张项条类种件]")

DOC = re.compile(r"《([^《》\n]{2,120})》")
# a 文号 right after the title: 《…》（豫政〔2022〕12号）
DOC_NUMBER = re.compile(r"[（(]([\u4e00-\u9fff]{1,10}[〔\[［(（]\d{4}[〕\]］)）]\d{1,4}号)[）)]")
# 《…》（以下简称《纲要草案》）: the report names the short title it will use
SHORT_NAME = re.compile(r"[（(]以下简称《([^《》\n]{1,20})》[）)]")
PLAN_PERIOD = re.compile(r"^“?十[一二三四五六七八九]?五”?(?:时期)?")
DRAFT = re.compile(r"[（(]?草案[）)]?$")
# 转发 (forwarded) is not among the verbs: 中共中央、国务院转发《中央宣传部、司法部关于…》 makes
# the forwarder no creator, and the date no issue date.
ISSUED = re.compile(
    r"(\d{4})年(\d{1,2})月(\d{1,2})日[，,]?"
    r"(?:[^，。；《》]{0,6}?)([^，。；《》\d]{2,30}?)(?:印发|发布|出台|下发)(?:了)?"
)


@dataclass
class PolicyDocumentRecord:
    """A cited 《》 document: its title without the brackets, where it is cited, who issued it
    and when, and (``issue_span``) the words that say so."""

    title: str
    mentions: list[Span] = field(default_factory=list)
    issued: dt.date | None = None
    issuer: str | None = None
    number: str | None = None  # 文号 (豫政〔2022〕12号) when the text gives it
    issue_span: Span | None = None  # where the date and issuer are written


@dataclass
class PolicyRecord:
    """A named policy, campaign or reform: 万人助万企活动, 放管服效改革, 就业优先政策."""

    label: str
    core: str
    mentions: list[Span] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)


@cache
def policy_kinds() -> tuple[str, ...]:
    """Words that make a quoted name a policy (活动, 改革, 政策...), longest first."""
    return tuple(sorted(lexicons.lines("policy_kinds.txt"), key=len, reverse=True))


def negations() -> tuple[str, ...]:
    """Verbs before a quoted name that make it something to avoid (防止出现“半拉子”工程)."""
    return lexicons.lines("policy_negations.txt")


@cache
def document_kinds() -> dict:
    """Document suffixes, issuing verbs, the document-number pattern and the genres of works
    (lexicons/document_kinds.toml)."""
    lex = dict(lexicons.toml("document_kinds.toml"))
    lex["suffixes"] = tuple(sorted(lex["suffixes"], key=len, reverse=True))
    lex["number"] = re.compile(lex["document_number"])
    return lex


TRAILING_NOTE = re.compile(r"(?:[（(][^（()）]{1,20}[）)])+$")  # （试行）（2021—2025年）


def looks_like_document(title: str, text: str, start: int, end: int) -> bool:
    """Is the 《title》 at ``text[start:end]`` a policy document, not a film, show or book?

    It is when the title ends with a kind of document (规划, 意见, 条例, 法…), or when the
    clause before it issues it (印发《…》) or a document number (〔2024〕5号) follows; never
    right after the genre of a work (电影《…》, 舞剧《…》).

    >>> t = "电影《长空之王》、舞剧《天工开物》热映，印发《关于推动经济回升的若干措施（试行）》。"
    >>> [looks_like_document(m[1], t, m.start(), m.end()) for m in DOC.finditer(t)]
    [False, False, True]
    >>> looks_like_document("哪吒2", "《哪吒2》票房创纪录", 0, 6)
    False
    """
    lex = document_kinds()
    lead = re.split(r"[，。；：！？\n]", text[max(0, start - 20) : start])[-1]
    if lead.rstrip("、 ").endswith(tuple(lex["work_words"])):
        return False
    name = TRAILING_NOTE.sub("", re.sub(r"\s+", "", title))
    if name.endswith(lex["suffixes"]):
        return True
    if any(verb in lead for verb in lex["issuing_verbs"]):
        return True
    return bool(lex["number"].match(text, end) or lex["number"].search(title))


def find_policy_documents(text: str) -> list[PolicyDocumentRecord]:
    """Every distinct 《》 title that names a policy document (:func:`looks_like_document`),
    with its mentions, and issue date/issuer when the sentence says.

    >>> d = find_policy_documents("2015年8月5日，国务院办公厅发布了《国务院办公厅关于推广随机抽查规范事中事后监管的通知》。")[0]
    >>> d.issued, d.issuer
    (datetime.date(2015, 8, 5), '国务院办公厅')
    """
    found: dict[str, PolicyDocumentRecord] = {}
    for match in DOC.finditer(text):
        if not looks_like_document(match.group(1), text, match.start(), match.end()):
            continue
        title = re.sub(r"\s+", "", match.group(1))
        record = found.setdefault(title, PolicyDocumentRecord(title))
        record.mentions.append(match.span())
        if record.issued is None:
            record.issued, record.issuer, record.issue_span = _issue(text, match.start())
        number = DOC_NUMBER.match(text, match.end())
        if number and record.number is None:
            record.number = number.group(1)
    return list(found.values())


@cache
def _generic_titles() -> frozenset[str]:
    return frozenset(lexicons.lines("generic_document_titles.txt"))


def is_short_title(title: str) -> bool:
    """A title that names a kind of document, not one document: 《建议》, 《纲要（草案）》,
    《“十五五”规划》, 《政府工作报告》.

    >>> [is_short_title(t) for t in ("建议", "纲要（草案）", "“十五五”规划", "中华人民共和国民法典")]
    [True, True, True, False]
    """
    core = PLAN_PERIOD.sub("", DRAFT.sub("", title))
    return core in _generic_titles()


def resolve_short_titles(text: str, documents: list[PolicyDocumentRecord]) -> dict[str, str | None]:
    """Each short title the report cites → the full title it stands for, or None (the report's own).

    The report says so (《…规划纲要（草案）》（以下简称《纲要草案》）), or the short title is the
    kind a full title cited before it ends with (《中共中央关于制定…的建议》 … 《建议》): the
    nearest such title before its first mention.

    >>> text = "根据《中共中央关于制定规划的建议》，编制了《纲要》。《建议》提出…"
    >>> resolve_short_titles(text, find_policy_documents(text))
    {'纲要': None, '建议': '中共中央关于制定规划的建议'}
    """
    named = _declared_short_names(text, documents)
    full = [d for d in documents if d.title not in named and not is_short_title(d.title)]
    resolved: dict[str, str | None] = {}
    for d in documents:
        if d.title in named:
            resolved[d.title] = named[d.title]
        elif is_short_title(d.title):
            kind = PLAN_PERIOD.sub("", DRAFT.sub("", d.title))
            first = d.mentions[0][0]
            before = [
                (start, f.title)
                for f in full
                for start, _ in f.mentions
                if start < first and DRAFT.sub("", f.title).endswith(kind)
            ]
            resolved[d.title] = max(before)[1] if before else None
    return resolved


def _declared_short_names(text: str, documents: list[PolicyDocumentRecord]) -> dict[str, str]:
    """《全称》（以下简称《简称》）, a 文号 possibly between them: 简称 → 全称."""
    named: dict[str, str] = {}
    for d in documents:
        for _, end in d.mentions:
            number = DOC_NUMBER.match(text, end)
            m = SHORT_NAME.match(text, number.end() if number else end)
            if m and m.group(1) != d.title:
                named.setdefault(re.sub(r"\s+", "", m.group(1)), d.title)
    return named


def _issue(text: str, doc_start: int) -> tuple[dt.date | None, str | None, Span | None]:
    """Date, issuer and their span from "2022年5月25日，河南省人民政府办公厅印发了《…》" right
    before a title."""
    sentence_start = max(text.rfind(p, 0, doc_start) for p in "。\n；") + 1
    lead = text[sentence_start:doc_start]
    match = next(reversed(list(ISSUED.finditer(lead))), None)
    if match is None or match.end() != len(lead):
        return None, None, None
    year, month, day = (int(match.group(i)) for i in (1, 2, 3))
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None, None, None
    span = (sentence_start + match.start(), sentence_start + match.end())
    return date, match.group(4).strip("，, "), span


def find_policies(text: str) -> list[PolicyRecord]:
    """Quoted names followed by a policy word (“放管服效”改革), and 实施/落实 … 政策 phrases.

    >>> [p.label for p in find_policies("实施就业优先政策，大力开展“放管服效”改革。")]
    ['就业优先政策', '放管服效改革']
    """
    kinds = "|".join(map(re.escape, policy_kinds()))
    quoted = re.compile(rf"“([^“”\n]{{2,16}})”({kinds})")
    plain = re.compile(
        r"(?:实施|落实|执行|抓好|出台|贯彻)(?:好|落细|落地|到位)?(?:一揽子|各项|系列)?"
        r"([\u4e00-\u9fff]{2,6})(政策)"
    )
    found: dict[str, PolicyRecord] = {}
    for pattern in (quoted, plain):
        for match in pattern.finditer(text):
            core, kind = match.group(1), match.group(2)
            if not _is_name(core) or _negated(text, match.start()):
                continue
            if pattern is plain and not _named_plainly(core):
                continue
            label = core + kind
            record = found.setdefault(label, PolicyRecord(label, core))
            start = match.start(1) - (1 if pattern is quoted else 0)
            record.mentions.append((start, match.end()))
    for record in found.values():
        record.mentions.extend(_bare_mentions(text, record))
        record.mentions.sort()
    return sorted(found.values(), key=lambda r: r.mentions[0])


def _is_name(core: str) -> bool:
    """A policy name is Chinese text without sentence punctuation, generic openers or 的
    (中央出台的一揽子增量政策), and more than a bare count (“15条”政策).

    >>> [_is_name(c) for c in ("就业优先", "的一揽子增量", "15条", "相关")]
    [True, False, False, False]
    """
    return (
        bool(re.fullmatch(r"[\u4e00-\u9fff、0-9]+", core))
        and "的" not in core
        and not BARE_COUNT.fullmatch(core)
        and not core.startswith(("各项", "各类", "相关", "有关", "这些", "上述", "一系列"))
    )


def _named_plainly(core: str) -> bool:
    """Unquoted, a policy is named by two words or more, not opened by a generic word:
    就业优先政策 and 三孩生育政策 yes; 既定政策, 国家宏观政策, 人才政策 (a kind) no.

    >>> [_named_plainly(c) for c in ("就业优先", "既定", "人才", "国家宏观调控")]
    [True, False, False, False]
    """
    words = [w for w in jieba.cut(core, HMM=False)]
    return len(words) >= 2 and not core.startswith(lexicons.lines("policy_generic_words.txt"))


def _negated(text: str, start: int) -> bool:
    """防止出现“半拉子”工程: the clause before the name says to avoid it."""
    lead = re.split(r"[，。；：！？\n]", text[max(0, start - 8) : start])[-1]
    return any(word in lead for word in negations())


def _bare_mentions(text: str, record: PolicyRecord) -> list[Span]:
    """Other places the policy is named with its kind word but written differently (no quotes)."""
    seen = set(record.mentions)
    spans = []
    for start, end in find_all(text, record.label):
        if not any(s <= start < e for s, e in seen):
            spans.append((start, end))
    return spans


def link_documents(policies: list[PolicyRecord], documents: list[PolicyDocumentRecord]) -> None:
    """A document is about a policy when its title names the policy's core (万人助万企)."""
    for policy in policies:
        policy.documents = [d.title for d in documents if policy.core in d.title]
