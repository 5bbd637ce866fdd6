"""Named things in report text: enterprises, government bodies, projects, and who works in which
industry.

Every function takes the normalised ``Document.text`` and returns records with offsets into it::

    >>> text = "以辖区平高集团、姚电公司等企业为龙头，加快推进双鹤华利药业BFS生产线等项目。"
    >>> [e.label for e in find_enterprises(text)]
    ['平高集团', '姚电公司', '双鹤华利药业']
    >>> [(p.label, p.owner) for p in find_projects(text, find_enterprises(text))]
    [('双鹤华利药业BFS生产线', '双鹤华利药业')]

Names are found by their endings (``lexicons/enterprise_suffixes.txt``,
``lexicons/government_bodies.txt``) and cut on the left at word boundaries (jieba, with the
report's own terms added): 辖区平高集团 gives 平高集团. Precision comes first: a name must hold a
word that names something (a proper noun or a word outside the dictionary), so 城市医疗集团,
上市公司 and 重点项目 are never names.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import NamedTuple

import jieba
import jieba.posseg as posseg

from .industries import Industry, IndustryTaxonomy, load_industries
from .places import short_form
from .structure import divisions

__all__ = [
    "BodyRecord",
    "EnterpriseRecord",
    "Industry",
    "IndustryTaxonomy",
    "Leaders",
    "ProjectRecord",
    "enterprise_industries",
    "find_enterprises",
    "find_government_bodies",
    "find_leading_enterprises",
    "find_projects",
    "is_government_body",
    "load_industries",
]

LEXICONS = Path(__file__).parent / "lexicons"

# A clause: what lies between two marks of punctuation; names never cross one.
CLAUSE_BREAK = re.compile(r"[，。；：！？、,;:!?\s“”\"‘’《》【】…—]")
CJK_OR_LATIN = re.compile(r"[\u4e00-\u9fffA-Za-z]")
# Parts of speech (jieba / ICTCLAS) of words that introduce a name but never belong to it:
# verbs, prepositions, adverbs, conjunctions, particles, time, pronouns, locatives, numerals,
# measure words, idioms.
LEAD_TAGS = ("v", "p", "d", "c", "u", "t", "r", "f", "m", "q", "l", "i", "y", "e", "o", "ad")
NAME_TAGS = {"nr", "nrt", "nrfg", "ns", "nt", "eng"}
PROPER_TAGS = {"nr", "nrt", "nrfg", "ns", "nt"}
CONJUNCTIONS = {"和", "与", "及", "同", "并", "或"}
FUNCTION_CHARS = "以为对向由把被在从和与及将给同让跟"
ORDINAL = re.compile(r"第[一二三四五六七八九十百零〇两\d]+")


# ---------------------------------------------------------------------------------- records


@dataclass
class EnterpriseRecord:
    """One enterprise: ``label`` is its name as most often written (平高集团), ``names`` every
    form seen (full legal name and short forms), ``mentions`` the offsets of each."""

    label: str
    names: list[str]
    mentions: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class BodyRecord:
    """A government or Party body (湛河区发展和改革委员会, 国务院办公厅): ``label`` its name in
    full (海拉尔区人民政府), ``names`` every form the report writes (海拉尔区政府,
    呼伦贝尔市海拉尔区人民政府), ``mentions`` the offsets of each."""

    label: str
    mentions: list[tuple[int, int]] = field(default_factory=list)
    names: list[str] = field(default_factory=list)


@dataclass
class ProjectRecord:
    """A named project. ``owner`` is the label of the enterprise whose name starts the project's
    (双鹤华利药业BFS生产线 → 双鹤华利药业); ``industries`` the taxonomy IRIs its name holds."""

    label: str
    names: list[str]
    mentions: list[tuple[int, int]] = field(default_factory=list)
    owner: str | None = None
    industries: list[str] = field(default_factory=list)


class Leaders(NamedTuple):
    """Enterprises a report names as leaders (龙头): ``labels, span = leaders``."""

    labels: list[str]
    span: tuple[int, int]


# --------------------------------------------------------------------------------- lexicons


@cache
def lexicon(name: str) -> dict[str, list[str]]:
    """A lexicon file as ``{section: [entries]}`` (entries before any ``[section]`` go under "")."""
    sections: dict[str, list[str]] = {"": []}
    current = ""
    for line in (LEXICONS / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            sections.setdefault(current, [])
        elif line:
            sections[current].append(line)
    return sections


def _words(name: str, section: str = "") -> frozenset[str]:
    return frozenset(lexicon(name)[section])


def _ending_pattern(endings: Iterable[str]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(e) for e in sorted(endings, key=len, reverse=True)))


# ----------------------------------------------------------------------------- segmentation


class Token(NamedTuple):
    word: str
    tag: str
    start: int
    end: int


@cache
def _base_dictionary() -> tuple[dict[str, int], int, dict[str, str]]:
    jieba.setLogLevel(logging.WARNING)
    jieba.dt.check_initialized()
    return jieba.dt.FREQ, jieba.dt.total, posseg.dt.word_tag_tab


class Segmenter:
    """jieba with the report's own terms (glossary headings, quoted phrases) as extra words.

    The shared jieba dictionary is copied, never changed, so reports do not leak into each other.
    """

    def __init__(self, extra_terms: Iterable[str] = ()):
        freq, total, tags = _base_dictionary()
        tokenizer = jieba.Tokenizer()
        tokenizer.FREQ, tokenizer.total, tokenizer.initialized = dict(freq), total, True
        self.pos = posseg.POSTokenizer.__new__(posseg.POSTokenizer)
        self.pos.tokenizer, self.pos.word_tag_tab = tokenizer, dict(tags)
        self.freq = tokenizer.FREQ
        self.extra = {t for t in extra_terms if 2 <= len(t) <= 20 and not CLAUSE_BREAK.search(t)}
        for term in self.extra:
            tokenizer.add_word(term, tag="nz")
        self.context = _words("entity_context_words.txt")
        self.generic = _words("entity_generic_words.txt") | self.context

    def tokens(self, text: str, start: int = 0, end: int | None = None) -> list[Token]:
        """The words of ``text[start:end]`` with offsets into ``text``."""
        out, offset = [], start
        for word, tag in self.pos.cut(text[start:end]):
            out.append(Token(word, tag, offset, offset + len(word)))
            offset += len(word)
        return out

    def known(self, word: str) -> bool:
        return self.freq.get(word, 0) > 0

    def is_lead(self, token: Token) -> bool:
        """A word that introduces a name: 辖区, 推动, 为, 先后, 以 (dictionary words only)."""
        if token.word in self.context:
            return True
        return self.known(token.word) and token.tag.startswith(LEAD_TAGS) and token.tag != "vn"

    def name_start(self, tokens: Sequence[Token]) -> int | None:
        """Where a name ending after ``tokens`` starts: after leading context words, and after the
        last conjunction, particle or context word (平高集团和|平高电气, 规模最大的|姚电公司,
        以辖区|平高集团). ``None`` if nothing is left."""
        i = 0
        while i < len(tokens) and self.is_lead(tokens[i]) and not _numbers_name(tokens[i:]):
            i += 1
        if i == len(tokens):
            return None
        start = tokens[i].start
        for token in tokens[i + 1 :]:
            if self.is_cut(token):
                start = token.end
            elif not self.known(token.word) and token.word[0] in CONJUNCTIONS:
                start = token.start + 1  # jieba glues 和 to an unknown name: 华能|和双良|公司
        first = tokens[i]
        if start == first.start and not self.known(first.word) and first.word[0] in FUNCTION_CHARS:
            start += 1  # 以海|乳集团
        return start if start < tokens[-1].end else None

    def is_cut(self, token: Token) -> bool:
        """A word no name runs across: 和, 的, 了, 辖区."""
        return (
            token.word in CONJUNCTIONS
            or token.word in self.context
            or (token.tag.startswith("u") and self.known(token.word))
        )

    def is_name_word(self, word: str, tag: str) -> bool:
        if word in self.extra:
            return True
        if word in self.generic or not CJK_OR_LATIN.search(word) or self._generic_head(word):
            return False
        # jieba's own nz words are too mixed (城市更新/nz); the report's terms are trusted
        return tag in NAME_TAGS or not self.known(word)

    def _generic_head(self, word: str) -> bool:
        """城市交通, 城市更新: a dictionary word made on a generic word is no name either."""
        return self.known(word) and any(word.startswith(g) for g in self.generic if len(g) >= 2)

    def has_name_word(self, stem: str) -> bool:
        """Whether ``stem`` names something: 平高, 双鹤华利 yes; 城市医疗, 国有融资平台 no."""
        return any(self.is_name_word(t.word, t.tag) for t in self.tokens(stem))

    def starts_with_name_word(self, name: str) -> bool:
        """Whether the first two words of ``name`` hold a name word (神马|博列麦…, 湛河区…),
        after an ordinal (第三|中学|东山分校)."""
        tokens = self.tokens(name)
        if tokens and ORDINAL.fullmatch(tokens[0].word):
            tokens = tokens[1:]
        return any(self.is_name_word(t.word, t.tag) for t in tokens[:2])


_SEGMENTERS: dict[frozenset[str], Segmenter] = {}


def segmenter(extra_terms: Iterable[str] = ()) -> Segmenter:
    """A :class:`Segmenter` for these terms, made once: the finders of one report share it
    (making one copies jieba's 350k-word dictionary, ~40 ms)."""
    terms = tuple(extra_terms)  # in the caller's order: jieba's frequencies depend on it
    key = frozenset(terms)
    if key not in _SEGMENTERS:
        if len(_SEGMENTERS) >= 4:  # a worker builds report after report: keep the latest
            _SEGMENTERS.clear()
        _SEGMENTERS[key] = Segmenter(terms)
    return _SEGMENTERS[key]


def _numbers_name(tokens: Sequence[Token]) -> bool:
    """A numeral that is part of the name it leads: an ordinal (第三|中学东山分校), or a
    numeral jieba cut from a name it does not know (万家|惠|农贸市场: a one-character name)."""
    first, rest = tokens[0], tokens[1:]
    return first.tag == "m" and (
        ORDINAL.fullmatch(first.word) is not None
        or (bool(rest) and len(rest[0].word) == 1 and rest[0].tag in PROPER_TAGS)
    )


def clauses(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """The clauses of ``text[start:end]`` as ``(start, end)`` offsets."""
    end = len(text) if end is None else end
    out, begin = [], start
    for m in CLAUSE_BREAK.finditer(text, start, end):
        if m.start() > begin:
            out.append((begin, m.start()))
        begin = m.end()
    if begin < end:
        out.append((begin, end))
    return out


def _occurrences(text: str, forms: Iterable[str]) -> dict[str, list[tuple[int, int]]]:
    """Where each form occurs, longer forms first and without overlap."""
    taken: list[bool] = [False] * (len(text) + 1)
    found: dict[str, list[tuple[int, int]]] = {}
    for form in sorted(set(forms), key=len, reverse=True):
        for m in re.finditer(re.escape(form), text):
            if not any(taken[m.start() : m.end()]):
                found.setdefault(form, []).append(m.span())
                taken[m.start() : m.end()] = [True] * len(form)
    return found


# ------------------------------------------------------------------------ government bodies


def _body_names() -> frozenset[str]:
    return _words("government_bodies.txt", "names")


@cache
def _body_pattern() -> re.Pattern[str]:
    places = "|".join(sorted(lexicon("government_bodies.txt")["places"], key=len, reverse=True))
    suffixes = _ending_pattern(lexicon("government_bodies.txt")["suffixes"]).pattern
    # place (2+ characters before its level: 湛河区, 河南省), a department, a body ending
    return re.compile(
        rf"(?P<place>(?:[\u4e00-\u9fff]{{2,8}}?(?:{places}))+?)"
        rf"(?P<dept>[\u4e00-\u9fff]{{0,12}}?)(?P<suffix>{suffixes})"
    )


def find_government_bodies(text: str) -> list[BodyRecord]:
    """Government and Party bodies named in ``text``, in order of first mention.

    A body is a central body of ``government_bodies.txt`` [names] (国务院办公厅, 司法部) or a
    place followed by a body ending (湛河区发展和改革委员会, 河南省委). Bodies named relative to
    the report's own place (区政府, 市委) are left out: their place is the reader's inference.
    One body, one record: 河南省政府 is 河南省人民政府 (:func:`body_label`), and
    呼伦贝尔市海拉尔区人民政府 is 海拉尔区人民政府 when the report also names that alone.
    """
    seg = segmenter()
    names = set(_words("government_bodies.txt", "names"))
    for begin, end in clauses(text):
        names.update(_bodies_in_clause(text, begin, end, seg))
    found = _occurrences(text, names)
    groups: dict[str, list[str]] = {}
    for name in found:
        groups.setdefault(body_label(name), []).append(name)
    merged: dict[str, list[str]] = {}
    for label, forms in groups.items():
        merged.setdefault(_local_body(label, groups), []).extend(forms)
    records = [
        BodyRecord(
            label,
            sorted(s for f in forms for s in found[f]),
            sorted({label, *forms}, key=lambda f: (len(f), f)),
        )
        for label, forms in merged.items()
    ]
    return sorted(records, key=lambda r: r.mentions[0])


def body_label(name: str) -> str:
    """A body's name in full: "X政府" is the everyday short form of "X人民政府" (the name the
    Organic Law of Local People's Congresses and Governments gives every local government).

    >>> body_label("河南省政府"), body_label("四川省政府办公厅"), body_label("香港特别行政区政府")
    ('河南省人民政府', '四川省人民政府办公厅', '香港特别行政区政府')
    """
    m = re.fullmatch(r"(.{2,}?)政府(办公厅|办公室)?", name)
    levels = tuple(lexicon("government_bodies.txt")["places"])
    if m is None or m.group(1).endswith(("人民", "特别行政区")) or not m.group(1).endswith(levels):
        return name
    return f"{m.group(1)}人民政府{m.group(2) or ''}"


def _local_body(label: str, labels: Iterable[str]) -> str:
    """The body ``label`` names after its parent places (呼伦贝尔市|海拉尔区人民政府), when the
    report also names it so; ``label`` itself otherwise. A short name alone could be another
    place's (新华区 is in three cities), so it is taken only from the report's own usage."""
    levels = "|".join(lexicon("government_bodies.txt")["places"])
    parents = re.compile(rf"(?:[\u4e00-\u9fff]{{2,8}}?(?:{levels}))+")
    local = [
        other
        for other in labels
        if other != label and label.endswith(other) and parents.fullmatch(label[: -len(other)])
    ]
    return min(local, key=len, default=label)


def _bodies_in_clause(text: str, begin: int, end: int, seg: Segmenter) -> list[str]:
    out: list[str] = []
    if not _body_pattern().search(text, begin, end):
        return out
    tokens = seg.tokens(text, begin, end)
    starts, ends = {t.start for t in tokens}, {t.end for t in tokens}
    for m in _body_pattern().finditer(text, begin, end):
        suffix_start = m.start("suffix")
        # the body is one word (河南省委/nt), or starts at its place (代表|海拉尔区|人民政府)
        whole = next((t for t in tokens if t.start < suffix_start < t.end == m.end()), None)
        if whole is not None and whole.tag in ("nt", "ns"):
            place: Token | None = whole
        elif m.end() not in ends or (len(m.group("suffix")) == 1 and not _own_ending(m, starts)):
            continue  # 格局: 局 inside a longer word is not an ending of its own
        else:
            place = next(
                (t for t in tokens if m.start() <= t.start < suffix_start and _is_place(t, seg)),
                None,
            )
        body = _body_pattern().fullmatch(text, place.start, m.end()) if place else None
        if body and not re.search(r"第.+[届次]", body.group("dept")):
            out.append(body.group())
    return out


def _own_ending(m: re.Match[str], starts: set[int]) -> bool:
    """A one-character ending (委, 局) starts a word, or closes a 省委/市委/区委-like word."""
    levels = lexicon("government_bodies.txt")["places"]
    return m.start("suffix") in starts or (
        m.start("suffix") - 1 in starts and m.string[m.start("suffix") - 1] in levels
    )


def _is_place(token: Token, seg: Segmenter) -> bool:
    """A named place, 湛河区 or 河南省 (not 全区, 辖区, 自治区: those depend on the reader)."""
    levels = tuple(lexicon("government_bodies.txt")["places"])
    if len(token.word) < 2 or token.word in seg.generic or token.word[0] in "全我本该各":
        return False
    return token.tag == "ns" or (not seg.known(token.word) and token.word.endswith(levels))


def is_government_body(name: str) -> bool:
    """Whether ``name`` as a whole names a government body (国务院办公厅, 湛河区人民政府)."""
    return name in _body_names() or bool(_body_pattern().fullmatch(name))


# ------------------------------------------------------------------------------ enterprises


@cache
def _enterprise_endings() -> tuple[re.Pattern[str], frozenset[str]]:
    sections = lexicon("enterprise_suffixes.txt")
    return _ending_pattern(sections["full"] + sections["short"]), frozenset(sections["full"])


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
    endings, full = _enterprise_endings()
    hits = [m for m in endings.finditer(text, begin, end) if text[m.end() : m.end() + 1] != "化"]
    if not hits:
        return []
    tokens = seg.tokens(text, begin, end)
    ends = {t.end for t in tokens}
    found: list[tuple[int, int]] = []
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


@cache
def _list_pattern(head: str) -> re.Pattern[str]:
    # "甲、乙等企业" / "甲、乙等19家企业" / "甲、乙等一批行业领军企业": the items before 等
    return re.compile(
        rf"([^，。；：！？\n]{{2,120}}?)等(?:[\d一二三四五六七八九十百多]+家|一批)?([\u4e00-\u9fff]{{0,6}}?){head}"
    )


def _enterprise_lists(text: str, seg: Segmenter) -> list[tuple[list[str], tuple[int, int]]]:
    """Lists in apposition to 企业: their items that read as names, with the list's span."""
    out = []
    frames = _words("enterprise_list_frames.txt")
    for m in _list_pattern("企业").finditer(text):
        if "、" not in m.group(1) and _etc_in_word(text, m.end(1), seg):
            continue  # 依法平等保护民营企业: 等 of 平等, no list
        named = any(w in m.group(2) for w in frames)  # 超聚变、中创智领等一批行业领军企业
        items = _list_items(text, m.start(1), m.end(1), seg)
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
    return _words("enterprise_brands.txt")


def _is_listed_firm(item: str, seg: Segmenter) -> bool:
    """An item of a list of named firms (…等一批行业领军企业) that reads as a trade name:
    2–8 characters, no number, not a place, an industry, a kind (计量、检测) or a word of the
    dictionary other than a proper noun (超聚变, 中创智领, 洛轴 yes; 煤矿, 数据 no)."""
    if not 2 <= len(item) <= 8 or re.search(r"\d", item) or item in _qualifiers():
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
    for s, e in _listed_projects(text, seg) + _single_projects(text, seg, []):
        key = _project_key(text[s:e])
        if any(key.startswith(n) for n in taken):
            continue
        name, rest = _opening_name(key, seg)
        if not name:
            continue
        elsewhere = len(re.findall(re.escape(name), text)) > text.count(key)
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
    while i < len(tokens) - 1 and (tokens[i].word in _qualifiers() or tokens[i].tag == "ns"):
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
    if j < len(tokens) and tokens[j].word in lexicon("enterprise_suffixes.txt")["trade"]:
        j += 1  # 国达|化工: the trade word closes the name
    name = key[tokens[i].start : tokens[j - 1].end]
    if len(name) < 2 or (j - i == 1 and tokens[i].tag == "ns") or name in _qualifiers():
        return "", key
    return name, key[tokens[j - 1].end :]


def _product_follows(rest: str, seg: Segmenter) -> bool:
    """What follows the name starts a product, not more of the name nor a site's facility:
    法士特|新能源汽车, 弗迪|12吉瓦时, 中车|IGBT, 惠科|新型显示 (芯业|时代8英寸: 时代 may be the
    name's; 白龙|核电一期, 秦沈|高速: plants and roads are named by their site)."""
    if not rest or rest.startswith(tuple(lexicon("entity_place_endings.txt")["facilities"])):
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
        or seg._generic_head(token.word)
        or not CJK_OR_LATIN.search(token.word)
    ):
        return False
    return token.tag in ("nr", "nrt", "nrfg", "nt", "nz", "j") or not seg.known(token.word)


def _list_items(text: str, begin: int, end: int, seg: Segmenter) -> list[tuple[int, int]]:
    """The items of "甲、乙和丙" in ``text[begin:end]``: the first cut after its lead-in words
    (推动|湛河区智能装备制造产业园), the last split at a conjunction (卓翔金属新材料|和|神马…).
    Items with quotes or titles (“城市双修”工程) are terms, not names, and are left out."""
    parts, start = [], begin
    for m in re.finditer("、", text[begin:end]):
        parts.append((start, begin + m.start()))
        start = begin + m.end()
    parts.append((start, end))
    first = seg.tokens(text, *parts[0])
    lead = seg.name_start(first) if first else None
    parts = parts[1:] if lead is None else [(lead, parts[0][1]), *parts[1:]]
    items = parts[:-1] + (_split_conjunction(text, *parts[-1], seg) if parts else [])
    return [(s, e) for s, e in items if e > s and not re.search(r"[“”\"《》]", text[s:e])]


def _split_conjunction(text: str, begin: int, end: int, seg: Segmenter) -> list[tuple[int, int]]:
    tokens = seg.tokens(text, begin, end)
    cuts = [t for t in tokens[1:] if t.word in CONJUNCTIONS and t.tag == "c"]
    if len(cuts) != 1:
        return [(begin, end)]
    return [(begin, cuts[0].start), (cuts[0].end, end)]


def _group_enterprises(text: str, names: list[str]) -> list[EnterpriseRecord]:
    """One record per enterprise: a short form joins the one legal name that holds its stem."""
    endings, full = _enterprise_endings()
    legal = {n for n in names if any(n.endswith(f) for f in full)}
    groups: dict[str, set[str]] = {n: {n} for n in legal}
    for name in set(names) - legal:
        stem = endings.sub("", name) if endings.search(name) else name
        owners = [n for n in legal if len(stem) >= 2 and stem in n]
        groups.setdefault(owners[0] if len(owners) == 1 else name, set()).add(name)
    spans = _occurrences(text, [n for forms in groups.values() for n in forms])
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
                if any(f.endswith(n) and f[: -len(n)] in _qualifiers() for f in forms for n in m)
            ),
            None,
        )
        if bare is None:
            merged.append(set(forms))
        else:
            bare |= forms
    return merged


