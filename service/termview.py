"""What a term's page and its API answer read from the store: definitions, the tree of parts
(with each part's industries' enterprises and projects), related slogans, linked resources,
each report's version of a term and each report's glossary. Read for one term or for many at
once (a term's versions), a query per kind of thing, not per term. About 650 lines, a third of
them the SPARQL it runs (at the top, one query per kind of thing).

Longer than most modules for its SPARQL: a dozen queries, each beside the one function that
reads it; the routes and JSON shapes are in ``terms.py``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..kg.iri import pinyin
from ..kg.vocab import prologue
from .db import get_store
from .evidence import (
    MENTION_QUERIES,
    Evidence,
    EvidenceMap,
    Mention,
    evidence_of,
    mentions_of,
    prefetch,
    rows_for,
)
from .links import POL, Link, base_iri, key_href, link, row_value, vocab_label
from .search import Term, term_index

# The kinds of term, as pages name them.
KIND_NAMES = {
    "Slogan": "提法",
    "Policy": "政策",
    "Industry": "产业",
    "Enterprise": "企业",
    "Project": "项目",
    "Indicator": "指标",
    "PolicyDocument": "文件",
    "GovernmentBody": "机构",
    "Place": "地点",
    "Concept": "概念",
    "GlossaryEntry": "名词解释",
    "Term": "术语",
}

_PREFIXES = prologue("pol", "rdfs", "skos", "dcterms") + """"""
_Q_DEFINITIONS = (
    _PREFIXES
    + """
SELECT DISTINCT ?t ?e ?label ?number ?def ?report ?title WHERE {
  { ?t pol:definedIn ?e } UNION { ?e pol:explains ?t } UNION { ?t a pol:GlossaryEntry BIND(?t AS ?e) }
  ?e skos:definition ?def .
  OPTIONAL { ?e rdfs:label ?label }
  OPTIONAL { ?e pol:number ?number }
  OPTIONAL { ?e pol:inReport ?report OPTIONAL { ?report dcterms:title ?title } }
}
"""
)
_Q_PARTS = (
    _PREFIXES
    + """
SELECT DISTINCT ?t ?parent ?part ?label ?type WHERE {
  ?t pol:hasComponent* ?parent .
  ?parent pol:hasComponent ?part .
  OPTIONAL { ?part (rdfs:label|skos:prefLabel) ?label }
  OPTIONAL { ?part a ?type FILTER(STRSTARTS(STR(?type), STR(pol:))) }
}
"""
)
# Enterprises and projects of the industries in a term's tree (or of the term, an industry),
# counting those filed under a variant name or a narrower industry. Below a slogan, only those
# its own report names (as pol:chainEnterprise is inferred per report): 四主链 of 湛河区 does
# not gather an enterprise that Henan's report files under the same industry. So the members
# are read in the graphs of the term's own parts (_Q_PART_GRAPHS); those of the term itself,
# an industry, come from any report (_Q_OWN_MEMBERS). Read in three steps, each starting from
# what the one before bound: the industries of each tree (its parts typed so in _Q_PARTS's
# rows, and the term itself when it is one: _Q_INDUSTRIES), each distinct
# industry's variants (_Q_VARIANTS: the lexicon's industries are shared by every report, so a
# page of twenty versions of one slogan asks for a few), then the members of each (graph,
# variant) pair (_Q_MEMBERS_IN). As one query joining the three, the engines read every
# graph's members of every variant before keeping the graphs asked for: 0.9 s on Oxigraph for
# a page of twenty versions at 100 times the corpus, against 0.15 s so.
_Q_PART_GRAPHS = "SELECT DISTINCT ?t ?g WHERE { GRAPH ?g { ?t pol:hasComponent ?any } }"
_Q_INDUSTRIES = _PREFIXES + "SELECT ?t WHERE { ?t a pol:Industry }"
_Q_VARIANTS = (
    _PREFIXES + "SELECT DISTINCT ?industry ?variant WHERE "
    "{ ?industry (skos:closeMatch|^skos:closeMatch|^skos:broader)* ?variant }"
)
_MEMBER = """
  # its kind looked up, as an OPTIONAL, not joined: joined, Oxigraph read every enterprise and
  # project of the store first (24 → 4 ms on the corpus)
  OPTIONAL { ?x a ?kind FILTER(?kind IN (pol:Enterprise, pol:Project)) }
  FILTER(BOUND(?kind))
  # named as the report that files it names it (平高集团 in 湛河区's, 平高 in Henan's)
  OPTIONAL { GRAPH ?g { ?x rdfs:label ?label } }
