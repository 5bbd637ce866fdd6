"""The one interface to a SPARQL dataset: an Oxigraph store on disk, or a SPARQL 1.1 server
(:mod:`kg.remote`). About 640 lines because the interface, its results and errors, the embedded
store and the SPARQL text both stores share (bound parameters, syntax errors placed on their
line) are one contract, documented where it is kept.

Everything that reads or writes the knowledge graph (``queries``, ``service``, the CLI, dumps,
stats) goes through :class:`Store`, so a Virtuoso, Fuseki or GraphDB server stands where the
embedded store stands::

    store = open_store("var/store")                        # embedded Oxigraph, read-only
    store = open_store("http://localhost:8890/sparql")     # any SPARQL 1.1 server

Only :class:`OxigraphStore` knows about files; a caller never reaches pyoxigraph's store or a
path through it. Terms are pyoxigraph's (``NamedNode``, ``Literal``, ``BlankNode``) on both
sides. Parameters are bound (``bindings={"slogan": NamedNode(...)}``), never pasted into query
text.

The default graph (a query without ``FROM`` and without a protocol dataset) is the merge of the
named graphs, a set, on both stores: a built embedded store keeps it in its default graph; a
server loaded by ``policykg build --store URL`` holds it in a graph of its own, which
:class:`~kg.remote.RemoteStore` names as the default graph of every query (a server's own
union, Virtuoso's, counts a triple once per graph that states it; see README, "Your own SPARQL
server").

Exceptions::

    StoreError
    ├── QuerySyntaxError   the query does not parse (carries line and column when known)
    ├── StoreTimeout       the query ran past its timeout (the server's partial answer is refused)
    └── StoreUnavailable   the store cannot be opened, or the server cannot be reached or written
"""

from __future__ import annotations

import hashlib
import json
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from policykg.errors import UserError

from . import formats

if TYPE_CHECKING:
    from .remote import Credentials

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Row = dict[str, Term]
Bindings = Mapping[str, Term]

BUILD_FILE = "build.json"  # written by ``policykg build`` beside the Oxigraph directory

# A graph no store holds: the empty default graph of a protocol dataset with named graphs only.
EMPTY_GRAPH = ox.NamedNode("urn:x-policykg:empty-graph")


class StoreError(UserError):
    """Base of every error raised by a store."""


class QuerySyntaxError(StoreError):
    """The SPARQL text does not parse; ``line`` and ``column`` are 1-based when known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.line = line
        self.column = column


class RDFFileError(StoreError, ValueError):
    """An RDF file that cannot be loaded: its extension names no format, or it does not parse."""


class StoreTimeout(StoreError):
    """The query ran past its timeout."""


class StoreUnavailable(StoreError):
    """The store cannot be opened, or the server cannot be reached or written."""


# ---------------------------------------------------------------- results


class Solutions:
    """The solutions of a SELECT, read lazily: ``variables``, then rows of terms (None when a
    variable is unbound), in variable order. ``close()`` releases what is left unread.

    ``native`` is the engine's own result when the store is embedded (read either it or the
    rows, not both): pyoxigraph's serialisers write it without a Python object per term."""

    def __init__(
        self,
        variables: list[str],
        rows: Iterable[list[Term | None]],
        release: Callable[[], None] | None = None,
        native: ox.QuerySolutions | None = None,
    ):
        self.variables = variables
        self._rows = iter(rows)
        self._release = release
        self.native = native

    def __iter__(self) -> Iterator[list[Term | None]]:
        return self._rows

    def close(self) -> None:
        """Stop reading (a server's connection is closed)."""
        if self._release:
            self._release()
            self._release = None


class Triples:
    """The triples of a CONSTRUCT or DESCRIBE, read lazily; ``close()`` and ``native`` as for
    Solutions."""

    def __init__(
        self,
        triples: Iterable[ox.Triple],
        release: Callable[[], None] | None = None,
        native: ox.QueryTriples | None = None,
    ):
        self._triples = iter(triples)
        self._release = release
        self.native = native

    def __iter__(self) -> Iterator[ox.Triple]:
        return self._triples

    def close(self) -> None:
        """Stop reading (a server's connection is closed)."""
        if self._release:
            self._release()
            self._release = None


