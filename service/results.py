"""Run one SPARQL job on a store and serialise its answer, refused past the row cap. About 500
lines because the caps are measured on the answer as written: the serialisers of the rows the
engine does not write itself (JSON, XML, CSV, TSV) sit beside the caps that count their bytes.

This is what a query worker does (see ``pool.py``); it is plain Python so it can be tested
without processes. Over the embedded store, answers are written by pyoxigraph's own
serialisers, never term by term in Python: the engine streams SELECT solutions as TSV (one
solution a line) and graphs as N-Triples (one triple a line) into a :class:`Sink` that stops
it at the row cap or the byte cap, and the lines are converted to the format asked for. A
server's answers (``RemoteStore``, read row by row) and the HTML page's table are written here
in Python; so are ASK answers (the TSV and CSV forms are Jena's, which pyoxigraph has not).

Kept whole: every result format of every query form, written against the same caps.

    >>> from policykg.kg.store import MemoryStore
    >>> job = Job("SELECT ?x WHERE { VALUES ?x { 1 2 3 } }", max_rows=3,
    ...           tabular_type="text/csv", graph_type=None)
    >>> evaluate(MemoryStore(), job).body
    b'x\\r\\n1\\r\\n2\\r\\n3\\r\\n'
    >>> job.max_rows = 2
    >>> evaluate(MemoryStore(), job)
    Traceback (most recent call last):
    ...
    policykg.service.results.TooManyRows: the answer has more than 2 rows (the endpoint's MAX_ROWS) and is not sent cut short: add LIMIT and OFFSET to read it in pages
"""

from __future__ import annotations

import csv
import io
import json
from contextlib import suppress
from dataclasses import dataclass, field
from itertools import islice
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from policykg.errors import PolicyKGError

from ..kg.store import Store, Term, Triples
from .negotiation import FORMATS

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
TSV = ox.QueryResultsFormat.TSV
N_TRIPLES = ox.RdfFormat.N_TRIPLES
# The formats pyoxigraph writes, by media type: negotiation's one table, read two ways.
RESULT_FORMATS = {f.media_type: f.results for f in FORMATS.values() if f.results is not None}
GRAPH_FORMATS = {f.media_type: f.rdf for f in FORMATS.values() if f.rdf is not None}

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


class TooLarge(PolicyKGError):
    """The answer would be larger than the job's ``max_bytes``."""

    def __init__(self, max_bytes: int):
        super().__init__(
            f"the answer would be larger than {max_bytes:,} bytes, the most this endpoint "
            "sends; add a LIMIT or select fewer or shorter values"
        )


class TooManyRows(PolicyKGError):
    """The answer has more rows than the cap: refused whole, never sent short (only the HTML
    page, which says so, shows the first rows)."""

    def __init__(self, max_rows: int):
        super().__init__(
            f"the answer has more than {max_rows:,} rows (the endpoint's MAX_ROWS) and is not "
            "sent cut short: add LIMIT and OFFSET to read it in pages"
        )
        self.max_rows = max_rows


class NotAcceptable(PolicyKGError):
    """The client accepts no media type that can carry this form of result."""

    def __init__(self, form: str):
        super().__init__(form)
        self.form = form


def evaluate(
    store: Store,
    job: Job,
    prefixes: dict[str, str] | None = None,
    timeout: float | None = None,
) -> Answer:
    """Run ``job`` on ``store``: the answer in the media type chosen for the query's form.

    Only what the caps let through is read (a server's answer is parsed as it arrives, and its
    connection closed after the row past the cap). ``timeout`` bounds a server's work.

    :raises QuerySyntaxError: if the query does not parse.
    :raises NotAcceptable: if the job has no media type for the form of the query.
    :raises TooLarge: if the answer would pass ``job.max_bytes``.
    :raises TooManyRows: if the answer is longer than ``job.max_rows`` (except for the page).
    :raises StoreTimeout: if a server stopped the query at ``timeout``.
    """
    result = store.execute(
        job.sparql,
        bindings=job.bindings,
        default_graphs=job.default_graphs,
        named_graphs=job.named_graphs,
        base_iri=job.base_iri,
        timeout=timeout,
    )
    if isinstance(result, bool):
        if job.tabular_type is None:
            raise NotAcceptable("SELECT/ASK")
        return boolean_answer(result, job.tabular_type)
    try:
        return _answer(result, job, prefixes)
    finally:
        result.close()


