"""Materialise what the ontology's property axioms entail, into one named graph.

The rules come from the ontology graph, never from this module: every ``owl:inverseOf``,
``owl:SymmetricProperty``, ``owl:TransitiveProperty``, ``rdfs:subPropertyOf`` (between object
properties), ``owl:equivalentProperty`` and ``owl:propertyChainAxiom`` becomes one rule, and the
rules run as SPARQL updates over the data graphs until nothing new follows::

    hasComponent ⊑ hasPart, hasPart transitive   四纵四横一管网 hasPart 嵩山路
    closeMatch symmetric                         医药健康产业 closeMatch 生物医药
    chainEnterprise ← hasPart ∘ coversConcept ∘ hasEnterprise
                                                 四主链 chainEnterprise 双鹤华利药业

Two OWL idioms are read the way OWL 2 means them: ``[ owl:inverseOf p ]`` in a chain walks ``p``
backwards, and a property ``r`` with ``C ⊑ ∃r.Self`` (never asserted itself) is the identity on
``C``, so a chain can keep only the enterprises among the things in an industry.

Left out on purpose: class membership (``rdf:type`` closure would add a triple per text span),
datatype sub-properties (``pol:start ⊑ oa:start`` would copy every offset) and ``x p x`` from
transitivity (true, but of no use to anyone reading the graph).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from .vocab import OWL, RDF, RDFS

NOT_OBJECT = {OWL.DatatypeProperty.value, OWL.AnnotationProperty.value}


@dataclass(frozen=True)
class Step:
    """One link of a rule body: a property walked forwards or backwards, or a type test."""

    predicate: str = ""
    inverse: bool = False
    classes: tuple[str, ...] = ()  # set for ∃r.Self properties: "is one of these classes"


@dataclass(frozen=True)
class Rule:
    """``?s head ?o`` holds wherever ``body`` links ``?s`` to ``?o``."""

    head: str
    body: tuple[Step, ...]
    axiom: str  # what the rule comes from, for messages and tests
    reflexive: bool = True  # False: do not write ``x head x``


def materialise(
    store: ox.Store, ontology_graph: str, data_graphs: list[str] | None, target_graph: str
) -> int:
    """Apply the ontology's property axioms to the union of ``data_graphs`` until fixpoint.

    Only triples found in none of the data graphs nor in ``target_graph`` are written, to
    ``target_graph``; the number written is returned, so running it again returns 0. Without
    ``data_graphs``, every named graph except the ontology and target graphs is read. To redo
    the inferences after data was removed, clear ``target_graph`` first.
    """
    rules = read_rules(store, ontology_graph)
    if data_graphs is None:
        skip = {ontology_graph, target_graph}
        data_graphs = [g.value for g in store.named_graphs() if g.value not in skip]
    # one update a round, a rule an operation (each sees what the ones before it wrote), its
    # WHERE over the data graphs and what was inferred so far: evaluated and written by the
    # store, without a Python object per inferred triple (half the cost)
    target = ox.NamedNode(target_graph)
    using = " ".join(f"USING {ox.NamedNode(g)}" for g in [*data_graphs, target_graph])
    update = " ;\n".join(
        f"INSERT {{ GRAPH {target} {{ ?s {ox.NamedNode(rule.head)} ?o }} }}\n{using}\n"
        f"WHERE {{\n{rule_where(rule)}\n}}"
        for rule in rules
    )
    before = len(store)
    while True:
        size = len(store)
        if update:
            store.update(update)
        if len(store) == size:
            return size - before


def read_rules(store: ox.Store, ontology_graph: str) -> list[Rule]:
    """The rules the ontology in ``ontology_graph`` states, in a stable order."""
    onto = _Ontology(store, ontology_graph)
    rules: list[Rule] = []
    for p, q in onto.pairs(OWL.inverseOf):
        if isinstance(p, ox.NamedNode) and isinstance(q, ox.NamedNode):
            rules.append(Rule(p.value, (Step(q.value, inverse=True),), "inverseOf"))
            rules.append(Rule(q.value, (Step(p.value, inverse=True),), "inverseOf"))
    for p in onto.typed(OWL.SymmetricProperty):
        rules.append(Rule(p.value, (Step(p.value, inverse=True),), "SymmetricProperty"))
    for p in onto.typed(OWL.TransitiveProperty):
        rules.append(Rule(p.value, (Step(p.value), Step(p.value)), "TransitiveProperty", False))
    for p, q in onto.pairs(RDFS.subPropertyOf):
        if onto.is_object_property(p) and onto.is_object_property(q):
            rules.append(Rule(q.value, (onto.step(p),), "subPropertyOf"))
    for p, q in onto.pairs(OWL.equivalentProperty):
        if onto.is_object_property(p) and onto.is_object_property(q):
            rules.append(Rule(q.value, (onto.step(p),), "equivalentProperty"))
            rules.append(Rule(p.value, (onto.step(q),), "equivalentProperty"))
    for p, chain in onto.pairs(OWL.propertyChainAxiom):
        if isinstance(p, ox.NamedNode):
            steps = tuple(onto.step(link) for link in onto.rdf_list(chain))
            rules.append(Rule(p.value, steps, "propertyChainAxiom"))
    return sorted(set(rules), key=lambda r: (r.axiom, r.head, repr(r.body)))


def rule_where(rule: Rule) -> str:
    """The WHERE of one rule (without its braces): ``?s`` to ``?o`` by its body, unless the
    dataset holds ``?s head ?o`` already. IRIs come from the ontology graph and are written
    with pyoxigraph's own escaping."""
    names = ["?s"]
    patterns = []
    for i, step in enumerate(rule.body):
        last = i == len(rule.body) - 1
        current = names[-1]
        if step.classes:
            # an ∃r.Self property: stays on the same node, which must be in one of the classes
            values = " ".join(str(ox.NamedNode(c)) for c in step.classes)
            patterns.append(f"VALUES ?c{i} {{ {values} }} {current} a ?c{i} .")
            if last:
                patterns.append(f"BIND ({current} AS ?o)")
            names.append(current)
            continue
        following = "?o" if last else f"?v{i}"
        predicate = str(ox.NamedNode(step.predicate))
        if step.inverse:
            patterns.append(f"{following} {predicate} {current} .")
        else:
            patterns.append(f"{current} {predicate} {following} .")
        names.append(following)
    head = str(ox.NamedNode(rule.head))
    filters = ["FILTER (!isLiteral(?s))"]
    if not rule.reflexive:
        filters.append("FILTER (?s != ?o)")
    body = "\n  ".join(patterns + filters)
    return f"  {body}\n  FILTER NOT EXISTS {{ ?s {head} ?o }}"


