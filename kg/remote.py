"""A SPARQL 1.1 server as a :class:`~policykg.kg.store.Store`: Virtuoso, Fuseki, GraphDB...
About 470 lines because reading, writing and the description of a load (the merge graph, the
named graphs, the version) are one contract with the server, kept in one place.

Queries go through SPARQLWrapper to the server's query URL; writes through the Graph Store HTTP
Protocol (``graph_store``, by default guessed from the query URL for the usual layouts) with
:class:`Credentials`. What the servers answer differently from the embedded store (Virtuoso's
blank node labels and booleans, its answers cut at a timeout, its system graphs) is made to
look like the embedded store's answers here, so that nothing above :mod:`kg.store` knows which
store it reads. Open one with :func:`kg.store.open_store` and an ``http(s)://`` location.
"""

from __future__ import annotations

import base64
import re
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode, urlsplit, urlunsplit

import pyoxigraph as ox

from .store import (
    _LITERALS,
    EMPTY_GRAPH,
    QuerySyntaxError,
    RDFFileError,
    Row,
    Solutions,
    Store,
    StoreError,
    StoreTimeout,
    StoreUnavailable,
    StoreVersion,
    Term,
    Triples,
    _group_end,
    bind_values,
    declares_dataset,
    file_format,
    keyset_pages,
    query_form,
    syntax_error,
)

# Virtuoso's own graphs, present in every instance: never PolicyKG data (left out of graphs()).
# They stay in Virtuoso's default graph: its input:*-graph-exclude pragmas, which would keep them
# out, make GRAPH <iri> match nothing in 7.2.5.
SYSTEM_GRAPHS = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/sparql",
    "http://www.w3.org/2002/07/owl#",
)
# IRIs that call a server's own functions (Virtuoso's bif: and sql: reach its SQL engine).
VENDOR_FUNCTIONS = re.compile(
    r"(?i)<(?:bif|sql):|<http://www\.openlinksw\.com/schemas/(?:bif|sql)#"
)
# How servers say they stopped a query at their own limit (HTTP 500 or 503 and these words):
# Virtuoso's MaxQueryExecutionTime ("S1TAT ... query interrupted by result timeout", after a
# partial answer, or S1T00), Fuseki's "Query timed out" / QueryCancelledException, GraphDB's and
# RDF4J's QueryInterruptedException ("Query evaluation took too long"), Blazegraph's
# QueryTimeoutException, Neptune's TimeLimitExceededException.
SERVER_TIMEOUT = re.compile(
    r"S1TAT|S1T00|interrupted by (?:result )?timeout|timed out|Query(?:Cancelled|Interrupted"
    r"|Timeout)Exception|TimeLimitExceeded|evaluation took too long"
)
# What ``policykg build --store URL`` loads beside the named graphs (kg.publish): their merge, a
# set, which every query without FROM reads as its default graph (as over the embedded store;
# Virtuoso's own union counts a triple once per graph that states it: a label stated by 340
# reports joined 340 times), and last the description of the dataset, a few thousand triples
# read once per RemoteStore: the named graphs (no scan of the server), the merge's name and the
# load's identifier (the store version, so the service's result cache works over a server).
MERGE_GRAPH = "urn:x-policykg:merge"
DATASET_GRAPH = "urn:x-policykg:dataset"
_SD = "http://www.w3.org/ns/sparql-service-description#"
_DCTERMS = "http://purl.org/dc/terms/"
_URI_SPACE = "http://rdfs.org/ns/void#uriSpace"
_GRAPH_VARIABLE = re.compile(r"(?i)\bGRAPH\s*([?$]\w+)\s*\{")
_PARSER = ox.Store()  # empty: a query is parsed here (evaluation is lazy) before a server sees it


@dataclass(frozen=True)
class Credentials:
    """A user and password for a server's write endpoint (Digest or Basic, as it asks)."""

    user: str
    password: str

    def __repr__(self) -> str:  # never print a password in a traceback or a log
        return f"Credentials(user={self.user!r}, password=***)"


