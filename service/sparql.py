"""The SPARQL 1.1 Protocol endpoint at ``/sparql``, its service description and query page
(a little over 400 lines, one module: the endpoint, its fast path and its service description
read and answer the same operation and must agree on every refusal).

One request goes: read the operation (``protocol.py``) → refuse what the service never does
(updates, SERVICE, FROM a graph it does not hold: ``screening.py``) → pick the media type →
run it in a worker (``jobs.py``, ``pool.py``: cut at the timeout, refused past the row cap: 400, except
the page, which shows the first rows and says so) → answer, or render the
query page when a browser asked (``format=html`` works without JavaScript). A GET that asks for
results takes the same steps in :class:`QueryFastPath`, in front of Flask.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import (
    Blueprint,
    Flask,
    Response,
    after_this_request,
    current_app,
    render_template,
    request,
)
from flask.config import Config
from werkzeug import Request as WsgiRequest
from werkzeug.utils import get_content_type

from ..kg.formats import FORMATS, W3C
from ..kg.vocab import RDF
from .answers import sparql_rows
from .db import EXTENSION, Backend, get_backend, prefixes
from .errors import ServiceError, payload, respond
from .examples import Example, load_examples
from .jobs import answer_job, client
from .negotiation import choose, rdf_format
from .protocol import GRAPH, TABULAR, Operation, negotiate, read_operation
from .results import Answer, Job
from .screening import Screened, screen

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

bp = Blueprint("sparql", __name__)

READ_ONLY = "this SPARQL service is read-only: updates (INSERT, DELETE, LOAD, CLEAR...) are refused"
NO_LOAD = "LOAD is refused: this endpoint is read-only and never fetches data from other servers"


@bp.route("/sparql", methods=["GET", "POST"])
@bp.route("/sparql/", methods=["GET", "POST"])
def endpoint() -> Response | str | tuple[str, int]:
    """The SPARQL 1.1 Protocol query operation (read-only)."""
    after_this_request(vary_accept)
    operation = read_operation(request, current_app.config["MAX_BODY_BYTES"])
    if operation.update is not None:
        raise refusal(screen(operation.update))
    if operation.query is None:
        if request.method == "POST":
            raise ServiceError(
                "no query: send query=... or a body of type application/sparql-query"
            )
        return describe_or_page(operation)
    tabular, graph = negotiate(request, operation.params)
    if tabular is None and graph is None:
        raise ServiceError("none of the Accept header's media types can carry SPARQL results", 406)
    wants_page = "text/html" in (tabular, graph)
    if wants_page:
        # The page promises the project's prefixes: a query typed without them (the README's
        # examples) runs, and the editor shows the declarations it ran with.
        declared = prefixes(current_app.config["BASE_IRI"])
        operation = dataclasses.replace(operation, query=with_prefixes(operation.query, declared))
    started = time.perf_counter()
    try:
        answer = run(operation, tabular, graph)
    except ServiceError as e:
        if not wants_page:
            raise
        return render_page(operation, error=e), e.status
    if answer.table is not None:
        elapsed = time.perf_counter() - started
        return render_page(operation, answer=answer, elapsed=elapsed)
    return result_response(answer)


def run(operation: Operation, tabular: str | None, graph: str | None) -> Answer:
    """Screen the query and run it in a worker; every refusal is a :class:`ServiceError`."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return run_query(
        app, get_backend(), operation, tabular, graph, endpoint_url(request.environ), client()
    )


def run_query(
    app: Flask,
    backend: Backend,
    operation: Operation,
    tabular: str | None,
    graph: str | None,
    base_iri: str,
    client: str,
) -> Answer:
    """:func:`run` with its context given (the fast path has no Flask request)."""
    query = operation.query or ""
    default_graphs, named_graphs = check_query(query, operation, backend, app.config)
    job = Job(query, tabular, graph, app.config["MAX_ROWS"], default_graphs, named_graphs, base_iri)
    return answer_job(app, backend, job, client)


