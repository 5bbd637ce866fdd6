"""The term index: find a term by any part of its Chinese name, its pinyin or its initials.

Pure Python, built once per app from the store and kept in memory. A query matches a label
(the preferred label or any alternative label) in one of these ways, best first::

    exact      四主链        the whole label
    prefix     四主          the label starts with the query
    substring  主链          anywhere in the label, from one character on
    pinyin     sizhulian     full toneless pinyin (from a syllable boundary), or initials: szl

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

import re
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from pypinyin import Style, lazy_pinyin

from ..kg.store import Store

POL = "https://w3id.org/policykg/ontology#"

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
)

EXACT, PREFIX, SUBSTRING, PINYIN = range(4)
SNIPPET = 80
_IGNORED = re.compile(r"[\s“”\"'‘’「」『』《》〈〉·・]")
_ASCII_QUERY = re.compile(r"^[a-z0-9]+$")
_HANZI = re.compile(r"[\u3400-\u9fff]")
_RUNS = re.compile(r"[\u3400-\u9fff]+|[^\u3400-\u9fff]+")

_Q_TERMS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX pol: <https://w3id.org/policykg/ontology#>
SELECT ?t ?type ?label ?pref WHERE {
  ?t a ?type ; rdfs:label ?label .
  FILTER(STRSTARTS(STR(?type), STR(pol:)) && !isBlank(?t))
  OPTIONAL { ?t skos:prefLabel ?pref }
}
"""
_Q_ALT = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?t ?alt WHERE { ?t skos:altLabel ?alt }
"""
# A term's definition: its own, or that of the glossary entry that explains it.
_Q_DEFINITIONS = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX pol: <https://w3id.org/policykg/ontology#>
SELECT ?t ?def WHERE {
  { ?t skos:definition ?def }
  UNION { ?t pol:definedIn ?e . ?e skos:definition ?def }
  UNION { ?e pol:explains ?t . ?e skos:definition ?def }
}
"""
_Q_EXPLAINING = """
PREFIX pol: <https://w3id.org/policykg/ontology#>
SELECT DISTINCT ?e WHERE { ?e pol:explains ?x }
"""


@dataclass(frozen=True)
class Term:
    """A named thing a reader may look up: slogan, industry, enterprise, indicator..."""

    iri: str
    label: str
    kind: str
    alt_labels: tuple[str, ...] = ()
    definition: str = ""

    @property
    def snippet(self) -> str:
        """The definition cut to a line: ``湛河区提出的产业招商分类，“四主链”是指…``."""
        d = " ".join(self.definition.split())
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
    """A search result: ``rank`` is EXACT, PREFIX, SUBSTRING or PINYIN; ``matched`` the label hit."""

    term: Term
    rank: int
    matched: str


@dataclass
class _Entry:
    term: Term
    keys: list[tuple[str, str, str]] = field(default_factory=list)  # (label, hanzi, pinyin)
    initials: list[tuple[str, str]] = field(default_factory=list)  # (label, initials)


class TermIndex:
    """In-memory index over terms; :meth:`search` ranks exact → prefix → substring → pinyin."""

    def __init__(self, terms: Iterable[Term]):
        self._entries: list[_Entry] = []
        self._by_iri: dict[str, Term] = {}
        for term in terms:
            self._by_iri[term.iri] = term
            entry = _Entry(term)
            for label in dict.fromkeys((term.label, *term.alt_labels)):
                entry.keys.append((label, normalize(label), "".join(_syllables(label))))
                entry.initials.append((label, _initials(label)))
            self._entries.append(entry)

    @classmethod
    def from_store(cls, store: Store) -> TermIndex:
        """Every labelled resource of a term kind in the store (glossary entries only when they
        explain nothing else, so that 四主链 is found once, as a slogan)."""
        return cls(terms_from_store(store))

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, iri: str) -> Term | None:
        """The term with this IRI, if indexed."""
        return self._by_iri.get(iri)

    def search(self, query: str, limit: int = 20, kind: str | None = None) -> list[Hit]:
        """Best hits first; ties go to the shorter label. An empty query finds nothing."""
        q = normalize(query)
        if not q:
            return []
        pinyin_query = q if _ASCII_QUERY.match(q) else None
        scored = []
        for entry in self._entries:
            if kind and entry.term.kind != kind:
                continue
            best = _score(entry, q, pinyin_query)
            if best is not None:
                scored.append((best, entry.term))
        scored.sort(key=lambda s: (s[0][0], s[0][1], len(s[1].label), s[1].label, s[1].iri))
        return [Hit(term, score[0], score[2]) for score, term in scored[:limit]]

    def by_initial(self) -> dict[str, list[Term]]:
        """Terms grouped by the first letter of their pinyin, letters in order, ``#`` last."""
        groups: dict[str, list[Term]] = defaultdict(list)
        for entry in self._entries:
            groups[entry.term.initial].append(entry.term)
        order = sorted(groups, key=lambda k: (k == "#", k))
        return {k: sorted(groups[k], key=lambda t: (t.pinyin, t.label)) for k in order}


