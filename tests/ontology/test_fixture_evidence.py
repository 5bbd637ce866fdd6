"""The hand-written fixture is honest: every span quotes the founding report exactly."""

from __future__ import annotations

from pathlib import Path

import rdflib

from .conftest import zhanhe_with

POL = rdflib.Namespace("https://w3id.org/policykg/ontology#")
REPORT = (
    Path(__file__).resolve().parents[2] / "kg" / "sources" / "zhanhe-district_2023_plan-report.txt"
)


def test_every_fixture_span_quotes_the_report_text():
    text = REPORT.read_text(encoding="utf-8")
    graph = zhanhe_with()
    spans = list(graph.subjects(rdflib.RDF.type, POL.TextSpan))
    assert len(spans) == 38
    for span in spans:
        start, end = int(graph.value(span, POL.start)), int(graph.value(span, POL.end))
        assert str(graph.value(span, POL.quote)) == text[start:end], span
        assert str(span).endswith(f"/span/{start}-{end}")
