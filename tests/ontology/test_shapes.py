"""SHACL: the good graph conforms; each edge case fails with exactly the violation it is about."""

from __future__ import annotations

import pytest

from policykg.ontology.check import validate_shapes

from .conftest import zhanhe_with

SH = "http://www.w3.org/ns/shacl#"
ID = "https://w3id.org/policykg/id/"
POL = "https://w3id.org/policykg/ontology#"
SPAN = ID + "report/zhanhe-district-2023-plan-report/span/"


def test_the_zhanhe_graph_conforms():
    report = validate_shapes(zhanhe_with())
    assert report.conforms, report.text
    assert report.violations == []


def test_a_compound_slogan_may_carry_the_sum_of_its_parts_numerals():
    assert validate_shapes(zhanhe_with("ok-compound-slogan-numeral-sum.ttl")).conforms


@pytest.mark.parametrize(
    ("fixture", "focus", "path", "constraint", "value"),
    [
        (
            "bad-slogan-component-count.ttl",
            ID + "slogan/si-zong/zhanhe-district-2023-plan-report",
            None,
            "SPARQLConstraintComponent",
            "5",
        ),
        (
            "bad-span-without-quote.ttl",
            SPAN + "8216-8222",
            POL + "quote",
            "MinCountConstraintComponent",
            None,
        ),
        (
            "bad-span-start-after-end.ttl",
            SPAN + "8220-8216",
            POL + "start",
            "LessThanOrEqualsConstraintComponent",
            "8220",
        ),
        (
            "bad-observation-value-and-target-text.ttl",
            ID + "observation/410411/di-qu-sheng-chan-zong-zhi/2023/target/growth",
            None,
            "XoneConstraintComponent",
            ID + "observation/410411/di-qu-sheng-chan-zong-zhi/2023/target/growth",
        ),
        (
            "bad-enterprise-is-government-body.ttl",
            ID + "enterprise/ping-gao-ji-tuan",
            None,
            "NotConstraintComponent",
            ID + "enterprise/ping-gao-ji-tuan",
        ),
        (
            "bad-non-ascii-iri.ttl",
            ID + "enterprise/平高集团",
            None,
            "PatternConstraintComponent",
            ID + "enterprise/平高集团",
        ),
    ],
)
def test_each_edge_case_fails_with_its_one_violation(fixture, focus, path, constraint, value):
    report = validate_shapes(zhanhe_with(fixture))
    assert not report.conforms
    assert [(v.focus, v.path, v.constraint, v.value) for v in report.violations] == [
        (focus, path, SH + constraint, value)
    ]


def test_the_slogan_count_violation_says_what_is_wrong():
    (violation,) = validate_shapes(zhanhe_with("bad-slogan-component-count.ttl")).violations
    assert violation.message == "pol:numeral is 4 but the slogan has 5 pol:hasComponent"


def test_every_shape_compiles_to_sparql():
    """A shape kg.validate cannot compile sends every build through pyshacl (~40x slower)."""
    from policykg.kg import validate
    from policykg.kg.build import ONTOLOGY_DIR

    assert len(validate.compiled_checks(ONTOLOGY_DIR / "shapes.ttl")) > 150
