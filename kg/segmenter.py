"""Words of report text, with offsets: jieba with the report's own terms, clauses and lists.

Every finder of names (:mod:`kg.bodies`, :mod:`kg.enterprises`, :mod:`kg.projects`) cuts text
here, so a name is cut on the left at a word boundary the same way everywhere::

    >>> seg = segmenter()
    >>> text = "以辖区平高集团、姚电公司等企业为龙头"
    >>> [text[s:e] for s, e in list_items(text, 0, text.index("等"), seg)]
    ['平高集团', '姚电公司']
    >>> clauses("推动发展，打造集群。")
    [(0, 4), (5, 9)]

A :class:`Segmenter` adds the report's terms (glossary headings, quoted phrases) to a copy of
jieba's shared dictionary, so one report's words never leak into another's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache
from typing import NamedTuple

from . import lexicons
from .document import Span
from .jiebaload import jieba, posseg
from .phrases import find_all

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


def words(name: str, section: str = "") -> frozenset[str]:
    """The entries of one section of a lexicon (``lexicons.sections``), as a set."""
    return frozenset(lexicons.sections(name)[section])


def ending_pattern(endings: Iterable[str]) -> re.Pattern[str]:
    """A pattern matching any of ``endings``, longest first."""
    return re.compile("|".join(re.escape(e) for e in sorted(endings, key=len, reverse=True)))


class Token(NamedTuple):
    """A word of the text, its part of speech (jieba / ICTCLAS) and its offsets."""

    word: str
    tag: str
    start: int
    end: int


def _base_dictionary() -> tuple[dict[str, int], int, dict[str, str]]:
    """jieba's shared dictionary: word frequencies, their total, and part-of-speech tags.

    jieba has no public way to copy a tokenizer: ``jieba.Tokenizer()`` re-reads the dictionary
    file (~1 s) and ``posseg.POSTokenizer(tokenizer)`` re-reads its tags; ``add_word`` and
    ``suggest_freq`` change the shared one. So this is the one place that reads jieba's
    internals (``Tokenizer.FREQ``, ``.total``, ``POSTokenizer.word_tag_tab``), to copy them.
    """
    return jieba.dt.FREQ, jieba.dt.total, posseg.dt.word_tag_tab


_MISSING = object()


class _Dictionary:
    """A copy of jieba's shared dictionary, made once per process, that the segmenters take
    turns to extend with their terms: lent to one, it first undoes what the previous one
    added. Copying the dictionary for every report (500,000 words) and freeing the copy cost
    ~60 ms a report, a tenth of reading it."""

    def __init__(self) -> None:
        freq, total, tags = _base_dictionary()
        tokenizer = jieba.Tokenizer()
        # a copy of the shared dictionary, made by hand (see _base_dictionary for why)
        tokenizer.FREQ, tokenizer.total, tokenizer.initialized = dict(freq), total, True
        self.pos = posseg.POSTokenizer.__new__(posseg.POSTokenizer)
        self.pos.tokenizer, self.pos.word_tag_tab = tokenizer, dict(tags)
        self.freq: dict[str, int] = tokenizer.FREQ
        self._total = total
        self._owner: object = None
        self._undo: list[tuple[dict, str, object]] = []  # (table, key, value before)

    def lend(self, owner: object, terms: Sequence[str]) -> None:
        """Make the dictionary jieba's with ``terms`` added in order (as ``add_word`` adds
        them), for ``owner``; nothing to do when it has it already."""
        if self._owner is owner:
            return
        tokenizer = self.pos.tokenizer
        for table, key, value in reversed(self._undo):
            if value is _MISSING:
                del table[key]
            else:
                table[key] = value
        tokenizer.total, self._undo = self._total, []
        for term in terms:  # add_word sets the word, its prefixes and, through the tagger, its tag
            self._undo += [
                (self.freq, term[:i], self.freq.get(term[:i], _MISSING))
                for i in range(1, len(term) + 1)
            ]
            self._undo.append(
                (self.pos.word_tag_tab, term, self.pos.word_tag_tab.get(term, _MISSING))
            )
            tokenizer.add_word(term, tag="nz")
        self.pos.makesure_userdict_loaded()
        self._owner = owner


@cache
def _dictionary() -> _Dictionary:
    return _Dictionary()


class Segmenter:
    """jieba with the report's own terms (glossary headings, quoted phrases) as extra words.

    jieba's shared dictionary is never changed, so reports do not leak into each other (nor
    into :func:`kg.industries.token_boundaries`, which cuts with it).
    """

    def __init__(self, extra_terms: Iterable[str] = ()):
        self.extra = {t for t in extra_terms if 2 <= len(t) <= 20 and not CLAUSE_BREAK.search(t)}
        self._terms = [t for t in dict.fromkeys(extra_terms) if t in self.extra]  # in order
        self.context = words("entity_context_words.txt")
        self.generic = words("entity_generic_words.txt") | self.context
        # the finders cut the same names and clauses again and again (half of what is cut),
        # and jieba's tagger costs ~0.2 ms a character where it guesses unknown words
        self._cuts: dict[str, list[tuple[str, str]]] = {}

    def _dictionary(self) -> _Dictionary:
        dictionary = _dictionary()
        dictionary.lend(self, self._terms)
        return dictionary

    def tokens(self, text: str, start: int = 0, end: int | None = None) -> list[Token]:
        """The words of ``text[start:end]`` with offsets into ``text``."""
        chunk = text[start:end]
        if chunk not in self._cuts:
            pos = self._dictionary().pos
            self._cuts[chunk] = [(word, tag) for word, tag in pos.cut(chunk)]
        out, offset = [], start
        for word, tag in self._cuts[chunk]:
            out.append(Token(word, tag, offset, offset + len(word)))
            offset += len(word)
        return out

    def known(self, word: str) -> bool:
        return self._dictionary().freq.get(word, 0) > 0

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
        if word in self.generic or not CJK_OR_LATIN.search(word) or self.generic_head(word):
            return False
        # jieba's own nz words are too mixed (城市更新/nz); the report's terms are trusted
        return tag in NAME_TAGS or not self.known(word)

    def generic_head(self, word: str) -> bool:
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


_SEGMENTERS: dict[tuple[str, ...], Segmenter] = {}


def segmenter(extra_terms: Iterable[str] = ()) -> Segmenter:
    """A :class:`Segmenter` for these terms, made once: the finders of one report share it,
    and with it what it has cut."""
    terms = tuple(extra_terms)  # in the caller's order: jieba's frequencies depend on it
    if terms not in _SEGMENTERS:
        if len(_SEGMENTERS) >= 4:  # a worker builds report after report: keep the latest
            _SEGMENTERS.clear()
        _SEGMENTERS[terms] = Segmenter(terms)
    return _SEGMENTERS[terms]


def _numbers_name(tokens: Sequence[Token]) -> bool:
    """A numeral that is part of the name it leads: an ordinal (第三|中学东山分校), or a
    numeral jieba cut from a name it does not know (万家|惠|农贸市场: a one-character name)."""
    first, rest = tokens[0], tokens[1:]
    return first.tag == "m" and (
        ORDINAL.fullmatch(first.word) is not None
        or (bool(rest) and len(rest[0].word) == 1 and rest[0].tag in PROPER_TAGS)
    )


def clauses(text: str, start: int = 0, end: int | None = None) -> list[Span]:
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


def occurrences(text: str, forms: Iterable[str]) -> dict[str, list[Span]]:
    """Where each form occurs, longer forms first and without overlap."""
    taken: list[bool] = [False] * (len(text) + 1)
    found: dict[str, list[Span]] = {}
    for form in sorted(set(forms), key=len, reverse=True):
        for start, end in find_all(text, form):
            if not any(taken[start:end]):
                found.setdefault(form, []).append((start, end))
                taken[start:end] = [True] * len(form)
    return found


@cache
def list_pattern(head: str) -> re.Pattern[str]:
    # "甲、乙等企业" / "甲、乙等19家企业" / "甲、乙等一批行业领军企业": the items before 等
    return re.compile(
        rf"([^，。；：！？\n]{{2,120}}?)等(?:[\d一二三四五六七八九十百多]+家|一批)?([\u4e00-\u9fff]{{0,6}}?){head}"
    )


def list_items(text: str, begin: int, end: int, seg: Segmenter) -> list[Span]:
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


def _split_conjunction(text: str, begin: int, end: int, seg: Segmenter) -> list[Span]:
    tokens = seg.tokens(text, begin, end)
    cuts = [t for t in tokens[1:] if t.word in CONJUNCTIONS and t.tag == "c"]
    if len(cuts) != 1:
        return [(begin, end)]
    return [(begin, cuts[0].start), (cuts[0].end, end)]
