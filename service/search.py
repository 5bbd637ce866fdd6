"""The term index: find a term by any part of its Chinese name, its pinyin or its initials. About
490 lines because the index and the folding of what it matches (simplified forms, pinyin
syllables, initials) must agree character for character.

Pure Python, built once per app from the store and kept in memory. A query matches a label
(the preferred label or any alternative label) in one of these ways, best first::

    exact      四主链        the whole label
    prefix     四主          the label starts with the query
    substring  主链          anywhere in the label, from one character on
    pinyin     sizhulian     full toneless pinyin (from a syllable boundary), or initials
                             from the start: szl
    glossary   白名单        a word of a glossary entry's heading (“四保”白名单) that none of
                             the terms the entry explains matches: 主链 finds 四主链 and not
                             the entry “四主链”+“三副链”招商体系, so not 三副链 either

Traditional characters are folded to simplified (四主鏈 → 四主链), full-width forms to
half-width, and quotation marks are ignored (四保白名单 finds “四保”白名单)::

    >>> index = TermIndex([Term("id:a", "四主链", "Slogan"), Term("id:b", "三副链", "Slogan")])
    >>> [h.term.label for h in index.search("主链")]
    ['四主链']
    >>> [h.term.label for h in index.search("szl")]
    ['四主链']
    >>> [h.term.label for h in index.search("链")]
    ['三副链', '四主链']
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cache, cached_property

from pypinyin import Style, lazy_pinyin

from ..kg import vocab
from ..kg.store import Store
from ..kg.vocab import prologue

POL = vocab.POL.base

# What counts as a term, in the order that names a resource typed with several of them.
TERM_KINDS = (
    "Slogan",
    "Policy",
    "Industry",
    "Enterprise",
    "Project",
    "Indicator",
    "PolicyDocument",
    "GovernmentBody",
    "Place",
    "Concept",
    "GlossaryEntry",
    "Term",
)

EXACT, PREFIX, SUBSTRING, PINYIN, GLOSSARY = range(5)
SNIPPET = 80
_IGNORED = re.compile(r"[\s\x00-\x1f“”\"'‘’「」『』《》〈〉·・]")
_ASCII_QUERY = re.compile(r"^[a-z0-9]+$")
_HANZI = re.compile(r"[\u3400-\u9fff]")
_RUNS = re.compile(r"[\u3400-\u9fff]+|[^\u3400-\u9fff]+")

# The kinds as values, not every type of the store filtered by its namespace: a server then
# starts from each kind's members, not from every typed span and sentence (millions at 100
# times the corpus).
_Q_TERMS = (
    prologue("rdfs", "skos", "pol")
    + "SELECT ?t ?type ?label ?pref WHERE {\n  VALUES ?type { "
    + " ".join(f"pol:{kind}" for kind in TERM_KINDS)
    + """ }
  ?t a ?type ; (rdfs:label|skos:prefLabel) ?label .
  FILTER(!isBlank(?t))
  OPTIONAL { ?t skos:prefLabel ?pref }
}
"""
)
_Q_ALT = (
    prologue("skos")
    + """SELECT ?t ?alt WHERE { ?t skos:altLabel ?alt }
"""
)
# A term's definition: its own, or that of the glossary entry that explains it.
_Q_DEFINITIONS = (
    prologue("skos", "pol")
    + """SELECT ?t ?def WHERE {
  { ?t skos:definition ?def }
  UNION { ?t pol:definedIn ?e . ?e skos:definition ?def }
  UNION { ?e pol:explains ?t . ?e skos:definition ?def }
}
"""
)
# A report's slogan or concept is found through the term every report's version shares.
_Q_VERSIONS = (
    prologue("pol")
    + """SELECT ?v ?t WHERE { ?v pol:versionOf ?t }
"""
)
_Q_EXPLAINING = (
    prologue("pol")
    + """SELECT DISTINCT ?e ?x WHERE { ?e pol:explains ?x }
"""
)


@dataclass(frozen=True)
class Term:
    """A named thing a reader may look up: slogan, industry, enterprise, indicator..."""

    iri: str
    label: str
    kind: str
    alt_labels: tuple[str, ...] = ()
    definition: str = ""
    explains: tuple[str, ...] = ()  # a glossary entry: the IRIs of the terms it explains
    version_of: str = ""  # one report's slogan or concept: the IRI of the term it shares
    shared: bool = False  # a pol:Term: the label as every report uses it (kind: its versions')

    @property
    def snippet(self) -> str:
        """The definition cut to a line, from the clause that names the term when an entry
        defines several: 三副链 → ``…“三副链”是指乡村振兴及食品加工业…``.

        >>> Term("x:a", "三副链", "Slogan", definition="分类，“四主链”是指甲；“三副链”是指乙。").snippet
        '…“三副链”是指乙。'
        """
        d = " ".join(self.definition.split())
        at = d.find(self.label)
        if at > 0:
            clause = max(d.rfind(mark, 0, at) for mark in "；;。")
            if clause >= 0:
                d = "…" + d[clause + 1 :]
        return d if len(d) <= SNIPPET else d[: SNIPPET - 1] + "…"

    @property
    def pinyin(self) -> str:
        """Toneless pinyin with spaces: ``si zhu lian``."""
        return " ".join(_syllables(self.label))

    @property
    def initial(self) -> str:
        """The index letter: first letter of the pinyin, ``#`` for anything else."""
        first = self.pinyin[:1].upper()
        return first if "A" <= first <= "Z" else "#"


