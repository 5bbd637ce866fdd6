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

import contextlib
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import cast

import pyoxigraph as ox
from markupsafe import Markup, escape

from ..kg.store import Store
from ..kg.vocab import prologue
from ..queries import Column, NamedQuery
from .corpus import corpus
from .db import get_backend
from .links import POL, base_iri, key_href, local_href, prefixed, vocab_labels
from .search import term_index

XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMERIC = {
    XSD + t
    for t in ("integer", "int", "long", "short", "decimal", "double", "float", "nonNegativeInteger")
}
# The labels of the IRIs a page shows, read when it first shows them (a VALUES block of up to
# :data:`LABEL_BATCH` IRIs, ~11 ms on the corpus) and kept for the store version: the whole
# store's labels, read at each start, were 388,000 rows and 4.5 minutes over Virtuoso at 100
# times the corpus, most of them never shown.
_Q_LABELS = (
    prologue("rdfs", "skos")
    + """SELECT ?x ?label WHERE { VALUES ?x { %s } ?x rdfs:label|skos:prefLabel ?label }
"""
)
LABEL_BATCH = 200
KEPT_LABELS = 200_000
_IRI = re.compile(r"https?://[^\s<>\"{}|\\^`]+\Z")


@dataclass(frozen=True)
class Shown:
    """One cell as shown: its text, a link (``href``) and the IRI behind it, if any."""

    text: str = ""
    href: str = ""
    iri: str = ""
    css: str = ""  # num, ok, bad


def rows_html(rows: list[list[Shown]]) -> Markup:
    """The ``<tr>`` rows of an answer table: its label linked to its page, the IRI in a column
    the reader can switch on. Written here rather than in the template: a thousand rows of
    seven cells took Jinja 30–60 ms."""
    out = []
    for row in rows:
        cells = "".join(map(_cell_html, row))
        out.append(f"\n    <tr>{cells}</tr>\n  ")
    return Markup("".join(out))


def _cell_html(cell: Shown) -> str:
    css = f' class="{escape(cell.css)}"' if cell.css else ""
    text = escape(cell.text)
    if cell.href:
        iri = escape(cell.iri)
        body = (
            f'<a href="{escape(cell.href)}" title="{iri}" lang="zh">{text}</a>'
            f'<span class="iri-col"> {iri}</span>'
        )
    elif cell.iri:
        body = f'<span title="{escape(cell.iri)}">{text}</span>'
    else:
        body = text
    return f"<td{css}>{body}</td>"


def labels(iris: Iterable[str]) -> dict[str, str]:
    """The reader's name of each IRI that has one: a report by place, year and kind, an
    ontology term by its Chinese label, anything else by its label (Chinese first)."""
    wanted = set(iris)
    out: dict[str, str] = {}
    reports = corpus().by_iri
    vocab = vocab_labels()
    rest = []
    for iri in wanted:
        if iri in reports:
            out[iri] = reports[iri].name
        elif iri in vocab and vocab[iri]:
            out[iri] = vocab[iri].get("zh") or next(iter(vocab[iri].values()))
        else:
            rest.append(iri)
    out.update(label_index().labels(rest))
    return out


def label_index() -> LabelIndex:
    """The labels of the served store version read so far (see :class:`LabelIndex`)."""
    return get_backend().shared("labels", LabelIndex)


class LabelIndex:
    """Each labelled IRI → its label (``rdfs:label`` or ``skos:prefLabel``; Chinese or plain
    first, then the least), read from the store when first asked and kept (the least recently
    asked dropped past :data:`KEPT_LABELS`); an IRI without a label is kept as such."""

    def __init__(self, store: Store):
        self.store = store
        self.kept: OrderedDict[str, str | None] = OrderedDict()
        self.lock = threading.Lock()

    def labels(self, iris: Iterable[str]) -> dict[str, str]:
        """The label of each of ``iris`` that has one."""
        wanted = list(dict.fromkeys(iris))
        with self.lock:
            missing = [iri for iri in wanted if iri not in self.kept]
        found: dict[str, str | None] = dict.fromkeys(missing)
        for first in range(0, len(missing), LABEL_BATCH):
            found.update(_labels(self.store, missing[first : first + LABEL_BATCH]))
        out = {}
        with self.lock:
            self.kept.update(found)
            for iri in wanted:
                label = self.kept.get(iri) if iri not in found else found[iri]
                if iri in self.kept:
                    self.kept.move_to_end(iri)
                if label is not None:
                    out[iri] = label
            while len(self.kept) > KEPT_LABELS:
                self.kept.popitem(last=False)
        return out