@bp.record_once
def _setup(state) -> None:
    """The fast path in front of Flask."""
    app = state.app
    app.wsgi_app = QueryFastPath(app.wsgi_app, app)


def refusal(screened: Screened) -> ServiceError:
    """The error for an update: 400 for LOAD (it would fetch from the web), else 403."""
    if screened.form == "LOAD":
        return ServiceError(NO_LOAD, 400)
    return ServiceError(READ_ONLY, 403)


def endpoint_url(environ: dict) -> str:
    """This endpoint's URL (the base IRI of relative IRIs in queries), built without werkzeug's
    IRI decoding, which costs more than the rest of a small query."""
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "localhost")
    path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", "replace")
    return f"{environ['wsgi.url_scheme']}://{host}{environ.get('SCRIPT_NAME', '')}{path}"


def check_query(
    query: str, operation: Operation, backend: Backend, config: Config
) -> tuple[list[str] | None, list[str] | None]:
    """Refuse updates, SERVICE, over-long, over-deep or over-complex queries, and FROM graphs the
    store does not hold.

    Returns the dataset to run the query on (default graphs, named graphs): the protocol's,
    else the query's FROM / FROM NAMED, else None for the union of all graphs.
    """
    if len(query.encode("utf-8", "replace")) > config["MAX_QUERY_BYTES"]:
        raise ServiceError(
            f"the query is longer than {config['MAX_QUERY_BYTES']:,} bytes, the most this "
            "endpoint accepts",
            413,
        )
    screened = screen(query)
    if screened.is_update:
        raise refusal(screened)
    if screened.uses_service:
        raise ServiceError("SERVICE is refused: this endpoint never connects to other servers", 400)
    limit = config["MAX_QUERY_DEPTH"]
    if screened.depth > limit:
        raise ServiceError(f"the query nests deeper than {limit} levels", 400)
    most = config["MAX_QUERY_OPERATORS"]
    if screened.operators > most:
        raise ServiceError(
            f"the query has {screened.operators} groups and operators (UNION, OPTIONAL, FILTER, "
            f"&&...); this endpoint evaluates at most {most}",
            400,
        )
    if operation.default_graphs is not None:  # a protocol dataset overrides FROM
        return operation.default_graphs, operation.named_graphs
    if not (screened.from_graphs or screened.from_named_graphs):
        return None, None
    for graph in screened.from_graphs + screened.from_named_graphs:
        if graph not in backend.graphs:
            raise ServiceError(
                f"FROM <{graph}> names no graph in this store, and this endpoint never "
                "fetches data from the web; the service description lists the graphs",
                400,
            )
    # Given explicitly, because the engine's union default graph would hide FROM.
    return screened.from_graphs, screened.from_named_graphs


def vary_accept(response: Response) -> Response:
    """The endpoint's answers (pages, descriptions, results, errors) depend on Accept."""
    response.vary.add("Accept")
    return response


def result_response(answer: Answer) -> Response:
    """The serialised answer (always whole: past the row cap the worker refuses it)."""
    return Response(answer.body, mimetype=answer.media_type)


# ---------------------------------------------------------------- the fast path


