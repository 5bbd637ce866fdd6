"""Full-text search of the reports: any word or phrase, as sentences with the match marked.
About 420 lines because the index is kept per report across store versions: its tables, what
takes a report out or puts it in, and the file kept per version are read together.

The sentences of every report's text (``pol:text``, cut at 。！？； and line ends) go into an
SQLite FTS5 table (a file) with the ``trigram`` tokenizer, each report's again only when its
text changed (:meth:`FullText.from_store` with a ``seed``). Trigrams
need no word segmentation, so any Chinese string of three characters or more is an index
lookup; shorter ones (链长, 双碳) are found by ``instr`` over the sentences. Hits are ranked by BM25 (``bm25()``), most matches
first; a query of several words (separated by spaces) finds the sentences holding all of them.

    >>> index = FullText([Sentence("r1", 0, "推动高质量发展。"), Sentence("r1", 8, "发展新质生产力。")])
    >>> [h.sentence for h in index.search("高质量发展").hits]
    ['推动高质量发展。']
    >>> index.search("发展").total
    2
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import re
import shutil
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup, escape

from ..kg.store import Store
from ..kg.vocab import prologue
from .db import get_backend
from .sqlitefile import SqliteFile, writable

log = logging.getLogger(__name__)

MAX_WORDS = 5
MAX_QUERY = 100
_WORDS = re.compile(r"[^\s\"“”'‘’]+")

# What identifies a report's sentences: its IRI and a hash of its text, computed by the store
# (a server sends 64 characters a report, not the text). Hashes from one store are compared
# only with hashes from the same kind of store: Virtuoso hashes its own encoding of a string.
_Q_KEYS = (
    prologue("pol")
    + """SELECT ?report (SHA256(STR(?text)) AS ?key) WHERE { ?report a pol:Report ; pol:text ?text }
"""
)
_Q_TEXTS = (
    prologue("pol")
    + """SELECT ?report ?text WHERE { VALUES ?report { %s } ?report pol:text ?text }