def default_graph_store(endpoint: str) -> str:
    """The Graph Store Protocol URL of a server from its query URL, for the usual layouts.

    >>> default_graph_store("http://localhost:8890/sparql")            # Virtuoso
    'http://localhost:8890/sparql-graph-crud-auth'
    >>> default_graph_store("http://localhost:3030/kg/sparql")         # Fuseki
    'http://localhost:3030/kg/data'
    >>> default_graph_store("http://localhost:7200/repositories/kg")   # GraphDB
    'http://localhost:7200/repositories/kg/rdf-graphs/service'
    """
    parts = urlsplit(endpoint)
    path = parts.path.rstrip("/")
    if path == "/sparql":
        path = "/sparql-graph-crud-auth"
    elif re.fullmatch(r"/repositories/[^/]+", path):
        path += "/rdf-graphs/service"
    elif path.endswith(("/sparql", "/query")):
        path = path.rsplit("/", 1)[0] + "/data"
    else:
        raise StoreError(
            f"cannot tell the Graph Store Protocol URL of {endpoint}: give --graph-store"
        )
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


class RemoteStore(Store):
    """A SPARQL 1.1 server (Virtuoso, Fuseki, GraphDB...): queries through SPARQLWrapper to
    ``endpoint``; writes through the Graph Store HTTP Protocol at ``graph_store``.

    Bindings are sent as ``BIND`` clauses opening the query's ``WHERE`` group (see
    :func:`bind_values`).
    A query's timeout goes to the server as a hint (``timeout`` in milliseconds, which Virtuoso
    reads) and bounds every read of the answer; an answer the server marks as cut at its
    timeout (Virtuoso's anytime answers, ``X-SQL-State: S1TAT``) is refused, never passed on.
    """

    def __init__(
        self,
        endpoint: str,
        *,
        graph_store: str | None = None,
        credentials: Credentials | None = None,
        timeout: float = 30,
    ):
        self.endpoint = self.location = endpoint
        self._graph_store = graph_store
        self._credentials = credentials
        self.timeout = timeout
        self._described: Dataset | None = None

    # -- reading

    def dataset(self) -> Dataset | None:
        """The description of the dataset PolicyKG loaded (read once), or None when there is
        none (a server loaded by other means: its own default graph and a scan for graphs)."""
        if self._described is None:
            self._described = read_dataset(self) or Dataset("", "", None, (), None)
        return self._described if self._described.identifier else None

    def _check(self, sparql: str, base_iri: str | None) -> None:
        """Only standard SPARQL 1.1 reaches the server: parsed here first, so a syntax error
        says line and column as over the embedded store, and no server extension (Virtuoso's
        DEFINE pragmas, bif:/sql: functions) passes."""
        try:
            _PARSER.query(sparql, base_iri=base_iri) if base_iri else _PARSER.query(sparql)
        except SyntaxError as e:
            raise syntax_error(e, sparql) from None
        except (RuntimeError, ValueError, OSError):
            pass  # parsed; the empty store could not evaluate it, which is the server's job
        if VENDOR_FUNCTIONS.search(sparql):
            raise QuerySyntaxError("a server's own functions (bif:, sql:) are not served")
        if orders_a_subquery_without_limit(sparql):
            raise QuerySyntaxError(
                "an ORDER BY in a subquery without LIMIT or OFFSET orders nothing (a subquery's "
                "answer is joined as a set) and can exhaust the server's memory: remove it, or "
                "give the subquery a LIMIT"
            )

    def select_whole(self, sparql: str, key: str, rows: int = 20_000) -> Iterator[Row]:
        # a whole-store answer (57 MB of JSON for the term index at 100 times the corpus) runs
        # past a server's own time or size limit whatever timeout we ask: read in key order
        return keyset_pages(self, sparql, key, rows)

    def select_each(self, sparql: str, var: str, terms: Iterable[Term]) -> list[Row]:
        # one query a term where the query has a transitive path: Virtuoso 7.2 starts none
        # (pol:hasComponent*) from a VALUES block ("transitive start not given"), but does
        # from a bound term; any other in one query, as on the embedded store (a term page
        # of twenty versions asked twenty queries in turn per kind of thing: 0.4 s, not 6 ms)
        if not has_transitive_path(sparql):
            return super().select_each(sparql, var, terms)
        return [row for term in terms for row in self.select(sparql, {var: term})]

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
        self._check(sparql, base_iri)
        graph_form = query_form(sparql) in ("CONSTRUCT", "DESCRIBE")
        media_type = "application/n-triples" if graph_form else "application/sparql-results+json"
        text = bind_values(sparql, bindings) if bindings else sparql
        dataset = self.dataset() if default_graphs is None else None
        if dataset is not None and not declares_dataset(sparql):
            # the merge, as the embedded store's default graph; GRAPH ?g then ranges over the
            # named graphs only, as there (a server's GRAPH ?g would see the merge and the
            # description too; the named graphs as named-graph-uri overflow Virtuoso's cost
            # model, SQ200)
            default_graphs = [dataset.default_graph]
            if named_graphs is None:
                text = without_graph(text, dataset.default_graph, DATASET_GRAPH)
        if base_iri and not re.match(r"(?is)\s*(#[^\n]*\n\s*)*BASE\b", text):
            text = f"BASE <{base_iri}>\n{text}"
        response = self._request(text, media_type, default_graphs, named_graphs, timeout)
        try:
            if graph_form:
                quads = ox.parse(response, format=ox.RdfFormat.N_TRIPLES)
                return Triples((q.triple for q in quads), response.close)
            parsed = ox.parse_query_results(
                _BlankNodeLabels(response), format=ox.QueryResultsFormat.JSON
            )
        except SyntaxError as e:
            response.close()
            raise StoreUnavailable(
                f"{self.endpoint} sent an answer that does not parse: {e}"
            ) from e
        if isinstance(parsed, ox.QueryBoolean):
            response.close()
            return bool(parsed)
        names = [v.value for v in parsed.variables]
        if names == ["__ASK_RETVAL"]:  # Virtuoso 7.2 answers ASK as a one-cell SELECT
            rows = [s["__ASK_RETVAL"] for s in parsed]
            response.close()
            return bool(rows) and rows[0] is not None and rows[0].value not in ("0", "false")
        rows = ([_canonical(s[n]) for n in names] for s in parsed)
        return Solutions(names, rows, response.close)

    def _request(self, sparql, media_type, default_graphs, named_graphs, timeout):
        """The server's open HTTP response to the query (read by the caller)."""
        from SPARQLWrapper import POST, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException

        seconds = self.timeout if timeout is None else timeout
        client = SPARQLWrapper(self.endpoint)
        client.setMethod(POST)
        client.setOnlyConneg(True)  # our Accept header decides, not a format= parameter
        client.setTimeout(max(1, round(seconds)))
        client.addParameter("timeout", str(int(seconds * 1000)))  # Virtuoso: milliseconds
        client.setQuery(sparql)
        for g in default_graphs or []:
            client.addDefaultGraph(g)
        for g in named_graphs or []:
            client.addNamedGraph(g)
        if default_graphs == [] and named_graphs:  # a dataset of named graphs only
            client.addDefaultGraph(EMPTY_GRAPH.value)
        client.addCustomHttpHeader("Accept", media_type)
        try:
            response = client.query().response
        except SPARQLWrapperException as e:
            # Virtuoso stops a query at its limit with HTTP 500 or, as often, 400 (read by
            # SPARQLWrapper as a bad query): its words say which
            if stopped_at_limit(str(e)):
                raise StoreTimeout(f"{self.endpoint} stopped the query at its timeout") from None
            message = _server_message(e)
            if isinstance(e, QueryBadFormed):
                raise QuerySyntaxError(message) from None
            if re.search(r"\b(37000|42\d\d\d)\b|SP0\d\d", message):  # compiler, unknown function
                raise QuerySyntaxError(message) from None
            raise StoreUnavailable(f"{self.endpoint}: {message}") from e
        except TimeoutError as e:
            raise StoreTimeout(f"{self.endpoint} did not answer within {seconds:g} s") from e
        except (HTTPError, URLError, OSError) as e:
            raise StoreUnavailable(f"{self.endpoint}: {e}") from e
        if response.headers.get("X-SQL-State", "").startswith("S1T"):
            response.close()
            raise StoreTimeout(f"{self.endpoint} stopped the query at its timeout")
        return response

    def graphs(self) -> list[str]:
        dataset = self.dataset()
        if dataset is not None:
            return sorted(dataset.named_graphs)
        # loaded by other means: a scan of the whole server (minutes for millions of quads),
        # not bound by the (user) query timeout
        rows = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", timeout=600)
        names = {row["g"].value for row in rows}  # type: ignore[index, union-attr]
        return sorted(g for g in names if g not in SYSTEM_GRAPHS)

    def graph_triples(self, graph: str | None) -> bytes:
        if graph is None:
            sparql, bindings = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", None
        else:
            sparql = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
            bindings = {"g": ox.NamedNode(graph)}
        result = self.execute(sparql, bindings=bindings)
        assert isinstance(result, Triples)
        try:
            return ox.serialize(list(result), format=ox.RdfFormat.N_TRIPLES) or b""
        finally:
            result.close()

    def version(self) -> StoreVersion | None:
        """The identifier of the last load by ``policykg build`` (read from the server each
        time: one small query), or None for a server loaded by other means, which says nothing
        of when its data changed (the service then keeps its result cache off; see README)."""
        found = read_dataset(self, named=False)
        if found is None:
            return None
        return StoreVersion((found.identifier,), found.identifier[:12], found.modified or "")

    # -- writing, through the Graph Store HTTP Protocol

    def replace_graph(self, graph: str, ntriples: bytes) -> None:
        self._graph_request("PUT", graph, ntriples, "application/n-triples")

    def add_file(self, path: Path, graph: str) -> None:
        fmt = file_format(path)
        data = path.read_bytes()
        try:  # refuse a broken file here rather than leave half of it on the server
            ntriples = ox.serialize(
                (q.triple for q in ox.parse(data, format=fmt)), format=ox.RdfFormat.N_TRIPLES
            )
        except SyntaxError as e:
            raise RDFFileError(f"{path}: {e}") from None
        self._graph_request("POST", graph, ntriples or b"", "application/n-triples")

    def drop_graph(self, graph: str) -> None:
        try:
            self._graph_request("DELETE", graph, None, None)
        except StoreUnavailable as e:
            if "404" not in str(e):
                raise

    def _graph_request(
        self, method: str, graph: str, body: bytes | None, content_type: str | None
    ) -> None:
        url = self._graph_store or default_graph_store(self.endpoint)
        separator = "&" if "?" in url else "?"
        address = f"{url}{separator}{urlencode({'graph': graph})}"
        request = urllib.request.Request(address, data=body, method=method)
        if content_type:
            request.add_header("Content-Type", content_type)
        try:
            self._authorize(request)
            with urllib.request.urlopen(request, timeout=max(self.timeout, 600)) as response:
                response.read()
        except HTTPError as e:
            detail = e.read(500).decode("utf-8", "replace").strip()
            hint = " (check the user and password)" if e.code == 401 else ""
            raise StoreUnavailable(
                f"{method} <{graph}> at {url}: HTTP {e.code}{hint} {detail}"
            ) from None
        except (URLError, OSError) as e:
            raise StoreUnavailable(f"{method} <{graph}> at {url}: {e}") from e

    def _authorize(self, request: urllib.request.Request) -> None:
        """Add the credentials before the body is sent: a server that refuses an unauthorised
        request closes the connection while a large body is still on its way (a broken pipe),
        so the challenge (Digest for Virtuoso, or Basic) is fetched first by a bodiless GET."""
        if self._credentials is None:
            return
        try:
            with urllib.request.urlopen(request.full_url, timeout=self.timeout):
                return  # no challenge: the server does not ask for credentials
        except HTTPError as e:
            if e.code != 401:
                return  # the real request will say what is wrong
            challenge = e.headers.get("WWW-Authenticate", "")
        scheme, _, params = challenge.partition(" ")
        user, password = self._credentials.user, self._credentials.password
        if scheme.lower() == "digest":
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            passwords.add_password(None, request.full_url, user, password)
            fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(params))
            answer = urllib.request.HTTPDigestAuthHandler(passwords).get_authorization(
                request, fields
            )
            request.add_header("Authorization", f"Digest {answer}")
        else:
            token = base64.b64encode(f"{user}:{password}".encode()).decode()
            request.add_header("Authorization", f"Basic {token}")


