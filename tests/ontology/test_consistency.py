"""HermiT through owlready2: the contract's graphs are consistent, a clash is found and named."""

from __future__ import annotations

from pathlib import Path

import owlready2
import pytest
import rdflib

from policykg.ontology.check import ReasonerUnavailable, check_consistency

from .conftest import zhanhe_with

POL = rdflib.Namespace("https://w3id.org/policykg/ontology#")
REPORT = rdflib.URIRef("https://w3id.org/policykg/id/report/zhanhe-district-2023-plan-report")
SOURCE = (
    Path(__file__).resolve().parents[2] / "kg" / "sources" / "zhanhe-district_2023_plan-report.txt"
)


def test_the_zhanhe_graph_with_the_whole_report_text_is_consistent():
    graph = zhanhe_with()
    # the whole text as read, newlines, tabs and all, as kg.graph writes it
    graph.add((REPORT, POL.text, rdflib.Literal(SOURCE.read_text(encoding="utf-8"))))
    report = check_consistency(graph)
    assert report.consistent, report.message
    assert report.unsatisfiable == []


def test_an_enterprise_that_is_also_a_government_body_is_inconsistent_and_named():
    report = check_consistency(zhanhe_with("bad-enterprise-is-government-body.ttl"))
    assert not report.consistent
    assert (
        "<https://w3id.org/policykg/id/enterprise/ping-gao-ji-tuan> is both pol:Enterprise and pol:GovernmentBody"
        in report.message
    )


def test_without_java_the_error_says_how_to_get_it(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr(owlready2, "JAVA_EXE", "java")
    with pytest.raises(ReasonerUnavailable, match="JAVA_HOME"):
        check_consistency()