"""
)
TEXTS_PER_QUERY = 50  # report texts are 10–100 KB each


@dataclass(frozen=True)
class Sentence:
    """One sentence of a report: ``quote == text[start:start + len(quote)]``."""

    report: str
    start: int
    text: str


@dataclass(frozen=True)
class Hit:
    """A sentence holding every word of the query; ``spans`` are the matches in it."""

    report: str
    start: int
    sentence: str
    spans: tuple[tuple[int, int], ...]

    @property
    def first(self) -> tuple[int, int]:
        """The first match, as offsets in the report text."""
        a, b = self.spans[0] if self.spans else (0, len(self.sentence))
        return self.start + a, self.start + b

    def marked(self) -> Markup:
        """The sentence as HTML, every match in ``<mark>``."""
        out, pos = [], 0
        for a, b in self.spans:
            out += [escape(self.sentence[pos:a]), Markup("<mark>"), escape(self.sentence[a:b])]
            out.append(Markup("</mark>"))
            pos = b
        out.append(escape(self.sentence[pos:]))
        return Markup("").join(out)


@dataclass
class Results:
    """A page of hits, the total, and the matching sentences counted per report."""

    query: str
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    per_report: Counter = field(default_factory=Counter)


def words(query: str) -> list[str]:
    """The words of a query: split at spaces, quotes dropped, at most :data:`MAX_WORDS`."""
    return _WORDS.findall(query[:MAX_QUERY])[:MAX_WORDS]


class FullText(SqliteFile):
    """The sentence index (thread-safe: one connection, one lock; a search takes a few ms).

    Sentences live in a plain table (``sent``) that short words scan with ``instr``; the FTS5
    table ``s`` indexes the same rows (external content) for words of three characters on.
    The table ``reports`` holds what each report's sentences were made from (its IRI, the
    store's hash of its text) and where its rows are, so that the index of a new store version
    is the previous one with the reports that changed taken out and put in again
    (:meth:`from_store` with ``seed``): adding one report to 3,400 indexes one.

    The database is a file (``path``), not process memory: at 100 times the corpus it is ~2.4
    million sentences and their trigrams, gigabytes that every web process held while it was
    in memory; on disk the processes share the system's page cache and one copy kept per store
    version (:func:`fulltext_index`). Without ``path`` it is written to a temporary file that
    is gone once closed.
    """

    indexed: tuple[str, ...] = ()  # the reports whose sentences this index put in (IRIs)
    removed: tuple[str, ...] = ()  # and those it took out, of its seed

    def __init__(self, sentences: Iterable[Sentence] = (), path: Path | None = None):
        self._filled(path, lambda db: _insert(db, sentences))

    def _filled(self, path: Path | None, fill: Callable[[sqlite3.Connection], None],
                seed: Path | None = None) -> None:  # fmt: skip
        """Write the database with ``fill`` (into a copy of ``seed`` when given) and open it."""
        self._made(path, lambda target: self._write(target, fill, seed), "policykg-fulltext-")

    @staticmethod
    def _write(path: Path, fill: Callable[[sqlite3.Connection], None], seed: Path | None) -> None:
        path.unlink(missing_ok=True)
        if seed is not None:
            shutil.copyfile(seed, path)
        db = sqlite3.connect(path)
        try:
            # no journal (a file cut short is never renamed into place); a page cache
            # of 256 MB while writing, so that the trigram index is merged in memory
            db.executescript(
                "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-262144;"
            )
            if seed is None:
                db.executescript(_SCHEMA)
            db.create_function("grams", 1, _grams, deterministic=True)
            fill(db)
            db.commit()
        finally:
            db.close()

    @classmethod
    def opened(cls, path: Path) -> FullText:
        """The index another process wrote at ``path``."""
        found = cls.__new__(cls)
        found._open(path)
        return found

    @classmethod
    def from_store(
        cls, store: Store, path: Path | None = None, seed: Path | None = None
    ) -> FullText:
        """The index of every sentence of every report's text in ``store``, written to
        ``path`` (or a temporary file); with ``seed`` (the index of an earlier version of the
        same store), a copy of it in which only the reports whose text changed, appeared or
        went are taken out or put in (:attr:`indexed`, :attr:`removed`)."""
        index = cls.__new__(cls)
        index._filled(path, lambda db: index._update(db, store), seed)
        return index

    def _update(self, db: sqlite3.Connection, store: Store) -> None:
        """Make ``db`` index the reports of ``store`` as they are now, report by report."""
        keys = {
            row["report"].value: row["key"].value for row in store.select_whole(_Q_KEYS, "report")
        }
        held = {r: (k, first, last) for r, k, first, last in db.execute("SELECT * FROM reports")}
        self.removed = tuple(sorted(r for r, held_ in held.items() if keys.get(r) != held_[0]))
        for report in self.removed:
            _, first, last = held[report]
            _delete(db, first, last)
            db.execute("DELETE FROM reports WHERE report = ?", (report,))
        todo = sorted(r for r, key in keys.items() if r not in held or held[r][0] != key)
        for i in range(0, len(todo), TEXTS_PER_QUERY):
            batch = todo[i : i + TEXTS_PER_QUERY]
            values = " ".join(f"<{r}>" for r in batch)
            texts = {
                row["report"].value: row["text"].value for row in store.select(_Q_TEXTS % values)
            }
            for report in batch:
                first = _next_id(db)
                _insert(db, split_sentences(report, texts.get(report, "")))
                db.execute(
                    "INSERT INTO reports VALUES (?, ?, ?, ?)",
                    (report, keys[report], first, _next_id(db) - 1),
                )
        self.indexed = tuple(todo)

    def search(
        self, query: str, reports: Iterable[str] | None = None, limit: int = 20, offset: int = 0
    ) -> Results:
        """Sentences holding every word of ``query``, best first; ``reports`` keeps only
        sentences of those reports (a place's or a year's); ``per_report`` ignores it, so
        filters can show what each choice would find."""
        terms = words(query)
        results = Results(query)
        if not terms:
            return results
        source, where, params = self._where(terms)
        with self._lock:
            counts = self._db.execute(
                f"SELECT report, COUNT(*) FROM {source} WHERE {where} GROUP BY report", params
            ).fetchall()
            results.per_report = Counter(dict(counts))
            chosen = set(reports) if reports is not None else None
            if chosen is not None:
                marks = ",".join("?" * len(chosen))
                where += f" AND report IN ({marks})"
                params = [*params, *sorted(chosen)]
            results.total = sum(n for r, n in counts if chosen is None or r in chosen)
            rank = "bm25(s), " if source != "sent" else ""
            rows = self._db.execute(
                f"SELECT report, start, sent.text FROM {source} WHERE {where}"
                f" ORDER BY {rank}report, start LIMIT ? OFFSET ?",
                [*params, limit, offset],
            ).fetchall()
        results.hits = [Hit(r, int(s), t, _spans(t, terms)) for r, s, t in rows]
        return results

    @staticmethod
    def _where(terms: list[str]) -> tuple[str, str, list[str]]:
        """The rows to read, the condition and its parameters: the trigram index for words of
        three characters or more, the index of single characters and pairs for shorter ones
        (each a quoted FTS5 string, so no query syntax leaks in), ``instr`` for a short word
        with punctuation in it."""
        long = [t for t in terms if len(t) >= 3]
        short = [t.lower() for t in terms if len(t) < 3]
        clauses, params = [], []
        source = "sent"
        if long:
            source = "s JOIN sent ON sent.id = s.rowid"
            clauses.append("s MATCH ?")
            params.append(" ".join(_quoted(t) for t in long))
        for t in short:
            if t.isalnum():
                clauses.append("sent.id IN (SELECT rowid FROM g WHERE g MATCH ?)")
                params.append(_quoted(t))
            else:
                clauses.append("instr(folded, ?) > 0")
                params.append(t)
        return source, " AND ".join(clauses), params


def _quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


_SCHEMA = (
    "CREATE TABLE sent(id INTEGER PRIMARY KEY, text TEXT, folded TEXT, report TEXT,"
    " start INTEGER);"
    "CREATE VIRTUAL TABLE s USING fts5(text, content='sent', content_rowid='id',"
    " tokenize='trigram case_sensitive 0');"
    "CREATE VIRTUAL TABLE g USING fts5(grams, content='', tokenize='unicode61');"
    # a report's sentences are the rows first..last of sent (written together)
    "CREATE TABLE reports(report TEXT PRIMARY KEY, key TEXT, first INTEGER, last INTEGER);"
)


def _next_id(db: sqlite3.Connection) -> int:
    return db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM sent").fetchone()[0]


def _insert(db: sqlite3.Connection, sentences: Iterable[Sentence]) -> None:
    """Add ``sentences`` to the table and to both indexes."""
    first = _next_id(db)
    rows = ((x.text, x.text.lower(), x.report, x.start) for x in sentences)
    db.executemany("INSERT INTO sent(text, folded, report, start) VALUES (?, ?, ?, ?)", rows)
    db.execute("INSERT INTO s(rowid, text) SELECT id, text FROM sent WHERE id >= ?", (first,))
    db.execute(
        "INSERT INTO g(rowid, grams) SELECT id, grams(folded) FROM sent WHERE id >= ?", (first,)
    )


def _delete(db: sqlite3.Connection, first: int, last: int) -> None:
    """Take the rows ``first..last`` out of both indexes (FTS5's ``delete`` command, given the
    values they were indexed with) and out of the table."""
    between = "FROM sent WHERE id BETWEEN ? AND ?"
    db.execute(f"INSERT INTO s(s, rowid, text) SELECT 'delete', id, text {between}", (first, last))
    db.execute(
        f"INSERT INTO g(g, rowid, grams) SELECT 'delete', id, grams(folded) {between}",
        (first, last),
    )
    db.execute(f"DELETE {between}", (first, last))


def _grams(folded: str) -> str:
    """Every character and every pair of neighbouring characters that are letters or digits,
    as words for FTS5's unicode61 tokenizer: 推动发展 → 推 动 发 展 推动 动发 发展."""
    chars = [c if c.isalnum() else " " for c in folded]
    pairs = ("".join(chars[i : i + 2]) for i in range(len(chars) - 1))
    return " ".join([*folded, *(p for p in pairs if " " not in p)])


