"""Lookup keys written at build time, so that a question given a name starts from its answer.
About 420 lines because every statement the build writes for the questions alone (keys,
sentence lists, parts, depths, industries covered, the lists' orders) is made here, in one place.

The catalogue's questions take a thing by name or by IRI (``term=平高集团``). Read as
``{ ?thing rdfs:label ?name . BIND(STR(?name) AS ?term) }``, the engine has to compute the
string of every label of the store and compare it with the one asked for: 25 ms on the bundled
corpus, seconds at a hundred times its size, before the question itself is even begun. The
build writes instead, into the named graph ``graph/summary``, one plain string per name and
per IRI, under one property::

    id:enterprise/410000/ping-gao-ji-tuan-f5a0792f
        pol:key "平高集团" , "https://w3id.org/policykg/id/enterprise/410000/ping-gao-ji-tuan-f5a0792f" .

and, per thing, the sentences that mention it (its own span's sentence, or the sentence it was
read from whole): ``?thing pol:mentionedIn ?sentence``, so that co-mentions are two lookups,
not two paths (``prov:wasDerivedFrom/pol:inSentence?``) over every span of the store; and
where each section begins (``pol:sectionStart``: the least ``pol:start`` of the sentences in
it or in its subsections), so that an outline does not walk every sentence of its report; and
on the first span of each policy document a report cites, how many spans of it the report has
(``pol:citationMentions``); per industry, the industries it includes (``pol:includesIndustry``:
itself, its variant names and narrower industries); per slogan its parts, counted and named
(:func:`slogan_parts`); per glossary entry what it explains, named (:func:`glossary_explained`).
The catalogue's lists in their order (:data:`ORDERS`) are written too, once every report is in.

``?thing pol:key ?term`` is one index lookup once ``?term`` is bound, by the engine's
substitution or by a trailing ``VALUES`` on a remote store alike. One property, because
Oxigraph joins a ``UNION`` or a path (``pol:a|pol:b``) with the rest of a query only after
evaluating the rest on its own (270 ms instead of 2 ms on the bundled corpus). ``pol:key``
holds the lexical form of every ``rdfs:label``, ``skos:prefLabel`` and ``skos:altLabel`` (any
language), and the IRI of everything named, derived from a passage or typed (text spans and
sentences aside: they are found through what they mention); a report also by its title, its file's
name (``zhanhe-district_2023_plan-report``) and its IRI's last segment, a place by its GB/T 2260
code (``410411``). Both are derived from the report, lexicon and ontology graphs
alone, and each statement from one report's graphs, so ``kg.build`` computes them per report
(:func:`summary_triples`, in the process that builds the report) and keeps them with the
report for the next build; the summary graph is their union.
"""

from __future__ import annotations

from typing import cast

import pyoxigraph as ox

from .iri import Minter
from .vocab import POL, prologue

GRAPH = "summary"