@cache
def _qualifiers() -> frozenset[str]:
    """中国, 河南, 河南省, 平顶山市: a place or the country, named before a name."""
    names, by_code = divisions()
    shorts = {short_form(p) for p in by_code.values()}
    return frozenset(names) | {s for s in shorts if s} | _words("entity_qualifiers.txt")


# --------------------------------------------------------------------------------- projects

PROJECT_WORD = "项目"
_PAREN = str.maketrans("()", "（）")


def find_projects(
    text: str,
    enterprises: Sequence[EnterpriseRecord] = (),
    taxonomy: IndustryTaxonomy | None = None,
    extra_terms: Iterable[str] = (),
) -> list[ProjectRecord]:
    """Named projects, in order of first mention, with their owner and industries.

    Two ways a report names projects: a list closed by 等…项目 (双鹤华利药业BFS生产线、
    姚电绿能智慧新能源综合利用、中骏世界城商业综合体等重大项目) and a name ending in 项目
    (姚电公司独立储能示范项目). "…综合利用" and "…综合利用项目" are one project. Kinds of
    projects (重点项目, 房地产项目, 城乡供水一体化项目) are not names and are left out.
    """
    seg = segmenter(extra_terms)
    taxonomy = taxonomy or load_industries()
    names = [
        text[_whole_place(text, s, seg) : e]
        for s, e in _listed_projects(text, seg) + _single_projects(text, seg, enterprises)
    ]
    shared = _shared_head_projects(text, seg)
    names = [n for n in names if _is_project_name(n, enterprises, seg)] + list(shared)
    groups: dict[str, set[str]] = {}
    for name in names:
        groups.setdefault(_project_key(name), set()).add(name)
    records = [
        _project_record(text, forms, enterprises, taxonomy, shared, seg)
        for forms in groups.values()
    ]
    return sorted((r for r in records if r.mentions), key=lambda r: r.mentions[0])


