"""The SHACL shapes (``ontology/shapes.ttl``) as SPARQL queries, run on one report's graphs.

pyshacl checks the founding report in ~10 s (it re-parses a SPARQL constraint per focus node and
walks rdflib graphs in Python); a collection needs each report checked in milliseconds. This
module compiles every shape into SELECT queries that return the violating focus nodes, run by
Oxigraph over the union of the ontology, lexicon, report and inferred graphs, which is the data
pyshacl sees (the ontology mixed in, so ``sh:class pol:TextSpan`` accepts a ``pol:Sentence``).

Only the SHACL constructs the shapes use are compiled: targets (class, subjects-of, objects-of,
node), paths (IRI, alternative, inverse, sequence), min/max count, qualified min count, class,
datatype, node kind, pattern, in, languageIn, min/max in/exclusive, lessThan(OrEquals), and/or/
not/xone/node, and SPARQL-based constraints. Anything else raises :class:`UnsupportedShape`, and
the build then checks with pyshacl, never with less. ``tests/kg/test_validate.py`` pins the
equivalence: both validators find the same focus nodes on graphs broken on purpose.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from policykg.errors import PolicyKGError

from . import vocab

# The namespaces as strings: shapes are read term by term and compiled to SPARQL text.
SH, RDF, RDFS = vocab.SH.base, vocab.RDF.base, vocab.RDFS.base
TYPE = ox.NamedNode(RDF + "type")
ANNOTATIONS = {RDF + "type", RDFS + "label", RDFS + "comment"} | {
    SH + p for p in ("message", "name", "description", "order", "group", "severity", "declare")
}
TARGETS = {SH + p for p in ("targetClass", "targetSubjectsOf", "targetObjectsOf", "targetNode")}
COMPARISONS = {"minInclusive": ">=", "maxInclusive": "<=", "minExclusive": ">", "maxExclusive": "<"}
NODE_KINDS = {
    "IRI": "isIRI({v})",
    "BlankNode": "isBlank({v})",
    "Literal": "isLiteral({v})",
    "BlankNodeOrIRI": "!isLiteral({v})",
    "BlankNodeOrLiteral": "!isIRI({v})",
    "IRIOrLiteral": "!isBlank({v})",
}


class UnsupportedShape(PolicyKGError):
    """The shapes use a SHACL construct this module does not compile."""


@dataclass(frozen=True)
class Check:
    """One compiled constraint: ``query`` selects ``?this`` (and ``?value`` when there is one)."""

    shape: str  # the node shape, and the path for a property constraint: "pols:ReportShape pol:coversYear"
    component: str  # minCount, datatype, sparql, ...
    message: str
    query: str
    focus_query: str | None = None  # for SPARQL constraints: the targets the rows must be among


@dataclass(frozen=True)
class Failure:
    """A focus node that fails a check."""

    shape: str
    component: str
    message: str
    focus: ox.NamedNode | ox.BlankNode
    value: str | None


@cache
def compiled_checks(shapes_path: Path) -> tuple[Check, ...]:
    """The checks of the shapes file (compiled once per process).

    :raises UnsupportedShape: the shapes use a construct not compiled here.
    """
    shapes = ox.Store()
    shapes.load(path=str(shapes_path), format=ox.RdfFormat.TURTLE)
    return tuple(_Compiler(shapes).checks())


def failures(store: ox.Store, checks: Iterable[Check]) -> list[Failure]:
    """Run ``checks`` over the union of the named graphs of ``store``."""
    found = []
    for check in checks:
        rows = store.query(check.query, use_default_graph_as_union=True)
        allowed = None
        if check.focus_query:
            targets = store.query(check.focus_query, use_default_graph_as_union=True)
            allowed = {row["this"] for row in targets}  # type: ignore[index, union-attr]
        for row in rows:  # type: ignore[union-attr]
            focus = row["this"]
            if focus is None or (allowed is not None and focus not in allowed):
                continue
            value = row["value"] if "value" in [v.value for v in rows.variables] else None  # type: ignore[union-attr]
            found.append(
                Failure(
                    check.shape,
                    check.component,
                    check.message,
                    focus,
                    None if value is None else value.value,
                )
            )
    return found


# --- the compiler -----------------------------------------------------------------------------


def _literal(text: str) -> str:
    return str(ox.Literal(text))


class _Compiler:
    def __init__(self, shapes: ox.Store):
        self.shapes = shapes
        self.prefixes: dict[str, str] = {}
        for q in shapes.quads_for_pattern(None, ox.NamedNode(SH + "declare"), None):
            prefix = self.one(q.object, "prefix")
            namespace = self.one(q.object, "namespace")
            if prefix is not None and namespace is not None:
                self.prefixes[prefix.value] = namespace.value

    # reading the shapes graph
    def values(self, node, predicate: str) -> list:
        full = predicate if ":" in predicate else SH + predicate
        return [q.object for q in self.shapes.quads_for_pattern(node, ox.NamedNode(full), None)]

    def one(self, node, predicate: str):
        found = self.values(node, predicate)
        return found[0] if found else None

    def rdf_list(self, head) -> list:
        items = []
        while head != ox.NamedNode(RDF + "nil"):
            items.append(self.one(head, RDF + "first"))
            head = self.one(head, RDF + "rest")
            if head is None:
                raise UnsupportedShape("a malformed RDF list in the shapes")
        return items

    def name(self, node) -> str:
        if isinstance(node, ox.BlankNode):
            return "_"
        for prefix, ns in sorted(self.prefixes.items()):
            if node.value.startswith(ns):
                return f"{prefix}:{node.value[len(ns) :]}"
        value = node.value
        if "#" in value:
            return "pols:" + value.rsplit("#", 1)[1] if "/shapes#" in value else value
        return value

    def predicates(self, node) -> set[str]:
        return {q.predicate.value for q in self.shapes.quads_for_pattern(node, None, None)}

    # the checks
    def checks(self) -> list[Check]:
        node_shapes = {
            q.subject
            for q in self.shapes.quads_for_pattern(None, None, None)
            if q.predicate.value in TARGETS
        }
        checks: list[Check] = []
        for shape in sorted(node_shapes, key=str):
            if self.one(shape, "deactivated") == ox.Literal(True):
                continue
            severity = self.one(shape, "severity")
            if severity is not None and severity.value != SH + "Violation":
                continue  # warnings and infos never fail a build (allow_warnings)
            checks += self.node_shape(shape)
        return checks

    def target(self, shape) -> str:
        parts = []
        for c in self.values(shape, "targetClass"):
            parts.append(f"?this <{RDF}type>/<{RDFS}subClassOf>* {c} .")
        for p in self.values(shape, "targetSubjectsOf"):
            parts.append(f"?this {p} ?target_ .")
        for p in self.values(shape, "targetObjectsOf"):
            parts.append(f"?target_ {p} ?this .")
        for n in self.values(shape, "targetNode"):
            parts.append(f"VALUES ?this {{ {n} }}")
        union = " UNION ".join(f"{{ {p} }}" for p in parts)
        return f"{{ SELECT DISTINCT ?this WHERE {{ {union} }} }}"

    def node_shape(self, shape) -> list[Check]:
        target = self.target(shape)
        label = self.name(shape)
        message = self.one(shape, "message")
        checks = []
        for predicate in sorted(self.predicates(shape) - ANNOTATIONS - TARGETS):
            local = predicate.removeprefix(SH)
            if local == "deactivated":
                continue
            if local == "property":
                for ps in self.values(shape, "property"):
                    checks += self.property_shape(ps, target, label)
            elif local == "sparql":
                for constraint in self.values(shape, "sparql"):
                    checks.append(self.sparql(constraint, target, label, message))
            else:
                for value in self.values(shape, local):
                    expr = self.condition(local, value, "?this")
                    checks.append(
                        Check(
                            label,
                            local,
                            message.value if message else f"{local} {self.name(value)}",
                            f"SELECT ?this WHERE {{ {target} FILTER (!({expr})) }}",
                        )
                    )
        return checks

    def path(self, path) -> str:
        if isinstance(path, ox.NamedNode):
            return str(path)
        if self.one(path, RDF + "first") is not None:
            return "(" + "/".join(self.path(p) for p in self.rdf_list(path)) + ")"
        alternatives = self.one(path, "alternativePath")
        if alternatives is not None:
            return "(" + "|".join(self.path(p) for p in self.rdf_list(alternatives)) + ")"
        inverse = self.one(path, "inversePath")
        if inverse is not None:
            return "^" + self.path(inverse)
        for local, op in (("zeroOrMorePath", "*"), ("oneOrMorePath", "+"), ("zeroOrOnePath", "?")):
            inner = self.one(path, local)
            if inner is not None:
                return f"({self.path(inner)}){op}"
        raise UnsupportedShape(f"a path the compiler does not know: {path}")

    def property_shape(self, ps, target: str, node_label: str) -> list[Check]:
        raw_path = self.one(ps, "path")
        if raw_path is None:
            raise UnsupportedShape(f"property shape without sh:path: {ps}")
        path = self.path(raw_path)
        label = (
            f"{node_label} {self.name(raw_path) if isinstance(raw_path, ox.NamedNode) else path}"
        )
        if isinstance(ps, ox.NamedNode):
            label = f"{node_label} {self.name(ps)}"
        message = self.one(ps, "message")
        checks = []

        def add(component: str, query: str, default: str) -> None:
            checks.append(Check(label, component, message.value if message else default, query))

        handled = ANNOTATIONS | {SH + "path", SH + "qualifiedMinCount", SH + "deactivated"}
        for predicate in sorted(self.predicates(ps) - handled):
            local = predicate.removeprefix(SH)
            for value in self.values(ps, local):
                if local == "minCount":
                    n = int(value.value)
                    add(
                        local,
                        f"SELECT ?this WHERE {{ {target} OPTIONAL {{ ?this {path} ?v }} }} "
                        f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {n})",
                        f"at least {n} {path}",
                    )
                elif local == "maxCount":
                    n = int(value.value)
                    add(
                        local,
                        f"SELECT ?this WHERE {{ {target} ?this {path} ?v }} "
                        f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {n})",
                        f"at most {n} {path}",
                    )
                elif local == "qualifiedValueShape":
                    least = self.one(ps, "qualifiedMinCount")
                    if least is None or set(self.values(ps, "qualifiedMaxCount")):
                        raise UnsupportedShape("qualified shapes need exactly sh:qualifiedMinCount")
                    add(
                        local,
                        f"SELECT ?this WHERE {{ {target} OPTIONAL {{ ?this {path} ?v "
                        f"FILTER ({self.conforms(value, '?v')}) }} }} "
                        f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {int(least.value)})",
                        f"at least {least.value} {path} conforming to a shape",
                    )
                elif local in ("lessThan", "lessThanOrEquals"):
                    op = "<" if local == "lessThan" else "<="
                    add(
                        local,
                        f"SELECT ?this ?value WHERE {{ {target} ?this {path} ?value . "
                        f"?this {value} ?w FILTER (!COALESCE(?value {op} ?w, false)) }}",
                        f"{path} {op} {self.name(value)}",
                    )
                else:
                    expr = self.condition(local, value, "?value")
                    add(
                        local,
                        f"SELECT ?this ?value WHERE {{ {target} ?this {path} ?value "
                        f"FILTER (!({expr})) }}",
                        f"{path}: {local} {self.name(value)}",
                    )
        return checks

    def sparql(self, constraint, target: str, label: str, message) -> Check:
        select = self.one(constraint, "select")
        if select is None or self.values(constraint, "ask"):
            raise UnsupportedShape("only SELECT-based SPARQL constraints are compiled")
        own = self.one(constraint, "message")
        prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(self.prefixes.items()))
        text = select.value.replace("$this", "?this")
        return Check(
            label,
            "sparql",
            (own or message).value if (own or message) else "SPARQL constraint",
            prologue + text,
            focus_query=f"SELECT ?this WHERE {{ {target} }}",
        )

    def conforms(self, shape, v: str) -> str:
        """A SPARQL expression, true when the node in ``v`` conforms to ``shape``."""
        exprs = []
        for predicate in sorted(self.predicates(shape) - ANNOTATIONS - TARGETS):
            local = predicate.removeprefix(SH)
            if local == "path":
                exprs.append(self.property_condition(shape, v))
                continue
            if local in ("minCount", "maxCount", "deactivated"):
                continue  # read by property_condition
            for value in self.values(shape, local):
                exprs.append(self.condition(local, value, v))
        return " && ".join(f"({e})" for e in exprs) or "true"

    def property_condition(self, ps, v: str) -> str:
        """A property shape nested in a logical constraint: only counts are compiled."""
        extra = self.predicates(ps) - ANNOTATIONS - {SH + "path", SH + "minCount", SH + "maxCount"}
        if extra:
            raise UnsupportedShape(f"nested property shape with {sorted(extra)}")
        path = self.path(self.one(ps, "path"))
        parts = []
        least, most = self.one(ps, "minCount"), self.one(ps, "maxCount")
        if least is not None and int(least.value) > 0:
            if int(least.value) != 1:
                raise UnsupportedShape("nested sh:minCount above 1")
            parts.append(f"EXISTS {{ {v} {path} ?x_ }}")
        if most is not None:
            if int(most.value) != 0:
                raise UnsupportedShape("nested sh:maxCount other than 0")
            parts.append(f"NOT EXISTS {{ {v} {path} ?x_ }}")
        return " && ".join(parts) or "true"

    def condition(self, local: str, value, v: str) -> str:
        """One value-type constraint component as a SPARQL expression over ``v``."""
        if local == "class":
            return f"EXISTS {{ {v} <{RDF}type>/<{RDFS}subClassOf>* {value} }}"
        if local == "datatype":
            if value.value == RDF + "langString":
                return f"isLiteral({v}) && LANG({v}) != ''"
            return f"isLiteral({v}) && DATATYPE({v}) = {value}"
        if local == "nodeKind":
            kind = value.value.removeprefix(SH)
            if kind not in NODE_KINDS:
                raise UnsupportedShape(f"node kind {value}")
            return NODE_KINDS[kind].format(v=v)
        if local == "pattern":
            flags = self.one_sibling_flags(value)
            return f"!isBlank({v}) && REGEX(STR({v}), {_literal(value.value)}, {_literal(flags)})"
        if local == "in":
            return f"{v} IN ({', '.join(str(t) for t in self.rdf_list(value))})"
        if local == "languageIn":
            tags = [t.value for t in self.rdf_list(value)]
            tests = " || ".join(f"langMatches(LANG({v}), {_literal(t)})" for t in tags)
            return f"isLiteral({v}) && ({tests or 'false'})"
        if local in COMPARISONS:
            return f"COALESCE({v} {COMPARISONS[local]} {value}, false)"
        if local in ("minLength", "maxLength"):
            op = ">=" if local == "minLength" else "<="
            return f"!isBlank({v}) && STRLEN(STR({v})) {op} {int(value.value)}"
        if local == "or":
            return " || ".join(f"({self.conforms(s, v)})" for s in self.rdf_list(value)) or "false"
        if local == "and":
            return " && ".join(f"({self.conforms(s, v)})" for s in self.rdf_list(value)) or "true"
        if local == "xone":
            ones = " + ".join(f"IF({self.conforms(s, v)}, 1, 0)" for s in self.rdf_list(value))
            return f"({ones or '0'}) = 1"
        if local == "not":
            return f"!({self.conforms(value, v)})"
        if local == "node":
            return self.conforms(value, v)
        if local == "flags":
            return "true"  # read with sh:pattern
        raise UnsupportedShape(f"constraint sh:{local}")

    def one_sibling_flags(self, pattern) -> str:
        for q in self.shapes.quads_for_pattern(None, ox.NamedNode(SH + "pattern"), pattern):
            flags = self.one(q.subject, "flags")
            if flags is not None:
                return flags.value
        return ""


__all__ = ["Check", "Failure", "UnsupportedShape", "compiled_checks", "failures"]
