"""The SPARQL 1.1 Protocol endpoint at ``/sparql``, its service description and query page.

One request goes: read the operation (``protocol.py``) → refuse what the service never does
(updates, SERVICE, FROM a graph it does not hold: ``screening.py``) → pick the media type →
run it in a worker (``pool.py``, cut at the timeout, refused past the row cap: 400, except
the page, which shows the first rows and says so) → answer, or render the
query page when a browser asked (``format=html`` works without JavaScript).
"""

from __future__ import annotations

import re
import time
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, after_this_request, current_app, render_template, request

from .db import Backend, get_backend, prefixes
from .errors import ServiceError, payload
from .examples import load_examples
from .negotiation import choose
from .pool import PoolBusy, QueryFailed, QueryTimeout, WorkerLost
from .protocol import GRAPH, TABULAR, Operation, negotiate, read_operation
from .results import Answer, Job
from .screening import Screened, screen

bp = Blueprint("sparql", __name__)

READ_ONLY = "this SPARQL service is read-only: updates (INSERT, DELETE, LOAD, CLEAR...) are refused"
NO_LOAD = "LOAD is refused: this endpoint is read-only and never fetches data from other servers"
MAX_MESSAGE = 400  # pyoxigraph lists every expected token; keep messages readable


@bp.route("/")
def home() -> str:
    """The query page."""
    return render_page()


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
    backend = get_backend()
    query = operation.query or ""
    default_graphs, named_graphs = check_query(query, operation, backend)
    max_rows = current_app.config["MAX_ROWS"]
    return run_job(
        Job(query, tabular, graph, max_rows, default_graphs, named_graphs, endpoint_url())
    )


def run_job(job: Job) -> Answer:
    """Run ``job`` in a query worker, cut at the timeout (the endpoint and the catalogue both go
    through here).

    :raises ServiceError: 429 (too many queries), 503 (timeout), 400 (the engine refused it, or
        the answer has more than ``MAX_ROWS`` rows and is not a page).
    """
    config = current_app.config
    retry = {"Retry-After": str(config["RETRY_AFTER"])}
    try:
        return get_backend().pool.run(job, config["QUERY_TIMEOUT"])
    except PoolBusy:
        raise ServiceError(
            "too many queries at once; try again shortly", 429, headers=retry
        ) from None
    except QueryTimeout as e:
        raise ServiceError(str(e), 503, headers=retry) from None
    except WorkerLost:
        # The engine died on this query (a crash, not a timeout): the query is at fault.
        raise ServiceError("the query engine could not evaluate this query", 400) from None
    except QueryFailed as e:
        f = e.failure
        message = f.message if len(f.message) <= MAX_MESSAGE else f.message[:MAX_MESSAGE] + "…"
        raise ServiceError(message, f.status, line=f.line, column=f.column) from None


def refusal(screened: Screened) -> ServiceError:
    """The error for an update: 400 for LOAD (it would fetch from the web), else 403."""
    if screened.form == "LOAD":
        return ServiceError(NO_LOAD, 400)
    return ServiceError(READ_ONLY, 403)


def endpoint_url() -> str:
    """This endpoint's URL (the base IRI of relative IRIs in queries), built without werkzeug's
    IRI decoding, which costs more than the rest of a small query."""
    environ = request.environ
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "localhost")
    return f"{environ['wsgi.url_scheme']}://{host}{environ.get('SCRIPT_NAME', '')}{request.path}"


def check_query(
    query: str, operation: Operation, backend: Backend
) -> tuple[list[str] | None, list[str] | None]:
    """Refuse updates, SERVICE, over-deep nesting and FROM graphs the store does not hold.

    Returns the dataset to run the query on (default graphs, named graphs): the protocol's,
    else the query's FROM / FROM NAMED, else None for the union of all graphs.
    """
    screened = screen(query)
    if screened.is_update:
        raise refusal(screened)
    if screened.uses_service:
        raise ServiceError("SERVICE is refused: this endpoint never connects to other servers", 400)
    limit = current_app.config["MAX_QUERY_DEPTH"]
    if screened.depth > limit:
        raise ServiceError(f"the query nests deeper than {limit} levels", 400)
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


# ---------------------------------------------------------------- service description

SD = "http://www.w3.org/ns/sparql-service-description#"
W3C_FORMATS = "http://www.w3.org/ns/formats/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
    "TriG",
    "N-Quads",
)


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
    data: list = triples
    if chosen.rdf.supports_datasets:
        data = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    body = ox.serialize(data, format=chosen.rdf, prefixes={"sd": SD, "formats": W3C_FORMATS})
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
    examples = [(e, with_prefixes(e.sparql, declared)) for e in load_examples()]
    return render_template(
        "sparql.html",
        query=query,
        examples=examples,
        prefixes=declared,
        answer=answer,
        error=payload(error) if error else None,
        error_line=_error_line(query, error),
        elapsed=elapsed,
        downloads=downloads(operation, answer) if answer else [],
        max_rows=current_app.config["MAX_ROWS"],
    )


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
