"""The catalogue of named queries: one ``.rq`` file per question, its metadata in its header.
About 450 lines because the file's format, its parser and the way a question is run and paged
are one contract with the ``.rq`` files, kept in one place.

A named query answers one question about the graph (a chain's enterprises, plan against actual)
without the user knowing SPARQL or IRIs. It is served at ``/queries``, ``/api/queries/<name>``
and by ``policykg query --named NAME param=value``.

Header format: the comment lines at the top of the file, one ``# key: value`` per line::

    # title@zh: 产业链的产业与企业
    # title@en: A chain's industries and their enterprises
    # description: 一段话说明每一行是什么。
    # description@en: One paragraph saying what the rows are.
    # param: chain string — 产业链提法的中文名（四主链）或其 IRI
    # param: limit integer 100 — 最多返回的行数
    # column: chain 产业链
    # column: target 目标值 unit=unit
    # column: missed 是否达成 yes=未达成 no=达成
    # column: chainLabel 产业链名称 hidden
    # example: chain=四主链

- ``title@zh``, ``title@en``, ``description`` and ``example`` are required, once each;
  ``example`` lists ``name=value`` pairs separated by spaces (empty for a query without
  parameters) and must give every parameter without a default.
- ``description`` is Chinese, shown first; ``description@en`` (optional) is shown beside it.
- ``column`` (any number): ``NAME 中文名 [unit=VAR] [yes=TEXT no=TEXT] [hidden]``: the
  column's heading on pages; ``unit=VAR`` writes each number with the unit in ``?VAR`` of its
  row; ``yes``/``no`` name a boolean's two values (达成/未达成); ``hidden`` leaves the column
  out of the page (a label column next to the IRI it names), never out of JSON or CSV.
- ``param`` (any number): ``NAME TYPE [DEFAULT] — HELP`` (``--`` may stand for ``—``).
  TYPE is one of :data:`PARAM_TYPES`: ``iri`` (an absolute http(s) IRI), ``string``,
  ``year`` (four digits, bound as an ``xsd:integer``), ``integer``.

A long list is paged by the things it lists, not by rows: its things in order in a subquery
closed by a line ``# page: ORDER BY ...``, what is shown of each looked up after it
(``slogans.rq``). A page puts that order there with its ``LIMIT`` and ``OFFSET``
(:meth:`NamedQuery.window`), a whole answer is read a page at a time (:meth:`NamedQuery.whole`),
and the one text, with the line a comment, is the same answer.

Parameters are bound, never pasted into the query text: each parameter ``NAME`` is the variable
``?NAME``, which must appear in the outermost ``SELECT`` (pyoxigraph substitutes only projected
variables; both stores also get them as ``BIND`` clauses opening the ``WHERE`` group,
:func:`kg.store.bind_values`). Queries therefore never test a
parameter in a ``FILTER``: a term given by label is resolved by computing the candidate's label
into the parameter's variable, which the bound value then has to equal::

    { ?slogan rdfs:label|skos:altLabel ?name . BIND(STR(?name) AS ?chain) }
    UNION { ?slogan a pol:Slogan . BIND(STR(?slogan) AS ?chain) }     # or the IRI itself

Exceptions::

    CatalogueError
    ├── QueryFileError   a .rq file is malformed (names the file and line)
    ├── UnknownQuery     no query of that name (also a LookupError)
    └── ParameterError   a parameter is missing, unknown or not of its type (also a ValueError)
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox

from policykg.errors import UserError
from policykg.kg.store import Row, Store, Term

CATALOGUE_DIR = Path(__file__).parent
R = TypeVar("R", bound=Mapping)  # a row: the store's terms, or the service's values
XSD = "http://www.w3.org/2001/XMLSchema#"
PARAM_TYPES = {
    "iri": "an absolute http(s) IRI, e.g. https://w3id.org/policykg/id/slogan/si-zhu-lian-0c35204a",
    "string": "text, e.g. a Chinese label such as 四主链",
    "year": "a year of four digits, e.g. 2022",
    "integer": "a whole number, e.g. 10",
}
# Where a query cuts its pages itself: a line "# page: ORDER BY ..." closing the subquery that
# lists the things it shows (queries/slogans.rq), before the lookups of what is shown of each. A
# page puts that order there with its LIMIT and OFFSET; the one text of the whole answer leaves
# it a comment (without a LIMIT, a subquery's order orders nothing).
PAGE_MARK = re.compile(r"^[ \t]*# page: (ORDER BY [^\n]*?)[ \t]*$", re.MULTILINE)
# the things a "# page:" subquery lists: named by the variables it selects (one, or several
# for a thing without an IRI of its own: a document cited by a report)
_THINGS = re.compile(r"(?i)\bSELECT\s+(?:DISTINCT\s+|REDUCED\s+)?((?:\?\w+\s+)+)")
# Things a query where :meth:`NamedQuery.run` reads a whole answer a page at a time: no one
# query grows with the collection (the slogans at 100× the corpus: 117,300 rows, 10-20 s of one
# query, which a server's timeout stops). Each piece orders the things again (plan-vs-actual at
# 100×: 280 ms for a last piece of 1,000 rows; 5,000 a piece made its 6,000 rows 30% slower), so
# a piece is as large as a slow server reads well within its timeout (Virtuoso: ~8 s).
WHOLE_PAGE = 10_000
REQUIRED_KEYS = ("title@zh", "title@en", "description", "example")
OPTIONAL_KEYS = ("description@en",)
MAX_STRING = 500

_IRI = re.compile(r"https?://[^\s<>\"{}|\\^`]+\Z")
_PATTERNS = {
    "iri": _IRI,
    "string": re.compile(r".+\Z", re.S),
    "year": re.compile(r"\d{4}\Z"),
    "integer": re.compile(r"[+-]?\d{1,18}\Z"),
}
_HEADER_LINE = re.compile(r"#\s*([\w@-]+)\s*:\s?(.*)\Z")
_PARAM = re.compile(
    r"(?P<name>[A-Za-z_]\w*)\s+(?P<type>\w+)(?:\s+(?P<default>\S+))?\s+(?:—|--)\s*(?P<help>.+)\Z"
)


class CatalogueError(UserError):
    """Base of every error raised by the catalogue."""


class QueryFileError(CatalogueError):
    """A ``.rq`` file is malformed: its header or its SPARQL."""


class UnknownQuery(CatalogueError, LookupError):
    """No named query has that name."""


class ParameterError(CatalogueError, ValueError):
    """A parameter value is missing, unknown or not of its declared type; ``param`` names it."""

    def __init__(self, param: str, message: str):
        super().__init__(message)
        self.param = param


@dataclass(frozen=True)
class Param:
    """One declared parameter of a named query."""

    name: str
    type: str
    default: str | None
    help: str

    @property
    def required(self) -> bool:
        return self.default is None

    def to_term(self, value: str) -> Term:
        """The bound term for ``value``, checked against the type.

        >>> Param("year", "year", None, "").to_term("2022")
        <Literal value=2022 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>

        :raises ParameterError: if ``value`` is not of the type.
        """
        value = value.strip()
        if not _PATTERNS[self.type].match(value) or len(value) > MAX_STRING:
            raise ParameterError(
                self.name, f"parameter {self.name}={value!r} is not {PARAM_TYPES[self.type]}"
            )
        if self.type == "iri":
            return ox.NamedNode(value)
        if self.type in ("year", "integer"):
            return ox.Literal(int(value))
        return ox.Literal(value)


@dataclass(frozen=True)
class Column:
    """How a result column is shown on pages (``# column:`` in the header)."""

    name: str
    label: str
    unit: str | None = None  # the variable holding each row's unit
    yes: str | None = None  # a boolean's words for true and false
    no: str | None = None
    hidden: bool = False


@dataclass(frozen=True)
class NamedQuery:
    """A question with a name, its metadata and its SPARQL."""

    name: str
    title_zh: str
    title_en: str
    description: str
    params: tuple[Param, ...]
    example: dict[str, str]
    sparql: str
    variables: tuple[str, ...] = ()
    description_en: str = ""
    columns: tuple[Column, ...] = ()

    def column(self, name: str) -> Column:
        """The declared column ``name``, or one headed by the variable's own name."""
        return next((c for c in self.columns if c.name == name), Column(name, name))

    def bind(self, params: Mapping[str, object]) -> dict[str, Term]:
        """The terms to bind for ``params`` (values as given by a user: strings or numbers).

        Missing or empty values take the default.

        >>> q = load_catalogue()["year-targets"]
        >>> q.bind({"year": "2023"})["year"].value
        '2023'

        :raises ParameterError: for an unknown parameter, a missing required one, or a value
            not of its type.
        """
        declared = {p.name: p for p in self.params}
        for name in params:
            if name not in declared:
                known = ", ".join(declared) or "no parameters"
                raise ParameterError(
                    name, f"{self.name} has no parameter {name} (it takes {known})"
                )
        bound = {}
        for p in self.params:
            value = params.get(p.name)
            text = "" if value is None else str(value).strip()
            if not text and p.default is None:
                raise ParameterError(p.name, f"{self.name} needs parameter {p.name}: {p.help}")
            bound[p.name] = p.to_term(text or str(p.default))
        return bound

    def run(self, store: Store, **params: object) -> list[Row]:
        """Rows of the query on ``store`` with ``params`` bound: the whole answer, read
        :data:`WHOLE_PAGE` things at a time where the query cuts its pages itself.

        >>> from policykg.kg.store import MemoryStore
        >>> load_catalogue()["slogan-parts"].run(MemoryStore(), slogan="四主链")
        []

        :raises ParameterError: if a parameter is missing, unknown or ill-typed.
        """
        bindings = self.bind(params)
        return [
            row for rows in self.whole(lambda text: store.select(text, bindings)) for row in rows
        ]

    def whole(self, select: Callable[[str], list[R]]) -> Iterator[list[R]]:
        """The whole answer in pieces, each the rows ``select`` gives for one text: the query's
        own, or where it cuts its pages itself, :data:`WHOLE_PAGE` things at a time."""
        if not self.paged:
            yield select(self.sparql)
            return
        offset, more = 0, True
        while more:
            rows, more = self.first_things(select(self.window(WHOLE_PAGE, offset)), WHOLE_PAGE)
            yield rows
            offset += WHOLE_PAGE

    @property
    def paged(self) -> bool:
        """Whether the query cuts its pages itself (a ``# page: ORDER BY ...`` line)."""
        return PAGE_MARK.search(self.sparql) is not None

    def window(self, limit: int, offset: int) -> str:
        """The text asking for the rows of things ``offset`` to ``offset + limit`` (one thing
        more, which tells whether more follow): the query's order and ``LIMIT``/``OFFSET`` in
        its ``# page:`` line, or after its own ``ORDER BY`` when it has none."""
        cut = f"LIMIT {limit + 1} OFFSET {offset}"
        if self.paged:
            return PAGE_MARK.sub(lambda m: f"{m[1]} {cut}", self.sparql, count=1)
        return f"{self.sparql.rstrip()}\n{cut}\n"

    def first_things(self, rows: list[R], limit: int) -> tuple[list[R], bool]:
        """The rows of the first ``limit`` things of a :meth:`window`'s ``rows``, and whether
        more follow. A thing (a slogan and each of its parts) may have several rows: a page
        holds whole things. A row's thing is the values it gives the variables the ``# page:``
        subquery selects; without that line, each row is a thing."""
        mark = PAGE_MARK.search(self.sparql)
        if mark is None:
            return rows[:limit], len(rows) > limit
        names = [v.lstrip("?") for v in _THINGS.findall(self.sparql[: mark.start()])[-1].split()]
        of_row = [tuple(row.get(name) for name in names) for row in rows]
        things = list(dict.fromkeys(of_row))
        shown = set(things[:limit])
        kept = [row for row, thing in zip(rows, of_row, strict=True) if thing in shown]
        return kept, len(things) > limit


def load_catalogue(directory: str | Path | None = None) -> dict[str, NamedQuery]:
    """Every named query in ``directory`` (default: the bundled catalogue), by name.

    The name is the file stem: ``chain-enterprises.rq`` → ``chain-enterprises``.

    :raises QueryFileError: if a file's header or SPARQL is malformed.
    """
    if directory is None:
        return dict(_bundled())
    return _load(Path(directory))


@functools.cache
def _bundled() -> dict[str, NamedQuery]:
    return _load(CATALOGUE_DIR)


def _load(directory: Path) -> dict[str, NamedQuery]:
    return {path.stem: parse_query_file(path) for path in sorted(directory.glob("*.rq"))}


def parse_query_file(path: Path) -> NamedQuery:
    """Read one ``.rq`` file: header metadata and SPARQL (checked to parse).

    :raises QueryFileError: naming the file and line of the first problem.
    """
    text = path.read_text(encoding="utf-8")
    fields: dict[str, str] = {}
    params: list[Param] = []
    columns: list[Column] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.startswith("#"):
            break
        match = _HEADER_LINE.match(line.strip())
        if not match:
            raise QueryFileError(f"{path}:{number}: expected '# key: value', got {line!r}")
        key, value = match.group(1), match.group(2).strip()
        if key == "param":
            params.append(_parse_param(value, f"{path}:{number}"))
        elif key == "column":
            columns.append(_parse_column(value, f"{path}:{number}"))
        elif key in REQUIRED_KEYS + OPTIONAL_KEYS and key not in fields:
            fields[key] = value
        else:
            raise QueryFileError(f"{path}:{number}: unknown or repeated header key {key!r}")
    missing = [k for k in REQUIRED_KEYS if k not in fields]
    if missing:
        raise QueryFileError(f"{path}: header lacks {', '.join(missing)}")
    query = NamedQuery(
        name=path.stem,
        title_zh=fields["title@zh"],
        title_en=fields["title@en"],
        description=fields["description"],
        params=tuple(params),
        example=_parse_example(fields["example"], path),
        sparql=text,
        description_en=fields.get("description@en", ""),
        columns=tuple(columns),
    )
    return _checked(query, path)


def _parse_column(value: str, where: str) -> Column:
    """``missed 是否达成 yes=未达成 no=达成`` → a :class:`Column`."""
    parts = value.split()
    if len(parts) < 2:
        raise QueryFileError(f"{where}: expected 'column: NAME 中文名 [options]', got {value!r}")
    name, label, *options = parts
    known: dict[str, str | bool] = {}
    for option in options:
        key, sep, val = option.partition("=")
        if (key, bool(sep)) not in {("unit", True), ("yes", True), ("no", True), ("hidden", False)}:
            raise QueryFileError(f"{where}: unknown column option {option!r}")
        known[key] = val if sep else True
    return Column(name, label, **known)  # type: ignore[arg-type]


def _parse_param(value: str, where: str) -> Param:
    match = _PARAM.match(value)
    if not match:
        raise QueryFileError(
            f"{where}: expected 'param: NAME TYPE [DEFAULT] — HELP', got {value!r}"
        )
    if match["type"] not in PARAM_TYPES:
        raise QueryFileError(
            f"{where}: type {match['type']!r} is not one of {', '.join(PARAM_TYPES)}"
        )
    return Param(match["name"], match["type"], match["default"], match["help"].strip())


def _parse_example(value: str, path: Path) -> dict[str, str]:
    pairs = [item.split("=", 1) for item in value.split()]
    if any(len(pair) != 2 for pair in pairs):
        raise QueryFileError(f"{path}: example must be name=value pairs, got {value!r}")
    return dict(pairs)  # type: ignore[arg-type]


def _checked(query: NamedQuery, path: Path) -> NamedQuery:
    """Check that the SPARQL parses, binds the example, and projects every parameter."""
    try:
        bindings = query.bind(query.example)
    except ParameterError as e:
        raise QueryFileError(f"{path}: example: {e}") from None
    try:
        result = ox.Store().query(
            query.sparql, substitutions={ox.Variable(k): v for k, v in bindings.items()}
        )
    except SyntaxError as e:
        raise QueryFileError(f"{path}: {e}") from None
    except RuntimeError as e:  # a parameter missing from the SELECT projection
        raise QueryFileError(f"{path}: {e}") from None
    if not isinstance(result, ox.QuerySolutions):
        raise QueryFileError(f"{path}: a named query must be a SELECT query")
    variables = tuple(v.value for v in result.variables)
    unknown = [c.name for c in query.columns if c.name not in variables]
    unknown += [c.unit for c in query.columns if c.unit and c.unit not in variables]
    if unknown:
        raise QueryFileError(f"{path}: column(s) {', '.join(unknown)} not in the SELECT")
    return dataclasses.replace(query, variables=variables)


def parse_args(args: list[str]) -> dict[str, str]:
    """``["chain=四主链", "year=2022"]`` → ``{"chain": "四主链", "year": "2022"}``.

    :raises ParameterError: for an argument without ``=``.
    """
    params = {}
    for arg in args:
        name, sep, value = arg.partition("=")
        if not sep or not name:
            raise ParameterError(arg, f"expected name=value, got {arg!r}")
        params[name.strip()] = value
    return params


def get_query(name: str) -> NamedQuery:
    """The bundled named query ``name``.

    :raises UnknownQuery: listing the names there are.
    """
    catalogue = _bundled()
    if name not in catalogue:
        raise UnknownQuery(f"no named query {name!r}; there are: {', '.join(catalogue)}")
    return catalogue[name]


def run_named(store: Store, name: str, args: list[str]) -> list[Row]:
    """Run the bundled query ``name`` with ``name=value`` arguments (what the CLI calls).

    ``policykg query --named chain-enterprises chain=四主链`` →
    ``run_named(store, "chain-enterprises", ["chain=四主链"])``.

    :raises UnknownQuery: if there is no such query.
    :raises ParameterError: if an argument is malformed, unknown, missing or ill-typed.
    """
    return get_query(name).run(store, **parse_args(args))


__all__ = [
    "PARAM_TYPES",
    "CatalogueError",
    "NamedQuery",
    "Param",
    "ParameterError",
    "QueryFileError",
    "UnknownQuery",
    "get_query",
    "load_catalogue",
    "parse_args",
    "parse_query_file",
    "run_named",
]
