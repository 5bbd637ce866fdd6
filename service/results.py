"""Run one SPARQL job on a store and serialise its answer, cut at the row cap.

This is what a query worker does (see ``pool.py``); it is plain Python so it can be tested
without processes. Answers are written by pyoxigraph's own serialisers, never term by term in
Python: the engine streams SELECT solutions as TSV (one solution a line) and graphs as
N-Triples (one triple a line) into a :class:`Sink` that stops it at the row cap or the byte
cap, and the kept lines are converted to the format asked for. Only the HTML page's table is
built in Python.

    >>> from policykg.kg.store import MemoryStore
    >>> job = Job("SELECT ?x WHERE { VALUES ?x { 1 2 3 } }", max_rows=2,
    ...           tabular_type="text/csv", graph_type=None)
    >>> answer = evaluate(MemoryStore(), job)
    >>> answer.body, answer.truncated
    (b'x\\r\\n1\\r\\n2\\r\\n', True)
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field
from itertools import islice

import pyoxigraph as ox

from ..kg.store import GRAPH_FORMATS, RESULT_FORMATS, OxigraphStore, Term

TSV = ox.QueryResultsFormat.TSV
N_TRIPLES = ox.RdfFormat.N_TRIPLES

TABULAR_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "text/html",
)
GRAPH_TYPES = (*GRAPH_FORMATS, "text/html")

Cell = tuple[
    str, str, str | None, str | None
]  # kind (iri, bnode, literal, triple), value, datatype, lang


@dataclass
class Job:
    """One query to run: the text, the protocol dataset, and the media type chosen per form."""

    sparql: str
    tabular_type: str | None  # for SELECT and ASK; None: the client accepts none
    graph_type: str | None  # for CONSTRUCT and DESCRIBE
    max_rows: int
    default_graphs: list[str] | None = None  # None: the union of all graphs
    named_graphs: list[str] | None = None
    base_iri: str | None = None  # for relative IRIs; the protocol allows the endpoint's URL
    bindings: dict[str, Term] | None = None  # a named query's parameters, bound by the engine
    max_bytes: int = 0  # largest answer body; 0: no cap


@dataclass
class Table:
    """Rows for the HTML page: variable names and one cell (or None) per variable."""

    variables: list[str]
    rows: list[list[Cell | None]] = field(default_factory=list)
    boolean: bool | None = None  # the answer of an ASK query
    graph: bool = False  # rows are the triples of a CONSTRUCT or DESCRIBE


@dataclass
class Answer:
    """A serialised answer; ``table`` instead of ``body`` for ``text/html``."""

    media_type: str
    body: bytes = b""
    truncated: bool = False
    table: Table | None = None


class TooLarge(Exception):
    """The answer would be larger than the job's ``max_bytes``."""

    def __init__(self, max_bytes: int):
        super().__init__(
            f"the answer would be larger than {max_bytes:,} bytes, the most this endpoint "
            "sends; add a LIMIT or select fewer or shorter values"
        )


class NotAcceptable(Exception):
    """The client accepts no media type that can carry this form of result."""

    def __init__(self, form: str):
        super().__init__(form)
        self.form = form


def evaluate(store: OxigraphStore, job: Job, prefixes: dict[str, str] | None = None) -> Answer:
    """Run ``job`` on ``store``: the answer in the media type chosen for the query's form.

    :raises QuerySyntaxError: if the query does not parse.
    :raises NotAcceptable: if the job has no media type for the form of the query.
    :raises TooLarge: if the answer would pass ``job.max_bytes``.
    """
    result = store.execute(
        job.sparql,
        bindings=job.bindings,
        default_graphs=job.default_graphs,
        named_graphs=job.named_graphs,
        base_iri=job.base_iri,
    )
    if isinstance(result, ox.QueryTriples):
        if job.graph_type is None:
            raise NotAcceptable("CONSTRUCT/DESCRIBE")
        if job.graph_type == "text/html":
            return _graph_table(result, job)
        return _checked(graph_answer(result, job, prefixes), job.max_bytes)
    if job.tabular_type is None:
        raise NotAcceptable("SELECT/ASK")
    if isinstance(result, ox.QueryBoolean):
        return boolean_answer(bool(result), job.tabular_type)
    if job.tabular_type == "text/html":
        return _solutions_table(result, job)
    return _checked(solutions_answer(result, job), job.max_bytes)


class _Full(Exception):
    """Raised by :meth:`Sink.write` to stop the engine once the row cap is passed."""


class Sink:
    """A binary file for pyoxigraph's serialisers of line-based formats (TSV, N-Triples: one
    solution or triple a line, newlines inside terms escaped). It keeps what it is given until
    it holds more than ``max_lines`` lines, then stops the serialisation, and so the engine,
    by raising from ``write``; past ``slack × max_bytes`` it raises :class:`TooLarge` (0: no
    cap). A slack above 1 leaves room for a line format longer than the answer it becomes.

    >>> from policykg.kg.store import MemoryStore
    >>> solutions = MemoryStore().execute("SELECT ?x WHERE { VALUES ?x { 1 2 3 } }")
    >>> Sink(max_lines=3).fill(solutions, TSV)  # the header line and two solutions
    (b'?x\\n1\\n2\\n', True)
    """

    def __init__(self, max_lines: int, max_bytes: int = 0, slack: int = 1):
        self.max_lines = max_lines
        self.max_bytes = max_bytes
        self.limit = slack * max_bytes
        self.chunks: list[bytes] = []
        self.lines = 0
        self.size = 0

    def write(self, chunk) -> int:
        chunk = bytes(chunk)
        self.size += len(chunk)
        if self.limit and self.size > self.limit:
            raise TooLarge(self.max_bytes)
        self.chunks.append(chunk)
        self.lines += chunk.count(b"\n")
        if self.lines > self.max_lines:
            raise _Full
        return len(chunk)

    def flush(self) -> None:
        """Nothing to flush (pyoxigraph calls it at the end)."""

    def fill(self, result, format) -> tuple[bytes, bool]:
        """Serialise ``result`` into the sink: its first ``max_lines`` lines, and whether there
        were more."""
        with suppress(_Full):  # the row cap was passed: the engine has stopped
            result.serialize(self, format=format)
        text = b"".join(self.chunks)
        if self.lines <= self.max_lines:
            return text, False
        end = -1
        for _ in range(self.max_lines):
            end = text.index(b"\n", end + 1)
        return text[: end + 1], True