PREFIXES = prologue("pol", "rdfs", "skos", "prov", "dcterms", "xsd")
# Read as CONSTRUCT and written in one bulk load: the same as SPARQL INSERTs, ten times faster on
# a store on disk. The summary graph itself holds no label, derivation, type or sentence link.
QUERIES = [
    """CONSTRUCT { ?x pol:key ?key } WHERE {
      { GRAPH ?g { ?x rdfs:label ?name } } UNION { GRAPH ?g { ?x skos:prefLabel ?name } }
      UNION { GRAPH ?g { ?x skos:altLabel ?name } }
      FILTER(isIRI(?x))
      BIND(STR(?name) AS ?key)
    }""",
    """CONSTRUCT { ?x pol:key ?key } WHERE {
      { GRAPH ?g { ?x rdfs:label|skos:prefLabel|skos:altLabel|prov:wasDerivedFrom ?any } }
      UNION { GRAPH ?g { ?x a ?class } FILTER(?class NOT IN (pol:Sentence, pol:TextSpan)) }
      FILTER(isIRI(?x))
      BIND(STR(?x) AS ?key)
    }""",
    # a report also by its title, file name and IRI's last segment (report-outline's parameter),
    # a place by its GB/T 2260 code (target-attainment's and targets-of-year's)
    """CONSTRUCT { ?x pol:key ?key } WHERE {
      { GRAPH ?g { ?x pol:sourceFile ?file } BIND(REPLACE(STR(?file), "^.*/|\\\\.[^.]*$", "") AS ?key) }
      UNION { GRAPH ?g { ?x pol:adminCode ?code } GRAPH ?h { ?x a pol:Place } BIND(STR(?code) AS ?key) }
      UNION { GRAPH ?g { ?x a pol:Report } BIND(REPLACE(STR(?x), "^.*/", "") AS ?key) }
      UNION { GRAPH ?g { ?x a pol:Report ; dcterms:title ?title } BIND(STR(?title) AS ?key) }
    }""",
    """CONSTRUCT { ?x pol:mentionedIn ?sentence } WHERE {
      GRAPH ?g1 { ?x prov:wasDerivedFrom ?span }
      GRAPH ?g2 { ?span pol:inSentence ?sentence }
      GRAPH ?g3 { ?sentence a pol:Sentence }
    }""",
    """CONSTRUCT { ?x pol:mentionedIn ?sentence } WHERE {
      GRAPH ?g1 { ?x prov:wasDerivedFrom ?sentence }
      GRAPH ?g3 { ?sentence a pol:Sentence }
    }""",
    # a report's citation of a policy document: on its first span, how many spans of the
    # document the report has (policy-documents; read per citation, the document's spans in
    # every report were read for each: a national document's in thousands at 100x the corpus)
    """CONSTRUCT { ?first pol:citationMentions ?mentions } WHERE {
      {
        SELECT ?document ?report (MIN(?at) AS ?start) (COUNT(DISTINCT ?span) AS ?mentions)
        WHERE {
          ?document a pol:PolicyDocument ; prov:wasDerivedFrom ?span .
          ?span pol:inReport ?report ; pol:start ?at .
        }
        GROUP BY ?document ?report
      }
      ?document prov:wasDerivedFrom ?first .
      ?first pol:inReport ?report ; pol:start ?start .
    }""",
    # the industries an industry includes (chain-enterprises): itself, its variant names and
    # the industries narrower than either, at any distance. Joined by one lookup per row where
    # Virtuoso 7.2 evaluated the path in a FILTER EXISTS inside an OPTIONAL without the outer
    # industry (no enterprise found) and Oxigraph, given the path joined, read every graph.
    # From one report's graphs: a report states each industry it names with its closeMatch
    # (kg/graph.py industry_node); the taxonomy states the rest
    """CONSTRUCT { ?industry pol:includesIndustry ?variant } WHERE {
      ?industry a pol:Industry ; (skos:closeMatch|^skos:closeMatch|^skos:broader)* ?variant .
      FILTER(isIRI(?industry) && isIRI(?variant))
    }""",
    # where a section begins: its first sentence's, or its first subsection's (report-outline)
    """CONSTRUCT { ?section pol:sectionStart ?start } WHERE {
      SELECT ?section (MIN(?at) AS ?start) WHERE {
        ?sentence pol:inSection/dcterms:isPartOf* ?section ; pol:start ?at .
        ?section a pol:Section .  # the path climbs to the report too
      }
      GROUP BY ?section
    }""",
]


# a slogan's direct parts with their labels and where the report first names each as its part
# (the span of its pol:hasComponent assertion): what the slogans catalogue answers per slogan,
# which grouped over every slogan of the store cost 2.5 s at 10× the corpus
PARTS = """SELECT ?slogan ?part ?label (MIN(?at) AS ?first) WHERE {
  ?slogan a pol:Slogan .
  OPTIONAL {
    ?slogan pol:hasComponent ?part .
    OPTIONAL { ?part rdfs:label ?label }
    OPTIONAL {
      ?assertion pol:assertedSubject ?slogan ; pol:assertedProperty pol:hasComponent ;
          pol:assertedObject ?part ; prov:wasDerivedFrom/pol:start ?at .
    }
  }
}
GROUP BY ?slogan ?part ?label"""
SEPARATOR = "、"