@dataclass(frozen=True)
class Hit:
    """A search result: ``rank`` is EXACT … GLOSSARY; ``matched`` is the label that was hit."""

    term: Term
    rank: int
    matched: str


class _Haystack:
    """Many keys in one string, so that ``str.find`` (C speed) scans them all at once."""

    SEP = "\x1f"  # never in a normalised query

    def __init__(self, keys: list[str]):
        self.starts: list[int] = []
        pos = 1
        for key in keys:
            self.starts.append(pos)
            pos += len(key) + 1
        self.text = self.SEP + self.SEP.join(keys) + self.SEP

    def find(self, q: str, at: set[int] | None = None) -> Iterator[tuple[int, int]]:
        """(row, offset in the row's key) of every occurrence of ``q``, rows in order; only
        those starting at one of the positions ``at`` (of :attr:`text`) when given."""
        pos = self.text.find(q)
        while pos != -1:
            if at is None or pos in at:
                row = bisect_right(self.starts, pos) - 1
                yield row, pos - self.starts[row]
            pos = self.text.find(q, pos + 1)

    def starting_with(self, q: str) -> Iterator[int]:
        """Rows whose key starts with ``q``."""
        for row, _ in self.find(self.SEP + q):
            yield row + 1  # the match starts on the separator before the row