def solutions_answer(result: ox.QuerySolutions, job: Job) -> Answer:
    """SELECT solutions as ``job.tabular_type`` (a key of ``RESULT_FORMATS``), cut at the row
    cap: the engine writes TSV (a header line, then a line per solution), which is the answer
    when TSV was asked for, else read back and written in the format asked for."""
    # The TSV may be longer than the answer (CSV drops the IRIs' brackets): the exact cap is
    # checked on the answer; the sink's only bounds the worker's memory.
    tsv, truncated = Sink(job.max_rows + 1, job.max_bytes, slack=2).fill(result, TSV)
    if job.tabular_type == "text/tab-separated-values":
        body = tsv
    else:
        solutions = ox.parse_query_results(tsv, format=TSV)
        body = solutions.serialize(format=RESULT_FORMATS[job.tabular_type])
    return Answer(job.tabular_type, body=body, truncated=truncated)


def graph_answer(result: ox.QueryTriples, job: Job, prefixes: dict[str, str] | None) -> Answer:
    """CONSTRUCT or DESCRIBE triples as ``job.graph_type`` (a key of ``GRAPH_FORMATS``), cut at
    the row cap: the engine writes N-Triples, which is the answer when N-Triples was asked for,
    else read back and written in the format asked for (TriG and N-Quads: the default graph)."""
    ntriples, truncated = Sink(job.max_rows, job.max_bytes, slack=2).fill(result, N_TRIPLES)
    media_type = job.graph_type or "application/n-triples"
    rdf_format = GRAPH_FORMATS[media_type]
    body = ntriples
    if rdf_format != N_TRIPLES:
        quads = ox.parse(ntriples, format=N_TRIPLES)
        body = ox.serialize(quads, format=rdf_format, prefixes=prefixes or None) or b""
    return Answer(media_type, body=body, truncated=truncated)


def _graph_table(result: ox.QueryTriples, job: Job) -> Answer:
    """Triples as the rows of the HTML page's table."""
    triples = _bounded(islice(result, job.max_rows + 1), job.max_bytes, _triple_size)
    rows: list[list[Cell | None]] = [
        [cell(t.subject), cell(t.predicate), cell(t.object)] for t in triples[: job.max_rows]
    ]
    table = Table(["subject", "predicate", "object"], rows, graph=True)
    return Answer("text/html", truncated=len(triples) > job.max_rows, table=table)


def _solutions_table(result: ox.QuerySolutions, job: Job) -> Answer:
    """SELECT solutions as the rows of the HTML page's table."""
    variables = [v.value for v in result.variables]
    rows = _bounded(
        ([s[v] for v in variables] for s in islice(result, job.max_rows + 1)),
        job.max_bytes,
        _row_size,
    )
    cells = [[cell(t) if t is not None else None for t in r] for r in rows[: job.max_rows]]
    return Answer("text/html", truncated=len(rows) > job.max_rows, table=Table(variables, cells))


def _bounded(items, max_bytes: int, size) -> list:
    """``items`` as a list, refused as soon as their text passes ``max_bytes`` (so a huge answer
    is never held whole: the serialised answer is at least as long as its terms' text)."""
    if not max_bytes:
        return list(items)
    kept, total = [], 0
    for item in items:
        total += size(item)
        if total > max_bytes:
            raise TooLarge(max_bytes)
        kept.append(item)
    return kept


def _term_size(term) -> int:
    if term is None:
        return 0
    if isinstance(term, ox.Triple):
        return _triple_size(term)
    return len(term.value)


def _row_size(row: list) -> int:
    return sum(_term_size(t) for t in row)


def _triple_size(triple: ox.Triple) -> int:
    return _term_size(triple.subject) + _term_size(triple.predicate) + _term_size(triple.object)


def _checked(answer: Answer, max_bytes: int) -> Answer:
    """``answer``, unless its body passes ``max_bytes`` (markup can multiply the terms' text)."""
    if max_bytes and len(answer.body) > max_bytes:
        raise TooLarge(max_bytes)
    return answer


def boolean_answer(value: bool, media_type: str) -> Answer:
    """An ASK result."""
    text = "true" if value else "false"
    if media_type == "application/sparql-results+json":
        body = b'{"head":{},"boolean":' + text.encode() + b"}"
    elif media_type == "application/sparql-results+xml":
        body = (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{text}</boolean></sparql>\n"
        ).encode()
    elif media_type == "text/html":
        return Answer(media_type, table=Table([], boolean=value))
    elif media_type == "text/csv":  # no standard boolean form: Jena's, which Jena reads back
        body = f"_askResult\r\n{text}\r\n".encode()
    else:
        body = f"?_askResult\n{text}\n".encode()
    return Answer(media_type, body=body)


def cell(term) -> Cell:
    """A term as plain strings for templates."""
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value, None, None)
    if isinstance(term, ox.BlankNode):
        return ("bnode", term.value, None, None)
    if isinstance(term, ox.Literal):
        return ("literal", term.value, term.datatype.value, term.language)
    return ("triple", str(term), None, None)