def summarise(store: ox.Store, minter: Minter) -> int:
    """Write the lookup keys, sentence lists and the lists' orders of every named graph
    into ``graph/summary``; the number of statements written.

    Run after the report graphs are loaded and before the default graph is merged (which then
    holds them too); it first clears what an earlier run wrote.
    """
    graph = ox.NamedNode(minter.graph(GRAPH))
    store.update(f"DROP SILENT GRAPH <{graph.value}>")
    triples = summary_triples(store) | list_orders(store, union=True)
    store.bulk_load(
        ox.serialize(
            (ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples),
            format=ox.RdfFormat.N_QUADS,
        )
        or b"",
        format=ox.RdfFormat.N_QUADS,
    )
    return len(triples)


def summary_triples(store: ox.Store) -> set[ox.Triple]:
    """The statements of the summary graph for the named graphs of ``store``.

    Each statement is read from one report's graphs (and the ontology and lexicon): the union
    of what each report gives on its own is what the whole store gives, so a build computes
    it per report, beside the report, and keeps it for the next build.
    """
    # the default graph is not merged yet: read the union of the graphs (a bag; MIN ignores it)
    found = {
        t
        for q in QUERIES
        for t in cast(ox.QueryTriples, store.query(PREFIXES + q, use_default_graph_as_union=True))
    }
    return found | slogan_parts(store) | glossary_explained(store)


def slogan_parts(store: ox.Store) -> set[ox.Triple]:
    """Per slogan, ``pol:partCount`` (its distinct direct parts, 0 for none) and
    ``pol:partLabels``: their distinct labels joined by 、 in the order the report names them
    as its parts (then by label), absent when no part has a label; per slogan with parts, its
    ``pol:treeDepth`` (:func:`tree_depths`).

    The labels keep their language when they all share it, as ``GROUP_CONCAT`` does.
    """
    rows = cast(ox.QuerySolutions, store.query(PREFIXES + PARTS, use_default_graph_as_union=True))
    parts: dict[
        ox.NamedNode, dict[ox.NamedNode | ox.BlankNode, tuple[float, list[ox.Literal]]]
    ] = {}
    for row in rows:
        slogan, part, label, first = row["slogan"], row["part"], row["label"], row["first"]
        of_slogan = parts.setdefault(slogan, {})
        if part is None:
            continue
        at, labels = of_slogan.get(part, (float("inf"), []))
        at = min(at, int(first.value)) if first is not None else at
        of_slogan[part] = (at, labels + ([label] if label is not None else []))
    out = set()
    for slogan, of_slogan in parts.items():
        out.add(ox.Triple(slogan, POL.partCount, ox.Literal(len(of_slogan))))
        ordered = sorted(
            (at, label.value, label.language or "")
            for at, labels in of_slogan.values()
            for label in labels
        )
        joined = joined_labels(
            [ox.Literal(text, language=lang or None) for _, text, lang in ordered]
        )
        if joined is not None:
            out.add(ox.Triple(slogan, POL.partLabels, joined))
    for slogan, depth in tree_depths({s: set(p) for s, p in parts.items() if p}).items():
        out.add(ox.Triple(slogan, POL.treeDepth, ox.Literal(depth)))
    return out


def joined_labels(labels: list[ox.Literal]) -> ox.Literal | None:
    """The distinct texts of ``labels`` joined by 、 in the order given, None for no label;
    in their language when they all share it, as ``GROUP_CONCAT`` joins them.

    >>> joined_labels([ox.Literal("四纵", language="zh"), ox.Literal("四横", language="zh")])
    <Literal value=四纵、四横 language=zh>
    """
    texts = list(dict.fromkeys(label.value for label in labels))
    languages = {label.language or "" for label in labels}
    if not texts:
        return None
    language = languages.pop() if len(languages) == 1 else ""
    return ox.Literal(SEPARATOR.join(texts), language=language or None)


# each glossary entry's text (its term, then its definition) and what it explains with labels
EXPLAINED = """SELECT ?entry ?term ?definition ?explained ?label WHERE {
  ?entry a pol:GlossaryEntry ; pol:explains ?explained .
  OPTIONAL { ?entry rdfs:label ?term }
  OPTIONAL { ?entry skos:definition ?definition }
  OPTIONAL { ?explained rdfs:label ?label }
}"""