def stopped_at_limit(error: str) -> bool:
    """Whether a server's error answer says it stopped the query at its own limit
    (:data:`SERVER_TIMEOUT`): the whole answer is read, as Virtuoso writes its words after the
    partial answer, but not the query the server echoes after them."""
    return SERVER_TIMEOUT.search(error.split("SPARQL query:", 1)[0]) is not None


def without_graph(sparql: str, *graphs: str) -> str:
    """``sparql`` with each ``GRAPH ?var { … }`` followed by ``FILTER(?var != <graph> …)`` in
    its group: the variable then never takes one of ``graphs`` (a standard rewrite, for any
    server).

    >>> without_graph('SELECT * WHERE { GRAPH ?g { ?s ?p "}" } }', "urn:m")
    'SELECT * WHERE { GRAPH ?g { ?s ?p "}" } FILTER(?g != <urn:m>) }'
    """
    masked = _LITERALS.sub(lambda m: " " * len(m.group()), sparql)
    for found in reversed(list(_GRAPH_VARIABLE.finditer(masked))):
        end = _group_end(masked, found.end() - 1)
        test = " && ".join(f"{found.group(1)} != <{g}>" for g in graphs)
        sparql = f"{sparql[:end]} FILTER({test}){sparql[end:]}"
    return sparql