LIST_BREAK = re.compile(CLAUSE_BREAK.pattern.replace("、", ""))


def _shared_head_projects(text: str, seg: Segmenter) -> dict[str, list[tuple[int, int]]]:
    """Places of one kind listed before the head they share name one project each:
    "推进姚孟村、后城村棚改项目" → 姚孟村棚改项目, 后城村棚改项目, each with the span of the
    whole phrase (the words that name it)."""
    endings = tuple(sorted(lexicon("entity_place_endings.txt")[""], key=len, reverse=True))
    out: dict[str, list[tuple[int, int]]] = {}
    for m in re.finditer(PROJECT_WORD, text):
        begin = max((b.end() for b in LIST_BREAK.finditer(text, 0, m.start())), default=0)
        parts = [(begin, begin)]
        for sep in re.finditer("、", text[begin : m.start()]):
            parts[-1] = (parts[-1][0], begin + sep.start())
            parts.append((begin + sep.end(), begin + sep.end()))
        parts[-1] = (parts[-1][0], m.start())
        if len(parts) < 2:
            continue
        lead = seg.name_start(seg.tokens(text, *parts[0]))
        last_start, last_end = parts[-1]
        ending = next((e for e in endings if text.find(e, last_start + 2, last_end) > 0), None)
        if lead is None or ending is None:
            continue
        head = text.index(ending, last_start + 2, last_end) + len(ending)
        items = [(lead, parts[0][1]), *parts[1:-1], (last_start, head)]
        if all(_is_place_item(text[s:e], ending, seg) for s, e in items):
            for s, e in items:
                name = text[s:e] + text[head : m.end()]
                out.setdefault(name, []).append((s if e == head else items[0][0], m.end()))
    return out