def glossary_explained(store: ox.Store) -> set[ox.Triple]:
    """Per glossary entry that explains something, ``pol:explainedLabels``: the distinct labels
    of what it explains joined by 、 in the order the entry names them (where each first stands
    in its term, then its definition; at the same place the longer first, the whole before its
    part; then the unnamed, by label), absent when none has a label; and ``pol:explainedIris``:
    their IRIs joined by a space, each thing where its first label stands.

    What ``GROUP_CONCAT`` joined per entry in the engine's order (Virtuoso 7.2 another one,
    without the language and with 、 written as "?"), written once at build time.
    """
    rows = cast(
        ox.QuerySolutions, store.query(PREFIXES + EXPLAINED, use_default_graph_as_union=True)
    )
    texts: dict[ox.NamedNode, set[tuple[int, str]]] = {}
    labels: dict[ox.NamedNode, dict[ox.NamedNode, set[ox.Literal]]] = {}
    for row in rows:
        entry, explained, label = row["entry"], row["explained"], row["label"]
        for order, text in enumerate((row["term"], row["definition"])):
            if text is not None:
                texts.setdefault(entry, set()).add((order, text.value))
        named = labels.setdefault(entry, {}).setdefault(explained, set())
        if label is not None:
            named.add(label)
    out = set()
    for entry, of_entry in labels.items():
        text = "\n".join(t for _, t in sorted(texts.get(entry, ())))
        ordered = sorted(
            (_named_at(text, label), label) for ls in of_entry.values() for label in ls
        )
        joined = joined_labels([label for _, label in ordered])
        if joined is not None:
            out.add(ox.Triple(entry, POL.explainedLabels, joined))
        first = {
            thing: min((_named_at(text, label) for label in named), default=_UNNAMED)
            for thing, named in of_entry.items()
        }
        iris = sorted(of_entry, key=lambda thing: (first[thing], thing.value))
        out.add(ox.Triple(entry, POL.explainedIris, ox.Literal(" ".join(t.value for t in iris))))
    return out


_UNNAMED = (float("inf"), 0, "", "")


def _named_at(text: str, label: ox.Literal) -> tuple[float, int, str, str]:
    """Where ``text`` first names ``label`` (nowhere: last), the longer label first at one
    place (四纵四横一管网 before 四纵), then by label: a sort key."""
    at = text.find(label.value)
    return (at if at >= 0 else float("inf"), -len(label.value), label.value, label.language or "")


def tree_depths(parts: dict[ox.NamedNode, set]) -> dict[ox.NamedNode, int]:
    """How many ``pol:hasComponent`` steps each slogan with parts (the keys of ``parts``, each
    with its direct parts) stands below the top of its tree: 0 for one that is no slogan's part.

    A part's depth below any root of its tree is then its parent's depth less the root's, plus
    one: a lookup per row, where counting the steps between them read every slogan tree of the
    store (slogan-parts: 1.2 s at 100× the corpus). Left out for a slogan that two paths of
    different lengths reach, or a cycle: there a depth would be wrong.

    >>> top, part, leaf, c = (ox.NamedNode(f"urn:x:{n}") for n in ("top", "part", "leaf", "c"))
    >>> tree_depths({top: {part, leaf}, part: {leaf}}) == {top: 0, part: 1}
    True
    >>> tree_depths({top: {part, c}, part: {c}, c: {leaf}}) == {top: 0, part: 1}  # c: 1 and 2
    True
    """
    reached: dict[ox.NamedNode, set[int]] = {}

    def walk(slogan: ox.NamedNode, depth: int, path: frozenset) -> None:
        reached.setdefault(slogan, set()).add(depth if slogan not in path else -1)  # -1: a cycle
        if slogan not in path:
            for part in parts[slogan] & parts.keys():
                walk(part, depth + 1, path | {slogan})

    below = {part for of_slogan in parts.values() for part in of_slogan}
    for top in parts.keys() - below:
        walk(top, 0, frozenset())
    return {slogan: depths.pop() for slogan, depths in reached.items() if len(depths) == 1}