"""
_Q_MEMBERS_IN = (
    _PREFIXES
    + """
SELECT DISTINCT ?g ?variant ?x ?label ?kind WHERE {
  VALUES (?g ?variant) { {pairs} }
  GRAPH ?g { ?x pol:inIndustry ?variant }
"""
    + _MEMBER
    + "}"
)
_Q_OWN_MEMBERS = (
    _PREFIXES
    + """
SELECT DISTINCT ?t ?industry ?x ?label ?kind WHERE {
  ?t a pol:Industry .
  BIND(?t AS ?industry)
  ?industry (skos:closeMatch|^skos:closeMatch|^skos:broader)* ?variant .
  GRAPH ?g { ?x pol:inIndustry ?variant }
"""
    + _MEMBER
    + "}"
)
_Q_LEADERS = (
    _PREFIXES
    + "SELECT DISTINCT ?t ?x ?label WHERE { ?t pol:leadingEnterprise ?x OPTIONAL { ?x (rdfs:label|skos:prefLabel) ?label } }"
)
# Slogans related to a term, one query per reason: as one UNION, Oxigraph joined every slogan
# of the store before binding the term (100–700 ms); apart, each takes under a millisecond.
_Q_RELATED = {
    "contains": "SELECT DISTINCT ?t ?s WHERE { ?s pol:hasComponent+ ?t }",
    "glossary": "SELECT DISTINCT ?t ?s WHERE { { ?t pol:definedIn ?e . ?s pol:definedIn ?e } "
    "UNION { ?e pol:explains ?t . ?e pol:explains ?s } }",
    "shares": "SELECT DISTINCT ?t ?s WHERE { ?t pol:hasComponent ?shared . "
    "?s pol:hasComponent ?shared }",
}
_Q_SLOGAN_LABEL = (
    _PREFIXES
    + "SELECT ?s ?label WHERE { ?s a pol:Slogan OPTIONAL { ?s (rdfs:label|skos:prefLabel) ?label } }"
)
# Other things a term is tied to by the ontology's own properties (enterprise → industry...).
_Q_LINKS = (
    _PREFIXES
    + """
SELECT DISTINCT ?t ?p ?x ?label ?dir WHERE {
  { ?t ?p ?x BIND("out" AS ?dir) } UNION { ?x ?p ?t BIND("in" AS ?dir) }
  FILTER(isIRI(?x) && STRSTARTS(STR(?p), STR(pol:)))
  FILTER(?p NOT IN (pol:hasComponent, pol:isComponentOf, pol:hasPart, pol:definedIn,
                    pol:leadingEnterprise, pol:inReport, pol:indicator))
  FILTER(?p != pol:explains || ?dir = "out")  # an entry lists what it explains
  # as an OPTIONAL, Oxigraph looks the label up per row (1 ms) instead of joining all labels
  OPTIONAL { ?x (rdfs:label|skos:prefLabel) ?label }
  FILTER(BOUND(?label))
}
ORDER BY ?p ?label
"""
)
# Each report's version of a shared term, with the report's place and date to tell them apart.
_Q_VERSIONS = (
    _PREFIXES
    + """
SELECT ?t ?v ?report ?title ?rlabel ?place ?date WHERE {
  ?v pol:versionOf ?t ; pol:inReport ?report .
  OPTIONAL { ?report dcterms:title ?title }
  OPTIONAL { ?report rdfs:label ?rlabel }
  OPTIONAL { ?report dcterms:spatial/rdfs:label ?place }
  OPTIONAL { ?report dcterms:date ?date }
}
"""
)
_Q_REPORTS = (
    _PREFIXES
    + """
SELECT ?r ?title ?by ?date (COUNT(DISTINCT ?e) AS ?entries) WHERE {
  ?r a pol:Report .
  OPTIONAL { ?r dcterms:title ?title }
  OPTIONAL { ?r dcterms:creator/rdfs:label ?by }
  OPTIONAL { ?r dcterms:date ?date }
  OPTIONAL { ?e a pol:GlossaryEntry ; pol:inReport ?r }
} GROUP BY ?r ?title ?by ?date ORDER BY ?r
"""
)
_Q_GLOSSARY = (
    _PREFIXES
    + """
SELECT ?report ?e ?number ?label ?def ?x ?xlabel WHERE {
  ?e a pol:GlossaryEntry ; pol:inReport ?report .
  OPTIONAL { ?e pol:number ?number }
  OPTIONAL { ?e rdfs:label ?label }
  OPTIONAL { ?e skos:definition ?def }
  OPTIONAL { ?e pol:explains ?x OPTIONAL { ?x (rdfs:label|skos:prefLabel) ?xlabel } }
}
"""
)


# ---------------------------------------------------------------- records


@dataclass
class Node:
    """One part in a term's tree, with the passages naming it a part of its parent; industries
    carry their enterprises and projects."""

    link: Link
    kind: str
    evidence: list[Evidence] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    enterprises: list[Link] = field(default_factory=list)
    projects: list[Link] = field(default_factory=list)


@dataclass
class Definition:
    """A glossary entry that defines the term, in the report that prints it."""

    entry: Link
    number: str
    definition: str
    report: Link | None


@dataclass
class TermDetails:
    """Everything a term page shows."""

    term: Term
    key: str
    definitions: list[Definition]
    tree: Node
    leaders: list[Link]
    related: list[tuple[Link, str]]
    links: list[tuple[Link, str, list[Link]]]
    mentions: list[Mention]
    evidence: EvidenceMap
    versions: list[Version] = field(default_factory=list)  # a shared term: one page of them
    shared: Link | None = None  # one report's version: the term it shares with others
    # a shared term: how many reports use it, which page of them ``versions`` is, how many
    # pages there are, and every report that uses it (for the map)
    version_count: int = 0
    page: int = 1
    pages: int = 1
    used_in: list[Link] = field(default_factory=list)

    @property
    def first(self) -> int:
        """The number of the page's first version among all (from 1)."""
        return (self.page - 1) * VERSIONS_PER_PAGE + 1


@dataclass
class Version:
    """One report's use of a shared term (“两新” in 河南's report): its own page's details."""

    report: Link
    place: str
    date: str
    details: TermDetails


# ---------------------------------------------------------------- reading the store


# Reports' versions of a shared term read and shown in full on one page: the page of a slogan
# every county uses would otherwise grow with the collection (6.6 s of CPU at 10× the corpus)
VERSIONS_PER_PAGE = 20


def term_details(
    term: Term, key: str, page: int = 1, *, versions_related: bool = True
) -> TermDetails:
    """Read the term's page from the store: a shared term gathers each report's version,
    :data:`VERSIONS_PER_PAGE` of them on ``page``, with each version's related slogans unless
    ``versions_related`` is false (the HTML page shows none of them)."""
    if term.shared:
        return shared_details(term, key, page, related=versions_related)
    return details_of([term], key)[term.iri]


def details_of(
    terms: list[Term], key: str | None = None, *, related: bool = True
) -> dict[str, TermDetails]:
    """The details of each of ``terms`` (none shared), each query run once for all of them.

    ``key`` is the page's key when there is one term; several are read as the versions of a
    shared term, whose pages show no other links (:func:`linked` is left out for them), and
    no related slogans when ``related`` is false: at 100 times the corpus each version of a
    slogan every county uses shares its parts with a hundred others, 2,000 rows for a page of
    twenty versions that the HTML page does not show (1 s of its 2–5 s on Oxigraph).
    """
    iris = [t.iri for t in terms]
    prefetch(  # the queries below that start from the terms alone, read together
        [
            (q, var, iris)
            for q, var in (
                (_Q_DEFINITIONS, "t"),
                (_Q_PARTS, "t"),
                (_Q_INDUSTRIES, "t"),
                (_PREFIXES + _Q_PART_GRAPHS, "t"),
                (_Q_LEADERS, "t"),
                *MENTION_QUERIES,
                *(((_PREFIXES + q, "t") for q in _Q_RELATED.values()) if related else ()),
            )
        ]
    )
    # each term's tree, read once for its evidence, its parts and its industries (a
    # transitive path is asked one term at a time of a server: kg.remote.has_transitive_path)
    part_rows = rows_for(_Q_PARTS, "t", iris)
    evidence = evidence_of(
        iris,
        parts={iri: [iri, *(r["part"].value for r in rows)] for iri, rows in part_rows.items()},
    )
    defs = definitions_of(iris)
    trees = parts_trees(terms, evidence, part_rows)
    leaders = rows_for(_Q_LEADERS, "t", iris)
    related_rows = related_slogans_of(iris) if related else {iri: [] for iri in iris}
    links = linked_of(iris) if len(terms) == 1 else {}
    mentions = mentions_of(iris)
    out = {}
    for term in terms:
        shared = term_index().get(term.version_of) if term.version_of else None
        out[term.iri] = TermDetails(
            shared=term_link(shared.iri, shared.label) if shared else None,
            term=term,
            key=key if key is not None and len(terms) == 1 else key_of(term.iri),
            definitions=defs[term.iri],
            tree=trees[term.iri],
            leaders=_links(leaders[term.iri], "x"),
            related=related_rows[term.iri],
            links=links.get(term.iri, []),
            mentions=mentions[term.iri],
            evidence=evidence[term.iri],
        )
    return out


def shared_details(term: Term, key: str, page: int = 1, *, related: bool = True) -> TermDetails:
    """A term many reports use (“两新”): no parts of its own, each report's version in turn,
    ordered by place and date, :data:`VERSIONS_PER_PAGE` on ``page`` (from 1; past the last,
    the last), and the mentions of those versions."""
    found = []
    for row in get_store().select(_Q_VERSIONS, {"t": ox.NamedNode(term.iri)}):
        version = term_index().get(row["v"].value)
        if version is not None:
            report = row["report"].value
            label = row_value(row, "rlabel") or row_value(row, "title")
            place, date = row_value(row, "place") or "", row_value(row, "date") or ""
            found.append((place, date, report, link(report, label), version))
    found.sort(key=lambda f: f[:3])
    pages = max(1, -(-len(found) // VERSIONS_PER_PAGE))
    page = min(max(page, 1), pages)
    shown = found[(page - 1) * VERSIONS_PER_PAGE : page * VERSIONS_PER_PAGE]
    details = details_of([version for *_, version in shown], related=related)
    versions = [
        Version(report=report, place=place, date=date, details=details[version.iri])
        for place, date, _, report, version in shown
    ]
    return TermDetails(
        version_count=len(found),
        page=page,
        pages=pages,
        used_in=[report for *_, report, _ in found],
        term=term,
        key=key,
        definitions=[df for v in versions for df in v.details.definitions],
        tree=Node(link(term.iri, term.label), term.kind),
        leaders=[],
        related=[],
        links=[],
        mentions=[m for v in versions for m in v.details.mentions],
        evidence={},
        versions=versions,
    )


def definitions(node: ox.NamedNode) -> list[Definition]:
    """The glossary entries defining the term, by report and then by printed number."""
    return definitions_of([node.value])[node.value]


def definitions_of(iris: list[str]) -> dict[str, list[Definition]]:
    """:func:`definitions` of each of ``iris``."""
    return {
        iri: sorted(
            (_definition(row) for row in rows),
            key=lambda d: (d.report.iri if d.report else "", _number(d.number)),
        )
        for iri, rows in rows_for(_Q_DEFINITIONS, "t", iris).items()
    }


def _definition(row: dict) -> Definition:
    report = row.get("report")
    return Definition(
        entry=link(row["e"].value, row_value(row, "label")),
        number=row_value(row, "number") or "",
        definition=row["def"].value,
        report=link(report.value, row_value(row, "title")) if report else None,
    )


def parts_tree(term: Term, evidence: EvidenceMap | None = None) -> Node:
    """The term and its parts at every depth: 四纵四横一管网 → 四纵 → 嵩山路 …

    The graph does not keep the parts' order; the definitions print it (“四纵”指嵩山路、恒山路…),
    so parts come in the order the definitions of the term and its parents name them, the
    others after them by pinyin. ``evidence`` (from ``evidence.evidence``) gives each part the
    passages its pol:hasComponent was read from.
    """
    return parts_trees([term], {term.iri: evidence or {}})[term.iri]


def parts_trees(
    terms: list[Term], evidence: dict[str, EvidenceMap], rows: dict[str, list[dict]] | None = None
) -> dict[str, Node]:
    """:func:`parts_tree` of each of ``terms``, with the evidence of each term's links
    (``rows``: their :data:`_Q_PARTS` rows when already read)."""
    if rows is None:
        rows = rows_for(_Q_PARTS, "t", [t.iri for t in terms])
    members = _industry_members([t.iri for t in terms], rows)
    return {
        t.iri: _tree(t, rows[t.iri], members.get(t.iri, {}), evidence.get(t.iri, {})) for t in terms
    }


def _tree(term: Term, rows: list[dict], members: dict, evidence: EvidenceMap) -> Node:
    children: dict[str, list[str]] = defaultdict(list)
    labels: dict[str, str] = {term.iri: term.label}
    kinds: dict[str, str] = {term.iri: term.kind}
    for row in rows:
        parent, part = row["parent"].value, row["part"].value
        if part not in children[parent]:
            children[parent].append(part)
        if "label" in row:
            labels.setdefault(part, row["label"].value)
        if "type" in row:
            kind = row["type"].value[len(POL) :]
            if kind in KIND_NAMES:
                kinds[part] = kind
    index = term_index()

    def build(iri: str, seen: frozenset[str], text: str, parent: str = "") -> Node:
        found = evidence.get((parent, POL + "hasComponent", iri), [])
        n = Node(link(iri, labels.get(iri)), kinds.get(iri, ""), found)
        n.enterprises, n.projects = members.get(iri, ([], []))
        own = index.get(iri)
        text = (own.definition if own else "") + "\n" + text

        def printed(c: str) -> tuple:
            at = text.find(labels.get(c, "\0"))
            return (at < 0, at, pinyin(labels.get(c, c)), c)

        parts = sorted(children.get(iri, []), key=printed)
        n.children = [build(c, seen | {c}, text, iri) for c in parts if c not in seen]
        return n

    return build(term.iri, frozenset({term.iri}), "")


Members = dict[str, tuple[list[Link], list[Link]]]  # industry → enterprises, projects


def _industry_members(
    iris: list[str], parts: dict[str, list[dict]] | None = None
) -> dict[str, Members]:
    """For each of ``iris`` with industries in its tree (``parts``: its :data:`_Q_PARTS`
    rows, read here when not given): each industry's members."""
    if parts is None:
        parts = rows_for(_Q_PARTS, "t", iris)
    roots = {iri for iri, rows in rows_for(_Q_INDUSTRIES, "t", iris).items() if rows}
    industries = {}
    for iri in iris:
        typed = {r["part"].value for r in parts[iri] if r.get("type") == _INDUSTRY}
        if typed or iri in roots:
            industries[iri] = sorted(typed | ({iri} & roots))
    with_industries = list(industries)
    # asked for every term, as details_of reads these two beside the tree (prefetch)
    graphs = {
        iri: sorted({row["g"].value for row in rows})
        for iri, rows in rows_for(_PREFIXES + _Q_PART_GRAPHS, "t", iris).items()
    }
    own = rows_for(_Q_OWN_MEMBERS, "t", sorted(roots))
    every = sorted({i for found in industries.values() for i in found})
    variants = {
        i: sorted({row["variant"].value for row in rows})
        for i, rows in rows_for(_Q_VARIANTS, "industry", every).items()
    }
    wanted = sorted(
        {(g, v) for iri in with_industries for g in graphs[iri]
         for i in industries[iri] for v in variants[i]}
    )  # fmt: skip
    members: dict[tuple[str, str], list[dict]] = defaultdict(list)  # (graph, variant) → rows
    for first in range(0, len(wanted), MEMBER_PAIRS):
        pairs = " ".join(f"(<{g}> <{v}>)" for g, v in wanted[first : first + MEMBER_PAIRS])
        for row in get_store().select(_Q_MEMBERS_IN.replace("{pairs}", pairs)):
            members[(row["g"].value, row["variant"].value)].append(row)
    out = {}
    for iri in with_industries:
        below = [
            dict(row, industry=ox.NamedNode(i))
            for i in industries[iri]
            for g in graphs[iri]
            for v in variants[i]
            for row in members[(g, v)]
        ]
        found: dict[str, tuple[dict[str, Link], dict[str, Link]]] = defaultdict(lambda: ({}, {}))
        for row in below + own.get(iri, []):
            x = row["x"].value
            which = 0 if row["kind"].value == POL + "Enterprise" else 1
            found[row["industry"].value][which][x] = link(x, row_value(row, "label"))
        out[iri] = {
            industry: (_sorted(e.values()), _sorted(p.values()))
            for industry, (e, p) in found.items()
        }
    return out


MEMBER_PAIRS = 500  # (graph, variant) pairs a query
_INDUSTRY = ox.NamedNode(POL + "Industry")


def related_slogans(node: ox.NamedNode) -> list[tuple[Link, str]]:
    """Slogans that contain the term, share its glossary entry or share a part with it."""
    return related_slogans_of([node.value])[node.value]


def related_slogans_of(iris: list[str]) -> dict[str, list[tuple[Link, str]]]:
    """:func:`related_slogans` of each of ``iris``: each reason's query once for all, then
    the labels of every slogan found in one more."""
    reasons = {"contains": "包含此项 contains it", "glossary": "同一解释 same entry",
               "shares": "共有部分 shares parts"}  # fmt: skip
    found: dict[str, list[tuple[str, str]]] = {iri: [] for iri in iris}
    for why, sparql in _Q_RELATED.items():
        for iri, rows in rows_for(_PREFIXES + sparql, "t", iris).items():
            found[iri].extend((row["s"].value, why) for row in rows)
    others = {s for pairs in found.values() for s, _ in pairs}
    slogans = {  # the first label of each slogan among them
        s: row_value(rows[0], "label")
        for s, rows in rows_for(_Q_SLOGAN_LABEL, "s", sorted(others)).items()
        if rows
    }
    out = {}
    for iri, pairs in found.items():
        seen: dict[str, tuple[Link, str]] = {}
        for s, why in pairs:
            if s != iri and s not in seen and s in slogans:
                seen[s] = (link(s, slogans[s]), reasons[why])
        out[iri] = sorted(seen.values(), key=lambda r: r[0].label)
    return out


def linked(node: ox.NamedNode) -> list[tuple[Link, str, list[Link]]]:
    """(property, direction, things) for the term's other ties in the ontology's terms."""
    return linked_of([node.value])[node.value]


def linked_of(iris: list[str]) -> dict[str, list[tuple[Link, str, list[Link]]]]:
    """:func:`linked` of each of ``iris``."""
    out = {}
    for iri, rows in rows_for(_Q_LINKS, "t", iris).items():
        groups: dict[tuple[str, str], dict[str, Link]] = defaultdict(dict)
        for row in rows:
            x = row["x"].value
            groups[(row["p"].value, row["dir"].value)].setdefault(x, link(x, row["label"].value))
        out[iri] = [
            (link(p, vocab_label(p)), direction, list(things.values()))
            for (p, direction), things in groups.items()
        ]
    return out


@dataclass
class ReportGlossary:
    """A report as listed beside the index: who issued it and when, and its glossary size."""

    report: Link
    slug: str
    issued_by: str
    date: str
    entries: int


def reports(only: str | None = None) -> list[ReportGlossary]:
    """Every report in the store (or the one whose IRI is ``only``: a glossary page needs no
    other), with the size of its glossary."""
    out = []
    prefix = base_iri() + "report/"
    bound = {"r": ox.NamedNode(only)} if only else None
    for row in get_store().select(_Q_REPORTS, bound):
        iri = row["r"].value
        out.append(
            ReportGlossary(
                report=link(iri, row_value(row, "title")),
                slug=iri[len(prefix) :] if iri.startswith(prefix) else "",
                issued_by=row_value(row, "by") or "",
                date=row_value(row, "date") or "",
                entries=int(row["entries"].value),
            )
        )
    return out


def glossary(report_iri: str) -> list[dict]:
    """The glossary of one report in printed order, each entry with the terms it explains."""
    entries: dict[str, dict] = {}
    for row in get_store().select(_Q_GLOSSARY, {"report": ox.NamedNode(report_iri)}):
        iri = row["e"].value
        entry = entries.setdefault(
            iri,
            {
                "entry": link(iri, row_value(row, "label")),
                "number": row_value(row, "number") or "",
                "definition": row_value(row, "def") or "",
                "explains": {},
            },
        )
        if "x" in row:
            x = row["x"].value
            entry["explains"][x] = term_link(x, row_value(row, "xlabel"))
    for entry in entries.values():
        entry["explains"] = list(entry["explains"].values())
    return sorted(entries.values(), key=lambda e: (_number(e["number"]), e["entry"].label))


def term_link(iri: str, label: str | None = None) -> Link:
    """A link to the term page when ``iri`` is a term, else to its ``/id/`` page."""
    term = term_index().get(iri)
    base = base_iri()
    if term and iri.startswith(base):
        return Link(iri, key_href("terms.term", iri[len(base) :]), label or term.label)
    return link(iri, label)


def _links(rows, var: str) -> list[Link]:
    return _sorted({r[var].value: link(r[var].value, row_value(r, "label")) for r in rows}.values())


def _sorted(links) -> list[Link]:
    return sorted(links, key=lambda link: (link.label, link.iri))


def _number(text: str) -> tuple[int, str]:
    digits = "".join(c for c in text if c.isdigit())
    return (int(digits) if digits else 1 << 30, text)


def key_of(iri: str) -> str:
    """A term's key: its IRI after the configured base (``slogan/si-zhu-lian-0c35204a``)."""
    base = base_iri()
    return iri[len(base) :] if iri.startswith(base) else iri
