"""Enterprises a report names, the industries they work in, and those it names as leaders.
About 450 lines: the three ways of naming an enterprise share their tests of what a name is,
and the industries and leaders read the records they make.

Every function takes the normalised ``Document.text`` and returns records with offsets into it::

    >>> text = "以辖区平高集团、姚电公司等企业为龙头，加快推进双鹤华利药业BFS生产线等项目。"
    >>> [e.label for e in find_enterprises(text)]
    ['平高集团', '姚电公司', '双鹤华利药业']
    >>> [leaders.labels for leaders in find_leading_enterprises(text, find_enterprises(text))]
    [['平高集团', '姚电公司']]

Names are found by their endings (``lexicons/enterprise_suffixes.txt``), in lists in apposition
to 企业, and at the start of a project's name (:mod:`kg.projects`), and cut on the left at word
boundaries (:mod:`kg.segmenter`): 辖区平高集团 gives 平高集团. Precision comes first: a name
must hold a word that names something (a proper noun or a word outside the dictionary), so
城市医疗集团 and 上市公司 are never names.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import NamedTuple

from . import lexicons
from .bodies import is_government_body
from .document import Span
from .industries import IndustryTaxonomy, load_industries
from .places import qualifiers
from .projects import ProjectRecord, listed_projects, project_key, single_projects
from .segmenter import (
    CJK_OR_LATIN,
    Segmenter,
    Token,
    clauses,
    ending_pattern,
    list_items,
    list_pattern,
    occurrences,
    segmenter,
    words,
)


@dataclass
class EnterpriseRecord:
    """One enterprise: ``label`` is its name as most often written (平高集团), ``names`` every
    form seen (full legal name and short forms), ``mentions`` the offsets of each."""

    label: str
    names: list[str]
    mentions: list[Span] = field(default_factory=list)

    def owner_forms(self) -> set[str]:
        """The names a project may open with: every form, and each form's stem (中国盐湖 of
        中国盐湖集团, 金川 of 金川集团) when the stem is a trade name, not a place nor a kind."""
        endings, _ = enterprise_endings()
        forms = set(self.names)
        for name in self.names:
            stem = re.sub(f"(?:{endings.pattern})$", "", name)
            if len(stem) >= 2 and stem not in qualifiers() and stem != name:
                forms.add(stem)
        return forms


class Leaders(NamedTuple):
    """Enterprises a report names as leaders (龙头): ``labels, span = leaders``."""

    labels: list[str]
    span: Span


@cache
def enterprise_endings() -> tuple[re.Pattern[str], frozenset[str]]:
    sections = lexicons.sections("enterprise_suffixes.txt")
    return ending_pattern(sections["full"] + sections["short"]), frozenset(sections["full"])


def find_enterprises(text: str, extra_terms: Iterable[str] = ()) -> list[EnterpriseRecord]:
    """Enterprises named in ``text``, in order of first mention.

    Three ways a report names an enterprise: a legal name (平顶山冠宏矿山技术装备有限公司), a
    short form (平高集团, 姚电公司, 双鹤华利药业), or an item of a list in apposition to 企业
    (古纳河酒业、贝伦公司等企业; 超聚变、中创智领等一批行业领军企业). ``extra_terms`` are the
    report's own words (glossary headings, quoted phrases) that help jieba cut names.
    Government bodies, institutions (区人民医院) and kinds (上市公司, 金融机构) are never
    enterprises.
    """
    seg = segmenter(extra_terms)
    names: list[str] = []
    for begin, end in clauses(text):
        names.extend(_suffixed_names(text, begin, end, seg))
    names.extend(name for items, _ in _enterprise_lists(text, seg) for name in items)
    names.extend(_undertakers(text, seg, names))
    return _group_enterprises(text, names)


def _suffixed_names(text: str, begin: int, end: int, seg: Segmenter) -> list[str]:
    """Names in one clause that end with an enterprise suffix, cut at their left word boundary."""
    endings, full = enterprise_endings()
    hits = [m for m in endings.finditer(text, begin, end) if text[m.end() : m.end() + 1] != "化"]
    if not hits:
        return []
    tokens = seg.tokens(text, begin, end)
    ends = {t.end for t in tokens}
    found: list[Span] = []
    for m in hits:
        if m.end() not in ends and m.group() not in full:
            continue  # 公司 inside a longer word
        start = seg.name_start(_before(tokens, m.start()))
        if start is None or start >= m.start():
            continue
        if _is_enterprise_name(text[start : m.end()], text[start : m.start()], seg):
            found.append((start, m.end()))
    # 平煤神马集团尼龙科技有限公司 holds 平煤神马集团: keep the longest
    return [
        text[s:e]
        for s, e in found
        if not any(o != (s, e) and o[0] <= s and e <= o[1] for o in found)
    ]


def _before(tokens: list[Token], offset: int) -> list[Token]:
    """The tokens before ``offset``, the last one cut there (平高|电气 from 平高电气)."""
    out = [t for t in tokens if t.end <= offset]
    out += [
        Token(t.word[: offset - t.start], t.tag, t.start, offset)
        for t in tokens
        if t.start < offset < t.end
    ]
    return out


def _is_enterprise_name(name: str, stem: str, seg: Segmenter) -> bool:
    return (
        len(stem) >= 2
        and not re.search(r"\d", stem)
        and seg.has_name_word(stem)
        and not is_government_body(name)
    )


def _enterprise_lists(text: str, seg: Segmenter) -> list[tuple[list[str], Span]]:
    """Lists in apposition to 企业: their items that read as names, with the list's span."""
    out = []
    frames = words("enterprise_list_frames.txt")
    for m in list_pattern("企业").finditer(text):
        if "、" not in m.group(1) and _etc_in_word(text, m.end(1), seg):
            continue  # 依法平等保护民营企业: 等 of 平等, no list
        named = any(w in m.group(2) for w in frames)  # 超聚变、中创智领等一批行业领军企业
        items = list_items(text, m.start(1), m.end(1), seg)
        names = [
            text[s:e]
            for s, e in items
            if _is_enterprise_name(text[s:e], text[s:e], seg)
            or text[s:e] in _brands()
            or (named and _is_listed_firm(text[s:e], seg))
        ]
        names = [
            n for n in names if not n.endswith(("企业", "单位", "机构", "产业", "行业", "项目"))
        ]
        if names:
            out.append((names, (m.start(), m.end())))
    return out