class _Ontology:
    """Read-only look-ups into the ontology graph of a store."""

    def __init__(self, store: ox.Store, graph: str):
        self.store = store
        self.graph = ox.NamedNode(graph)
        self.self_classes = self._self_restrictions()

    def pairs(self, predicate: ox.NamedNode) -> list[tuple]:
        quads = self.store.quads_for_pattern(None, predicate, None, self.graph)
        return [(q.subject, q.object) for q in quads]

    def objects(self, subject, predicate: ox.NamedNode) -> list:
        quads = self.store.quads_for_pattern(subject, predicate, None, self.graph)
        return [q.object for q in quads]

    def typed(self, cls: ox.NamedNode) -> list[ox.NamedNode]:
        quads = self.store.quads_for_pattern(None, RDF.type, cls, self.graph)
        return [q.subject for q in quads if isinstance(q.subject, ox.NamedNode)]

    def is_object_property(self, term) -> bool:
        """Not declared a datatype or annotation property (inverse expressions always are)."""
        if not isinstance(term, ox.NamedNode):
            return bool(self.objects(term, OWL.inverseOf))
        return not {t.value for t in self.objects(term, RDF.type)} & NOT_OBJECT

    def step(self, term) -> Step:
        """A property expression as a rule step: ``p``, ``[ owl:inverseOf p ]`` or ∃p.Self."""
        inverse = self.objects(term, OWL.inverseOf) if isinstance(term, ox.BlankNode) else []
        if inverse:
            return Step(inverse[0].value, inverse=True)
        if term.value in self.self_classes:
            return Step(classes=self.self_classes[term.value])
        return Step(term.value)

    def rdf_list(self, head) -> list:
        items = []
        while head != RDF.nil:
            items.extend(self.objects(head, RDF.first))
            rest = self.objects(head, RDF.rest)
            if not rest:
                break
            head = rest[0]
        return items

    def _self_restrictions(self) -> dict[str, tuple[str, ...]]:
        """Properties ``r`` with ``C ⊑ ∃r.Self`` (or ``≡``), mapped to ``C`` and its subclasses."""
        found: dict[str, set[str]] = {}
        for restriction, flag in self.pairs(OWL.hasSelf):
            if flag.value not in ("true", "1"):
                continue
            for prop in self.objects(restriction, OWL.onProperty):
                for cls in self._classes_with(restriction):
                    found.setdefault(prop.value, set()).update(self._subclasses(cls))
        return {p: tuple(sorted(classes)) for p, classes in found.items()}

    def _classes_with(self, restriction) -> list[ox.NamedNode]:
        """Named classes that are subclasses of, or equivalent to, ``restriction``."""
        classes = [a for a, b in self.pairs(RDFS.subClassOf) if b == restriction]
        for a, b in self.pairs(OWL.equivalentClass):
            classes += [a] if b == restriction else [b] if a == restriction else []
        return [c for c in classes if isinstance(c, ox.NamedNode)]

    def _subclasses(self, cls: ox.NamedNode) -> set[str]:
        seen, todo = set(), [cls]
        while todo:
            c = todo.pop()
            if c.value in seen:
                continue
            seen.add(c.value)
            quads = self.store.quads_for_pattern(None, RDFS.subClassOf, c, self.graph)
            todo.extend(q.subject for q in quads if isinstance(q.subject, ox.NamedNode))
        return seen


__all__ = ["Rule", "Step", "materialise", "read_rules", "rule_where"]
