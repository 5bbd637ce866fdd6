"""The one interface to a SPARQL dataset: an Oxigraph store on disk, or a remote SPARQL 1.1 server.

Everything that reads the knowledge graph (``queries``, ``service``, the CLI) goes through
:class:`Store`, so a Virtuoso, Fuseki or GraphDB endpoint can stand where the embedded store
stands today::

    store = open_store("var/store")                    # embedded Oxigraph, read-only
    store = RemoteStore("http://localhost:3030/kg/sparql")  # any SPARQL 1.1 endpoint

Terms are pyoxigraph's (``NamedNode``, ``Literal``, ``BlankNode``) on both sides. Parameters are
bound (``bindings={"slogan": NamedNode(...)}``), never pasted into query text.

Exceptions::

    StoreError
    ├── QuerySyntaxError   the query does not parse (carries line and column when known)
    └── StoreUnavailable   the store cannot be opened or the remote endpoint cannot be reached
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Row = dict[str, Term]
Bindings = Mapping[str, Term]

RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}


# A graph no store holds: the empty default graph of a protocol dataset with named graphs only.
EMPTY_GRAPH = ox.NamedNode("urn:x-policykg:empty-graph")


class StoreError(Exception):
    """Base of every error raised by a store."""


class QuerySyntaxError(StoreError):
    """The SPARQL text does not parse; ``line`` and ``column`` are 1-based when known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.line = line
        self.column = column


class StoreUnavailable(StoreError):
    """The store cannot be opened, or the remote endpoint cannot be reached."""