class QueryFastPath:
    """WSGI middleware in front of Flask for the endpoint's commonest request: a GET of
    ``/sparql?query=…`` answered in a result format (not the query page).

    It goes through the same steps as :func:`endpoint` (protocol reading, negotiation, the
    screen and every cap, the client's share, a worker or the result cache), without Flask's
    per-request machinery (contexts, routing, hooks), which costs as much as a small query.
    Any other request goes to Flask; so does the rendering of an error, in a request context
    of its own, so that errors look the same either way. Installed by :func:`_setup`, inside
    the app's fixed headers (``service/__init__.py``).
    """

    PATHS = frozenset({"/sparql", "/sparql/"})

    def __init__(self, wsgi_app: WSGIApplication, app: Flask):
        self.wsgi_app = wsgi_app
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if (
            environ.get("REQUEST_METHOD") != "GET"
            or environ.get("PATH_INFO") not in self.PATHS
            or "query=" not in environ.get("QUERY_STRING", "")
        ):
            return self.wsgi_app(environ, start_response)
        backends = self.app.extensions.get(EXTENSION)
        if backends is None:  # no store: Flask answers 503
            return self.wsgi_app(environ, start_response)
        backend = backends if isinstance(backends, Backend) else backends.get()
        config = self.app.config
        wsgi_request = WsgiRequest(environ)
        try:
            operation = read_operation(wsgi_request, config["MAX_BODY_BYTES"])
            if operation.query is None or operation.update is not None:
                return self.wsgi_app(environ, start_response)
            tabular, graph = negotiate(wsgi_request, operation.params)
            if "text/html" in (tabular, graph) or (tabular is None and graph is None):
                return self.wsgi_app(environ, start_response)
            answer = run_query(
                self.app,
                backend,
                operation,
                tabular,
                graph,
                endpoint_url(environ),
                environ.get("REMOTE_ADDR", ""),
            )
        except ServiceError as e:
            return self.error(environ, e)(environ, start_response)
        except Exception:  # what Flask does with a bug: log it, answer 500 without details
            self.app.logger.exception("the SPARQL endpoint failed on %s", wsgi_request.url)
            error = ServiceError("the server failed to answer this request", 500)
            return self.error(environ, error)(environ, start_response)
        # The headers result_response() would give, without building a Response.
        headers = [
            ("Content-Type", get_content_type(answer.media_type, "utf-8")),
            ("Content-Length", str(len(answer.body))),
            ("Vary", "Accept"),
        ]
        start_response("200 OK", headers)
        return [answer.body]

    def error(self, environ: WSGIEnvironment, error: ServiceError) -> Response:
        """The app's answer to ``error`` (JSON, or a page for browsers)."""
        with self.app.request_context(environ):
            response = respond(error)
        response.vary.add("Accept")
        return response


# ---------------------------------------------------------------- service description

SD = "http://www.w3.org/ns/sparql-service-description#"
W3C_FORMATS = W3C
RDF_TYPE = RDF.type
# what the service answers in: every format of the table with a W3C name (results and RDF)
RESULT_FORMATS = tuple(f.w3c for f in FORMATS.values() if f.w3c)


def describe_or_page(operation: Operation) -> Response | str:
    """GET without a query: the service description for RDF clients, the page for browsers
    (who also win a tie, and get the page for ``*/*``)."""
    fmt = operation.params.get("format")
    chosen = choose(("html", *GRAPH[:-1]), fmt, request.headers.get("Accept"))
    if chosen is None:
        raise ServiceError(f"the service description cannot be sent as format={fmt}", 406)
    if chosen.name == "html":
        return render_page(operation)
    triples = service_description(request.base_url, get_backend().graphs)
    rdf = rdf_format(chosen.media_type)
    data: list = triples
    if rdf.supports_datasets:
        data = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    body = ox.serialize(data, format=rdf, prefixes={"sd": SD, "formats": W3C_FORMATS})
    return Response(body, mimetype=chosen.media_type)


def service_description(endpoint_url: str, graphs: frozenset[str]) -> list[ox.Triple]:
    """The ``sd:Service`` triples of this endpoint and its dataset."""
    service, dataset, default = ox.BlankNode(), ox.BlankNode(), ox.BlankNode()

    def sd(term: str) -> ox.NamedNode:
        return ox.NamedNode(SD + term)

    triples = [
        ox.Triple(service, RDF_TYPE, sd("Service")),
        ox.Triple(service, sd("endpoint"), ox.NamedNode(endpoint_url)),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default),
        ox.Triple(default, RDF_TYPE, sd("Graph")),
    ]
    triples += [
        ox.Triple(service, sd("resultFormat"), ox.NamedNode(W3C_FORMATS + f))
        for f in RESULT_FORMATS
    ]
    for graph in sorted(graphs):
        node = ox.BlankNode()
        triples += [
            ox.Triple(dataset, sd("namedGraph"), node),
            ox.Triple(node, RDF_TYPE, sd("NamedGraph")),
            ox.Triple(node, sd("name"), ox.NamedNode(graph)),
        ]
    return triples