def _is_place_item(item: str, ending: str, seg: Segmenter) -> bool:
    """姚孟村, 后城村: a named village (not 农村, 行政村, 城中村: words of the dictionary)."""
    return (
        item.endswith(ending)
        and 2 <= len(item) - len(ending) <= 4
        and not seg.known(item)
        and not re.search(r"\d", item)
        and seg.has_name_word(item)
    )


def _listed_projects(text: str, seg: Segmenter) -> list[tuple[int, int]]:
    return [
        item
        for m in _list_pattern(PROJECT_WORD).finditer(text)
        for item in _list_items(text, m.start(1), m.end(1), seg)
    ]


def _single_projects(
    text: str, seg: Segmenter, enterprises: Sequence[EnterpriseRecord]
) -> list[tuple[int, int]]:
    """ "X项目" outside a list and a title: X runs back to the clause start, after its lead-in."""
    out = []
    for m in re.finditer(PROJECT_WORD, text):
        begin = max(
            (c.end() for c in CLAUSE_BREAK.finditer(text, max(0, m.start() - 40), m.start())),
            default=0,
        )
        before = text[begin : m.start()]
        if "等" in before or text[m.start() - 1 : m.start()] in "（(" or _in_title(text, m.start()):
            continue  # a list (_listed_projects reads it), 企业（项目）, 《…项目…办法》
        tokens = [t for t in seg.tokens(text, begin, m.end()) if t.end <= m.start()]
        start = seg.name_start(tokens) if tokens else None
        if start is not None and not re.search(r"\d", text[start : m.start()]):
            first = next(t for t in tokens if t.end > start)
            # alone, a project needs a proper name first: 姚电公司…, 湛河区…, not 用能设备更新
            owned = any(text.startswith(n, start) for e in enterprises for n in e.names)
            if owned or (first.tag in PROPER_TAGS and seg.is_name_word(first.word, first.tag)):
                out.append((start, m.end()))
    return out