def _answer(result, job: Job, prefixes: dict[str, str] | None) -> Answer:
    if isinstance(result, Triples):
        if job.graph_type is None:
            raise NotAcceptable("CONSTRUCT/DESCRIBE")
        if result.native is not None and job.graph_type != "text/html":
            return _checked(native_graph_answer(result.native, job, prefixes), job.max_bytes)
        triples = _bounded(islice(result, job.max_rows + 1), job.max_bytes, _triple_size)
        truncated = len(triples) > job.max_rows
        if truncated and job.graph_type != "text/html":
            raise TooManyRows(job.max_rows)
        answer = graph_answer(triples[: job.max_rows], job.graph_type, truncated, prefixes)
        return _checked(answer, job.max_bytes)
    if job.tabular_type is None:
        raise NotAcceptable("SELECT/ASK")
    if result.native is not None and job.tabular_type != "text/html":
        return _checked(native_solutions_answer(result.native, job), job.max_bytes)
    variables = result.variables
    rows = _bounded(
        islice(result, job.max_rows + 1),
        job.max_bytes,
        _row_size,
    )
    truncated = len(rows) > job.max_rows
    if truncated and job.tabular_type != "text/html":
        raise TooManyRows(job.max_rows)
    answer = tabular_answer(variables, rows[: job.max_rows], job.tabular_type, truncated)
    return _checked(answer, job.max_bytes)


class _Full(Exception):
    """Raised by :meth:`Sink.write` to stop the engine once the row cap is passed."""


class Sink:
    """A binary file for pyoxigraph's serialisers of line-based formats (TSV, N-Triples: one
    solution or triple a line, newlines inside terms escaped). It keeps what it is given until
    it holds more than ``max_lines`` lines, then stops the serialisation, and so the engine,
    by raising from ``write``; past ``slack × max_bytes`` it raises :class:`TooLarge` (0: no
    cap). A slack above 1 leaves room for a line format longer than the answer it becomes.

    >>> from policykg.kg.store import MemoryStore
    >>> solutions = MemoryStore().execute("SELECT ?x WHERE { VALUES ?x { 1 2 3 } }").native
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
        """Keep ``chunk`` (pyoxigraph's serialisers call this)."""
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


def native_solutions_answer(result: ox.QuerySolutions, job: Job) -> Answer:
    """The embedded engine's SELECT solutions as ``job.tabular_type`` (a key of
    ``RESULT_FORMATS``), refused past the row cap: the engine writes TSV (a header line, then
    a line per solution), which is the answer when TSV was asked for, else read back and
    written in the format asked for.

    :raises TooManyRows: at the first solution past ``job.max_rows`` (the engine stops there).
    :raises TooLarge: when the TSV passes ``job.max_bytes``, or twice it when it is converted
        (the exact cap is checked on the answer: CSV, without the IRIs' brackets and the
        datatypes, can be shorter than the TSV).
    """
    media_type = job.tabular_type or "application/sparql-results+json"
    slack = 1 if media_type == "text/tab-separated-values" else 2
    tsv, more = Sink(job.max_rows + 1, job.max_bytes, slack).fill(result, TSV)
    if more:
        raise TooManyRows(job.max_rows)
    if media_type == "text/tab-separated-values":
        return Answer(media_type, body=tsv)
    solutions = ox.parse_query_results(tsv, format=TSV)
    return Answer(media_type, body=solutions.serialize(format=RESULT_FORMATS[media_type]) or b"")


def native_graph_answer(
    result: ox.QueryTriples, job: Job, prefixes: dict[str, str] | None
) -> Answer:
    """The embedded engine's CONSTRUCT or DESCRIBE triples as ``job.graph_type`` (a key of
    ``GRAPH_FORMATS``), refused past the row cap: the engine writes N-Triples, which is the
    answer when N-Triples was asked for, else read back and written in the format asked for
    (TriG and N-Quads: in the default graph).

    :raises TooManyRows: at the first triple past ``job.max_rows``.
    :raises TooLarge: when the N-Triples pass ``job.max_bytes``, or twice it when they are
        converted (Turtle's prefixes make it shorter).
    """
    media_type = job.graph_type or "application/n-triples"
    rdf_format = GRAPH_FORMATS[media_type]
    slack = 1 if rdf_format == N_TRIPLES else 2
    ntriples, more = Sink(job.max_rows, job.max_bytes, slack).fill(result, N_TRIPLES)
    if more:
        raise TooManyRows(job.max_rows)
    if rdf_format == N_TRIPLES:
        return Answer(media_type, body=ntriples)
    quads = ox.parse(ntriples, format=N_TRIPLES)
    body = ox.serialize(quads, format=rdf_format, prefixes=prefixes or None)
    return Answer(media_type, body=body or b"")


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


def graph_answer(
    triples: list[ox.Triple], media_type: str, truncated: bool, prefixes: dict[str, str] | None
) -> Answer:
    """Triples as ``media_type`` (a key of ``GRAPH_FORMATS``, or ``text/html`` for a table)."""
    if media_type == "text/html":
        rows: list[list[Cell | None]] = [
            [cell(t.subject), cell(t.predicate), cell(t.object)] for t in triples
        ]
        table = Table(["subject", "predicate", "object"], rows, graph=True)
        return Answer(media_type, truncated=truncated, table=table)
    rdf_format = GRAPH_FORMATS[media_type]
    data: list = triples
    if rdf_format.supports_datasets:  # TriG, N-Quads: the triples go in the default graph
        data = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    body = ox.serialize(data, format=rdf_format, prefixes=prefixes or None)
    return Answer(media_type, body=body or b"", truncated=truncated)


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


def tabular_answer(
    variables: list[str], rows: list[list], media_type: str, truncated: bool
) -> Answer:
    """SELECT solutions (rows of terms or None) as ``media_type``."""
    if media_type == "text/html":
        table = Table(variables, [[cell(t) if t is not None else None for t in r] for r in rows])
        return Answer(media_type, truncated=truncated, table=table)
    writer = WRITERS[media_type]
    return Answer(media_type, body=writer(variables, rows), truncated=truncated)


def cell(term) -> Cell:
    """A term as plain strings for templates."""
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value, None, None)
    if isinstance(term, ox.BlankNode):
        return ("bnode", term.value, None, None)
    if isinstance(term, ox.Literal):
        return ("literal", term.value, term.datatype.value, term.language)
    return ("triple", str(term), None, None)


