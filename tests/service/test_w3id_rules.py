"""The redirect rules shipped for w3id.org (deploy/w3id/.htaccess): every kind of IRI the graph
and VoID mint under https://w3id.org/policykg/ lands on the same path of the server, with the
status a client expects (303 for things, 307 for the endpoint so POST stays POST)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

RULES = Path(__file__).resolve().parents[2] / "deploy" / "w3id" / ".htaccess"
TARGET = "https://policykg.example.org/"


def rules() -> list[tuple[re.Pattern, str, int]]:
    found = []
    for line in RULES.read_text("utf-8").splitlines():
        if m := re.match(r"RewriteRule\s+(\S+)\s+(\S+)\s+\[R=(\d+),L\]$", line.strip()):
            found.append((re.compile(m[1]), m[2], int(m[3])))
    return found


def redirect(path: str) -> tuple[str, int] | None:
    """What Apache's mod_rewrite answers for ``https://w3id.org/policykg/{path}``."""
    for pattern, target, status in rules():
        if m := pattern.match(path):
            return re.sub(r"\$(\d)", lambda g: m[int(g[1])] or "", target), status
    return None


@pytest.mark.parametrize(
    ("path", "expected", "status"),
    [
        ("id/slogan/si-zhu-lian-0c35204a", "id/slogan/si-zhu-lian-0c35204a", 303),
        ("id/enterprise/410000/ping-gao-22369446", "id/enterprise/410000/ping-gao-22369446", 303),
        (
            "id/graph/report/zhanhe-district-2023-plan-report",
            "id/graph/report/zhanhe-district-2023-plan-report",
            303,
        ),
        ("ontology", "ontology", 303),
        ("ontology/0.1.0", "ontology/0.1.0", 303),
        ("sparql", "sparql", 307),
        ("dumps/policykg.nq.gz", "dumps/policykg.nq.gz", 302),
        (".well-known/void", ".well-known/void", 302),
        ("", "", 302),
    ],
)
def test_each_kind_of_iri_lands_on_the_same_path_of_the_server(path, expected, status):
    assert len(rules()) >= 5
    assert redirect(path) == (TARGET + expected, status)


def test_nothing_else_is_redirected():
    assert redirect("idx/whatever") is None
    assert redirect("ontologyx") is None