class TermIndex:
    """In-memory index over terms; :meth:`search` ranks exact → prefix → substring → pinyin.

    Every label (preferred and alternative) is one row; the rows' normalised text, pinyin and
    initials are each kept in one :class:`_Haystack`.
    """

    def __init__(self, terms: Iterable[Term]):
        self._terms: list[Term] = []
        self._by_iri: dict[str, Term] = {}
        self._row_term: list[int] = []
        self._row_label: list[str] = []
        hanzi, pinyin, initials = [], [], []
        terms = list(terms)
        shared = {t.iri: t.version_of for t in terms if t.version_of}
        for term in terms:
            if term.explains:  # an entry explains a report's version: hit through its term
                explains = tuple(sorted({shared.get(x, x) for x in term.explains}))
                term = replace(term, explains=explains)
            self._by_iri[term.iri] = term
            if term.version_of:  # found through its shared term, whose page lists every version
                continue
            for label in dict.fromkeys((term.label, *term.alt_labels)):
                self._row_term.append(len(self._terms))
                self._row_label.append(label)
                hanzi.append(normalize(label))
                pinyin.append("".join(_syllables(label)))
                initials.append(_initials(label))
            self._terms.append(term)
        self._hanzi_keys = hanzi
        self._hanzi, self._pinyin = _Haystack(hanzi), _Haystack(pinyin)
        self._initials = _Haystack(initials)
        # where syllables start in the pinyin haystack: sizhulian matches there, hulian not
        self._syllable_starts = {
            start + offset
            for start, label in zip(self._pinyin.starts, self._row_label, strict=True)
            for offset in _syllable_offsets(label)
        }
        self._lengths = {"hanzi": [len(k) for k in hanzi], "pinyin": [len(k) for k in pinyin],
                         "initials": [len(k) for k in initials]}  # fmt: skip

    @classmethod
    def from_store(cls, store: Store) -> TermIndex:
        """Every labelled resource of a term kind in the store."""
        return cls(terms_from_store(store))

    def __len__(self) -> int:
        return len(self._terms)

    def __iter__(self) -> Iterator[Term]:
        return iter(self._terms)

    def get(self, iri: str) -> Term | None:
        """The term with this IRI, if indexed."""
        return self._by_iri.get(iri)

    def search(self, query: str, limit: int = 20, kind: str | None = None) -> list[Hit]:
        """Best hits first; ties go to the shorter label. An empty query finds nothing.

        A glossary entry that explains other terms ranks last (GLOSSARY), and only when none of
        the terms it explains is hit: its heading then holds words found nowhere else. A query
        with ``*`` is a pattern over whole labels (:meth:`match`). ``kind`` ``Term`` keeps the
        terms every report's versions share.
        """
        if "*" in query:
            return self.match(query, limit, kind)
        q = normalize(query)
        if not q:
            return []
        best: dict[int, tuple[int, int, int]] = {}  # term → (rank, subrank, row)
        for row, score in self._scores(q):
            t = self._row_term[row]
            if t not in best or (*score, row) < best[t]:
                best[t] = (*score, row)
        hit_iris = {self._terms[t].iri for t in best}
        found: dict[int, tuple[int, int, int]] = {}
        for t, (rank, subrank, row) in best.items():
            term = self._terms[t]
            if kind and not _of_kind(term, kind):
                continue
            if term.explains:
                if hit_iris.intersection(term.explains):
                    continue
                rank, subrank = GLOSSARY, rank
            found[t] = (rank, subrank, row)

        def order(item: tuple[int, tuple[int, int, int]]) -> tuple:
            term = self._terms[item[0]]
            return (item[1][0], item[1][1], len(term.label), term.label, term.iri)

        top = heapq.nsmallest(limit, found.items(), key=order)
        return [Hit(self._terms[t], rank, self._row_label[row]) for t, (rank, _, row) in top]

    def match(self, pattern: str, limit: int = 20, kind: str | None = None) -> list[Hit]:
        """Terms with a label matching ``pattern``, where ``*`` stands for any characters (as in
        Skosmos): ``五*`` starts with 五, ``*链`` ends with 链, ``*主*`` contains 主. Shorter
        labels first; a pattern of ``*`` alone finds nothing (it would list the whole index).

        >>> index = TermIndex([Term("x:a", "四主链", "Slogan"), Term("x:b", "五链", "Slogan")])
        >>> [h.term.label for h in index.match("*链")], [h.term.label for h in index.match("四*")]
        (['五链', '四主链'], ['四主链'])
        """
        parts = [normalize(part) for part in pattern.split("*")]
        if not any(parts):
            return []
        regex = re.compile(".*".join(re.escape(part) for part in parts), re.DOTALL)
        found: dict[int, int] = {}  # term → its first matching row
        for row, key in enumerate(self._hanzi_keys):
            t = self._row_term[row]
            if t not in found and regex.fullmatch(key) and _of_kind(self._terms[t], kind):
                found[t] = row

        def order(t: int) -> tuple:
            term = self._terms[t]
            return (len(self._hanzi_keys[found[t]]), term.pinyin, term.label, term.iri)

        top = heapq.nsmallest(limit, found, key=order)
        return [Hit(self._terms[t], _pattern_rank(parts), self._row_label[found[t]]) for t in top]

    def _scores(self, q: str) -> Iterator[tuple[int, tuple[int, int]]]:
        """(row, (rank, subrank)) for every row that matches ``q`` in some way."""
        lengths = self._lengths
        for row, offset in _first_per_row(self._hanzi.find(q)):
            if offset:
                yield row, (SUBSTRING, 0)
            else:
                yield row, (EXACT if lengths["hanzi"][row] == len(q) else PREFIX, 0)
        if not _ASCII_QUERY.match(q):
            return
        for row, offset in _first_per_row(self._pinyin.find(q, self._syllable_starts)):
            if offset == 0:
                yield row, (PINYIN, 0 if lengths["pinyin"][row] == len(q) else 1)
            else:
                yield row, (PINYIN, 4)
        # initials only from the start: inside a long name they match by accident (szl in
        # 人才强省战略 = …rcqszl)
        for row in self._initials.starting_with(q):
            yield row, (PINYIN, 2 if lengths["initials"][row] == len(q) else 3)

    def by_initial(self) -> dict[str, list[Term]]:
        """Terms grouped by the first letter of their pinyin, letters in order, ``#`` last;
        made once (an index is not changed once made)."""
        return self._by_initial

    @cached_property
    def _by_initial(self) -> dict[str, list[Term]]:
        groups: dict[str, list[Term]] = defaultdict(list)
        for term in self._terms:
            if (
                not term.explains and not term.version_of
            ):  # an entry's heading repeats what it explains
                groups[term.initial].append(term)
        order = sorted(groups, key=lambda k: (k == "#", k))
        return {k: sorted(groups[k], key=lambda t: (t.pinyin, t.label)) for k in order}


def _of_kind(term: Term, kind: str | None) -> bool:
    """Whether ``term`` is of ``kind`` (any when None; ``Term``: a label reports share)."""
    return kind is None or (term.shared if kind == "Term" else term.kind == kind)


def _pattern_rank(parts: list[str]) -> int:
    """How a pattern matched, in the ranks of plain queries: ``四主链`` … ``五*`` … ``*链``."""
    if len(parts) == 1:
        return EXACT
    return PREFIX if parts[0] else SUBSTRING


