"""The named-query catalogue on the web: ``/queries`` (pages) and ``/api/queries/<name>`` (data).

- ``GET /queries``: every named query with its titles, description, parameters and a form.
- ``GET /queries/<name>?param=…[&page=N]``: one query, its SPARQL, its form and, when the
  parameters are given (or it takes none), its answer as a table, :data:`PAGE_ROWS` rows a page
  with links to the next and previous (the downloads are the whole answer).
- ``GET /api/queries/<name>?param=…[&page=N][&limit=M]``: one page of the answer as JSON
  (default; :data:`API_PAGE_ROWS` rows, ``limit`` up to :data:`API_MAX_LIMIT`), the next and
  previous pages linked in the JSON and in a ``Link`` header (RFC 8288)::

      {"query": "chain-enterprises", "params": {"chain": "四主链"},
       "variables": ["chain", "slogan", ...], "rows": [{"industryLabel": "医药健康产业", ...}],
       "count": 5, "page": 1, "limit": 1000, "next": null}

  ``page=all`` answers the whole answer at once (a download), and so does CSV (``?format=csv``
  or ``Accept: text/csv``) unless a page is asked for; both are sent a piece at a time as the
  pieces are read (:func:`_run_whole`). The downloads of the queries that need no parameter
  are written at the app's start for each store version (:func:`warm`) and sent as files.
  Cells are strings (IRIs and literal values); a variable left unbound is absent from its row.

Unknown names answer 404; a missing, unknown or ill-typed parameter answers 400 naming it.
Named queries run like any other SPARQL: in a query worker, with the parameters bound by the
engine, cut at ``QUERY_TIMEOUT`` (503), refused past ``MAX_ROWS`` (400: the API never answers
short; a download past it after its first piece ends unfinished; the page shows the first rows
and says so), and counted against
``MAX_CONCURRENT_QUERIES`` (429).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import logging
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)

from ..kg.usercache import write_whole
from ..queries import NamedQuery, ParameterError, UnknownQuery, get_query, load_catalogue
from .answers import catalogue_rows, rows_html
from .db import get_backend
from .errors import ServiceError, whole_number
from .jobs import run_job
from .negotiation import negotiate
from .results import Job, TooManyRows
from .sqlitefile import writable

log = logging.getLogger(__name__)
bp = Blueprint("catalogue", __name__)

FORMAT_PARAM = "format"
PAGE_PARAM = "page"
LIMIT_PARAM = "limit"
WHOLE = "all"  # page=all: the whole answer
# Rows of one API page unless ``limit`` says otherwise: a machine client pages through a
# growing answer (slogans: ~117,000 rows at 100× the corpus) instead of waiting for all of it
API_PAGE_ROWS = 1000
API_MAX_LIMIT = 10_000
# Rows of an answer on one page: the engine reads only these (LIMIT and OFFSET), the worker
# sends and the page renders only these (the slogans' 1,173 rows took 75 ms of rendering alone).
PAGE_ROWS = 100
_OWN_LIMIT = re.compile(r"(?i)\b(LIMIT|OFFSET)\s+\d+\s*\Z")
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
    """One query: description, form, SPARQL and, once its parameters are given, one page of
    its rows."""
    query = _lookup(name)
    params = _params()
    number = _page_number()
    rows, truncated, more = None, False, False
    columns: list = []
    shown: list = []
    if params or not any(p.required for p in query.params):
        rows, truncated, more = _run_page(query, params, number)
        columns, shown = catalogue_rows(query, rows)
    return render_template(
        "query.html",
        query=query,
        params=params,
        rows=rows,
        columns=columns,
        shown=shown,
        truncated=truncated,
        page=number,
        more=more,
        first=(number - 1) * PAGE_ROWS + 1,
    )


@bp.get("/api/queries/<name>")
def api(name: str) -> Response:
    """One page of the answer of a named query as JSON, or the whole answer as JSON or CSV."""
    query = _lookup(name)
    params = _params()
    csv_wanted = _wants_csv()
    if request.args.get(PAGE_PARAM, WHOLE if csv_wanted else "1") == WHOLE:
        keep = get_backend().keep
        if keep is not None and not params:
            kept = _kept(query, csv_wanted, keep)
            with contextlib.suppress(FileNotFoundError):  # not yet made, or its store replaced
                return send_file(
                    kept,
                    mimetype="text/csv" if csv_wanted else "application/json",
                    as_attachment=csv_wanted,
                    download_name=kept.name,
                    conditional=True,
                )
        return _download(query, params, csv_wanted)
    number, limit = _page_number(), _limit()
    rows, more, _ = _run_window(query, params, limit, (number - 1) * limit, page=False)
    links = {"next": _api_url(query, params, number + 1, limit) if more else None}
    if number > 1:
        links["prev"] = _api_url(query, params, number - 1, limit)
    if csv_wanted:
        response = _csv(query, rows)
    else:
        response = jsonify(
            query=query.name,
            params=params,
            variables=list(query.variables),
            rows=rows,
            count=len(rows),
            page=number,
            limit=limit,
            **links,
        )
    link = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items() if url)
    if link:
        response.headers["Link"] = link
    return response


def _api_url(query: NamedQuery, params: dict[str, str], number: int, limit: int) -> str:
    """The API's URL of page ``number`` of the same answer (same parameters, limit, format)."""
    args: dict[str, Any] = {**params, PAGE_PARAM: number}
    if limit != API_PAGE_ROWS:
        args[LIMIT_PARAM] = limit
    if request.args.get(FORMAT_PARAM):
        args[FORMAT_PARAM] = request.args[FORMAT_PARAM]
    return url_for("catalogue.api", name=query.name, **args)