def _etc_in_word(text: str, at: int, seg: Segmenter) -> bool:
    """Whether the 等 at ``text[at]`` belongs to a word (平等, 高等), not closing a list."""
    tokens = seg.tokens(text, max(0, at - 4), at + 3)
    return not any(t.start == at and t.word == "等" for t in tokens)


@cache
def _brands() -> frozenset[str]:
    """``lexicons/enterprise_brands.txt``: well-known enterprises reports name by brand alone."""
    return words("enterprise_brands.txt")


def _is_listed_firm(item: str, seg: Segmenter) -> bool:
    """An item of a list of named firms (…等一批行业领军企业) that reads as a trade name:
    2–8 characters, no number, not a place, an industry, a kind (计量、检测) or a word of the
    dictionary other than a proper noun (超聚变, 中创智领, 洛轴 yes; 煤矿, 数据 no)."""
    if not 2 <= len(item) <= 8 or re.search(r"\d", item) or item in qualifiers():
        return False
    if item in seg.generic or is_government_body(item) or load_industries().find_mentions(item):
        return False
    tokens = seg.tokens(item)
    if tokens[0].tag in ("v", "vn", "d", "p") and seg.known(tokens[0].word):
        return False  # 服务保障|中国中化: the list's lead-in stayed on its first item
    if len(tokens) == 1 and seg.known(item) and tokens[0].tag not in ("nz", "nt", "nr", "j"):
        return False
    return not all(seg.known(t.word) and t.tag in ("n", "vn", "v", "a", "b") for t in tokens) or (
        len(tokens) > 1 and not seg.known(item) and tokens[0].tag != "n"
    )


