"""Load the PolicyKG ontology and check a graph against it: SHACL shapes and OWL consistency.

Two checks, two tools::

    validate_shapes(data)      pyshacl over shapes.ttl: the graph contract (labels, evidence,
                               spans, observations, slogan counts, ASCII IRIs)
    check_consistency(data)    HermiT (through owlready2) over policykg.ttl + data: disjoint
                               classes, functional properties, datatypes, unsatisfiable classes

Exceptions::

    ReasonerError              HermiT could not run or rejected the input
    └── ReasonerUnavailable    no Java runtime to run HermiT with
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD

HERE = Path(__file__).resolve().parent
ONTOLOGY_IRI = "https://w3id.org/policykg/ontology"
POL = rdflib.Namespace(ONTOLOGY_IRI + "#")
JAVA_MEMORY_MB = 1024  # HermiT's heap; the machine is shared, so keep it bounded


class ReasonerError(RuntimeError):
    """HermiT could not run, or rejected its input (the message carries Java's)."""


class ReasonerUnavailable(ReasonerError):
    """No Java runtime was found to run HermiT with."""


@dataclass(frozen=True)
class Violation:
    """One SHACL validation result, with terms as strings (IRIs, literal values, or bnode ids)."""

    focus: str
    path: str | None
    value: str | None
    constraint: str  # the constraint component, e.g. sh:MinCountConstraintComponent
    shape: str
    message: str
    severity: str


@dataclass
class ShapeReport:
    conforms: bool
    text: str
    violations: list[Violation] = field(default_factory=list)


@dataclass
class ConsistencyReport:
    consistent: bool
    unsatisfiable: list[str]
    message: str


def ontology_path() -> Path:
    """The OWL ontology in Turtle (``policykg.ttl``)."""
    return HERE / "policykg.ttl"


def shapes_path() -> Path:
    """The SHACL shapes in Turtle (``shapes.ttl``)."""
    return HERE / "shapes.ttl"


def load_ontology() -> rdflib.Graph:
    """A fresh rdflib graph of the ontology (callers may add to it)."""
    return rdflib.Graph().parse(ontology_path(), format="turtle")


def load_shapes() -> rdflib.Graph:
    """A fresh rdflib graph of the SHACL shapes."""
    return rdflib.Graph().parse(shapes_path(), format="turtle")


# --- SHACL -------------------------------------------------------------------------------------


def validate_shapes(data: rdflib.Graph) -> ShapeReport:
    """Validate ``data`` (the union of the report, lexicon and inferred graphs) against shapes.ttl.

    The ontology is mixed in so that ``sh:class pol:TextSpan`` accepts a ``pol:Sentence``.
    ``data`` itself is not modified.

    >>> validate_shapes(rdflib.Graph()).conforms
    True
    """
    from pyshacl import validate

    conforms, results, text = validate(
        data,
        shacl_graph=load_shapes(),
        ont_graph=load_ontology(),
        inference="none",
        allow_warnings=True,
    )
    return ShapeReport(bool(conforms), str(text), _violations(results))


def _violations(results: rdflib.Graph) -> list[Violation]:
    def one(node, prop) -> str | None:
        value = results.value(node, prop)
        return None if value is None else str(value)

    found = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        found.append(
            Violation(
                focus=one(result, SH.focusNode) or "",
                path=one(result, SH.resultPath),
                value=one(result, SH.value),
                constraint=one(result, SH.sourceConstraintComponent) or "",
                shape=one(result, SH.sourceShape) or "",
                message=one(result, SH.resultMessage) or "",
                severity=one(result, SH.resultSeverity) or "",
            )
        )
    return sorted(found, key=lambda v: (v.focus, v.path or "", v.constraint))


# --- OWL consistency (HermiT) ------------------------------------------------------------------


def check_consistency(
    data: rdflib.Graph | None = None, *, java_memory_mb: int = JAVA_MEMORY_MB
) -> ConsistencyReport:
    """Ask HermiT whether the ontology, plus ``data`` if given, is consistent.

    Runs in a fresh owlready2 World each time. On an inconsistency, ``message`` names the
    likely cause found by a direct look at the data (an individual of two disjoint classes, two
    values of a functional data property, a literal outside its property's range).
    ``unsatisfiable`` lists the classes HermiT finds equivalent to owl:Nothing.

    :raises ReasonerUnavailable: if no Java runtime is found.
    :raises ReasonerError: if HermiT fails for another reason (its message is kept).
    """
    import owlready2
    from owlready2 import reasoning

    graph = load_ontology()
    if data is not None:
        graph += data
    safe = _reasoner_safe(graph)
    java = _java_executable(owlready2.JAVA_EXE)
    with tempfile.TemporaryDirectory(prefix="policykg-hermit-") as tmp:
        path = Path(tmp) / "input.nt"
        safe.serialize(path, format="nt", encoding="utf-8")
        world = owlready2.World()
        saved = owlready2.JAVA_EXE, reasoning.JAVA_MEMORY
        owlready2.JAVA_EXE, reasoning.JAVA_MEMORY = java, int(java_memory_mb)
        try:
            world.get_ontology(path.as_uri()).load()
            reasoning.sync_reasoner_hermit(
                world, infer_property_values=False, debug=0, ignore_unsupported_datatypes=False
            )
            unsatisfiable = sorted(
                c.iri for c in world.inconsistent_classes() if c.iri != str(OWL.Nothing)
            )
        except owlready2.OwlReadyInconsistentOntologyError:
            causes = explain_inconsistency(graph)
            message = "HermiT: the graph is inconsistent. " + (
                "Likely cause: " + "; ".join(causes)
                if causes
                else "No single disjointness, functional or datatype clash found in the data."
            )
            return ConsistencyReport(False, [], message)
        except owlready2.OwlReadyJavaError as e:
            detail = str(e)
            detail = detail if len(detail) < 2000 else detail[:1000] + " … " + detail[-1000:]
            raise ReasonerError(f"HermiT failed on {len(graph)} triples: {detail}") from e
        finally:
            owlready2.JAVA_EXE, reasoning.JAVA_MEMORY = saved
            world.close()
    if unsatisfiable:
        message = f"HermiT: consistent, but {len(unsatisfiable)} unsatisfiable classes"
        return ConsistencyReport(True, unsatisfiable, message)
    return ConsistencyReport(True, [], f"HermiT: consistent ({len(graph)} triples)")


STRING_TYPES = {None, XSD.string, RDF.PlainLiteral, RDF.langString}
SAFE_STRING = re.compile(r'[^\x00-\x1f\x7f\\"\ud800-\udfff\ufffe\uffff]{0,200}')


def _reasoner_safe(graph: rdflib.Graph) -> rdflib.Graph:
    """``graph`` with long or awkward strings replaced by their digest, for owlready2 and HermiT.

    owlready2's N-Triples round trip drops backslash escapes and HermiT rejects characters
    outside XML 1.0, so a report's whole text (pol:text) cannot go through as it is. Strings
    carry no meaning for the reasoner except (in)equality, which the digest keeps.
    """
    safe = rdflib.Graph()
    for s, p, o in graph:
        if (
            isinstance(o, rdflib.Literal)
            and o.datatype in STRING_TYPES
            and not SAFE_STRING.fullmatch(str(o))
        ):
            digest = hashlib.sha1(str(o).encode("utf-8")).hexdigest()
            o = rdflib.Literal(f"sha1:{digest}", lang=o.language, datatype=o.datatype)
        safe.add((s, p, o))
    return safe


def _java_executable(configured: str) -> str:
    """The java to run HermiT with: owlready2.JAVA_EXE, then PATH, then $JAVA_HOME/bin/java."""
    candidates = [configured, "java"]
    if os.environ.get("JAVA_HOME"):
        candidates.append(str(Path(os.environ["JAVA_HOME"]) / "bin" / "java"))
    for candidate in candidates:
        found = shutil.which(candidate)
        if found:
            return found
    raise ReasonerUnavailable(
        "HermiT needs a Java runtime (11 or later) and none was found: put `java` on PATH, "
        "set JAVA_HOME, or set owlready2.JAVA_EXE (Debian: apt-get install default-jre-headless)"
    )


# --- explaining an inconsistency ----------------------------------------------------------------


def explain_inconsistency(graph: rdflib.Graph, limit: int = 10) -> list[str]:
    """Likely causes of an inconsistency, read directly from ``graph`` (ontology + data).

    Looks for the common clashes only: an individual in two disjoint classes (asserted, or
    implied by a property's named domain or range), two values of a functional datatype
    property, and a numeric literal outside its property's range.
    """
    causes = _disjoint_clashes(graph) + _functional_clashes(graph) + _range_clashes(graph)
    return causes[:limit]


def _disjoint_pairs(graph: rdflib.Graph) -> set[frozenset]:
    pairs = {frozenset((a, b)) for a, b in graph.subject_objects(OWL.disjointWith)}
    for axiom in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        head = graph.value(axiom, OWL.members)
        members = list(rdflib.collection.Collection(graph, head)) if head is not None else []
        pairs.update(frozenset(p) for p in itertools.combinations(members, 2))
    return pairs


def _superclasses(graph: rdflib.Graph, cls) -> set:
    seen, todo = set(), [cls]
    while todo:
        c = todo.pop()
        if c in seen:
            continue
        seen.add(c)
        todo.extend(o for o in graph.objects(c, RDFS.subClassOf) if isinstance(o, rdflib.URIRef))
    return seen


def _disjoint_clashes(graph: rdflib.Graph) -> list[str]:
    pairs = _disjoint_pairs(graph)
    types: dict = {}
    for s, cls in graph.subject_objects(RDF.type):
        types.setdefault(s, set()).add(cls)
    for axiom, position in ((RDFS.domain, 0), (RDFS.range, 1)):
        for prop, cls in graph.subject_objects(axiom):
            if isinstance(cls, rdflib.URIRef):
                for pair in graph.subject_objects(prop):
                    if isinstance(pair[position], rdflib.URIRef):
                        types.setdefault(pair[position], set()).add(cls)
    causes = []
    for individual, classes in sorted(types.items()):
        closed = set().union(*(_superclasses(graph, c) for c in classes))
        for a, b in sorted(tuple(sorted(p)) for p in pairs if p <= closed):
            causes.append(
                f"<{individual}> is both {_short(graph, a)} and {_short(graph, b)}, which are disjoint"
            )
    return causes


def _functional_clashes(graph: rdflib.Graph) -> list[str]:
    causes = []
    for prop in graph.subjects(RDF.type, OWL.FunctionalProperty):
        if (prop, RDF.type, OWL.DatatypeProperty) not in graph:
            continue
        values: dict = {}
        for s, o in graph.subject_objects(prop):
            values.setdefault(s, set()).add(o)
        for s, objects in sorted(values.items()):
            if len(objects) > 1:
                shown = ", ".join(sorted(repr(str(o))[:40] for o in objects))
                causes.append(
                    f"<{s}> has {len(objects)} values of functional {_short(graph, prop)}: {shown}"
                )
    return causes


_MINIMUM: dict[rdflib.term.Node, int] = {XSD.nonNegativeInteger: 0, XSD.positiveInteger: 1}
_NUMERIC = {XSD.decimal, XSD.integer, *_MINIMUM}


def _range_clashes(graph: rdflib.Graph) -> list[str]:
    causes = []
    for prop, datatype in graph.subject_objects(RDFS.range):
        if datatype not in _NUMERIC:
            continue
        for s, o in graph.subject_objects(prop):
            if not isinstance(o, rdflib.Literal):
                continue
            try:
                number = Decimal(str(o))
            except InvalidOperation:
                number = None
            low = _MINIMUM.get(datatype)
            if (
                number is None
                or (low is not None and number < low)
                or (datatype != XSD.decimal and number != number.to_integral_value())
            ):
                causes.append(
                    f"<{s}> {_short(graph, prop)} {str(o)!r} is not a {_short(graph, datatype)}"
                )
    return causes


def _short(graph: rdflib.Graph, term) -> str:
    try:
        return graph.namespace_manager.normalizeUri(term)
    except Exception:  # a term no prefix covers
        return f"<{term}>"


__all__ = [
    "ConsistencyReport",
    "ReasonerError",
    "ReasonerUnavailable",
    "ShapeReport",
    "Violation",
    "check_consistency",
    "explain_inconsistency",
    "load_ontology",
    "load_shapes",
    "ontology_path",
    "shapes_path",
    "validate_shapes",
]
