"""Look at a SPARQL request's text before it reaches the engine: what would it do?

The engine (pyoxigraph) would happily fetch ``SERVICE <http://...>`` over the network and
evaluate any update it is given. :func:`screen` reads the query with a small lexer (comments,
strings and IRIs are skipped, ``\\u`` escapes decoded as the SPARQL grammar says) and reports
what the service refuses: updates, ``SERVICE``, and ``FROM``/``FROM NAMED`` graphs the store does
not hold (another engine would fetch those from the web). A text that names SERVICE anywhere is
also parsed with rdflib's SPARQL grammar and its tree searched for a service pattern, so no
spelling the lexer misreads can slip one through. The query workers also run without any
network (see ``pool.py``), so the screen is the clear message, not the only wall.

    >>> screen("PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:p ?o }").is_update
    False
    >>> screen("INSERT DATA { <a> <b> <c> }").form
    'INSERT'
    >>> screen("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }").uses_service
    True
    >>> screen('SELECT * { ?s ?p "SERVICE" } # SERVICE').uses_service
    False
    >>> screen("SELECT * { ?s ?p ?o .SERVICE <http://x/> { ?a ?b ?c } }").uses_service
    True
    >>> screened = screen("BASE <http://a/> SELECT * FROM <g1> FROM NAMED <http://b/g2> {}")
    >>> screened.from_graphs, screened.from_named_graphs
    (['http://a/g1'], ['http://b/g2'])
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urljoin

from pyparsing import ParseException, ParseResults
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue

QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
UPDATE_FORMS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)

# Words without which the screen has nothing to report (the lexer is skipped), looked for in
# the folded text (see _folded).
TRIGGERS = (
    "service", "from", "insert", "delete", "load", "clear", "drop", "create", "add", "move",
    "copy", "with", "\\u",
)  # fmt: skip
# The words _OPERATORS counts; without any of them, it counts only "{", "&&" and "||".
OPERATOR_WORDS = (
    "union", "optional", "minus", "filter", "bind", "values", "exists", "service", "graph",
)  # fmt: skip
_BRACKETS = re.compile(r"[(){}\[\]]")
# What the engine builds one operator of, and recurses over: groups, pattern operators, and
# the boolean chains of long FILTERs. Counted in strings too, which only errs on the safe side.
_OPERATORS = re.compile(
    r"(?i)\{|&&|\|\||\b(?:UNION|OPTIONAL|MINUS|FILTER|BIND|VALUES|EXISTS|SERVICE|GRAPH)\b"
)
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n\r]*)
    | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
        |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][\w\u00B7\u00C0-\uFFFF]+)
    | (?P<word>[\w\u00B7\u00C0-\uFFFF:%\\\-](?:[\w\u00B7\u00C0-\uFFFF.:%\\\-]*[\w\u00B7\u00C0-\uFFFF:%\\\-])?)
    | (?P<open>[{(\[])
    | (?P<close>[})\]])
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass
class Screened:
    """What a request's text would do."""

    form: str | None = None  # SELECT, ASK, CONSTRUCT, DESCRIBE, or the update keyword
    uses_service: bool = False
    from_graphs: list[str] = field(default_factory=list)  # FROM ("" when unreadable)
    from_named_graphs: list[str] = field(default_factory=list)  # FROM NAMED
    depth: int = 0  # deepest nesting of (), {}, []
    operators: int = 0  # groups, UNION, OPTIONAL, FILTER... (see _OPERATORS)

    @property
    def is_update(self) -> bool:
        return self.form in UPDATE_FORMS


def unescape(text: str) -> str:
    r"""Decode ``\uXXXX`` and ``\UXXXXXXXX`` as SPARQL does before parsing (so ``\u0053ERVICE`` is
    ``SERVICE``)."""
    return _ESCAPE.sub(lambda m: _codepoint(m.group(1) or m.group(2)), text)


def _codepoint(hex_digits: str) -> str:
    value = int(hex_digits, 16)
    return chr(value) if value <= 0x10FFFF else "\ufffd"