def _undertakers(text: str, seg: Segmenter, known: Iterable[str]) -> list[str]:
    """Enterprises named only as the undertaker at the start of a project's name:
    法士特|新能源汽车传动系统, 株洲|中车|IGBT, 比亚迪|新能源商用车.

    The name is the run of proper-name words that opens the project (after a place), taken when
    the rest of the project names an industry, or the name also stands elsewhere in the report,
    or it is a well-known brand (``lexicons/enterprise_brands.txt``).
    """
    taken = set(known)
    out = []
    for s, e in listed_projects(text, seg) + single_projects(text, seg, []):
        key = project_key(text[s:e])
        if any(key.startswith(n) for n in taken):
            continue
        name, rest = _opening_name(key, seg)
        if not name:
            continue
        elsewhere = text.count(name) > text.count(key)
        industry = load_industries().find_mentions(rest) and _proper(name, seg)
        if _product_follows(rest, seg) and (name in _brands() or elsewhere or industry):
            out.append(name)
            taken.add(name)
    return out


def _opening_name(key: str, seg: Segmenter) -> tuple[str, str]:
    """(name, rest) of a project key opened by a trade name: 株洲中车IGBT → (中车, IGBT) when
    中车 is in the brand lexicon; 法士特新能源汽车传动系统 → (法士特, 新能源汽车传动系统)."""
    tokens = seg.tokens(key)
    i = 0
    while i < len(tokens) - 1 and (tokens[i].word in qualifiers() or tokens[i].tag == "ns"):
        i += 1  # 株洲|中车: a place before the name
    brand = next(
        (
            b
            for b in sorted(_brands(), key=len, reverse=True)
            if key.startswith(b, tokens[i].start if tokens else 0)
        ),
        None,
    )
    if brand:
        at = (tokens[i].start if tokens else 0) + len(brand)
        return brand, key[at:]
    j = i
    while j < len(tokens) and _trade_word(tokens[j], seg) and tokens[j].end - tokens[i].start <= 6:
        j += 1
    if j == i or j == len(tokens):
        return "", key
    if j < len(tokens) and tokens[j].word in lexicons.sections("enterprise_suffixes.txt")["trade"]:
        j += 1  # 国达|化工: the trade word closes the name
    name = key[tokens[i].start : tokens[j - 1].end]
    if len(name) < 2 or (j - i == 1 and tokens[i].tag == "ns") or name in qualifiers():
        return "", key
    return name, key[tokens[j - 1].end :]


def _product_follows(rest: str, seg: Segmenter) -> bool:
    """What follows the name starts a product, not more of the name nor a site's facility:
    法士特|新能源汽车, 弗迪|12吉瓦时, 中车|IGBT, 惠科|新型显示 (芯业|时代8英寸: 时代 may be the
    name's; 白龙|核电一期, 秦沈|高速: plants and roads are named by their site)."""
    if not rest or rest.startswith(
        tuple(lexicons.sections("entity_place_endings.txt")["facilities"])
    ):
        return False
    first = seg.tokens(rest)[0]
    industries = load_industries().find_mentions(rest)
    return (
        rest[0].isdigit()
        or first.tag == "eng"
        or any(s == 0 for _, s, _ in industries)
        or (first.tag in ("a", "b") and "期" not in first.word and bool(industries))
    )


def _proper(name: str, seg: Segmenter) -> bool:
    """A trade name by its words: one unknown to the dictionary, or an organisation's (nt, nz,
    j); jieba's person-name tag on a common word (修正/nr) is not enough."""
    return any(not seg.known(t.word) or t.tag in ("nt", "nz", "j") for t in seg.tokens(name))