@dataclass(frozen=True)
class Dataset:
    """What :data:`DATASET_GRAPH` says of the data PolicyKG loaded into a server."""

    identifier: str  # of the load: a hash of every graph's content
    default_graph: str  # the graph holding the merge of the named graphs
    modified: str | None  # when it was loaded (ISO 8601)
    named_graphs: tuple[str, ...]
    uri_space: str | None  # the base its IRIs were minted under (``policykg build --base``)


def orders_a_subquery_without_limit(sparql: str) -> bool:
    """Whether a subquery has an ``ORDER BY`` but no ``LIMIT`` or ``OFFSET``: an order that
    orders nothing, which Virtuoso 7.2 joined (the slogans listed at 100× the corpus) by growing
    a gigabyte a second until the kernel killed it, whatever its MaxQueryMem (bench/SCALE.md).

    >>> orders_a_subquery_without_limit("SELECT * { { SELECT ?s { ?s ?p ?o } ORDER BY ?s } }")
    True
    >>> orders_a_subquery_without_limit("SELECT * { { SELECT ?s {} ORDER BY ?s LIMIT 9 } }")
    False
    >>> orders_a_subquery_without_limit("SELECT * { ?s ?p '{ ORDER BY' } ORDER BY ?s # }")
    False
    """
    masked = _LITERALS.sub(lambda m: " " * len(m.group()), sparql)
    for order in re.finditer(r"(?i)\bORDER\s+BY\b", masked):
        depth = 0
        for end in range(order.end(), len(masked)):  # to the brace closing the subquery
            depth += {"{": 1, "}": -1}.get(masked[end], 0)
            if depth < 0:
                if not re.search(r"(?i)\b(?:LIMIT|OFFSET)\b", masked[order.end() : end]):
                    return True
                break
    return False