def _first_per_row(matches: Iterable[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """The earliest occurrence in each row (``find`` yields rows in order, earliest first)."""
    last = -1
    for row, offset in matches:
        if row != last:
            last = row
            yield row, offset


def normalize(text: str) -> str:
    """The form labels and queries are compared in.

    >>> normalize(" “四主鏈” ")
    '四主链'
    >>> normalize("ＳＺＬ")
    'szl'
    """
    text = unicodedata.normalize("NFKC", text).lower()
    return _to_simplified(_IGNORED.sub("", text))


def _to_simplified(text: str) -> str:
    # OpenCC is pure Python and slow on long text: convert only the characters it would change.
    if text.isascii():
        return text
    return "".join(_fold_char(c) for c in text)


@cache
def _fold_char(char: str) -> str:
    return _opencc().convert(char)


@cache
def _opencc():
    from opencc import OpenCC

    return OpenCC("t2s")


@cache
def _tokens(label: str) -> tuple[tuple[str, bool], ...]:
    """(token, is a syllable) pairs: pinyin syllables, and runs of other letters and digits."""
    out: list[tuple[str, bool]] = []
    for run in _RUNS.findall(normalize(label)):
        if _HANZI.match(run):
            out.extend((s.replace("ü", "v"), True) for s in lazy_pinyin(run, style=Style.NORMAL))
        else:
            out.extend((t, False) for t in re.findall(r"[a-z0-9]+", run))
    return tuple(out)


def _syllables(label: str) -> tuple[str, ...]:
    """Pinyin syllables of ``label``; runs of other letters and digits are kept as one token.

    >>> _syllables("双鹤华利药业BFS生产线")
    ('shuang', 'he', 'hua', 'li', 'yao', 'ye', 'bfs', 'sheng', 'chan', 'xian')
    """
    return tuple(t for t, _ in _tokens(label))


def _initials(label: str) -> str:
    """First letters of the syllables, other tokens whole: 双鹤华利药业BFS生产线 → shhlyybfsscx."""
    return "".join(t[0] if is_syllable else t for t, is_syllable in _tokens(label))


def _syllable_offsets(label: str) -> Iterator[int]:
    """Where each syllable starts in the joined pinyin: 四主链 (sizhulian) → 0, 2, 5."""
    pos = 0
    for syllable in _syllables(label):
        yield pos
        pos += len(syllable)


def terms_from_store(store: Store) -> list[Term]:
    """Read the terms of the store: labels, alternative labels, definitions."""
    kinds: dict[str, str] = {}
    labels: dict[str, set[str]] = defaultdict(set)
    preferred: dict[str, str] = {}
    for row in store.select_whole(_Q_TERMS, "t"):
        iri, kind = row["t"].value, row["type"].value[len(POL) :]
        if kind not in TERM_KINDS:
            continue
        if iri not in kinds or TERM_KINDS.index(kind) < TERM_KINDS.index(kinds[iri]):
            kinds[iri] = kind
        labels[iri].add(row["label"].value)
        if "pref" in row:
            preferred[iri] = row["pref"].value
    explains: dict[str, set[str]] = defaultdict(set)
    for row in store.select_whole(_Q_EXPLAINING, "e"):
        explains[row["e"].value].add(row["x"].value)
    alts: dict[str, set[str]] = defaultdict(set)
    for row in store.select_whole(_Q_ALT, "t"):
        alts[row["t"].value].add(row["alt"].value)
    version_of: dict[str, str] = {}
    for row in store.select_whole(_Q_VERSIONS, "v"):
        version_of[row["v"].value] = row["t"].value
    for version, term in version_of.items():  # a term is of the kind of its versions
        if kinds.get(term) == "Term" and version in kinds:
            kinds[term] = kinds[version]
    definitions: dict[str, str] = {}
    for row in sorted(store.select_whole(_Q_DEFINITIONS, "t"), key=lambda r: r["def"].value):
        definitions.setdefault(row["t"].value, row["def"].value)
    for version, term in sorted(version_of.items()):  # a snippet from one report's definition
        if version in definitions:
            definitions.setdefault(term, definitions[version])
    shared = {t for t in version_of.values() if t in kinds}
    terms = []
    for iri, kind in kinds.items():
        if kind == "Term":
            continue
        label = preferred.get(iri) or min(labels[iri], key=lambda s: (len(s), s))
        others = tuple(sorted((labels[iri] | alts[iri]) - {label}))
        explained = tuple(sorted(explains[iri])) if kind == "GlossaryEntry" else ()
        terms.append(
            Term(
                iri,
                label,
                kind,
                others,
                definitions.get(iri, ""),
                explained,
                version_of.get(iri, ""),
                iri in shared,
            )
        )
    return terms


def term_index() -> TermIndex:
    """The term index of the store version the request is served from, built on first use."""
    from .db import get_backend

    return get_backend().memo("terms", TermIndex.from_store)
