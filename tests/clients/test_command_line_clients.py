"""Apache Jena's `rsparql` (every query form and result format) and `riot --validate` (every
dump), and Node's sparql-http-client (every query form, the three protocol operations)
against the real server."""

from __future__ import annotations

import json
import subprocess

import pytest

from policykg.kg.dumps import read_manifest

from .tools import jena, node_client

SLOGAN = "https://w3id.org/policykg/id/slogan/si-zhu-lian-0c35204a"
PREFIX = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
# Debian's Jena 4.5 depends on the Jakarta JSON-P API but no Debian package provides an
# implementation of it (parsson/glassfish), so its JSON-LD reader and writer cannot load.
NO_JSON_P = "Debian's Jena has no Jakarta JSON-P provider: JSON-LD cannot load there"
QUERIES = {
    "select": PREFIX + f"SELECT ?label WHERE {{ <{SLOGAN}> rdfs:label ?label }}",
    "ask": f"ASK {{ <{SLOGAN}> ?p ?o }}",
    "construct": f"CONSTRUCT WHERE {{ <{SLOGAN}> ?p ?o }}",
    "describe": f"DESCRIBE <{SLOGAN}>",
}


@pytest.mark.parametrize(
    "form, results, expected",
    [
        ("select", "text", "四主链"),
        ("select", "xml", "四主链"),
        ("select", "json", "四主链"),
        ("select", "csv", "四主链"),
        ("select", "tsv", '"四主链"@zh'),
        ("ask", "text", "Ask => Yes"),
        ("ask", "xml", "<boolean>true</boolean>"),
        ("ask", "json", '"boolean" : true'),
        ("ask", "csv", "true"),
        ("ask", "tsv", "true"),
        ("construct", "ttl", '"四主链"@zh'),
        ("construct", "nt", '"四主链"@zh'),
        ("construct", "RDF/XML", 'xml:lang="zh">四主链<'),
        pytest.param("construct", "JSON-LD", "四主链", marks=pytest.mark.skip(NO_JSON_P)),
        ("describe", "ttl", '"四主链"@zh'),
        ("describe", "nt", '"四主链"@zh'),
    ],
)
@pytest.mark.parametrize("post", [False, True])
def test_jena_rsparql(endpoint, tmp_path_factory, form, results, expected, post):
    workdir = tmp_path_factory.getbasetemp()
    args = ["--service", endpoint, "--query", "-", "--results", results]
    query_file = tmp_path_factory.mktemp("q") / "query.rq"
    query_file.write_text(QUERIES[form], encoding="utf-8")
    args[3] = str(query_file)
    run = jena(workdir, "arq.rsparql", *args, *(["--post"] if post else []))
    assert run.returncode == 0, run.stderr
    assert expected in run.stdout, run.stdout
    if form == "ask" and results in ("csv", "tsv"):  # Jena reads its own header back
        assert run.stdout.split()[0] in ("_askResult", "?_askResult")


def test_every_dump_passes_riot_validate(live, seed_store_dir, tmp_path_factory):
    dumps = read_manifest(seed_store_dir / "dumps")
    assert len(dumps) == 6
    workdir = tmp_path_factory.getbasetemp()
    for dump in dumps:
        if dump.name.endswith(".jsonld.gz"):
            continue  # NO_JSON_P; the JSON-LD dump is parsed by pyoxigraph in test_dumps
        run = jena(workdir, "riotcmd.riot", "--validate", str(dump.path))
        assert run.returncode == 0 and "ERROR" not in run.stderr, (dump.name, run.stderr[-2000:])
        assert "WARN" not in run.stderr, (dump.name, run.stderr[-2000:])


@pytest.mark.parametrize("operation", ["get", "postUrlencoded", "postDirect"])
def test_sparql_http_client(endpoint, operation):
    script = node_client()

    def run(form: str):
        done = subprocess.run(
            ["node", str(script), endpoint, form, operation, QUERIES[form]],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    labels = [row["label"] for row in run("select")]
    assert {"termType": "Literal", "value": "四主链", "language": "zh",
            "datatype": "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"} in labels  # fmt: skip
    assert run("ask") is True
    for form in ("construct", "describe"):
        objects = [o for s, p, o in run(form) if s["value"] == SLOGAN]
        assert {o["value"] for o in objects if o["termType"] == "Literal"} >= {"四主链"}