def has_transitive_path(sparql: str) -> bool:
    """Whether ``sparql`` has a ``*`` or ``+`` property path (``pol:hasComponent*``,
    ``(a|^b)+``); an arithmetic ``+`` after a name counts too (asked one term at a time then,
    which is only slower).

    >>> has_transitive_path("SELECT * WHERE { ?t <x:p>* ?x FILTER(?n > COUNT(*)) }")
    True
    >>> has_transitive_path('SELECT (COUNT(*) AS ?n) WHERE { ?t <x:p> "a*" }')
    False
    """
    return _TRANSITIVE.search(_LITERALS.sub(lambda m: "x" * len(m.group()), sparql)) is not None


_TRANSITIVE = re.compile(r"[\w)][*+]")


def describe_dataset(
    named_graphs: Iterable[str], identifier: str, modified: str, base: str | None = None
) -> bytes:
    """The N-Triples of :data:`DATASET_GRAPH` for a load of ``named_graphs`` (SPARQL Service
    Description terms), whose merge is in :data:`MERGE_GRAPH`, minted under ``base`` (VoID's
    ``uriSpace``: the service over the server serves those IRIs)."""
    me = f"<{DATASET_GRAPH}>"
    lines = [
        f"{me} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{_SD}Dataset> .",
        f"{me} <{_SD}defaultGraph> <{MERGE_GRAPH}> .",
        f'{me} <{_DCTERMS}identifier> "{identifier}" .',
        f'{me} <{_DCTERMS}modified> "{modified}"^^<http://www.w3.org/2001/XMLSchema#dateTime> .',
    ]
    if base:
        lines.append(f"{me} <{_URI_SPACE}> {ox.Literal(base)} .")
    for i, graph in enumerate(sorted(named_graphs)):
        lines.append(f"{me} <{_SD}namedGraph> _:g{i} .")
        lines.append(f"_:g{i} <{_SD}name> <{graph}> .")
    return ("\n".join(lines) + "\n").encode()


