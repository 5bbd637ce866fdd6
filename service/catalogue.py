"""The named-query catalogue on the web: ``/queries`` (pages) and ``/api/queries/<name>`` (data).

- ``GET /queries``: every named query with its titles, description, parameters and a form.
- ``GET /queries/<name>?param=…``: one query, its SPARQL, its form and, when the parameters are
  given (or it takes none), its answer as a table.
- ``GET /api/queries/<name>?param=…``: the answer as JSON (default) or CSV (``?format=csv`` or
  ``Accept: text/csv``)::

      {"query": "chain-enterprises", "params": {"chain": "四主链"},
       "variables": ["chain", "slogan", ...], "rows": [{"industryLabel": "医药健康产业", ...}],
       "count": 5}

  Cells are strings (IRIs and literal values); a variable left unbound is absent from its row.

Unknown names answer 404; a missing, unknown or ill-typed parameter answers 400 naming it.
Named queries run like any other SPARQL: in a query worker, with the parameters bound by the
engine, cut at ``QUERY_TIMEOUT`` (503), refused past ``MAX_ROWS`` (400: the API never answers
short; the page shows the first rows and says so), and counted against
``MAX_CONCURRENT_QUERIES`` (429).
"""

from __future__ import annotations

import csv
import io
import json

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from ..queries import NamedQuery, ParameterError, UnknownQuery, get_query, load_catalogue
from .answers import catalogue_rows, rows_html
from .errors import ServiceError
from .jobs import run_job
from .negotiation import negotiate
from .results import Job

bp = Blueprint("catalogue", __name__)

FORMAT_PARAM = "format"
JSON_RESULTS = "application/sparql-results+json"
XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {XSD + t for t in ("integer", "int", "long", "short", "nonNegativeInteger")}
_DECIMALS = {XSD + t for t in ("decimal", "double", "float")}


bp.add_app_template_filter(rows_html, "rows_html")


@bp.get("/queries")
def index() -> str:
    """The catalogue page: one card per query with a form pre-filled with its example."""
    return render_template("queries.html", queries=list(load_catalogue().values()))


@bp.get("/queries/<name>")
def page(name: str) -> str:
    """One query: description, form, SPARQL and, once its parameters are given, its rows."""
    query = _lookup(name)
    params = _params()
    rows, truncated = None, False
    columns: list = []
    shown: list = []
    if params or not any(p.required for p in query.params):
        rows, truncated = _run(query, params, page=True)
        columns, shown = catalogue_rows(query, rows)
    return render_template(
        "query.html",
        query=query,
        params=params,
        rows=rows,
        columns=columns,
        shown=shown,
        truncated=truncated,
    )


@bp.get("/api/queries/<name>")
def api(name: str) -> Response:
    """The answer of one named query as JSON or CSV."""
    query = _lookup(name)
    params = _params()
    rows, _ = _run(query, params)
    if _wants_csv():
        return _csv(query, rows)
    return jsonify(
        query=query.name,
        params=params,
        variables=list(query.variables),
        rows=rows,
        count=len(rows),
    )


def _lookup(name: str) -> NamedQuery:
    try:
        return get_query(name)
    except UnknownQuery as e:
        raise ServiceError(str(e), 404) from None


def _params() -> dict[str, str]:
    """The query-string parameters meant for the query (``format`` is ours)."""
    return {k: v for k, v in request.args.items() if k != FORMAT_PARAM}


def _run(query: NamedQuery, params: dict[str, str], page: bool = False) -> tuple[list[dict], bool]:
    """Rows of ``query`` (IRIs and texts as strings, numbers and booleans typed) and whether
    the row cap cut them (only for a ``page``: the API refuses a result past the cap).

    :raises ServiceError: 400 for a bad parameter or, outside a page, too many rows; 429, 503
        as for any query.
    """
    try:
        bindings = query.bind(params)
    except ParameterError as e:
        raise ServiceError(str(e), 400) from None
    media_type = "text/html" if page else JSON_RESULTS
    job = Job(query.sparql, media_type, None, current_app.config["MAX_ROWS"], bindings=bindings)
    answer = run_job(job)
    if answer.table is not None:
        table = answer.table
        rows = [
            {
                name: _value({"value": c[1], "datatype": c[2] or ""})
                for name, c in zip(table.variables, row, strict=True)
                if c
            }
            for row in table.rows
        ]
        return rows, answer.truncated
    solutions = json.loads(answer.body)["results"]["bindings"]
    return [{name: _value(term) for name, term in s.items()} for s in solutions], False


def _value(term: dict) -> str | int | float | bool:
    """A SPARQL JSON cell as JSON: numbers and booleans typed, everything else its text."""
    datatype, text = term.get("datatype", ""), term["value"]
    try:
        if datatype in _INTEGERS:
            return int(text)
        if datatype in _DECIMALS:
            return float(text)
    except ValueError:
        return text  # an ill-formed literal stays as written
    if datatype == XSD + "boolean":
        return text in ("true", "1")
    return text


def _wants_csv() -> bool:
    return negotiate(("json", "csv"), request.args.get(FORMAT_PARAM)).name == "csv"


def _csv(query: NamedQuery, rows: list[dict]) -> Response:
    """The rows as CSV, values raw (IRIs as IRIs), led by a UTF-8 byte order mark: Excel on
    Chinese Windows reads a file without one as GBK (mojibake); csv readers opening it with
    ``encoding="utf-8-sig"`` drop it."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(query.variables)
    for row in rows:
        cells = (row.get(v, "") for v in query.variables)
        writer.writerow([json.dumps(c) if isinstance(c, bool) else c for c in cells])
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{query.name}.csv"'},
    )
