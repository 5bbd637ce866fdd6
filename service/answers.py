"""Answers in words: result cells as readers name things, for the catalogue and SPARQL pages.

An IRI is shown as its label (Chinese first) linked to its page, the IRI on hover and in a
column the reader can switch on; a number carries its row's unit; a boolean the words its
column declares (达成/未达成), else 是/否. Downloads (JSON, CSV, the SPARQL formats) are not
made here: they keep the raw values.

    >>> number_text(3.80)
    '3.8'
    >>> number_text(12000.0)
    '12000'
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from ..queries import Column, NamedQuery
from . import entities as ent
from .corpus import corpus
from .db import get_backend
from .search import term_index

XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMERIC = {
    XSD + t
    for t in ("integer", "int", "long", "short", "decimal", "double", "float", "nonNegativeInteger")
}
# Every label of the store, read once per store version (a few thousand, 50 ms): a catalogue
# answer of a thousand rows named its IRIs in batches of 200, 11 ms each.
_Q_LABELS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?x ?label WHERE { ?x rdfs:label|skos:prefLabel ?label FILTER(isIRI(?x)) }
"""
_LOCK = threading.Lock()
_IRI = re.compile(r"https?://[^\s<>\"{}|\\^`]+\Z")


@dataclass(frozen=True)
class Shown:
    """One cell as shown: its text, a link (``href``) and the IRI behind it, if any."""

    text: str = ""
    href: str = ""
    iri: str = ""
    css: str = ""  # num, ok, bad


def labels(iris: Iterable[str]) -> dict[str, str]:
    """The reader's name of each IRI that has one: a report by place, year and kind, an
    ontology term by its Chinese label, anything else by its label (Chinese first)."""
    wanted = set(iris)
    out: dict[str, str] = {}
    reports = corpus().by_iri
    vocab = ent.vocab_labels()
    rest = []
    for iri in wanted:
        if iri in reports:
            out[iri] = reports[iri].name
        elif iri in vocab and vocab[iri]:
            out[iri] = vocab[iri].get("zh") or next(iter(vocab[iri].values()))
        else:
            rest.append(iri)
    index = label_index()
    out.update((iri, index[iri]) for iri in rest if iri in index)
    return out


def label_index() -> dict[str, str]:
    """Each labelled IRI of the served store → its label (``rdfs:label`` or
    ``skos:prefLabel``; Chinese or plain first, then the least), once per store version."""
    backend = get_backend()
    found = backend.extras.get("labels")
    if found is None:
        with _LOCK:
            found = backend.extras.get("labels")
            if found is None:
                literals: dict[str, list[ox.Literal]] = {}
                for row in backend.store.select(_Q_LABELS):
                    literals.setdefault(row["x"].value, []).append(row["label"])
                found = {
                    iri: min(
                        lits, key=lambda lit: (lit.language not in ("zh", None), lit.value)
                    ).value
                    for iri, lits in literals.items()
                }
                backend.extras["labels"] = found
    return found


def href(iri: str) -> str:
    """A term's page when ``iri`` is a term, else its ``/id/`` page (or the IRI itself)."""
    base = ent.base_iri()
    if iri.startswith(base) and term_index().get(iri) is not None:
        return ent.key_href("terms.term", iri[len(base) :])
    return ent.local_href(iri)


def number_text(value: float | int | Decimal | str) -> str:
    """A number as written in a report: no trailing zeros, no exponent."""
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return format(d.normalize(), "f")


def shown_iri(iri: str, names: dict[str, str]) -> Shown:
    """An IRI as its label linked to its page; an unnamed one by its last path segments."""
    label = names.get(iri)
    if iri.startswith(ent.POL) and label:  # 增速, 以上: words of the ontology, not pages
        return Shown(label, "", iri)
    if label is None:
        base = ent.base_iri()
        label = iri[len(base) :] if iri.startswith(base) else ent.prefixed(iri)
    return Shown(label, href(iri), iri)


def catalogue_rows(query: NamedQuery, rows: list[dict]) -> tuple[list[Column], list[list[Shown]]]:
    """The visible columns of a named query's answer and its rows in words."""
    columns = [query.column(v) for v in query.variables if not query.column(v).hidden]
    names = labels(v for row in rows for v in row.values() if isinstance(v, str) and _is_iri(v))
    out = []
    for row in rows:
        out.append([_catalogue_cell(c, row, names) for c in columns])
    return columns, out


def _catalogue_cell(column: Column, row: dict, names: dict[str, str]) -> Shown:
    value = row.get(column.name)
    if value is None or value == "":
        return Shown()
    if isinstance(value, bool):
        word = (column.yes if value else column.no) or ("是" if value else "否")
        return Shown(word, css={"达成": "ok", "未达成": "bad"}.get(word, ""))
    if isinstance(value, int | float):
        unit = row.get(column.unit, "") if column.unit else ""
        unit = names.get(unit, unit) if isinstance(unit, str) else ""
        return Shown(number_text(value) + (f" {unit}" if unit else ""), css="num")
    if _is_iri(value):
        return shown_iri(value, names)
    return Shown(value)


def sparql_rows(rows: list[list]) -> list[list[Shown | None]]:
    """A SPARQL page's rows (``results.Cell`` tuples) in words."""
    names = labels(
        c[1] for row in rows for c in row if c is not None and c[0] == "iri" and _is_iri(c[1])
    )
    return [[_sparql_cell(c, names) if c is not None else None for c in row] for row in rows]


def _sparql_cell(cell, names: dict[str, str]) -> Shown:
    kind, value, datatype, _lang = cell
    if kind == "iri":
        return shown_iri(value, names)
    if kind == "literal" and datatype in _NUMERIC:
        return Shown(number_text(value), css="num")
    if kind == "literal" and datatype == XSD + "boolean":
        return Shown("是" if value in ("true", "1") else "否")
    if kind == "bnode":
        return Shown("（空白节点）")
    return Shown(value)


def _is_iri(value: str) -> bool:
    return bool(_IRI.match(value))