def _download(query: NamedQuery, params: dict[str, str], csv_wanted: bool) -> Response:
    """The whole answer read from the store, as CSV or JSON, sent as it is read."""
    whole = _run_whole(query, params)
    return _csv(query, whole) if csv_wanted else _json_whole(query, params, whole)


def warm() -> None:
    """Write the downloads (JSON and CSV) of every catalogue query that needs no parameter for
    the store version being served, where it keeps what it makes (``db.keep_dir``), so that
    they are sent as files: the slogans' whole answer at 100× the corpus is 117,300 rows,
    10–20 s to read from the store. A download that fails (the row cap, the timeout) is not
    written, and is read from the store when asked for, as without its file."""
    backend = get_backend()
    keep = writable(backend.keep)
    if keep is None:
        return
    for query in load_catalogue().values():
        if any(p.required for p in query.params):
            continue
        for csv_wanted in (False, True):
            path = _kept(query, csv_wanted, keep)
            if path.is_file() or backend.closed:  # closed: another version is served now
                continue
            with current_app.test_request_context(f"/api/queries/{query.name}?page={WHOLE}"):
                try:
                    with contextlib.closing(_download(query, {}, csv_wanted)) as response:
                        write_whole(path, response.iter_encoded())
                except (ServiceError, TooManyRows, OSError) as e:
                    log.warning("%s: download not kept (%s)", path, e)


def _kept(query: NamedQuery, csv_wanted: bool, keep: Path) -> Path:
    """Where the download of ``query`` without parameters is kept in ``keep``, the served
    store version's place, named by the row cap it was read under."""
    extension = "csv" if csv_wanted else "json"
    return keep / f"downloads-{current_app.config['MAX_ROWS']}" / f"{query.name}.{extension}"


def _json_whole(query: NamedQuery, params: dict[str, str], rows: Iterator[dict]) -> Response:
    """The whole answer in the page's JSON shape, written out as its rows come."""
    dump = current_app.json.dumps

    def chunks():
        head = {"query": query.name, "params": params, "variables": list(query.variables)}
        yield dump(head)[:-1] + ', "rows": ['
        count = 0
        for count, row in enumerate(rows, 1):
            yield ("," if count > 1 else "") + dump(row)
        yield f'], "count": {count}, "page": "all"}}'

    return Response(stream_with_context(chunks()), mimetype="application/json")


def _lookup(name: str) -> NamedQuery:
    try:
        return get_query(name)
    except UnknownQuery as e:
        raise ServiceError(str(e), 404) from None


def _params() -> dict[str, str]:
    """The query-string parameters meant for the query (``format``, ``page``, ``limit`` are
    ours)."""
    ours = (FORMAT_PARAM, PAGE_PARAM, LIMIT_PARAM)
    return {k: v for k, v in request.args.items() if k not in ours}


def _page_number() -> int:
    """The page asked for (``page=N``, from 1); 400 for anything else."""
    return whole_number(PAGE_PARAM, 1)