Result = bool | Solutions | Triples


@dataclass(frozen=True)
class StoreVersion:
    """What identifies one build of the data: it changes whenever a build replaces it."""

    key: tuple  # compared to notice a new version
    id: str  # a short hash shown by /healthz
    built: str  # when it was written (ISO 8601, UTC)


# ---------------------------------------------------------------- the interface


class Store(ABC):
    """A SPARQL 1.1 dataset: read by queries, written a named graph at a time."""

    location: str  # the directory or the query URL, for messages

    @abstractmethod
    def execute(
        self,
        sparql: str,
        *,
        bindings: Bindings | None = None,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        base_iri: str | None = None,
        timeout: float | None = None,
    ) -> Result:
        """Run a query; the result is read lazily (``bool`` for ASK).

        Without ``default_graphs`` the default graph is the store's (see the module
        docstring); ``named_graphs=[]`` means none. ``base_iri`` resolves the query's relative
        IRIs when it declares no BASE. ``timeout`` (seconds) bounds a server's work; the
        embedded store cannot stop a query (``service.pool`` runs it in a process it can kill).

        :raises QuerySyntaxError: if the query does not parse.
        :raises StoreTimeout: if a server stopped the query at its timeout.
        :raises StoreUnavailable: if the data cannot be reached.
        """

    def query(
        self,
        sparql: str,
        *,
        bindings: Bindings | None = None,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        timeout: float | None = None,
    ) -> bool | list[Row] | list[ox.Triple]:
        """Run a query: ``bool`` for ASK, rows for SELECT, triples for CONSTRUCT/DESCRIBE.

        :raises QuerySyntaxError: if the query does not parse.
        :raises StoreUnavailable: if the data cannot be reached.
        """
        result = self.execute(
            sparql,
            bindings=bindings,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            timeout=timeout,
        )
        if isinstance(result, bool):
            return result
        try:
            if isinstance(result, Triples):
                return list(result)
            names = result.variables
            return [
                {n: t for n, t in zip(names, row, strict=True) if t is not None} for row in result
            ]
        finally:
            result.close()

    def select(
        self,
        sparql: str,
        bindings: Bindings | None = None,
        *,
        default_graphs: list[str] | None = None,
        **named: Term,
    ) -> list[Row]:
        """Rows of a SELECT query, with variables bound to ``bindings`` (name → term) or by
        keyword.

        >>> store = MemoryStore()
        >>> store.select("SELECT ?x WHERE {}", {"x": ox.Literal("四主链")})
        [{'x': <Literal value=四主链 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#string>>}]
        """
        bound = {**(bindings or {}), **named}
        result = self.query(sparql, bindings=bound, default_graphs=default_graphs)
        if not isinstance(result, list) or (result and isinstance(result[0], ox.Triple)):
            raise ValueError("select() needs a SELECT query")
        return result  # type: ignore[return-value]

    def select_each(self, sparql: str, var: str, terms: Iterable[Term]) -> list[Row]:
        """Rows of a SELECT query for each of ``terms`` bound to ``?var``, in one run where the
        store can: a ``VALUES`` block opens the ``WHERE`` clause, so the engine starts from the
        given terms as from one bound term. The terms are written by pyoxigraph."""
        values = " ".join(str(t) for t in terms)
        if not values:
            return []
        at = sparql.index("WHERE {") + len("WHERE {")
        return self.select(f"{sparql[:at]}\n  VALUES ?{var} {{ {values} }}{sparql[at:]}")

    def select_whole(self, sparql: str, key: str, rows: int = 20_000) -> Iterator[Row]:
        """Every row of a SELECT query that reads the whole store (an index the service builds
        once per version), in pieces no larger than a server's own limits allow.

        ``?key`` must be bound in every row. The embedded store has no such limits and reads
        it in one run; a server reads it ordered by ``STR(?key)``, ``rows`` rows a query, each
        query starting after the last key the one before read whole (:func:`keyset_pages`): no
        answer grows with the store, and no ``OFFSET`` makes the server skip what it sent.
        The query must have no ``ORDER BY``, ``LIMIT`` or ``OFFSET`` of its own.

        :raises StoreTimeout: if a server stopped one piece at its timeout.
        """
        return iter(self.select(sparql))

    def ask(self, sparql: str, bindings: Bindings | None = None, **named: Term) -> bool:
        """The answer of an ASK query, with variables bound to ``bindings`` or by keyword."""
        result = self.query(sparql, bindings={**(bindings or {}), **named})
        if not isinstance(result, bool):
            raise ValueError("ask() needs an ASK query")
        return result

    def construct(
        self,
        sparql: str,
        bindings: Bindings | None = None,
        *,
        default_graphs: list[str] | None = None,
        **named: Term,
    ) -> list[ox.Triple]:
        """Triples of a CONSTRUCT or DESCRIBE query, with variables bound to ``bindings`` or by
        keyword."""
        bound = {**(bindings or {}), **named}
        result = self.query(sparql, bindings=bound, default_graphs=default_graphs)
        if not isinstance(result, list) or (result and not isinstance(result[0], ox.Triple)):
            raise ValueError("construct() needs a CONSTRUCT or DESCRIBE query")
        return result  # type: ignore[return-value]

    @abstractmethod
    def graphs(self) -> list[str]:
        """IRIs of the named graphs, sorted."""

    @abstractmethod
    def graph_triples(self, graph: str | None) -> bytes:
        """The triples of one named graph as N-Triples (blank nodes as the store labels them);
        ``None``: of the default graph (the merge of a built store, see the module docstring).

        :raises StoreUnavailable: if the data cannot be reached.
        """

    def named_quads(self) -> Iterator[ox.Quad]:
        """Every quad of the named graphs (not the embedded store's merged default graph),
        graph by graph."""
        for graph in self.graphs():
            node = ox.NamedNode(graph)
            for quad in ox.parse(self.graph_triples(graph), format=ox.RdfFormat.N_TRIPLES):
                yield ox.Quad(quad.subject, quad.predicate, quad.object, node)

    @abstractmethod
    def replace_graph(self, graph: str, ntriples: bytes) -> None:
        """Make ``graph`` hold exactly these N-Triples, as one change (readers see the old graph
        or the new one; Graph Store Protocol PUT on a server).

        :raises StoreUnavailable: if the store cannot be written.
        """

    @abstractmethod
    def add_file(self, path: Path, graph: str) -> None:
        """Add the triples of an RDF file (format from its extension) to ``graph``.

        :raises RDFFileError: if the file does not parse or its format is unknown.
        :raises StoreUnavailable: if the store cannot be written.
        """

    @abstractmethod
    def drop_graph(self, graph: str) -> None:
        """Remove a named graph (nothing happens when there is none).

        :raises StoreUnavailable: if the store cannot be written.
        """

    @abstractmethod
    def version(self) -> StoreVersion | None:
        """The version of the data now (None while a build is swapping it in)."""

    def dumps_dir(self) -> Path | None:
        """Where ``policykg build`` wrote this store's dumps, when it knows (else None)."""
        return None

    def close(self) -> None:  # noqa: B027 - optional for subclasses
        """Release the store."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ---------------------------------------------------------------- the embedded store


def file_format(path: Path) -> ox.RdfFormat:
    """The RDF format of a file, from its extension (:mod:`kg.formats`).

    :raises RDFFileError: for an extension no format has.
    """
    fmt = formats.by_extension(path.suffix)
    if fmt is None or fmt.rdf is None:
        endings = " ".join(formats.rdf_extensions())
        raise RDFFileError(f"{path}: unknown RDF extension; use one of {endings}")
    return fmt.rdf


class OxigraphStore(Store):
    """An embedded pyoxigraph store (on disk in ``path``, or in memory when ``path`` is None)."""

    def __init__(self, store: ox.Store, path: str | Path | None = None):
        self._store = store
        self.path = Path(path) if path is not None else None
        self.location = str(path) if path is not None else ":memory:"
        # A built store keeps the union of its graphs, as a set, in the default graph (see
        # ``merge_into_default_graph``); other stores get Oxigraph's union, which repeats a
        # triple once per graph that states it.
        self._default_is_union = any(
            True for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph())
        )

    def execute(
        self,
        sparql,
        *,
        bindings=None,
        default_graphs=None,
        named_graphs=None,
        base_iri=None,
        timeout=None,
    ):
        kwargs: dict[str, Any] = {"base_iri": base_iri} if base_iri else {}
        if default_graphs is None:
            # without a protocol dataset the default graph is the union, unless FROM says otherwise
            if not self._default_is_union:
                kwargs["use_default_graph_as_union"] = not declares_dataset(sparql)
        else:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs] or EMPTY_GRAPH
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        planned = sparql
        if bindings:
            kwargs["substitutions"] = {ox.Variable(k): v for k, v in bindings.items()}
            # Oxigraph plans a query before it substitutes, so it takes a bound parameter for
            # an unknown one and may start from anything but it (slogan-parts: 55 ms instead
            # of 2). The same values as BIND clauses opening the WHERE group show its planner
            # where to start; the substitution still binds them inside subqueries and MINUS.
            with suppress(ValueError):  # no group to open: the parser will say so
                planned = bind_values(sparql, bindings)
        try:
            try:
                result = self._store.query(planned, **kwargs)
            except SyntaxError:
                if planned is sparql:
                    raise
                result = self._store.query(sparql, **kwargs)  # its own error, at its own column
        except SyntaxError as e:
            raise syntax_error(e, sparql) from None
        except OSError as e:
            raise StoreUnavailable(str(e)) from e
        return self._answer(result)

    @staticmethod
    def _answer(result) -> Result:
        if isinstance(result, ox.QueryBoolean):
            return bool(result)
        if isinstance(result, ox.QueryTriples):
            return Triples(result, native=result)
        names = [v.value for v in result.variables]
        return Solutions(names, map(list, result), native=result)  # a solution's terms in order

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def graph_triples(self, graph: str | None) -> bytes:
        if graph is None and not self._default_is_union:  # the merge, as queries read it
            merged = set(self._store.quads_for_pattern(None, None, None))
            triples = {q.triple for q in merged}
            return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
        node = ox.NamedNode(graph) if graph is not None else ox.DefaultGraph()
        return self._store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=node) or b""

    def replace_graph(self, graph: str, ntriples: bytes) -> None:
        node = ox.NamedNode(graph)

        def change(store: ox.Store) -> None:
            store.clear_graph(node)
            store.load(ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=node)

        self._write(change)

    def add_file(self, path: Path, graph: str) -> None:
        fmt = file_format(path)
        node = ox.NamedNode(graph)
        try:
            self._write(lambda s: s.load(path=str(path), format=fmt, to_graph=node))
        except SyntaxError as e:
            raise RDFFileError(f"{path}: {e}") from None

    def drop_graph(self, graph: str) -> None:
        node = ox.NamedNode(graph)
        if self._store.contains_named_graph(node):
            self._write(lambda s: s.remove_graph(node))

    def _write(self, change: Callable[[ox.Store], object]) -> None:
        """Apply ``change``, then keep the default graph the merge of all graphs (when it is)."""
        try:
            change(self._store)
            if self._default_is_union:
                self._store.clear_graph(ox.DefaultGraph())
                merge_into_default_graph(self._store)
            self._store.flush()
        except OSError as e:
            raise StoreUnavailable(f"cannot write the store at {self.location}: {e}") from e

    def version(self) -> StoreVersion | None:
        if self.path is None:
            return None
        return read_version(self.path)

    def dumps_dir(self) -> Path | None:
        return store_root(self.path) / "dumps" if self.path is not None else None

    def close(self) -> None:
        del self._store


class MemoryStore(OxigraphStore):
    """An in-memory Oxigraph store (for doctests and small tools)."""

    def __init__(self, quads: Iterable[ox.Quad] = ()):
        super().__init__(ox.Store())
        self._store.extend(quads)


def settle(path: str | Path) -> None:
    """Open the Oxigraph store in ``path`` once more for writing, and close it: only then does
    RocksDB delete the write-ahead log that the writer's last flush left behind, already in its
    tables. Left there, every read-only open (each query worker's) replays it into memory and
    every lookup reads past it: 86 MB at 10× the corpus, and the slogans' whole answer took
    858 ms instead of 723."""
    store = ox.Store(str(path))
    del store


def merge_into_default_graph(store: ox.Store) -> None:
    """Copy every named graph's triples into the default graph, once each.

    SPARQL's default graph over several graphs is their RDF merge: a set. Oxigraph's union
    default graph is a bag (a triple stated by five reports matches five times), so a built
    store keeps the merge itself, and queries without a dataset read it.
    """
    store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")


def oxigraph_dir(path: str | Path) -> Path:
    """The Oxigraph directory of a store built by ``policykg build`` (``DIR/oxigraph``), or ``path``."""
    path = Path(path)
    return path / "oxigraph" if (path / "oxigraph").is_dir() else path


def store_root(path: str | Path) -> Path:
    """The directory ``policykg build`` wrote (holding ``oxigraph/``, ``dumps/``, ``build.json``)."""
    path = Path(path)
    return path.parent if path.name == "oxigraph" else path


def read_version(path: str | Path) -> StoreVersion | None:
    """The version of the embedded store at ``path``: ``build.json``'s inode, time and hash
    (of the Oxigraph directory when there is none); None while there is neither (mid-swap)."""
    marker = store_root(path) / BUILD_FILE
    try:
        stat = marker.stat()
        data = marker.read_bytes()
    except OSError:
        try:
            stat = oxigraph_dir(path).stat()
        except OSError:
            return None
        data = f"{stat.st_ino}:{stat.st_mtime_ns}".encode()
    built = datetime.fromtimestamp(stat.st_mtime, UTC).isoformat(timespec="seconds")
    return StoreVersion(
        (stat.st_ino, stat.st_mtime_ns), hashlib.sha256(data).hexdigest()[:12], built
    )


def read_base(path: str | Path) -> str | None:
    """The IRI base the store at ``path`` was built with (``policykg build --base``, kept in
    its ``build.json``), or None when it says none."""
    try:
        return json.loads((store_root(path) / BUILD_FILE).read_text("utf-8")).get("base")
    except (OSError, ValueError, AttributeError):
        return None


def is_remote(location: str | Path) -> bool:
    """Whether ``--store`` names a server (an ``http(s)://`` URL) rather than a directory."""
    return str(location).startswith(("http://", "https://"))


def open_store(
    location: str | Path,
    *,
    read_only: bool = True,
    graph_store: str | None = None,
    credentials: Credentials | None = None,
    timeout: float = 30,
) -> Store:
    """Open the store at ``location``: a directory (embedded Oxigraph) or a server's SPARQL
    query URL (``http(s)://``; writes go to ``graph_store`` with ``credentials``).

    :raises StoreUnavailable: if ``location`` holds no store.
    """
    if is_remote(location):
        from .remote import RemoteStore  # it builds on this module

        return RemoteStore(
            str(location), graph_store=graph_store, credentials=credentials, timeout=timeout
        )
    path = oxigraph_dir(location)
    if read_only and not path.is_dir():
        raise StoreUnavailable(
            f"no store at {path}: run `policykg build REPORT.txt --store {path}`"
        )
    try:
        store = ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
    except OSError as e:
        raise StoreUnavailable(f"cannot open the store at {path}: {e}") from e
    return OxigraphStore(store, path)


# ---------------------------------------------------------------- SPARQL text


def bind_values(sparql: str, bindings: Bindings) -> str:
    """``sparql`` with ``bindings`` as ``BIND`` clauses opening its ``WHERE`` group (or, without
    the keyword, its first group after the query form): a one-row join, as the embedded store's
    substitution is.

    Not a ``VALUES`` block: Virtuoso 7.2 answers no rows to a trailing one, and does not join one
    opening the group into a transitive path (``?t pol:hasComponent* ?x`` ran from every subject);
    it does with ``BIND``.

    >>> bind_values('SELECT ?s WHERE { ?s ?p "{" }', {"p": ox.NamedNode("http://p")})
    'SELECT ?s WHERE { BIND(<http://p> AS ?p) ?s ?p "{" }'
    >>> bind_values("CONSTRUCT { ?s ?p ?o } { ?s ?p ?o }", {"s": ox.NamedNode("http://s")})
    'CONSTRUCT { ?s ?p ?o } { BIND(<http://s> AS ?s) ?s ?p ?o }'
    """
    block = "".join(f" BIND({term} AS ?{name})" for name, term in bindings.items())
    masked = _LITERALS.sub(lambda m: " " * len(m.group()), sparql)
    where = re.search(r"(?i)\bWHERE\s*\{", masked)
    if where:
        at = where.end()
    else:
        form = re.search(r"(?i)\b(SELECT|ASK|DESCRIBE|CONSTRUCT)\b", masked)
        start = form.end() if form else 0
        if form and form.group(1).upper() == "CONSTRUCT":  # skip the template
            start = _group_end(masked, masked.index("{", start))
        at = masked.index("{", start) + 1
    return sparql[:at] + block + sparql[at:]


def _group_end(masked: str, opening: int) -> int:
    """The index after the ``}`` closing the group opened at ``opening``."""
    depth = 0
    for i in range(opening, len(masked)):
        depth += {"{": 1, "}": -1}.get(masked[i], 0)
        if depth == 0:
            return i + 1
    raise QuerySyntaxError("unbalanced braces")


def keyset_pages(store: Store, sparql: str, key: str, rows: int) -> Iterator[Row]:
    """The rows of ``sparql`` read ``rows`` at a time in the order of ``STR(?key)``: each query
    keeps the keys after the last one the previous query read whole (a ``FILTER`` closing the
    ``WHERE`` group), so the rows of one key are never split between two queries; a key with
    more rows than ``rows`` is read with a larger page.

    >>> store = MemoryStore()
    >>> store.replace_graph("http://g", b'<http://a> <http://p> "1" .\\n<http://b> <http://p> "2" .\\n')
    >>> [r["s"].value for r in keyset_pages(store, "SELECT ?s ?o WHERE { ?s ?p ?o }", "s", 1)]
    ['http://a', 'http://b']
    """
    masked = _LITERALS.sub(lambda m: " " * len(m.group()), sparql)
    where = re.search(r"(?i)\bWHERE\s*\{", masked)
    if where is None or re.search(r"(?i)\b(ORDER\s+BY|LIMIT|OFFSET)\b", masked):
        raise ValueError("keyset_pages() needs a WHERE group and no ORDER BY, LIMIT or OFFSET")
    end = _group_end(masked, where.end() - 1) - 1  # the WHERE group's closing brace
    after: str | None = None
    while True:
        test = f" FILTER(STR(?{key}) > {ox.Literal(after)})" if after is not None else ""
        page = store.select(
            f"{sparql[:end]}{test}{sparql[end:].rstrip()}\nORDER BY (STR(?{key}))\nLIMIT {rows}"
        )
        if len(page) < rows:
            yield from page
            return
        last = page[-1][key].value
        whole = [row for row in page if row[key].value != last]
        if not whole:  # one key's rows fill the page: read them with a larger one
            rows *= 2
            continue
        yield from whole
        after = whole[-1][key].value


_LITERALS = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
    r"|<[^<>\"{}|^`\\\s]*>|#[^\n]*"
)


def declares_dataset(sparql: str) -> bool:
    """Whether the query names its own dataset (``FROM``/``FROM NAMED``), which then wins over
    the union default graph.

    >>> declares_dataset("SELECT ?from FROM <http://g> WHERE { ?s ?p '# FROM' }")
    True
    >>> declares_dataset("SELECT ?from WHERE { ?s <http://x/FROM> 'FROM' } # FROM")
    False
    """
    return re.search(r"(?i)(?<![?$:\w])FROM\b", _LITERALS.sub(" ", sparql)) is not None


# What may come before a query's form: space, comments, and PREFIX and BASE declarations, each
# IRI whole (a ``#`` inside ``<…ontology#>`` starts no comment)
_PROLOGUE_ITEM = re.compile(r"(?is)\s+|\#[^\n]*|PREFIX\s*[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>")


def query_form(sparql: str) -> str:
    """The query's form (``SELECT``, ``CONSTRUCT``, ``ASK``, ``DESCRIBE``), read past its
    prologue; "" when there is none.

    >>> query_form("PREFIX pol: <https://w3id.org/policykg/ontology#>\\nCONSTRUCT WHERE { ?s a pol:X }")
    'CONSTRUCT'
    >>> query_form("# the slogans\\nBASE <http://a/#x> prefix : <#>\\nselect * { ?s ?p ?o }")
    'SELECT'
    """
    position = 0
    while (item := _PROLOGUE_ITEM.match(sparql, position)) and item.end() > position:
        position = item.end()
    word = re.match(r"[A-Za-z]+", sparql[position:])
    return word.group().upper() if word else ""


def syntax_error(error: SyntaxError, sparql: str) -> QuerySyntaxError:
    """Pyoxigraph reports positions as ``line:column`` pairs or byte offsets; keep what it gives,
    on one line. An undeclared prefix, which pyoxigraph reports as a list of every token it
    expected (or as ``expected OPTIONAL``), is said in one line that names it.

    >>> query = 'SELECT * WHERE { ?s rdfs:label "中文" ; foo:bar ?o }'
    >>> try:
    ...     ox.Store().query(query)
    ... except SyntaxError as e:
    ...     str(syntax_error(e, query))
    'error at 1:21: the prefixes foo:, rdfs: are not declared; add PREFIX rdfs: <…> before the query'
    """
    message = str(error)
    match = re.search(r"(\d+):(\d+)", message)
    line, column = (int(match.group(1)), int(match.group(2))) if match else (None, None)
    undeclared = _undeclared_prefixes(sparql)
    if undeclared:
        (first, line, column), names = undeclared[0], sorted({u[0] for u in undeclared})
        said = (
            f"the prefix {first}: is"
            if len(names) == 1
            else ("the prefixes " + ", ".join(f"{n}:" for n in names) + " are")
        )
        message = f"error at {line}:{column}: {said} not declared; add PREFIX {first}: <…> before the query"
    return QuerySyntaxError(" ".join(message.split()), line, column)


_PREFIXED = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
    r"|<[^<>\"{}|^`\\\s]*>|#[^\n]*|[?$][\w]+"
    r"|(?i:PREFIX)\s+(?P<declared>[^\W\d_][\w.-]*)?:"
    r"|(?<![\w.-])(?P<used>[^\W\d_][\w.-]*)?:(?=[\w%\\])"
)


def _undeclared_prefixes(sparql: str) -> list[tuple[str, int, int]]:
    """(prefix, line, column) of each prefixed name whose prefix no PREFIX line declares,
    strings, IRIs, comments and variables skipped."""
    declared, used = set(), []
    for m in _PREFIXED.finditer(sparql):
        if m.group(0).upper().startswith("PREFIX"):
            declared.add(m.group("declared") or "")
        elif m.group(0).endswith(":") and not m.group(0).startswith(("<", "#", '"', "'", "?", "$")):
            line = sparql.count("\n", 0, m.start()) + 1
            column = m.start() - (sparql.rfind("\n", 0, m.start()) + 1) + 1
            used.append((m.group("used") or "", line, column))
    return [u for u in used if u[0] not in declared]