# The catalogue's long lists in the order they are shown, each thing's place written at build
# time (one property per list: pol:listOrder, pol:yearOrder...), so that a page of a list reads
# its property's values and sorts them as small integers: sorting by labels and IRIs costs
# Oxigraph a dictionary read per comparison (8,600 observations of one year by indicator
# label, measure and area: 1.5 s at 100x the corpus), sorting integers nothing. Each query selects ?thing in the order of its catalogue question's
# ORDER BY, then by IRI (one order among equals); the variables it selects besides ?thing name
# what is placed (a document cited by a report: its first span carries the citation's place).
ORDERS: list[tuple[ox.NamedNode, str, str]] = [
    (
        POL.listOrder,
        "slogans (queries/slogans.rq): by label, then IRI",
        """SELECT ?thing WHERE { ?thing a pol:Slogan ; rdfs:label ?label }
        ORDER BY ?label ?thing""",
    ),
    (
        POL.yearOrder,
        "observations (plan-vs-actual, year-targets): by indicator label, measure, area",
        """SELECT ?thing WHERE {
          ?thing pol:indicator ?indicator ; pol:measure ?measure .
          OPTIONAL { ?indicator rdfs:label ?label }
          OPTIONAL { ?thing pol:refArea ?area }
        }
        ORDER BY ?label ?measure ?area ?thing""",
    ),
    (
        POL.seriesOrder,
        "observations (indicator-series): by period, measure, value kind, area",
        """SELECT ?thing WHERE {
          ?thing pol:indicator ?indicator ; pol:period ?period ; pol:valueKind ?kind ;
              pol:measure ?measure .
          OPTIONAL { ?thing pol:refArea ?area }
        }
        ORDER BY ?period ?measure ?kind ?area ?thing""",
    ),
    (
        POL.glossaryOrder,
        "glossary entries (glossary): by report, number, term",
        """SELECT ?thing WHERE {
          ?thing a pol:GlossaryEntry ; rdfs:label ?term .
          OPTIONAL { ?thing pol:number ?number }
          OPTIONAL { ?thing pol:inReport ?report }
        }
        ORDER BY ?report xsd:integer(?number) ?term ?thing""",
    ),
    (
        POL.checkOrder,
        "consistency checks (inconsistent-figures): by outcome, report, stated figure's start",
        """SELECT ?thing WHERE {
          ?thing a pol:ConsistencyCheck ; pol:checkPassed ?ok ; pol:inReport ?report ;
              pol:statedIn ?span .
          ?span pol:start ?start .
        }
        ORDER BY ?ok ?report ?start ?thing""",
    ),
    (
        POL.citationOrder,
        "documents cited, per report (policy-documents): by report, first mention, title",
        """SELECT ?thing ?document ?report WHERE {
          ?document a pol:PolicyDocument ; rdfs:label ?title ; prov:wasDerivedFrom ?thing .
          ?thing pol:inReport ?report ; pol:start ?start .
        }
        ORDER BY ?report ?start ?title ?document ?thing""",
    ),
]


def list_orders(store: ox.Store, union: bool = False) -> set[ox.Triple]:
    """The catalogue's list orders (:data:`ORDERS`) over the store's default graph (the union
    of the report graphs as a set: read as the union of the named graphs, each indicator's
    label counted once per report made the rows 127 times as many): per thing listed, its
    place (from 1) among the things of its list, under the list's property. ``union``: read
    the union of the named graphs instead, for a small store whose default graph is not merged.

    A row whose other variables (a document and a report) were met before adds nothing: the
    first span of each citation in that order is where the citation is first mentioned. Unlike
    the other summary statements these depend on every report, so a build writes them once
    all are in.
    """
    out = set()
    for prop, _, query in ORDERS:
        rows = cast(
            ox.QuerySolutions, store.query(PREFIXES + query, use_default_graph_as_union=union)
        )
        names = [v.value for v in rows.variables]
        placed: dict[tuple, int] = {}
        for row in rows:
            key = tuple(row[n] for n in names[1:]) or (row["thing"],)
            if key not in placed:
                placed[key] = len(placed) + 1
                out.add(ox.Triple(row["thing"], prop, ox.Literal(placed[key])))
    return out


__all__ = [
    "GRAPH",
    "ORDERS",
    "glossary_explained",
    "joined_labels",
    "list_orders",
    "summarise",
    "summary_triples",
]