def screen(text: str) -> Screened:
    """Read ``text`` (a query or an update) and report its form, SERVICE use, FROM graphs, depth
    and number of operators.

    ``form`` is reported for updates; for a query it may stay None when the text holds none of
    the words that matter (the common case, answered without lexing).
    """
    folded = _folded(text)
    result = Screened(operators=_operators(text, folded))
    if not any(word in folded for word in TRIGGERS):
        result.depth = _depth(text)
        return result
    prefixes: dict[str, str] = {}
    base = ""
    depth = 0
    tokens = [(m.lastgroup, m.group()) for m in _TOKEN.finditer(unescape(text))]
    for i, (kind, value) in enumerate(tokens):
        if kind == "open":
            depth += 1
            result.depth = max(result.depth, depth)
        elif kind == "close":
            depth -= 1
        elif kind == "word":
            keyword = value.upper()
            if keyword == "SERVICE":
                result.uses_service = True
            elif keyword == "PREFIX" and _kinds(tokens, i + 1, 2) == ("word", "iri"):
                prefixes[tokens[i + 1][1].rstrip(":")] = urljoin(base, tokens[i + 2][1][1:-1])
            elif keyword == "BASE" and _kinds(tokens, i + 1, 1) == ("iri",):
                base = urljoin(base, tokens[i + 1][1][1:-1])
            elif keyword == "FROM":
                named = (
                    _kinds(tokens, i + 1, 1) == ("word",) and tokens[i + 1][1].upper() == "NAMED"
                )
                graph = _graph_after(tokens, i + 2 if named else i + 1, prefixes, base)
                (result.from_named_graphs if named else result.from_graphs).append(graph)
            elif result.form is None and keyword in QUERY_FORMS | UPDATE_FORMS:
                result.form = keyword
    if not result.is_update and "SERVICE" in unescape(text).upper():
        result.uses_service = result.uses_service or _parses_to_service(text)
    return result


def _folded(text: str) -> str:
    """``text`` as a case-insensitive pattern reads it, for the screen's quick look for words:
    casefolded (``ſ`` becomes s), then the dotless ``ı``, which the ``re`` module's ignore-case
    matches to i, made an i, and the dot that ``İ`` folds to (i + U+0307) dropped, so that
    ``İNSERT`` still reads ``insert``. Substring tests on it cost a tenth of one case-insensitive
    regex over the text (the tests check it against that regex)."""
    folded = text.casefold()
    if folded.isascii():
        return folded
    return folded.replace("\u0131", "i").replace("\u0307", "")


def _operators(text: str, folded: str) -> int:
    """How many operators :data:`_OPERATORS` finds in ``text``, counted without it when none of
    its words is there."""
    if any(word in folded for word in OPERATOR_WORDS):
        return len(_OPERATORS.findall(text))
    return text.count("{") + text.count("&&") + text.count("||")


def _parses_to_service(text: str) -> bool:
    """Whether the query's parse tree holds a SERVICE pattern (False if it does not parse: the
    engine will refuse it too)."""
    try:
        tree = parseQuery(text)
    except (ParseException, ValueError):
        return False
    return any(node.name == "ServiceGraphPattern" for node in _nodes(tree))


def _nodes(tree: object) -> Iterator[CompValue]:
    """Every grammar node of an rdflib parse tree."""
    children: Iterable[object]
    if isinstance(tree, CompValue):
        yield tree
        children = tree.values()
    elif isinstance(tree, ParseResults | list | tuple):
        children = tree
    else:
        return
    for child in children:
        yield from _nodes(child)


def _depth(text: str) -> int:
    """Deepest bracket nesting; brackets in strings count too, which only errs on the safe side."""
    depth = deepest = 0
    for char in _BRACKETS.findall(text):
        if char in "({[":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")}]":
            depth -= 1
    return deepest


def _kinds(tokens: list[tuple[str | None, str]], start: int, n: int) -> tuple[str | None, ...]:
    return tuple(kind for kind, _ in tokens[start : start + n])


def _graph_after(tokens, i: int, prefixes: dict[str, str], base: str) -> str:
    """The IRI at ``tokens[i]``, after ``FROM`` or ``FROM NAMED`` (``""`` when unreadable)."""
    if i >= len(tokens):
        return ""
    kind, value = tokens[i]
    if kind == "iri":
        return urljoin(base, value[1:-1])
    if kind == "word" and ":" in value:
        prefix, local = value.split(":", 1)
        if prefix in prefixes:
            return prefixes[prefix] + local
    return ""
