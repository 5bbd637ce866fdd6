"""Targets met or missed, across reports: one SPARQL materialisation after every report is in.

A report sets a target for an area, an indicator and a year (地区生产总值 2018 增长6%左右); a
later report, or an execution report, states the actual for the same area, indicator, measure
and year (同比增长6.0%). :func:`attainment` joins the two into a ``pol:Attainment`` with
``pol:targetMet`` and ``pol:margin``, in its own named graph, so that report graphs stay
per report (a rebuild of one report re-runs only this step).

The rule (also in the ontology's comment on ``pol:targetMet``), on values in their base unit:
at least (以上) or no bound: actual ≥ target; at most (以内): actual ≤ target; about (左右):
actual ≥ target less 5% of it; a range: actual ≥ its lower bound. Nothing is claimed (no
``pol:targetMet``) for a qualitative target or when base units differ.
"""

from __future__ import annotations

import pyoxigraph as ox

from .iri import Minter

ABOUT_TOLERANCE = "0.05"
"""左右 allows a shortfall of this share of the target (5%左右 is met by 4.75% and more)."""

UPDATE = """
PREFIX pol: <https://w3id.org/policykg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
INSERT { GRAPH ?out {
  ?attainment a pol:Attainment ; rdfs:label ?label ;
      pol:targetObservation ?t ; pol:actualObservation ?a ;
      pol:targetMet ?met ; pol:margin ?margin .
} }
WHERE {
  {
    SELECT ?t ?a (SAMPLE(?ind) AS ?indicator) (SAMPLE(?yr) AS ?year) (SAMPLE(?tv0) AS ?tv)
           (SAMPLE(?av0) AS ?av) (SAMPLE(?b0) AS ?bound) (SAMPLE(?tu0) AS ?tu)
           (SAMPLE(?au0) AS ?au)
    WHERE {
      GRAPH ?g1 { ?t pol:valueKind pol:Target ; pol:indicator ?ind ; pol:refArea ?area ;
                     pol:period ?yr ; pol:measure ?m . }
      GRAPH ?g2 { ?a pol:valueKind pol:Actual ; pol:indicator ?ind ; pol:refArea ?area ;
                     pol:period ?yr ; pol:measure ?m . }
      OPTIONAL { GRAPH ?g1 { ?t pol:normalisedValue|pol:normalisedLowerBound ?tv0 ;
                                pol:baseUnit ?tu0 } }
      OPTIONAL { GRAPH ?g1 { ?t pol:bound ?b0 } }
      OPTIONAL { GRAPH ?g2 { ?a pol:normalisedValue ?av0 ; pol:baseUnit ?au0 } }
    }
    GROUP BY ?t ?a
  }
  OPTIONAL { GRAPH ?lg { ?indicator rdfs:label ?indicatorLabel } }
  BIND(?out_graph AS ?out)
  BIND(IRI(CONCAT(STR(?t), "/attainment")) AS ?attainment)
  BIND(STRLANG(CONCAT(COALESCE(STR(?indicatorLabel), ""), " ", STR(?year), "年目标完成情况"),
               "zh") AS ?label)
  BIND(IF(BOUND(?tv) && BOUND(?av) && ?tu = ?au, ?av - ?tv, ?unknown) AS ?margin)
  BIND(IF(BOUND(?margin),
          IF(BOUND(?bound) && ?bound = pol:AtMost, ?av <= ?tv,
             IF(BOUND(?bound) && ?bound = pol:About, ?av >= ?tv - ABS(?tv) * ?tolerance,
                ?av >= ?tv)),
          ?unknown) AS ?met)
}
"""


def attainment(store: ox.Store, minter: Minter) -> int:
    """Write every target's attainment into the graph ``graph/attainment``; the count added.

    Run once after all report graphs are in the store (they are read from their named graphs,
    the default graph may still be empty); it first clears what an earlier run wrote.
    """
    graph = ox.NamedNode(minter.graph("attainment"))
    store.update(f"DROP SILENT GRAPH <{graph.value}>")
    before = len(store)
    query = UPDATE.replace("?out_graph", f"<{graph.value}>").replace(
        "?tolerance", f'"{ABOUT_TOLERANCE}"^^xsd:decimal'
    )
    store.update(query)
    return len(store) - before