def _in_title(text: str, offset: int) -> bool:
    return text.rfind("《", 0, offset) > text.rfind("》", 0, offset)


PLACE_LEVELS = "镇乡村县旗区市"


def _whole_place(text: str, start: int, seg: Segmenter) -> int:
    """Where a name cut after its place's first word starts: 实施奋斗|镇1万亩节水灌溉 → 奋斗镇…
    (奋斗 is a verb too, so the name's lead-in took it)."""
    if start == 0 or text[start] not in PLACE_LEVELS or not CJK_OR_LATIN.match(text[start - 1]):
        return start
    tokens = seg.tokens(text, max(0, start - 6), start)
    return tokens[-1].start if tokens and len(tokens[-1].word) >= 2 else start


def _is_project_name(name: str, enterprises: Sequence[EnterpriseRecord], seg: Segmenter) -> bool:
    """A project name starts with a name (平高集团…, 湛河区…, 中骏世界城…), not a kind nor a
    quantity (2台热水锅炉, 5条主干道路)."""
    core = _project_key(name)
    if (
        len(core) < 4
        or core[0].isdigit()
        or core.endswith(("企业", "产业", "行业"))
        or core.count("（") != core.count("）")
    ):
        return False
    if any(core.startswith(n) for e in enterprises for n in e.names):
        return True
    return seg.starts_with_name_word(core) and not is_government_body(core)


