"""``policykg build … --store URL``: a build loaded into a real Virtuoso, graph by graph."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from policykg.kg.store import open_store

SEED = (
    Path(__file__).resolve().parents[2] / "kg" / "sources" / "zhanhe-district_2023_plan-report.txt"
)


def policykg(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "policykg.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=600,
    )


@pytest.fixture(scope="module")
def empty_virtuoso(virtuoso_factory):
    from policykg.kg.store import MemoryStore

    return virtuoso_factory("build", MemoryStore())


def test_build_loads_every_graph_then_only_what_changed(empty_virtuoso, tmp_path):
    password = tmp_path / "password"
    password.write_text(empty_virtuoso.PASSWORD + "\n")
    env = {"POLICYKG_STORE_USER": "dba", "POLICYKG_STORE_PASSWORD_FILE": str(password)}
    local = tmp_path / "build"
    args = ["build", str(SEED), "--store", empty_virtuoso.url, "--local", str(local), "--no-dumps"]
    first = policykg(*args, env=env)
    assert first.returncode in (0, 3), first.stderr
    built = open_store(local)
    server = open_store(empty_virtuoso.url)
    assert server.graphs() == built.graphs() and len(built.graphs()) >= 4
    report = next(g for g in built.graphs() if "/graph/report/" in g)
    assert server.graph_triples(report).count(b"\n") == built.graph_triples(report).count(b"\n")
    again = policykg(*args, env=env)
    assert "0 graphs replaced" in again.stdout, again.stdout + again.stderr


def test_wrong_password_and_password_in_url_are_refused(empty_virtuoso, tmp_path):
    env = {"POLICYKG_STORE_USER": "dba", "POLICYKG_STORE_PASSWORD": "wrong"}
    local = tmp_path / "build"
    extra = tmp_path / "extra.ttl"
    extra.write_text('<http://example.org/a> <http://example.org/b> "c" .\n')
    wrong = policykg(
        "load",
        str(extra),
        "--graph",
        "http://example.org/g",
        "--store",
        empty_virtuoso.url,
        env=env,
    )
    assert wrong.returncode == 1 and "401" in wrong.stderr, wrong.stderr
    url = empty_virtuoso.url.replace("http://", "http://dba:dba@")
    inline = policykg("build", str(SEED), "--store", url, "--local", str(local), env={})
    assert inline.returncode == 1 and "never in the URL" in inline.stderr
    assert "dba:dba" not in wrong.stderr