_SENTENCE_END = re.compile(r"[^。！？；!?;\n]*(?:[。！？；!?;]+[”’」』）)]*|\n|$)")


def split_sentences(report: str, text: str) -> Iterator[Sentence]:
    """The sentences of a report's text (cut after 。！？； and at line ends), with offsets.

    >>> [s.text for s in split_sentences("r", "一、总体要求\\n推动发展。稳中求进！")]
    ['一、总体要求', '推动发展。', '稳中求进！']
    """
    for m in _SENTENCE_END.finditer(text):
        piece = m.group().rstrip("\n")
        stripped = piece.strip()
        if stripped:
            yield Sentence(report, m.start() + piece.index(stripped), stripped)


def _spans(text: str, terms: list[str]) -> tuple[tuple[int, int], ...]:
    """Where the words occur in ``text`` (case-insensitive), in order, without overlaps."""
    folded = text.lower()
    found = []
    for t in terms:
        t = t.lower()
        pos = folded.find(t)
        while pos >= 0:
            found.append((pos, pos + len(t)))
            pos = folded.find(t, pos + len(t))
    out: list[tuple[int, int]] = []
    for a, b in sorted(found):
        if out and a < out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return tuple(out)


def fulltext_index() -> FullText:
    """The sentence index of the served store version, made on first use (and again for each
    new version) and kept in a file per version in the store's index home
    (``db.index_home``): a new version's is the newest earlier one's, the reports that changed
    indexed again (:meth:`FullText.from_store`)."""
    backend = get_backend()
    home = backend.home if backend.version is not None else None
    version = backend.version.id if backend.version is not None else ""
    # the place is looked for only when the index is made, not on every search
    return backend.memo("fulltext", lambda store: made_once(store, writable(home), version))


# this code's: an index is made again whole, never from one that other code wrote
FORMAT = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:8]


def made_once(store: Store, home: Path | None, version: str) -> FullText:
    """The index of ``version`` of ``store`` in ``home``, written by whichever web process
    comes first (a lock file there): the others wait and open it, instead of each reading every
    report's text and indexing it again (minutes at 100 times the corpus). It is made from the
    newest index of an earlier version there; then only that one and this one are kept."""
    if home is None:
        return FullText.from_store(store)
    path = home / f"fulltext-{FORMAT}-{version}.sqlite"
    with open(home / "fulltext.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when closed
        if path.is_file():
            return FullText.opened(path)
        earlier = sorted(home.glob(f"fulltext-{FORMAT}-*.sqlite"), key=lambda p: p.stat().st_mtime)
        seed = earlier[-1] if earlier else None
        index = FullText.from_store(store, path, seed)
        for old in home.glob("fulltext-*.sqlite"):
            if old not in (path, seed):  # a process still serving it keeps it open
                old.unlink(missing_ok=True)
        log.info(
            "full-text index of version %s: %d reports indexed, %d taken out (from %s)",
            version, len(index.indexed), len(index.removed), seed.name if seed else "nothing",
        )  # fmt: skip
        return index