def _project_key(name: str) -> str:
    name = name.translate(_PAREN)
    return name[: -len(PROJECT_WORD)] if name.endswith(PROJECT_WORD) else name


def _owner_forms(enterprise: EnterpriseRecord) -> set[str]:
    """The names a project may open with: every form, and each form's stem (中国盐湖 of
    中国盐湖集团, 金川 of 金川集团) when the stem is a trade name, not a place nor a kind."""
    endings, _ = _enterprise_endings()
    forms = set(enterprise.names)
    for name in enterprise.names:
        stem = re.sub(f"(?:{endings.pattern})$", "", name)
        if len(stem) >= 2 and stem not in _qualifiers() and stem != name:
            forms.add(stem)
    return forms


def _name_ends(key: str, stem: str, seg: Segmenter) -> bool:
    """After a stem, the project goes on with a word of the dictionary or a number (金川|镍钴…,
    大唐|700万吨), not more of a name (姚电|绿能: 姚电绿能 is another firm than 姚电公司)."""
    rest = key[key.find(stem) + len(stem) :]
    tokens = seg.tokens(rest) if rest else []
    return bool(tokens) and (seg.known(tokens[0].word) or tokens[0].tag == "m")


def _opens(key: str, name: str) -> bool:
    """``key`` opens with ``name``, maybe after a place: 株洲中车IGBT opens with 中车."""
    if key.startswith(name):
        return True
    at = key.find(name)
    return at > 0 and key[:at] in _qualifiers()