def _json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        if term.language:
            return {"type": "literal", "value": term.value, "xml:lang": term.language}
        if term.datatype.value == XSD_STRING:
            return {"type": "literal", "value": term.value}
        return {"type": "literal", "value": term.value, "datatype": term.datatype.value}
    return {
        "type": "triple",
        "value": {
            "subject": _json_term(term.subject),
            "predicate": _json_term(term.predicate),
            "object": _json_term(term.object),
        },
    }


def write_json(variables: list[str], rows: list[list]) -> bytes:
    """SPARQL 1.1 Query Results JSON."""
    bindings = [
        {v: _json_term(t) for v, t in zip(variables, row, strict=True) if t is not None}
        for row in rows
    ]
    document = {"head": {"vars": variables}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def _xml_term(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            attribute = f" xml:lang={quoteattr(term.language)}"
        elif term.datatype.value != XSD_STRING:
            attribute = f" datatype={quoteattr(term.datatype.value)}"
        else:
            attribute = ""
        return f"<literal{attribute}>{escape(term.value)}</literal>"
    return (
        f"<triple><subject>{_xml_term(term.subject)}</subject>"
        f"<predicate>{_xml_term(term.predicate)}</predicate>"
        f"<object>{_xml_term(term.object)}</object></triple>"
    )


def write_xml(variables: list[str], rows: list[list]) -> bytes:
    """SPARQL Query Results XML."""
    out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
    out += [f"<variable name={quoteattr(v)}/>" for v in variables]
    out.append("</head><results>")
    for row in rows:
        out.append("<result>")
        for v, t in zip(variables, row, strict=True):
            if t is not None:
                out.append(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>")
        out.append("</result>")
    out.append("</results></sparql>\n")
    return "".join(out).encode()


def _csv_value(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return str(term)


def write_csv(variables: list[str], rows: list[list]) -> bytes:
    """SPARQL 1.1 Query Results CSV (values only, CRLF line ends)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(variables)
    writer.writerows([_csv_value(t) for t in row] for row in rows)
    return buffer.getvalue().encode()


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _tsv_term(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        text = '"' + term.value.translate(_TSV_ESCAPES) + '"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype.value == XSD_STRING:
            return text
        return f"{text}^^<{term.datatype.value}>"
    return str(term)


def write_tsv(variables: list[str], rows: list[list]) -> bytes:
    """SPARQL 1.1 Query Results TSV (terms in Turtle syntax)."""
    lines = ["\t".join("?" + v for v in variables)]
    lines += ["\t".join(_tsv_term(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


WRITERS = {
    "application/sparql-results+json": write_json,
    "application/sparql-results+xml": write_xml,
    "text/csv": write_csv,
    "text/tab-separated-values": write_tsv,
}