class Store(ABC):
    """A read-only view of a SPARQL 1.1 dataset."""

    @abstractmethod
    def query(
        self,
        sparql: str,
        *,
        bindings: Bindings | None = None,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> bool | list[Row] | list[ox.Triple]:
        """Run a query: ``bool`` for ASK, rows for SELECT, triples for CONSTRUCT/DESCRIBE.

        Without ``default_graphs`` the default graph is the union of all graphs.

        :raises QuerySyntaxError: if the query does not parse.
        :raises StoreUnavailable: if the data cannot be reached.
        """

    @abstractmethod
    def serialize(
        self,
        sparql: str,
        media_type: str,
        *,
        bindings: Bindings | None = None,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> bytes:
        """Run a query and return its results serialised as ``media_type``.

        ``media_type`` is a key of :data:`RESULT_FORMATS` (ASK, SELECT) or
        :data:`GRAPH_FORMATS` (CONSTRUCT, DESCRIBE).

        :raises QuerySyntaxError: if the query does not parse.
        :raises ValueError: if the media type does not fit the query form.
        """

    def select(self, sparql: str, **bindings: Term) -> list[Row]:
        """Rows of a SELECT query with variables bound by keyword.

        >>> store = MemoryStore()
        >>> store.select("SELECT ?x WHERE {}", x=ox.Literal("四主链"))
        [{'x': <Literal value=四主链 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#string>>}]
        """
        result = self.query(sparql, bindings=bindings)
        if not isinstance(result, list) or (result and isinstance(result[0], ox.Triple)):
            raise ValueError("select() needs a SELECT query")
        return result  # type: ignore[return-value]

    def close(self) -> None:  # noqa: B027 - optional for subclasses
        """Release the store."""


class OxigraphStore(Store):
    """An embedded pyoxigraph store (on disk, or in memory when ``path`` is None)."""

    def __init__(self, store: ox.Store):
        self._store = store
        # A built store keeps the union of its graphs, as a set, in the default graph (see
        # ``merge_into_default_graph``); other stores get Oxigraph's union, which repeats a
        # triple once per graph that states it.
        self._default_is_union = any(
            True for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph())
        )

    @property
    def oxigraph(self) -> ox.Store:
        """The underlying pyoxigraph store, for bulk work in ``kg.build``."""
        return self._store

    def _run(self, sparql: str, bindings, default_graphs, named_graphs, base_iri=None):
        kwargs: dict[str, Any] = {"base_iri": base_iri} if base_iri else {}
        if default_graphs is None:
            # without a protocol dataset the default graph is the union, unless FROM says otherwise
            if not self._default_is_union:
                kwargs["use_default_graph_as_union"] = not declares_dataset(sparql)
        else:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs] or EMPTY_GRAPH
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        if bindings:
            kwargs["substitutions"] = {ox.Variable(k): v for k, v in bindings.items()}
        try:
            return self._store.query(sparql, **kwargs)
        except SyntaxError as e:
            raise _syntax_error(e, sparql) from None
        except OSError as e:
            raise StoreUnavailable(str(e)) from e

    def execute(
        self,
        sparql: str,
        *,
        bindings: Bindings | None = None,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        base_iri: str | None = None,
    ) -> ox.QueryBoolean | ox.QuerySolutions | ox.QueryTriples:
        """Run a query and return pyoxigraph's lazy result, for callers that stream or cut it.

        Same dataset rules and errors as :meth:`query`; ``named_graphs=[]`` means none.
        ``base_iri`` resolves the query's relative IRIs (``<s>``) when it declares no BASE.

        :raises QuerySyntaxError: if the query does not parse.
        :raises StoreUnavailable: if the store cannot be read.
        """
        return self._run(sparql, bindings, default_graphs, named_graphs, base_iri)

    def query(self, sparql, *, bindings=None, default_graphs=None, named_graphs=None):
        result = self._run(sparql, bindings, default_graphs, named_graphs)
        if isinstance(result, ox.QueryBoolean):
            return bool(result)
        if isinstance(result, ox.QuerySolutions):
            names = [v.value for v in result.variables]
            return [{n: s[n] for n in names if s[n] is not None} for s in result]
        return list(result)

    def serialize(
        self, sparql, media_type, *, bindings=None, default_graphs=None, named_graphs=None
    ):
        result = self._run(sparql, bindings, default_graphs, named_graphs)
        if isinstance(result, ox.QueryTriples):
            if media_type not in GRAPH_FORMATS:
                raise ValueError(f"{media_type} cannot carry a graph result")
            return result.serialize(format=GRAPH_FORMATS[media_type])
        if media_type not in RESULT_FORMATS:
            raise ValueError(f"{media_type} cannot carry ASK or SELECT results")
        return result.serialize(format=RESULT_FORMATS[media_type])

    def quad_count(self, graph: str | None = None) -> int:
        """Number of quads, in one named graph or in the whole store."""
        g = ox.NamedNode(graph) if graph else None
        return sum(1 for _ in self._store.quads_for_pattern(None, None, None, g))

    def graphs(self) -> list[str]:
        """IRIs of the named graphs."""
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def close(self) -> None:
        del self._store


class MemoryStore(OxigraphStore):
    """An in-memory Oxigraph store (for doctests and small tools)."""

    def __init__(self, quads: Iterable[ox.Quad] = ()):
        super().__init__(ox.Store())
        self._store.extend(quads)


def merge_into_default_graph(store: ox.Store) -> None:
    """Copy every named graph's triples into the default graph, once each.

    SPARQL's default graph over several graphs is their RDF merge: a set. Oxigraph's union
    default graph is a bag (a triple stated by five reports matches five times), so a built
    store keeps the merge itself, and queries without a dataset read it.
    """
    store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")


def named_quads(store: ox.Store) -> Iterable[ox.Quad]:
    """The quads of the named graphs: the store without the default graph's merged copy."""
    return (q for q in store if not isinstance(q.graph_name, ox.DefaultGraph))


def open_store(path: str | Path, *, read_only: bool = True) -> OxigraphStore:
    """Open the Oxigraph store in ``path``.

    :raises StoreUnavailable: if ``path`` holds no store.
    """
    path = oxigraph_dir(path)
    if read_only and not path.is_dir():
        raise StoreUnavailable(
            f"no store at {path}: run `policykg build REPORT.txt --store {path}`"
        )
    try:
        store = ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
    except OSError as e:
        raise StoreUnavailable(f"cannot open the store at {path}: {e}") from e
    return OxigraphStore(store)


