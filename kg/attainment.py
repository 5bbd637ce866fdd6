"""Targets met or missed, across reports: one SPARQL materialisation after every report is in.

A report sets a target for an area, an indicator and a year (地区生产总值 2018 增长6%左右); a
later report, or an execution report, states the actual for the same area, indicator, measure
and year (同比增长6.0%). :func:`attainment` joins the two into a ``pol:Attainment`` with
``pol:attainmentStatus`` (``pol:Met``, ``pol:Missed`` or ``pol:Unknown``), ``pol:targetMet``
(only when known) and ``pol:margin``, in its own named graph, so that report graphs stay per
report (a rebuild of one report re-runs only this step).

The rule (also in the ontology's comment on ``pol:targetMet``), on values in their base unit,
for an indicator where higher is better (收入, 投资) and, mirrored, where lower is better
(``pol:lowerIsBetter``: 失业率, 居民消费价格涨幅, 能耗, 赤字率), whose targets are ceilings:

- 以上/不低于/超 (at least): actual ≥ target; 以内/以下/控制在 (at most): actual ≤ target,
  whichever the indicator's direction;
- 左右 (about): within a tolerance of the target on the bad side (5% of it: 5%左右 is met by
  4.75% of growth; a 3%左右 ceiling on prices by 3.15%);
- a range (4.5%—5%): inside it, or beyond it on the good side (the lower end is the bar when
  higher is better, the upper end when lower is better);
- no bound: actual ≥ target (higher is better) or actual ≤ target (lower is better).

Unknown (``pol:Unknown``, no ``pol:targetMet``, no margin): a qualitative target (与经济增长同步),
or values in different base units.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from .iri import Minter
from .vocab import POL, RDFS, prologue

ABOUT_TOLERANCE = "0.05"
"""左右 allows a shortfall of this share of the target (5%左右 is met by 4.75% and more)."""

UPDATE = (
    prologue("pol", "rdfs", "xsd")
    + """INSERT { GRAPH ?out {
  ?attainment a pol:Attainment ; rdfs:label ?label ;
      pol:targetObservation ?t ; pol:actualObservation ?a ; pol:attainmentStatus ?status ;
      pol:targetMet ?met ; pol:margin ?margin .
} }
WHERE {
  {
    SELECT ?t ?a (SAMPLE(?ind) AS ?indicator) (SAMPLE(?yr) AS ?year) (SAMPLE(?tv0) AS ?tv)
           (SAMPLE(?tl0) AS ?tl) (SAMPLE(?th0) AS ?th) (SAMPLE(?av0) AS ?av)
           (SAMPLE(?b0) AS ?bound) (SAMPLE(?tu0) AS ?tu) (SAMPLE(?au0) AS ?au)
           (SAMPLE(COALESCE(?lower0, false)) AS ?lower)
    WHERE {
      GRAPH ?g1 { ?t pol:valueKind pol:Target ; pol:indicator ?ind ; pol:refArea ?area ;
                     pol:period ?yr ; pol:measure ?m . }
      GRAPH ?g2 { ?a pol:valueKind pol:Actual ; pol:indicator ?ind ; pol:refArea ?area ;
                     pol:period ?yr ; pol:measure ?m . }
      OPTIONAL { GRAPH ?g1 { ?t pol:normalisedValue ?tv0 ; pol:baseUnit ?tu0 } }
      OPTIONAL { GRAPH ?g1 { ?t pol:normalisedLowerBound ?tl0 ; pol:normalisedUpperBound ?th0 ;
                                pol:baseUnit ?tu0 } }
      OPTIONAL { GRAPH ?g1 { ?t pol:bound ?b0 } }
      OPTIONAL { GRAPH ?g2 { ?a pol:normalisedValue ?av0 ; pol:baseUnit ?au0 } }
      OPTIONAL { GRAPH ?g3 { ?ind pol:lowerIsBetter ?lower0 } }
    }
    GROUP BY ?t ?a
  }
  # from the default graph (the union): each of its labels once, not once per report stating it
  OPTIONAL { ?indicator rdfs:label ?indicatorLabel }
  BIND(?out_graph AS ?out)
  BIND(IRI(CONCAT(STR(?t), "/attainment")) AS ?attainment)
  BIND(STRLANG(CONCAT(COALESCE(STR(?indicatorLabel), ""), " ", STR(?year), "年目标完成情况"),
               "zh") AS ?label)
  # the bar: the value, or the range's end on the good side
  BIND(COALESCE(?tv, IF(?lower, ?th, ?tl)) AS ?ref)
  BIND(IF(BOUND(?ref) && BOUND(?av) && ?tu = ?au, ?av - ?ref, ?unknown) AS ?margin)
  BIND(IF(BOUND(?bound) && ?bound = pol:About, ABS(?ref) * ?tolerance, 0) AS ?slack)
  BIND(IF(BOUND(?margin),
          IF(BOUND(?bound) && ?bound = pol:AtMost, ?av <= ?ref,
             IF(BOUND(?bound) && ?bound = pol:AtLeast, ?av >= ?ref,
                IF(?lower, ?av <= ?ref + ?slack, ?av >= ?ref - ?slack))),
          ?unknown) AS ?met)
  BIND(IF(BOUND(?met), IF(?met, pol:Met, pol:Missed), pol:Unknown) AS ?status)
}
"""
)

READS = frozenset(
    [POL[name] for name in re.findall(r"pol:(\w+)", UPDATE.split("WHERE", 1)[1])] + [RDFS.label]
)
"""The predicates :data:`UPDATE` reads (and some classes): a store holding only the quads of
these answers it as the whole store would."""


def attainment(store: ox.Store, minter: Minter) -> int:
    """Write every target's attainment into the graph ``graph/attainment``; the count added.

    Run once after all report graphs are in the store: the observations are read from their
    named graphs, the indicators' labels from the default graph (their union); it first clears
    what an earlier run wrote.
    """
    graph = ox.NamedNode(minter.graph("attainment"))
    store.update(f"DROP SILENT GRAPH <{graph.value}>")
    before = len(store)
    query = UPDATE.replace("?out_graph", f"<{graph.value}>").replace(
        "?tolerance", f'"{ABOUT_TOLERANCE}"^^xsd:decimal'
    )
    store.update(query)
    return len(store) - before