def _score(entry: _Entry, q: str, pinyin_query: str | None) -> tuple[int, int, str] | None:
    best: tuple[int, int, str] | None = None
    for label, hanzi, pinyin in entry.keys:
        if q in hanzi:
            rank = EXACT if hanzi == q else PREFIX if hanzi.startswith(q) else SUBSTRING
            candidate = (rank, 0, label)
        elif pinyin_query and pinyin_query in pinyin:
            sub = _pinyin_subrank(pinyin, pinyin_query, label)
            if sub is None:
                continue
            candidate = (PINYIN, sub, label)
        else:
            continue
        if best is None or candidate < best:
            best = candidate
    if pinyin_query and (best is None or best[0] == PINYIN):
        for label, initials in entry.initials:
            if pinyin_query in initials:
                sub = (
                    2 if initials == pinyin_query else 3 if initials.startswith(pinyin_query) else 5
                )
                if best is None or (PINYIN, sub, label) < best:
                    best = (PINYIN, sub, label)
    return best


def _pinyin_subrank(pinyin: str, q: str, label: str) -> int | None:
    """0 whole pinyin, 1 prefix, 4 from a later syllable; None if the match starts mid-syllable."""
    if pinyin == q:
        return 0
    if pinyin.startswith(q):
        return 1
    starts = _syllable_starts(label)
    return 4 if any(pinyin.startswith(q, i) for i in starts) else None


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


@cache
def _syllable_starts(label: str) -> tuple[int, ...]:
    starts, pos = [], 0
    for s in _syllables(label):
        starts.append(pos)
        pos += len(s)
    return tuple(starts)


def terms_from_store(store: Store) -> list[Term]:
    """Read the terms of the store: labels, alternative labels, definitions."""
    kinds: dict[str, str] = {}
    labels: dict[str, set[str]] = defaultdict(set)
    preferred: dict[str, str] = {}
    for row in store.select(_Q_TERMS):
        iri, kind = row["t"].value, row["type"].value[len(POL) :]
        if kind not in TERM_KINDS:
            continue
        if iri not in kinds or TERM_KINDS.index(kind) < TERM_KINDS.index(kinds[iri]):
            kinds[iri] = kind
        labels[iri].add(row["label"].value)
        if "pref" in row:
            preferred[iri] = row["pref"].value
    explaining = {row["e"].value for row in store.select(_Q_EXPLAINING)}
    alts: dict[str, set[str]] = defaultdict(set)
    for row in store.select(_Q_ALT):
        alts[row["t"].value].add(row["alt"].value)
    definitions: dict[str, str] = {}
    for row in sorted(store.select(_Q_DEFINITIONS), key=lambda r: r["def"].value):
        definitions.setdefault(row["t"].value, row["def"].value)
    terms = []
    for iri, kind in kinds.items():
        if kind == "GlossaryEntry" and iri in explaining:
            continue
        label = preferred.get(iri) or min(labels[iri], key=lambda s: (len(s), s))
        others = tuple(sorted((labels[iri] | alts[iri]) - {label}))
        terms.append(Term(iri, label, kind, others, definitions.get(iri, "")))
    return terms


_BUILD_LOCK = threading.Lock()


def term_index() -> TermIndex:
    """The current app's term index, built from its store on first use."""
    from flask import current_app

    index = current_app.extensions.get("policykg.terms")
    if index is None:
        with _BUILD_LOCK:
            index = current_app.extensions.get("policykg.terms")
            if index is None:
                from .db import get_store

                index = TermIndex.from_store(get_store())
                current_app.extensions["policykg.terms"] = index
    return index