def read_dataset(store: RemoteStore, named: bool = True) -> Dataset | None:
    """The description in :data:`DATASET_GRAPH` (its named graphs only when ``named``), or
    None when the server holds none."""
    head = (
        f"SELECT ?id ?default ?modified ?space WHERE {{ GRAPH <{DATASET_GRAPH}> {{ "
        f"<{DATASET_GRAPH}> <{_DCTERMS}identifier> ?id ; <{_SD}defaultGraph> ?default . "
        f"OPTIONAL {{ <{DATASET_GRAPH}> <{_DCTERMS}modified> ?modified }} "
        f"OPTIONAL {{ <{DATASET_GRAPH}> <{_URI_SPACE}> ?space }} }} }}"
    )
    rows = store.query(head, default_graphs=[DATASET_GRAPH], named_graphs=[DATASET_GRAPH])
    if not rows:
        return None
    row = rows[0]  # type: ignore[index]
    graphs: tuple[str, ...] = ()
    if named:
        listed = store.query(
            f"SELECT ?g WHERE {{ GRAPH <{DATASET_GRAPH}> {{ <{DATASET_GRAPH}> "
            f"<{_SD}namedGraph> ?d . ?d <{_SD}name> ?g }} }}",
            default_graphs=[DATASET_GRAPH],
            named_graphs=[DATASET_GRAPH],
            timeout=max(store.timeout, 120),
        )
        graphs = tuple(sorted(r["g"].value for r in listed))  # type: ignore[index, union-attr]
    modified, space = row.get("modified"), row.get("space")  # type: ignore[union-attr]
    return Dataset(
        row["id"].value,  # type: ignore[index]
        row["default"].value,  # type: ignore[index]
        modified.value if modified is not None else None,
        graphs,
        space.value if space is not None else None,
    )


class _BlankNodeLabels:
    """A JSON results stream with Virtuoso's blank node labels (``"nodeID://b10006"``, not a
    valid label) made plain ones (``"b10006"``), read a line at a time as the parser asks: the
    stream stays lazy, and Virtuoso writes one solution a line."""

    _LABEL = re.compile(rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*")nodeID://')

    def __init__(self, response: Any):
        self._response = response
        self._buffer = b""
        self._done = False

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._buffer) < size):
            line = self._response.readline()
            if not line:
                self._done = True
            elif b"nodeID://" in line:
                self._buffer += self._LABEL.sub(rb"\1", line)
            else:
                self._buffer += line
        if size < 0:
            size = len(self._buffer)
        chunk, self._buffer = self._buffer[:size], self._buffer[size:]
        return chunk


XSD_BOOLEAN = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
_BOOLEANS = {
    "1": ox.Literal("true", datatype=XSD_BOOLEAN),
    "0": ox.Literal("false", datatype=XSD_BOOLEAN),
}


def _canonical(term: Term | None) -> Term | None:
    """A boolean in its canonical form: Virtuoso stores ``true`` and answers ``"1"^^xsd:boolean``."""
    if isinstance(term, ox.Literal) and term.datatype == XSD_BOOLEAN:
        return _BOOLEANS.get(term.value, term)
    return term


def _server_message(error: Exception) -> str:
    """The server's own words, without SPARQLWrapper's boilerplate or the echoed query."""
    text = str(error).split("Response:", 1)[-1].strip()
    text = re.sub(r"^b['\"]|['\"]$", "", text).replace("\\n", "\n")
    return text.split("SPARQL query:", 1)[0].strip()[:400]