# ---------------------------------------------------------------- the query page


@bp.app_template_global()
def entity_href(iri: str) -> str | None:
    """This server's page for ``iri`` when it is under ``BASE_IRI`` (``id:x`` → ``/id/x``)."""
    base = current_app.config["BASE_IRI"]
    if iri.startswith(base):
        return f"{request.script_root}/id/{iri[len(base) :]}"
    if iri.startswith(("http://", "https://")):
        return iri
    return None


@bp.app_template_global()
def compact_iri(iri: str) -> str:
    """``iri`` as ``prefix:local`` when one of the project's prefixes covers it."""
    for name, namespace in prefixes(current_app.config["BASE_IRI"]).items():
        local = iri[len(namespace) :]
        if iri.startswith(namespace) and re.fullmatch(r"[\w\-./]*", local):
            return f"{name}:{local}"
    return iri


def with_prefixes(query: str, declared: dict[str, str]) -> str:
    """``query`` with the project's PREFIX lines it does not declare itself put in front."""
    missing = [
        f"PREFIX {name}: <{iri}>"
        for name, iri in declared.items()
        if not re.search(rf"(?i)\bPREFIX\s+{re.escape(name)}:", query)
    ]
    return "\n".join(missing) + ("\n\n" if missing else "") + query


STARTER = "SELECT ?thing ?label\nWHERE {\n  ?thing rdfs:label ?label .\n}\nLIMIT 20"


def render_page(
    operation: Operation | None = None,
    *,
    answer: Answer | None = None,
    error: ServiceError | None = None,
    elapsed: float | None = None,
) -> str:
    """The query page: editor, examples, and the answer table or the error."""
    declared = prefixes(current_app.config["BASE_IRI"])
    query = operation.query if operation and operation.query else with_prefixes(STARTER, declared)
    return render_template(
        "sparql.html",
        query=query,
        examples=_examples(current_app.config["BASE_IRI"]),
        prefixes=declared,
        answer=answer,
        error=payload(error) if error else None,
        error_line=_error_line(query, error),
        elapsed=elapsed,
        downloads=downloads(operation, answer) if answer else [],
        shown=sparql_rows(answer.table.rows) if answer and answer.table else [],
        max_rows=current_app.config["MAX_ROWS"],
    )


@functools.lru_cache(maxsize=4)
def _examples(base_iri: str) -> list[tuple[Example, str, str]]:
    """(example, its text with the prefixes it uses declared, its link's query string), made
    once: quoting the seventeen examples took half of the page's time."""
    declared = prefixes(base_iri)
    out = []
    for example in load_examples():
        text = with_prefixes(example.sparql, declared)
        out.append((example, text, urlencode({"query": text, "format": "html"})))
    return out


def downloads(operation: Operation | None, answer: Answer) -> list[tuple[str, str]]:
    """(format name, URL) for every format the answer can be downloaded in."""
    if operation is None or operation.query is None or answer.table is None:
        return []
    names = [n for n in (GRAPH if answer.table.graph else TABULAR) if n != "html"]
    base = [("query", operation.query), *operation.dataset_pairs]
    return [
        (name, f"{request.script_root}/sparql?" + urlencode([*base, ("format", name)]))
        for name in names
    ]


def _error_line(query: str, error: ServiceError | None) -> str | None:
    """The query line an error points at (for the page to show under the message)."""
    if error is None or not error.line:
        return None
    lines = query.splitlines()
    return lines[error.line - 1] if 0 < error.line <= len(lines) else None