def _limit() -> int:
    """The rows of one API page asked for (``limit=M``, 1 to :data:`API_MAX_LIMIT`); 400 for
    anything else."""
    return whole_number(LIMIT_PARAM, API_PAGE_ROWS, API_MAX_LIMIT)


def _run_page(
    query: NamedQuery, params: dict[str, str], number: int
) -> tuple[list[dict], bool, bool]:
    """Page ``number`` of the answer (see :func:`_run_window`): its rows, whether the row
    cap cut them, and whether more rows follow."""
    rows, more, truncated = _run_window(query, params, PAGE_ROWS, (number - 1) * PAGE_ROWS)
    return rows, truncated, more


def _run_window(
    query: NamedQuery, params: dict[str, str], limit: int, offset: int, page: bool = True
) -> tuple[list[dict], bool, bool]:
    """The rows ``offset`` to ``offset + limit`` of the answer, whether more follow, and
    whether the row cap cut them (only for a ``page`` of the site; see :func:`_run`). The
    engine is asked for that window only (:meth:`NamedQuery.window`: a query with a
    ``# page:`` line is cut there, by things, each with all of its rows), unless the query has a
    limit of its own."""
    if _OWN_LIMIT.search(query.sparql.rstrip()) and not query.paged:
        rows, truncated = _run(query, params, page)
        window = rows[offset : offset + limit + 1]
        return window[:limit], len(window) > limit, truncated
    rows, truncated = _run(query, params, page, query.window(limit, offset))
    kept, more = query.first_things(rows, limit)
    return kept, more, truncated


def _run_whole(query: NamedQuery, params: dict[str, str]) -> Iterator[dict]:
    """The rows of the whole answer as they come: a page of things a query where the query
    cuts its pages itself (:meth:`NamedQuery.whole`), so that no one query grows past the
    timeout with the collection and the first rows are sent while the next are read.

    The first piece is read here: a bad parameter, a busy or timed-out engine or a first
    piece past the row cap answers with its status (:func:`_run`). A later piece that fails
    (the row cap, the timeout) ends the answer unfinished (the JSON unclosed, the chunked
    transfer cut): never a short answer that reads as whole.
    """
    pieces = query.whole(lambda text: _run(query, params, sparql=text)[0])
    first = next(pieces)
    cap = current_app.config["MAX_ROWS"]
    if len(first) > cap:
        raise ServiceError(str(TooManyRows(cap)), 400)

    def rows() -> Iterator[dict]:
        count = len(first)
        yield from first
        for piece in pieces:
            count += len(piece)
            if count > cap:
                raise TooManyRows(cap)
            yield from piece

    return rows()


def _run(
    query: NamedQuery, params: dict[str, str], page: bool = False, sparql: str | None = None
) -> tuple[list[dict], bool]:
    """Rows of ``query`` (IRIs and texts as strings, numbers and booleans typed) and whether
    the row cap cut them (only for a ``page``: the API refuses a result past the cap);
    ``sparql`` runs instead of the query's own text (one page of it).

    :raises ServiceError: 400 for a bad parameter or, outside a page, too many rows; 429, 503
        as for any query.
    """
    try:
        bindings = query.bind(params)
    except ParameterError as e:
        raise ServiceError(str(e), 400) from None
    media_type = "text/html" if page else JSON_RESULTS
    text = sparql or query.sparql
    job = Job(text, media_type, None, current_app.config["MAX_ROWS"], bindings=bindings)
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


def _csv(query: NamedQuery, rows: Iterable[dict]) -> Response:
    """The rows as CSV, values raw (IRIs as IRIs), led by a UTF-8 byte order mark: Excel on
    Chinese Windows reads a file without one as GBK (mojibake); csv readers opening it with
    ``encoding="utf-8-sig"`` drop it."""

    def lines():
        out = io.StringIO()
        writer = csv.writer(out)
        out.write("\ufeff")
        writer.writerow(query.variables)
        for i, row in enumerate(rows):
            cells = (row.get(v, "") for v in query.variables)
            writer.writerow([json.dumps(c) if isinstance(c, bool) else c for c in cells])
            if i % 1000 == 999:  # written out a thousand rows at a time
                yield out.getvalue()
                out.seek(0)
                out.truncate()
        yield out.getvalue()

    return Response(
        stream_with_context(lines()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{query.name}.csv"'},
    )