def _trade_word(token: Token, seg: Segmenter) -> bool:
    """A word of a trade name: a proper noun or a word jieba does not know (法士特, 红狮)."""
    if (
        token.word in seg.generic
        or seg.generic_head(token.word)
        or not CJK_OR_LATIN.search(token.word)
    ):
        return False
    return token.tag in ("nr", "nrt", "nrfg", "nt", "nz", "j") or not seg.known(token.word)


def _group_enterprises(text: str, names: list[str]) -> list[EnterpriseRecord]:
    """One record per enterprise: a short form joins the one legal name that holds its stem."""
    endings, full = enterprise_endings()
    legal = {n for n in names if any(n.endswith(f) for f in full)}
    groups: dict[str, set[str]] = {n: {n} for n in legal}
    for name in set(names) - legal:
        stem = endings.sub("", name) if endings.search(name) else name
        owners = [n for n in legal if len(stem) >= 2 and stem in n]
        groups.setdefault(owners[0] if len(owners) == 1 else name, set()).add(name)
    spans = occurrences(text, [n for forms in groups.values() for n in forms])
    records = []
    for forms in _merge_qualified(list(groups.values())):
        counts = Counter({f: len(spans.get(f, [])) for f in forms})
        mentions = sorted(s for f in forms for s in spans.get(f, []))
        if mentions:
            label = min(forms, key=lambda f: (-counts[f], len(f), f))
            records.append(EnterpriseRecord(label, sorted(forms, key=len), mentions))
    return sorted(records, key=lambda r: r.mentions[0])


def _merge_qualified(groups: list[set[str]]) -> list[set[str]]:
    """Groups one of whose names is another's with a place or country before it (中国平煤神马,
    平煤神马; 河南能源, 能源 is no name and never found alone) become one."""
    merged: list[set[str]] = []
    for forms in sorted(groups, key=lambda f: min(map(len, f))):
        bare = next(
            (
                m
                for m in merged
                if any(f.endswith(n) and f[: -len(n)] in qualifiers() for f in forms for n in m)
            ),
            None,
        )
        if bare is None:
            merged.append(set(forms))
        else:
            bare |= forms
    return merged


# ------------------------------------------------------------------- enterprises' industries

SENTENCE_END = re.compile(r"[。！？；\n]")
CLAUSE_END = re.compile(r"[，；,;：:]")
# what makes a name an industry's: 装备制造|产业集群, 生物医药|产业规模, 电气装备制造|业
INDUSTRY_TAIL = re.compile(r"(?:产业|行业|业)(?![园基区带城化])")
NAMED_AS_INDUSTRY = re.compile(r"(?:产业|行业|业)$")


def enterprise_industries(
    text: str,
    sentences: Iterable[object] | None,
    enterprises: Sequence[EnterpriseRecord],
    projects: Sequence[ProjectRecord],
    taxonomy: IndustryTaxonomy,
) -> dict[str, dict[str, Span]]:
    """``{enterprise label: {industry iri: evidence span}}``: the industries each enterprise is in.

    Two kinds of evidence, both tight: the industries of the enterprise's own projects
    (平高集团智慧新能源产业基地 → 新能源), and an industry named as such (…产业, …产业集群,
    …产业规模, …业) in the same clause as the enterprise or the clause before, in one sentence:
    "打造装备制造产业集群，延伸平高集团上下游产业链" → 平高集团 in 装备制造. ``sentences`` are
    ``kg.structure.Sentence``-like (``.start``/``.end``) or ``(start, end)`` pairs; ``None``
    splits ``text`` at 。！？；.
    """
    links: dict[str, dict[str, Span]] = {}
    for project in projects:
        for iri in project.industries:
            if project.owner is not None:
                links.setdefault(project.owner, {}).setdefault(iri, project.mentions[0])
    mentions = sorted((s, e, r.label) for r in enterprises for s, e in r.mentions)
    names = [(s, e) for s, e, _ in mentions] + [m for p in projects for m in p.mentions]
    for begin, end in _sentence_spans(text, sentences):
        named = [  # 药业 in 双鹤华利药业 names the enterprise, not an industry
            n
            for n in _industries_named(text, begin, end, taxonomy)
            if not any(s < n[2] and n[1] < e for s, e in names)
        ]
        if not named:
            continue
        clause_of = _clause_index(text, begin, end)
        for start, stop, label in (m for m in mentions if begin <= m[0] < end):
            near = [
                n for n in named if n[1] < start and 0 <= clause_of(start) - clause_of(n[1]) <= 1
            ]
            if near:
                iri, industry_start, _ = max(near, key=lambda n: n[1])
                links.setdefault(label, {}).setdefault(iri, (industry_start, stop))
    return links


