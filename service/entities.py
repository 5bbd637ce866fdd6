"""Every IRI dereferences: ``/id/…`` pages for people, RDF for machines.

The configured base (``https://w3id.org/policykg/id/``) maps onto this server's ``/id/``, so
``https://w3id.org/policykg/id/enterprise/410000/ping-gao-22369446`` is served at
``/id/enterprise/410000/ping-gao-22369446``. One URL answers in five forms, chosen by
``?format=`` or else by the ``Accept`` header (``Vary: Accept``)::

    html    text/html               the page, with schema.org JSON-LD embedded
    ttl     text/turtle             its description: what it states and what points at it
    jsonld  application/ld+json
    rdf     application/rdf+xml
    nt      application/n-triples

Pages show where every statement comes from (the named graph: a report, the lexicon or the
reasoner) and every place the resource is mentioned, with the quote inside its sentence and a
link to the highlighted passage in the report text. Reports show their whole text with the
extracted spans marked; indicators a chart of targets against actual values. The ontology's
own IRIs are documented at ``/ontology`` (``vocabulary.py``), served the same way.

In RDF a resource is its symmetric concise bounded description, capped at 500 incoming
triples with a link to the rest (``description.py``).
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import (
    Blueprint,
    Response,
    abort,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from . import description, search
from .db import get_store
from .entityview import describe, span_href
from .errors import whole_number
from .links import POL, base_iri, graph_anchor
from .negotiated import data_links, graph_triples, page_or_rdf, rdf_response, vary_accept
from .reporttext import parse_highlight, report_text
from .schemaorg import schema_org
from .series import indicator_series

bp = Blueprint("entities", __name__)
bp.after_request(vary_accept)


_Q_GRAPH_EXISTS = "ASK { GRAPH ?g { ?s ?p ?o } }"


@bp.route("/id/<iri:key>")
def entity(key: str):
    """The resource ``{BASE_IRI}{key}`` as a page or as RDF."""
    iri = base_iri() + key
    media_type = page_or_rdf()
    if key.startswith("graph/"):
        return named_graph(iri, media_type)
    if media_type != "text/html":
        return rdf_description(iri, key, media_type)
    desc = describe(iri)
    if desc is None:
        abort(404, description=f"知识图谱中没有关于 <{iri}> 的记录。")
    kinds = {t.iri[len(POL) :] for t in desc.types if t.iri.startswith(POL)}
    term = search.term_index().get(iri)
    context = {
        "d": desc,
        "kinds": kinds,
        "term": term,
        "data_links": data_links(request.path),
        "jsonld": schema_org(desc, term.definition if term else ""),
    }
    from . import compare  # compare builds on this module

    if "Place" in kinds:
        context.update(compare.place_context(iri))
    if "Report" in kinds:
        context.update(compare.report_context(iri))
        text = next(
            (f.value for s in desc.statements if s.prop.iri == POL + "text" for f in s.values), ""
        )
        hl = parse_highlight(request.args.get("hl"))
        context["text"] = report_text(str(text), compare.report_spans(iri), hl)
        context["statements"] = [s for s in desc.statements if s.prop.iri != POL + "text"]
        return render_template("report.html", **context)
    if "Indicator" in kinds:
        context["series"] = indicator_series(iri, whole_number("page", 1))
    context["in_report"] = span_href(desc) if "TextSpan" in kinds else None
    return render_template("entity.html", **context)


def rdf_description(iri: str, key: str, media_type: str) -> Response:
    """The resource's symmetric concise bounded description (``description.py``), page
    ``?page=`` of its incoming triples; the next page in a ``Link`` header."""
    page = whole_number("page", 1)
    triples, next_url = description.describe(iri, key, page)
    if not triples:
        abort(
            404,
            description=f"nothing is known about <{iri}>" + (f" (page {page})" if page > 1 else ""),
        )
    response = rdf_response(triples, media_type, key.rsplit("/", 1)[-1])
    if next_url:
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return response


def named_graph(iri: str, media_type: str) -> ResponseReturnValue:
    """A named graph's IRI: its statements as RDF; browsers go to its row on ``/dumps/``."""
    if not get_store().ask(_Q_GRAPH_EXISTS, {"g": ox.NamedNode(iri)}):
        abort(404, description=f"没有名为 <{iri}> 的命名图。")
    if media_type == "text/html":
        return redirect(url_for("dumps.listing") + "#" + graph_anchor(iri), 303)
    return rdf_response(graph_triples(iri), media_type, iri.rstrip("/").rsplit("/", 1)[-1])