def _labels(store: Store, iris: list[str]) -> dict[str, str]:
    nodes = []
    for iri in iris:
        with contextlib.suppress(ValueError):  # not an IRI (a blank node's label): no label
            nodes.append(ox.NamedNode(iri))
    if not nodes:
        return {}
    literals: dict[str, list[ox.Literal]] = {}
    for row in store.select(_Q_LABELS % " ".join(str(n) for n in nodes)):
        literals.setdefault(row["x"].value, []).append(cast(ox.Literal, row["label"]))
    return {
        iri: min(lits, key=lambda lit: (lit.language not in ("zh", None), lit.value)).value
        for iri, lits in literals.items()
    }


def href(iri: str) -> str:
    """A term's page when ``iri`` is a term, else its ``/id/`` page (or the IRI itself)."""
    return hrefs([iri])[iri]


def hrefs(iris: Iterable[str]) -> dict[str, str]:
    """:func:`href` of each of ``iris`` (an answer's thousand IRIs: the app's settings and
    index looked up once)."""
    base, index = base_iri(), term_index()
    return {
        iri: key_href("terms.term", iri[len(base) :])
        if iri.startswith(base) and index.get(iri) is not None
        else local_href(iri)
        for iri in iris
    }


def number_text(value: float | int | Decimal | str) -> str:
    """A number as written in a report: no trailing zeros, no exponent."""
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return format(d.normalize(), "f")


def shown_iri(iri: str, names: dict[str, str]) -> Shown:
    """An IRI as its label linked to its page; an unnamed one by its last path segments."""
    return shown_iris([iri], names)[iri]


def shown_iris(iris: Iterable[str], names: dict[str, str]) -> dict[str, Shown]:
    """:func:`shown_iri` of each of ``iris``."""
    base = base_iri()
    links = hrefs(iri for iri in iris if not (iri.startswith(POL) and names.get(iri)))
    out = {}
    for iri in iris:
        label = names.get(iri)
        if iri.startswith(POL) and label:  # 增速, 以上: words of the ontology, not pages
            out[iri] = Shown(label, "", iri)
            continue
        if label is None:
            label = iri[len(base) :] if iri.startswith(base) else prefixed(iri)
        out[iri] = Shown(label, links[iri], iri)
    return out


def catalogue_rows(query: NamedQuery, rows: list[dict]) -> tuple[list[Column], list[list[Shown]]]:
    """The visible columns of a named query's answer and its rows in words."""
    columns = [query.column(v) for v in query.variables if not query.column(v).hidden]
    strings = {v for row in rows for v in row.values() if isinstance(v, str)}
    iris = [v for v in strings if _is_iri(v)]
    names = labels(iris)
    shown = shown_iris(iris, names)  # once per IRI, not per cell
    return columns, [[_catalogue_cell(c, row, names, shown) for c in columns] for row in rows]


def _catalogue_cell(
    column: Column, row: dict, names: dict[str, str], shown: dict[str, Shown]
) -> Shown:
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
    return shown.get(value) or Shown(value)  # every IRI among the values is in ``shown``


def sparql_rows(rows: list[list]) -> list[list[Shown | None]]:
    """A SPARQL page's rows (``results.Cell`` tuples) in words."""
    iris = list(
        {c[1] for row in rows for c in row if c is not None and c[0] == "iri" and _is_iri(c[1])}
    )
    names = labels(iris)
    shown = shown_iris(iris, names)
    return [[_sparql_cell(c, shown) if c is not None else None for c in row] for row in rows]


def _sparql_cell(cell, shown: dict[str, Shown]) -> Shown:
    kind, value, datatype, _lang = cell
    if kind == "iri":
        return shown[value] if value in shown else shown_iri(value, {})
    if kind == "literal" and datatype in _NUMERIC:
        return Shown(number_text(value), css="num")
    if kind == "literal" and datatype == XSD + "boolean":
        return Shown("是" if value in ("true", "1") else "否")
    if kind == "bnode":
        return Shown("（空白节点）")
    return Shown(value)


def _is_iri(value: str) -> bool:
    return bool(_IRI.match(value))
