"""The industry taxonomy (``kg/lexicons/industries.ttl``) and industry names in report text.

Reports name one sector many ways: 电气装备制造业, 装备制造产业集群, 新能源储能（含氢能）产业.
:meth:`IndustryTaxonomy.match` maps such a name to one SKOS concept; :meth:`find_mentions`
finds the concepts' names in running text::

    >>> tax = load_industries()
    >>> tax.match("新能源储能（含氢能）产业").label
    '新能源储能'
    >>> [tax[iri].label for iri, *_ in tax.find_mentions("加快新能源产业发展")]
    ['新能源']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from .jiebaload import jieba
from .phrases import Phrases
from .vocab import POL, RDF, SKOS

TAXONOMY_FILE = Path(__file__).parent / "lexicons" / "industries.ttl"

# What reports wrap around an industry name: "（含氢能）", then 产业集群 / 产业 / 行业 / 业.
_QUALIFIER = re.compile(r"[（(]含[^）)]*[）)]")
_SUFFIXES = ("产业集群", "产业链", "产业", "行业", "业")


@dataclass(frozen=True)
class Industry:
    """One concept of the taxonomy."""

    iri: str
    label: str
    alt_labels: tuple[str, ...] = ()
    broader: tuple[str, ...] = ()
    close_matches: tuple[str, ...] = ()

    @property
    def labels(self) -> tuple[str, ...]:
        return (self.label, *self.alt_labels)


def normalise_industry_name(name: str) -> str:
    """The core of an industry name, without qualifiers and sector suffixes.

    >>> normalise_industry_name("新能源储能（含氢能）产业")
    '新能源储能'
    >>> normalise_industry_name("电气装备制造业"), normalise_industry_name("农业")
    ('电气装备制造', '农业')
    """
    core = _QUALIFIER.sub("", name).strip()
    changed = True
    while changed:
        changed = False
        for suffix in _SUFFIXES:
            if core.endswith(suffix) and len(core) - len(suffix) >= 2:
                core = core[: -len(suffix)]
                changed = True
    return core


class IndustryTaxonomy:
    """The SKOS industry concepts, indexed by their names."""

    def __init__(self, industries: list[Industry]):
        self.industries = {i.iri: i for i in industries}
        self._by_core: dict[str, str] = {}
        self._surface: dict[str, str] = {}
        for industry in industries:
            for label in industry.labels:
                self._surface.setdefault(label, industry.iri)
                self._by_core.setdefault(normalise_industry_name(label), industry.iri)
        self._phrases = Phrases(self._surface)

    def __getitem__(self, iri: str) -> Industry:
        return self.industries[iri]

    def __len__(self) -> int:
        return len(self.industries)

    def match(self, label: str) -> Industry | None:
        """The concept a whole industry name stands for, or ``None``.

        ``match("尼龙材料制造业")`` is 尼龙材料制造; ``match("乡村振兴及食品加工业")`` is ``None``
        (a compound: split it first).
        """
        iri = self._surface.get(label.strip()) or self._by_core.get(normalise_industry_name(label))
        return self.industries[iri] if iri else None

    def find_mentions(self, text: str) -> list[tuple[str, int, int]]:
        """Every industry name in ``text`` as ``(iri, start, end)``, longest names first.

        Names are matched as written in the taxonomy (labels), left to right, without overlap:
        "新能源汽车" is one mention of 新能源汽车, not one of 新能源. A name must start on a word
        boundary (jieba), so 文化工作 holds no 化工; it may end inside one (新能源产业基地).
        """
        matches = list(self._phrases.finditer(text))
        if not matches:
            return []  # most sentences name no industry: segmenting them is the cost
        cuts = token_boundaries(text)
        return [(self._surface[name], start, end) for start, end, name in matches if start in cuts]

    def broader_closure(self, iri: str) -> set[str]:
        """``iri`` and every concept above it (``skos:broaderTransitive``)."""
        seen, todo = set(), [iri]
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo.extend(self.industries[current].broader)
        return seen

    def covers(self, iri: str) -> set[str]:
        """The concepts that count as being "in" industry ``iri``.

        ``iri`` itself, its ``skos:closeMatch`` variants, and every concept below either: an
        enterprise in 储能 is in 新能源 (储能 is narrower) and so in 新能源储能 (closeMatch).
        """
        roots = {iri, *self.industries[iri].close_matches}
        return {i for i in self.industries if self.broader_closure(i) & roots}


def token_boundaries(text: str) -> set[int]:
    """Offsets where a word starts or ends in ``text`` (jieba's default dictionary, not modified)."""
    cuts, offset = {0}, 0
    for word in jieba.cut(text):
        offset += len(word)
        cuts.add(offset)
    return cuts


@cache
def load_industries(path: Path = TAXONOMY_FILE) -> IndustryTaxonomy:
    """Read the SKOS taxonomy (Turtle) into an :class:`IndustryTaxonomy`.

    :raises ValueError: the file is not valid Turtle (the message names the file).
    """
    objects: dict[tuple[str, str], list[str]] = {}
    try:
        for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            objects.setdefault((t.subject.value, t.predicate.value), []).append(t.object.value)
    except SyntaxError as error:
        raise ValueError(f"{path}: not valid Turtle: {error}") from error

    def values(node: str, prop: ox.NamedNode) -> tuple[str, ...]:
        return tuple(sorted(objects.get((node, prop.value), [])))

    nodes = sorted(
        s for (s, p), o in objects.items() if p == RDF.type.value and POL.Industry.value in o
    )
    return IndustryTaxonomy(
        [
            Industry(
                iri=node,
                label=values(node, SKOS.prefLabel)[0],
                alt_labels=values(node, SKOS.altLabel),
                broader=values(node, SKOS.broader),
                close_matches=values(node, SKOS.closeMatch),
            )
            for node in nodes
        ]
    )
