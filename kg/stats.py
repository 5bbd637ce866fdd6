"""What a store holds: quads per named graph, instances per class, and per report coverage."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .store import Store
from .vocab import POL, prologue

GRAPHS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
CLASSES = f"""
SELECT ?class (COUNT(DISTINCT ?s) AS ?n)
WHERE {{ ?s a ?class . FILTER(STRSTARTS(STR(?class), "{POL.base}")) }}
GROUP BY ?class ORDER BY DESC(?n)
"""


def store_stats(store: Store) -> dict:
    """``{"quads": n, "graphs": {iri: n}, "classes": {pol:Class: n}}``."""
    graphs = {r["g"].value: int(r["n"].value) for r in store.select(GRAPHS)}
    classes = {r["class"].value.split("#")[-1]: int(r["n"].value) for r in store.select(CLASSES)}
    return {"quads": sum(graphs.values()), "graphs": graphs, "classes": classes}


# --- coverage ---------------------------------------------------------------------------------

# One count per report: what each report's own graph holds. ``?r`` is the report, ``?x`` what is
# counted; every pattern runs inside the report's named graph.
COVERAGE = {
    "glossary": "?x a pol:GlossaryEntry .",
    "slogans": "?x a pol:Slogan .",
    "decomposed": "?x a pol:Slogan ; pol:hasComponent ?part .",
    "documents": "?x a pol:PolicyDocument .",
    "enterprises": "?x a pol:Enterprise .",
    "projects": "?x a pol:Project .",
    "targets": "?x a pol:Observation ; pol:valueKind pol:Target .",
    "actuals": "?x a pol:Observation ; pol:valueKind pol:Actual .",
    "checks passed": "?x a pol:ConsistencyCheck ; pol:checkPassed true .",
    "checks failed": "?x a pol:ConsistencyCheck ; pol:checkPassed false .",
}
COVERAGE_QUERY = """
SELECT ?r (COUNT(DISTINCT ?x) AS ?n)
WHERE { GRAPH ?g { ?r a pol:Report . %s } }
GROUP BY ?r
"""
REPORTS_QUERY = """
SELECT ?r ?g ?file ?label
WHERE { GRAPH ?g { ?r a pol:Report ; pol:sourceFile ?file ; rdfs:label ?label } }
ORDER BY ?file
"""


@dataclass
class ReportCoverage:
    """What the graph holds of one report: a count per column of :data:`COVERAGE`, and the
    facts the build dropped from it (``build.json``, 0 when the build records none)."""

    file: str
    label: str
    counts: dict[str, int] = field(default_factory=dict)
    dropped: int = 0


def coverage(store: Store, store_dir: str | Path | None = None) -> list[ReportCoverage]:
    """Per report, in file order: glossary entries, slogans and those decomposed into parts,
    policy documents, enterprises, projects, target and actual observations (SPARQL on the
    store), and facts dropped (``store_dir/build.json``, if it lists them)."""
    header = prologue()
    reports = {
        row["r"].value: (row["g"].value, row["file"].value, row["label"].value)
        for row in store.select(header + REPORTS_QUERY)
    }
    dropped = _dropped_facts(store_dir)
    table = {
        r: ReportCoverage(file, label, dropped=dropped.get(g, dropped.get(Path(file).stem, 0)))
        for r, (g, file, label) in reports.items()
    }
    for column, pattern in COVERAGE.items():
        counts = {
            row["r"].value: int(row["n"].value)
            for row in store.select(header + COVERAGE_QUERY % pattern)
        }
        for r, entry in table.items():
            entry.counts[column] = counts.get(r, 0)
    return sorted(table.values(), key=lambda e: e.file)


def _dropped_facts(store_dir: str | Path | None) -> dict[str, int]:
    """Facts dropped per report, by graph IRI and by name, as ``build.json`` records them
    (a list or a count under ``dropped``); empty when the build records none."""
    path = Path(store_dir) / "build.json" if store_dir else None
    if path is None or not path.is_file():
        return {}
    found: dict[str, int] = {}
    for report in json.loads(path.read_text("utf-8")).get("reports", []):
        value = report.get("dropped", 0)
        n = len(value) if isinstance(value, list) else int(value or 0)
        for key in (report.get("graph"), report.get("name")):
            if key:
                found[key] = n
    return found