def oxigraph_dir(path: str | Path) -> Path:
    """The Oxigraph directory of a store built by ``policykg build`` (``DIR/oxigraph``), or ``path``."""
    path = Path(path)
    return path / "oxigraph" if (path / "oxigraph").is_dir() else path


class RemoteStore(Store):
    """A remote SPARQL 1.1 endpoint (Virtuoso, Fuseki, GraphDB...) reached with SPARQLWrapper.

    Bindings are sent as a trailing ``VALUES`` clause, which every SPARQL 1.1 server understands.
    """

    def __init__(self, endpoint: str, *, timeout: float = 30):
        self.endpoint = endpoint
        self.timeout = timeout

    def _request(self, sparql, media_type, bindings, default_graphs, named_graphs) -> bytes:
        from urllib.error import HTTPError, URLError

        from SPARQLWrapper import POST, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

        client = SPARQLWrapper(self.endpoint)
        client.setMethod(POST)
        client.setOnlyConneg(True)  # our Accept header decides, not a format= parameter
        client.setTimeout(int(self.timeout))
        client.setQuery(sparql + _values_clause(bindings) if bindings else sparql)
        for g in default_graphs or []:
            client.addDefaultGraph(g)
        for g in named_graphs or []:
            client.addNamedGraph(g)
        client.addCustomHttpHeader("Accept", media_type)
        try:
            response = client.query().response
            return response.read()
        except QueryBadFormed as e:
            raise QuerySyntaxError(str(e)) from None
        except (HTTPError, URLError, OSError) as e:
            raise StoreUnavailable(f"{self.endpoint}: {e}") from e

    def query(self, sparql, *, bindings=None, default_graphs=None, named_graphs=None):
        form = _query_form(sparql)
        if form in ("CONSTRUCT", "DESCRIBE"):
            data = self._request(
                sparql, "application/n-triples", bindings, default_graphs, named_graphs
            )
            return [quad.triple for quad in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]
        data = self._request(
            sparql, "application/sparql-results+json", bindings, default_graphs, named_graphs
        )
        parsed = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
        if isinstance(parsed, ox.QueryBoolean):
            return bool(parsed)
        names = [v.value for v in parsed.variables]
        return [{n: s[n] for n in names if s[n] is not None} for s in parsed]

    def serialize(
        self, sparql, media_type, *, bindings=None, default_graphs=None, named_graphs=None
    ):
        return self._request(sparql, media_type, bindings, default_graphs, named_graphs)


def _values_clause(bindings: Bindings) -> str:
    names = list(bindings)
    row = " ".join(str(bindings[n]) for n in names)
    return "\nVALUES (" + " ".join("?" + n for n in names) + ") { (" + row + ") }"


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


def _query_form(sparql: str) -> str:
    body = re.sub(r"#[^\n]*", "", sparql)
    body = re.sub(r"(?is)^\s*(?:(?:PREFIX\s+\S*\s*<[^>]*>|BASE\s*<[^>]*>)\s*)*", "", body)
    return body.split(None, 1)[0].upper() if body.strip() else ""


def _syntax_error(error: SyntaxError, sparql: str) -> QuerySyntaxError:
    """Pyoxigraph reports positions as ``line:column`` pairs or byte offsets; keep what it gives,
    on one line. An undeclared prefix, which pyoxigraph reports as a list of every token it
    expected (or as ``expected OPTIONAL``), is said in one line that names it.

    >>> query = 'SELECT * WHERE { ?s rdfs:label "中文" ; foo:bar ?o }'
    >>> try:
    ...     ox.Store().query(query)
    ... except SyntaxError as e:
    ...     str(_syntax_error(e, query))
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
