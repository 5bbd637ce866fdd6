"""The dumps written by ``policykg build`` (never per request), listed at ``/dumps/``, and their
VoID description at ``/.well-known/void``.

The files live in ``DUMPS_DIR`` (default: ``dumps/`` inside the store directory, where
:func:`policykg.kg.dumps.write_dumps` puts them at build time)::

    GET /dumps/                      the listing: HTML, or JSON for ``Accept: application/json``
    GET /dumps/policykg.nq.gz        one dump (also SHA256SUMS, void.ttl)
    GET /.well-known/void            VoID as Turtle (or JSON-LD, RDF/XML, N-Triples; HTML → /dumps/)
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    send_from_directory,
)

from ..kg.dumps import (
    MANIFEST_FILE,
    SUMS_FILE,
    VOID_FILE,
    manifest_row,
    read_manifest,
    site_root,
)
from . import db
from .errors import ServiceError
from .links import base_iri, graph_anchor, graph_link, local_href
from .negotiated import data_links, page_or_rdf, rdf_response
from .negotiation import negotiate

bp = Blueprint("dumps", __name__)

_SUFFIX_TYPES = {".gz": "application/gzip", ".ttl": "text/turtle", "SUMS": "text/plain"}


def dumps_dir() -> Path:
    """``DUMPS_DIR``, else where the build wrote the store's dumps (``DIR/dumps``); a server
    has no such place, so it needs ``DUMPS_DIR``."""
    configured = current_app.config.get("DUMPS_DIR")
    if configured:
        return Path(configured)
    if current_app.extensions.get(db.EXTENSION) is None:
        return Path("dumps")
    return db.get_store().dumps_dir() or Path("dumps")


@bp.before_request
def _same_version() -> None:
    """Dumps live in the store directory, which a rebuild replaces at once, while the rest of
    the site switches once the new version is open: until then, say so rather than serve dumps
    of a version the site does not show yet."""
    if current_app.config.get("DUMPS_DIR") or not current_app.config.get("STORE_PATH"):
        return
    backend = db.get_backend()
    serving = backend.version
    if serving is not None and backend.store.version() != serving:
        raise ServiceError(
            "the store is being replaced by a new build; its dumps are served in a moment",
            503,
            headers={"Retry-After": "2"},
        )


def _missing() -> None:
    abort(
        404,
        description=f"no dumps in {dumps_dir()}: they are written by `policykg build` "
        "(or `policykg dump`); set DUMPS_DIR if they live elsewhere",
    )


def _void_triples() -> list[ox.Triple]:
    path = dumps_dir() / VOID_FILE
    if not path.is_file():
        _missing()
    return served_here([q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)])


# What the server itself answers under the site root, as opposed to names (``id/…``, the
# ontology's ``ontology#…``), which stay as they are.
_SERVICE_PATHS = ("sparql", "dumps/", ".well-known/")


def served_here(triples: list[ox.Triple]) -> list[ox.Triple]:
    """VoID as served: its service links (the SPARQL endpoint, the dumps, the VoID document,
    the home page) at the address this server is reached at, so that they work from there
    even before the canonical namespace redirects (``deploy/w3id/``); resource IRIs and the
    vocabularies the data uses are kept as built.
    """
    root = site_root(base_iri())
    here = request.host_url.rstrip("/") + request.script_root + "/"
    if root == here:
        return triples

    def move(term):
        if isinstance(term, ox.NamedNode) and term.value.startswith(root):
            rest = term.value[len(root) :]
            if rest == "" or rest.startswith(_SERVICE_PATHS):
                return ox.NamedNode(here + rest)
        return term

    return [ox.Triple(move(t.subject), t.predicate, move(t.object)) for t in triples]


def void_summary(triples: list[ox.Triple]) -> dict:
    """The dataset's total, licence and date, and one row per subset (graph) with its count."""
    void = "http://rdfs.org/ns/void#"
    dcterms = "http://purl.org/dc/terms/"
    by_subject: dict[str, dict[str, list[str]]] = {}
    for t in triples:
        if isinstance(t.subject, ox.Triple) or isinstance(t.object, ox.Triple):
            continue  # no RDF-star in VoID
        by_subject.setdefault(t.subject.value, {}).setdefault(t.predicate.value, []).append(
            t.object.value
        )
    dataset = next(
        (s for s, props in by_subject.items() if void + "subset" in props),
        next(iter(by_subject), ""),
    )
    props = by_subject.get(dataset, {})

    def one(p: dict, name: str) -> str:
        return (p.get(name) or [""])[0]

    subsets = []
    for graph in sorted(props.get(void + "subset", []), key=_subset_order):
        g = by_subject.get(graph, {})
        subsets.append(
            {
                "graph": graph_link(graph),
                "anchor": graph_anchor(graph),
                "data": data_links(local_href(graph)),
                "triples": int(one(g, void + "triples") or 0),
                "title": one(g, dcterms + "title"),
            }
        )
    return {
        "iri": dataset,
        "triples": int(one(props, void + "triples") or 0),
        "license": one(props, dcterms + "license"),
        "modified": one(props, dcterms + "modified"),
        "subsets": subsets,
    }


def _subset_order(graph: str) -> tuple[str, str]:
    """Shared graphs first, then per report its own graph followed by the one inferred over it."""
    kind, _, slug = graph.rsplit("/graph/", 1)[-1].partition("/")
    return (slug, {"report": "1", "inferred": "2"}.get(kind, "0" + kind))


def _rows() -> list[dict]:
    return [manifest_row(f) for f in read_manifest(dumps_dir())]


@bp.route("/dumps/")
def listing():
    """Every dump with its format, statement count, size and sha256."""
    rows = _rows()
    if not rows:
        _missing()
    if negotiate(("html", "json")).name == "json":
        return jsonify({"dumps": rows, "sha256sums": SUMS_FILE, "void": "/.well-known/void"})
    return render_template("dumps.html", rows=rows, void=void_summary(_void_triples()))


@bp.route("/dumps/<name>")
def download(name: str):
    """One file of the dumps directory: a dump, SHA256SUMS or void.ttl."""
    allowed = {f.name for f in read_manifest(dumps_dir())} | {SUMS_FILE, VOID_FILE, MANIFEST_FILE}
    if name not in allowed or not (dumps_dir() / name).is_file():
        abort(404, description=f"no dump called {name!r}; see /dumps/")
    mimetype = next((t for s, t in _SUFFIX_TYPES.items() if name.endswith(s)), None)
    return send_from_directory(
        dumps_dir(), name, mimetype=mimetype, as_attachment=name.endswith(".gz")
    )


@bp.route("/.well-known/void")
def void():
    """The VoID description: RDF by content negotiation; browsers get the dumps page."""
    triples = _void_triples()
    media_type = page_or_rdf(prefer="ttl")
    if media_type == "text/html":
        return render_template("dumps.html", rows=_rows(), void=void_summary(triples))
    response = rdf_response(triples, media_type, "void")
    response.vary.add("Accept")
    return response