def _sentence_spans(text: str, sentences: Iterable[object] | None) -> list[Span]:
    if sentences is None:
        return clauses_between(text, SENTENCE_END)
    return [
        (s.start, s.end) if hasattr(s, "start") else (int(s[0]), int(s[1]))  # type: ignore[index, attr-defined]
        for s in sentences
    ]


def clauses_between(
    text: str, breaks: re.Pattern[str], begin: int = 0, end: int | None = None
) -> list[Span]:
    """``text[begin:end]`` cut at ``breaks``, as non-empty ``(start, end)`` spans."""
    end = len(text) if end is None else end
    cuts = [begin, *(m.end() for m in breaks.finditer(text, begin, end)), end]
    return [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


def _clause_index(text: str, begin: int, end: int):
    starts = [s for s, _ in clauses_between(text, CLAUSE_END, begin, end)]
    return lambda offset: sum(1 for s in starts if s <= offset) - 1


def _industries_named(
    text: str, begin: int, end: int, taxonomy: IndustryTaxonomy
) -> list[tuple[str, int, int]]:
    """Industry mentions in ``text[begin:end]`` written as an industry (…产业, not …产业园)."""
    out = []
    for iri, s, e in taxonomy.find_mentions(text[begin:end]):
        s, e = s + begin, e + begin
        tail = INDUSTRY_TAIL.match(text, e)
        if tail or (
            NAMED_AS_INDUSTRY.search(text[s:e]) and not re.match(r"[园基区带城化]", text[e : e + 1])
        ):
            out.append((iri, s, e))
    return out


# ----------------------------------------------------------------------- leading enterprises

LEADER_FRAME = re.compile(
    r"以([^，。；！？\n]{2,80}?)(?:等[\u4e00-\u9fff]{0,6}企业)?为(?:龙头|引领|骨干)"
)
LEADER_WORDS = ("龙头", "领军", "链主", "骨干")


def find_leading_enterprises(
    text: str, enterprises: Sequence[EnterpriseRecord] = (), extra_terms: Iterable[str] = ()
) -> list[Leaders]:
    """Enterprises named as leaders, with the span of the phrase that says so.

    "以辖区平高集团、姚电公司等企业为龙头" → ``Leaders(["平高集团", "姚电公司"], span)``;
    "牧原、宇通、华兰等一批龙头企业" likewise. Items are given as the label of the matching
    record of ``enterprises`` when there is one.
    """
    seg = segmenter(extra_terms)
    by_name = {n: r.label for r in enterprises for n in r.names}
    found = [(m.start(1), m.end(1), m.span()) for m in LEADER_FRAME.finditer(text)]
    found += [
        (m.start(1), m.end(1), m.span())
        for m in list_pattern("企业").finditer(text)
        if any(w in m.group(2) for w in LEADER_WORDS)
    ]
    out = []
    for begin, end, span in sorted(found):
        items = [text[s:e] for s, e in list_items(text, begin, end, seg)]
        labels = [
            by_name.get(i, i) for i in items if i in by_name or _is_enterprise_name(i, i, seg)
        ]
        if labels:
            out.append(Leaders(list(dict.fromkeys(labels)), span))
    return out