def _project_record(
    text: str,
    forms: set[str],
    enterprises: Sequence[EnterpriseRecord],
    taxonomy: IndustryTaxonomy,
    shared: dict[str, list[tuple[int, int]]],
    seg: Segmenter,
) -> ProjectRecord:
    """``shared`` names projects never written whole (姚孟村棚改项目 of 姚孟村、后城村棚改项目),
    with the span of the phrase that names them."""
    key = _project_key(next(iter(forms)))
    pattern = re.escape(key).replace("（", "[（(]").replace("）", "[）)]")
    spans = [m.span() for m in re.finditer(rf"{pattern}(?:{PROJECT_WORD})?", text)]
    written = Counter(text[s:e] for s, e in spans)
    unwritten = sorted(forms & shared.keys())
    if spans:
        label = min(written, key=lambda w: (-written[w], spans[list(written).index(w)]))
    elif unwritten:
        label, spans, written = unwritten[0], shared[unwritten[0]], Counter(unwritten[:1])
    else:
        label = key
    owners = [
        (len(n), e.label)
        for e in enterprises
        for n in _owner_forms(e)
        if _opens(key, n) and (n in e.names or _name_ends(key, n, seg))
    ]
    industries = list(dict.fromkeys(iri for iri, _, _ in taxonomy.find_mentions(key)))
    return ProjectRecord(
        label, sorted(written), spans, max(owners)[1] if owners else None, industries
    )


# ------------------------------------------------------------------- enterprises' industries

SENTENCE_END = re.compile(r"[。！？；\n]")
CLAUSE_END = re.compile(r"[，；,;：:]")
# what makes a name an industry's: 装备制造|产业集群, 生物医药|产业规模, 电气装备制造|业
INDUSTRY_TAIL = re.compile(r"(?:产业|行业|业)(?![园基区带城化])")
NAMED_AS_INDUSTRY = re.compile(r"(?:产业|行业|业)$")

Span = tuple[int, int]


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
        for m in _list_pattern("企业").finditer(text)
        if any(w in m.group(2) for w in LEADER_WORDS)
    ]
    out = []
    for begin, end, span in sorted(found):
        items = [text[s:e] for s, e in _list_items(text, begin, end, seg)]
        labels = [
            by_name.get(i, i) for i in items if i in by_name or _is_enterprise_name(i, i, seg)
        ]
        if labels:
            out.append(Leaders(list(dict.fromkeys(labels)), span))
    return out
