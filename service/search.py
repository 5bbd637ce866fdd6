"""The term index: find a term by any part of its Chinese name, its pinyin or its initials. About
670 lines because the index and the folding of what it matches (simplified forms, pinyin
syllables, initials) must agree character for character.

An SQLite file made once per store version from the store, read per search. A query matches a label
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
import sqlite3
import unicodedata
from array import array
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from pypinyin import Style, lazy_pinyin

from ..kg import vocab
from ..kg.store import Store
from ..kg.vocab import prologue
from .sqlitefile import SqliteFile, writable

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

    def __init__(self, keys: Iterable[str]):
        keys = list(keys)
        self.starts = array("l")
        pos = 1
        for key in keys:
            self.starts.append(pos)
            pos += len(key) + 1
        self.text = self.SEP + self.SEP.join(keys) + self.SEP

    def find(self, q: str, at: bytearray | None = None) -> Iterator[tuple[int, int]]:
        """(row, offset in the row's key) of the first occurrence of ``q`` in each row, rows
        in order; only occurrences starting where ``at`` (one byte per position of
        :attr:`text`) is set, when given."""
        pos, last = self.text.find(q), None
        while pos != -1:
            if at is None or at[pos]:
                row = bisect_right(self.starts, pos) - 1
                if row != last:
                    last = row
                    yield row, pos - self.starts[row]
            pos = self.text.find(q, pos + 1)

    def starting_with(self, q: str) -> Iterator[int]:
        """Rows whose key starts with ``q``."""
        for row, _ in self.find(self.SEP + q):
            yield row + 1  # the match starts on the separator before the row


class TermIndex(SqliteFile):
    """The term index, an SQLite file read per search; :meth:`search` ranks exact → prefix →
    substring → pinyin.

    Every term is a row of ``terms`` (the reports' versions of a shared term too, found by
    :meth:`get` only); every label of a term that is not a version (preferred and
    alternative) is a row of ``labels``, with its normalised text, pinyin, initials and
    where its pinyin syllables start. What a search scans stays in memory, compact: the
    labels' three keys each in one :class:`_Haystack` (``str.find`` at C speed), and per term
    its label's length, kind and what an entry explains, in arrays; :class:`Term` objects
    are read from the file for the hits shown only. Kept whole as Python objects, the index
    was ~250 MB in every web process at 100 times the corpus (~15 MB so); the file is in the
    system's page cache, shared by the processes (one kept per store version, like the
    full-text index). Without ``path`` it is a temporary file, gone once closed.
    """

    def __init__(self, terms: Iterable[Term], path: Path | None = None):
        self._made(path, lambda target: _write_terms(terms, target), "policykg-terms-")

    def _open(self, path: Path) -> None:
        super()._open(path)
        self._letters: dict[str, int] | None = None
        rows = self._rows("SELECT term, hanzi, pinyin, initials, starts FROM labels ORDER BY id")
        self._row_term = array("l", (r[0] for r in rows))
        self._hanzi = _Haystack(r[1] for r in rows)
        self._pinyin = _Haystack(r[2] for r in rows)
        self._initials = _Haystack(r[3] for r in rows)
        self._lengths = {
            name: array("l", (len(r[i]) for r in rows))
            for i, name in ((1, "hanzi"), (2, "pinyin"), (3, "initials"))
        }
        # where syllables start in the pinyin haystack: sizhulian matches there, hulian not
        self._syllable_starts = bytearray(len(self._pinyin.text))
        for start, row in zip(self._pinyin.starts, rows, strict=True):
            for offset in row[4].split(",") if row[4] else ():
                self._syllable_starts[start + int(offset)] = 1
        del rows
        size = self._rows("SELECT COALESCE(MAX(id), 0) + 1 FROM terms")[0][0]
        self._label_length = array("l", [0]) * size
        self._kind = bytearray(size)  # index in TERM_KINDS
        self._shared = bytearray(size)
        self._explains: dict[int, tuple[int, ...]] = {}  # an entry → the terms it explains
        for number, length, kind, shared, explained in self._rows(
            "SELECT id, length(label), kind, shared, explained FROM terms WHERE listed"
        ):
            self._label_length[number] = length
            self._kind[number] = TERM_KINDS.index(kind)
            self._shared[number] = shared
            if explained:
                self._explains[number] = tuple(int(x) for x in explained.split(","))

    @classmethod
    def from_store(cls, store: Store, path: Path | None = None) -> TermIndex:
        """Every labelled resource of a term kind in the store."""
        return cls(terms_from_store(store), path)

    def __len__(self) -> int:
        return self._rows("SELECT COUNT(*) FROM terms WHERE listed")[0][0]

    def __iter__(self) -> Iterator[Term]:
        return (_term(row) for row in self._rows(f"SELECT {_TERM} FROM terms WHERE listed"))

    def get(self, iri: str) -> Term | None:
        """The term with this IRI, if indexed."""
        rows = self._rows(f"SELECT {_TERM} FROM terms WHERE iri = ?", (iri,))
        return _term(rows[0]) if rows else None

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
        wanted = None if kind is None else TERM_KINDS.index(kind)
        found: list[tuple[int, int, int, int, int]] = []  # (rank, subrank, length, term, row)
        for t, (rank, subrank, row) in best.items():
            if wanted is not None and not (
                self._shared[t] if kind == "Term" else self._kind[t] == wanted
            ):
                continue
            if t in self._explains:
                if any(x in best for x in self._explains[t]):
                    continue
                rank, subrank = GLOSSARY, rank
            found.append((rank, subrank, self._label_length[t], t, row))
        found.sort()
        if len(found) > limit > 0:  # the ties at the cut are ordered by label and IRI
            edge = found[limit - 1][:3]
            found = [f for f in found if f[:3] <= edge]
        terms = self._terms_of([f[3] for f in found])
        found.sort(key=lambda f: (*f[:3], terms[f[3]].label, terms[f[3]].iri))
        return self._hits([(t, rank, row) for rank, _, _, t, row in found[:limit]], terms)

    def _terms_of(self, numbers: list[int]) -> dict[int, Term]:
        """The terms of these ids, read from the file."""
        out: dict[int, Term] = {}
        for i in range(0, len(numbers), 500):
            chunk = numbers[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for row in self._rows(f"SELECT id, {_TERM} FROM terms WHERE id IN ({marks})", chunk):
                out[row[0]] = _term(row[1:])
        return out

    def _hits(
        self, chosen: list[tuple[int, int, int]], terms: dict[int, Term] | None = None
    ) -> list[Hit]:
        """Hits of (term id, rank, label row), their terms and matched labels read now."""
        if not chosen:
            return []
        terms = terms if terms is not None else self._terms_of([t for t, _, _ in chosen])
        rows = sorted({r + 1 for _, _, r in chosen})  # labels.id counts from 1
        marks = ",".join("?" * len(rows))
        labels = dict(self._rows(f"SELECT id, label FROM labels WHERE id IN ({marks})", rows))
        return [Hit(terms[t], rank, labels[row + 1]) for t, rank, row in chosen]

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
        glob = "*".join(re.sub(r"([*?\[])", r"[\1]", part) for part in parts)
        found: dict[int, tuple] = {}  # term → (its first matching row, order)
        for number, term, key, pinyin, label, iri, kind_, shared in self._rows(
            "SELECT labels.id, term, hanzi, terms.pinyin, terms.label, iri, kind, shared"
            " FROM labels JOIN terms ON terms.id = term WHERE hanzi GLOB ? ORDER BY labels.id",
            (glob,),
        ):
            if term not in found and (
                kind is None or (shared if kind == "Term" else kind_ == kind)
            ):
                found[term] = (number - 1, (len(key), pinyin, label, iri))
        top = heapq.nsmallest(limit, found, key=lambda t: found[t][1])
        return self._hits([(t, _pattern_rank(parts), found[t][0]) for t in top])

    def _scores(self, q: str) -> Iterator[tuple[int, tuple[int, int]]]:
        """(row, (rank, subrank)) for every row that matches ``q`` in some way."""
        lengths = self._lengths
        for row, offset in self._hanzi.find(q):
            if offset:
                yield row, (SUBSTRING, 0)
            else:
                yield row, (EXACT if lengths["hanzi"][row] == len(q) else PREFIX, 0)
        if not _ASCII_QUERY.match(q):
            return
        for row, offset in self._pinyin.find(q, self._syllable_starts):
            if offset == 0:
                yield row, (PINYIN, 0 if lengths["pinyin"][row] == len(q) else 1)
            else:
                yield row, (PINYIN, 4)
        # initials only from the start: inside a long name they match by accident (szl in
        # 人才强省战略 = …rcqszl)
        for row in self._initials.starting_with(q):
            yield row, (PINYIN, 2 if lengths["initials"][row] == len(q) else 3)

    def by_initial(self) -> Letters:
        """Terms grouped by the first letter of their pinyin, letters in order, ``#`` last
        (each letter's terms read when asked for)."""
        if self._letters is None:
            counts = dict(
                self._rows("SELECT initial, COUNT(*) FROM terms WHERE indexed GROUP BY initial")
            )
            self._letters = {k: counts[k] for k in sorted(counts, key=lambda k: (k == "#", k))}
        return Letters(self, self._letters)

    def letter(self, initial: str) -> list[Term]:
        """The terms of one letter of :meth:`by_initial`, by pinyin then label."""
        return [
            _term(row)
            for row in self._rows(
                f"SELECT {_TERM} FROM terms WHERE indexed AND initial = ? ORDER BY pinyin, label",
                (initial,),
            )
        ]

    def entries(self, initial: str) -> list[tuple[str, str, str, str]]:
        """The IRI, label, kind and pinyin of each term of :meth:`letter`, in its order: what
        the index's API lists, without reading the definitions or spelling the pinyin again."""
        return self._rows(
            "SELECT iri, label, kind, pinyin FROM terms WHERE indexed AND initial = ?"
            " ORDER BY pinyin, label",
            (initial,),
        )


class Letters(Mapping):
    """:meth:`TermIndex.by_initial`: letter → its terms, read when asked for; ``counts`` says
    how many each letter has without reading them."""

    def __init__(self, index: TermIndex, counts: dict[str, int]):
        self._index, self.counts = index, counts

    def __getitem__(self, letter: str) -> list[Term]:
        if letter not in self.counts:
            raise KeyError(letter)
        return self._index.letter(letter)

    def __iter__(self) -> Iterator[str]:
        return iter(self.counts)

    def __len__(self) -> int:
        return len(self.counts)


_SEP = "\x1f"  # between the IRIs a glossary entry explains, in one column
# a Term's fields, in the order of its constructor
_TERM = "iri, label, kind, alts, definition, explains, version_of, shared"


def _term(row: tuple) -> Term:
    iri, label, kind, alts, definition, explains, version_of, shared = row
    return Term(
        iri,
        label,
        kind,
        tuple(alts.split(_SEP)) if alts else (),
        definition,
        tuple(explains.split(_SEP)) if explains else (),
        version_of,
        bool(shared),
    )


def _write_terms(terms: Iterable[Term], path: Path) -> None:
    """Write the index of ``terms`` as a new SQLite database at ``path``."""
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    try:
        db.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
            # listed: found by search (not a version); indexed: in the index by initial too
            "CREATE TABLE terms(id INTEGER PRIMARY KEY, iri TEXT UNIQUE, label TEXT, kind TEXT,"
            " alts TEXT, definition TEXT, explains TEXT, version_of TEXT, shared INTEGER,"
            " pinyin TEXT, initial TEXT, listed INTEGER, indexed INTEGER, explained TEXT);"
            "CREATE TABLE labels(id INTEGER PRIMARY KEY, term INTEGER, label TEXT, hanzi TEXT,"
            " pinyin TEXT, initials TEXT, starts TEXT);"
        )
        terms = list(terms)
        shared = {t.iri: t.version_of for t in terms if t.version_of}
        for term in terms:
            if term.explains:  # an entry explains a report's version: hit through its term
                term = replace(
                    term, explains=tuple(sorted({shared.get(x, x) for x in term.explains}))
                )
            listed = not term.version_of  # a version is found through its shared term's page
            (number,) = db.execute(
                "INSERT INTO terms(iri, label, kind, alts, definition, explains, version_of,"
                " shared, pinyin, initial, listed, indexed) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
                " RETURNING id",
                (
                    term.iri, term.label, term.kind, _SEP.join(term.alt_labels), term.definition,
                    _SEP.join(term.explains), term.version_of, int(term.shared),
                    term.pinyin if listed else "", term.initial if listed else "", int(listed),
                    int(listed and not term.explains),  # an entry's heading repeats what it explains
                ),
            ).fetchone()  # fmt: skip
            if not listed:
                continue
            db.executemany(
                "INSERT INTO labels(term, label, hanzi, pinyin, initials, starts)"
                " VALUES (?,?,?,?,?,?)",
                [
                    (
                        number,
                        label,
                        normalize(label),
                        "".join(_syllables(label)),
                        _initials(label),
                        ",".join(map(str, _syllable_offsets(label))),
                    )  # fmt: skip
                    for label in dict.fromkeys((term.label, *term.alt_labels))
                ],
            )
        # what an entry explains, as the ids of those terms (what a search hits)
        ids = dict(db.execute("SELECT iri, id FROM terms"))
        db.executemany(
            "UPDATE terms SET explained = ? WHERE id = ?",
            [
                (",".join(str(ids[x]) for x in explains.split(_SEP) if x in ids), number)
                for number, explains in db.execute(
                    "SELECT id, explains FROM terms WHERE explains != ''"
                ).fetchall()
            ],
        )
        db.execute("CREATE INDEX by_initial ON terms(initial, pinyin, label) WHERE indexed")
        db.commit()
        _tokens.cache_clear()  # every label's pinyin: tens of MB at 100 times the corpus
    finally:
        db.close()


def _pattern_rank(parts: list[str]) -> int:
    """How a pattern matched, in the ranks of plain queries: ``四主链`` … ``五*`` … ``*链``."""
    if len(parts) == 1:
        return EXACT
    return PREFIX if parts[0] else SUBSTRING


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
    """The term index of the store version the request is served from, built on first use and
    kept in a file with the version when it has a place to keep things (else a temporary
    file)."""
    from .db import get_backend

    backend = get_backend()
    # the place is looked for only when the index is made: a page asks for the index once per
    # link it writes (263 times for a place's page, 0.7 ms each with the directory's checks)
    return backend.memo("terms", lambda store: TermIndex.from_store(store, _kept(backend.keep)))


def _kept(keep: Path | None) -> Path | None:
    """Where the term index is kept: in ``keep`` when it can be written, else nowhere."""
    place = writable(keep)
    return place / "terms.sqlite" if place is not None else None
