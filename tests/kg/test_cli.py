"""The ``policykg`` command, run as users run it, and the atomicity of builds."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib

from policykg.kg.build import BuildError, build
from policykg.kg.store import open_store


def count_quads(store_dir) -> int:
    """Quads of the named graphs of the store at ``store_dir``."""
    return sum(1 for _ in open_store(store_dir).named_quads())


SEED = (
    Path(__file__).resolve().parents[2] / "kg" / "sources" / "zhanhe-district_2023_plan-report.txt"
)


def policykg(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "policykg.cli", *args],
        capture_output=True,
        text=True,
        check=check,
    )


def test_failed_strict_build_leaves_the_previous_store_untouched(seed_store_dir, tmp_path):
    # strict: the all-or-nothing build (the default skips what it cannot read, issue 7)
    store_dir = tmp_path / "store"
    build([SEED], store_dir, dumps=False)
    before = count_quads(store_dir)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(BuildError, match="empty.txt"):
        build([SEED, empty], store_dir, dumps=False, strict=True)
    assert count_quads(store_dir) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.txt", "store"]


def test_a_build_failing_after_its_store_is_written_leaves_the_previous_one(tmp_path, monkeypatch):
    # the new store is complete but for its dumps when the disk fills: the swap must not happen
    from policykg.kg import dumps

    store_dir = tmp_path / "store"
    build([SEED], store_dir, dumps=False)
    before = sorted(open_store(store_dir).named_quads(), key=str)

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(dumps, "write_void", disk_full)
    other = SEED.with_name("hailaer-district_2015_gov-work-report.txt")
    with pytest.raises(OSError, match="No space left"):
        build([SEED, other], store_dir)
    assert sorted(open_store(store_dir).named_quads(), key=str) == before
    assert [p.name for p in tmp_path.iterdir()] == ["store"]  # no work directory left


def test_build_of_a_binary_file_fails_with_its_name(tmp_path):
    binary = tmp_path / "scan.txt"
    binary.write_bytes(bytes(range(256)) * 20)
    result = policykg("build", str(binary), "--store", str(tmp_path / "s"), check=False)
    assert result.returncode == 1
    assert "scan.txt" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "s").exists()


def test_query_as_json_and_csv(seed_store_dir):
    q = 'SELECT ?part WHERE { ?s rdfs:label "四主链"@zh ; pol:hasComponent/rdfs:label ?part }'
    rows = json.loads(
        policykg("query", "--store", str(seed_store_dir), "--format", "json", q).stdout
    )
    assert {r["part"] for r in rows} >= {"电气装备制造业", "医药健康产业"}
    table = list(
        csv.DictReader(
            io.StringIO(
                policykg("query", "--store", str(seed_store_dir), "--format", "csv", q).stdout
            )
        )
    )
    assert len(table) == len(rows)


def test_query_syntax_error_names_the_position(seed_store_dir):
    result = policykg("query", "--store", str(seed_store_dir), "SELECT ?x WHERE {", check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert ":" in result.stderr


@pytest.mark.parametrize(
    ("fmt", "parser"),
    [
        ("ttl", "turtle"),
        ("nt", "nt"),
        ("nq", "nquads"),
        ("trig", "trig"),
        ("jsonld", "json-ld"),
        ("rdfxml", "xml"),
    ],
)
def test_dump_in_every_format_parses(seed_store_dir, tmp_path, fmt, parser):
    out = tmp_path / f"kg.{fmt}"
    policykg("dump", "--store", str(seed_store_dir), "--format", fmt, "-o", str(out))
    data = rdflib.Dataset()
    data.parse(out, format=parser)
    assert len(list(data.quads())) > 5000


def test_load_puts_a_file_into_a_named_graph(seed_store_dir, tmp_path):
    store_dir = tmp_path / "store"
    build([SEED], store_dir, dumps=False)
    extra = tmp_path / "extra.ttl"
    extra.write_text('<https://example.org/a> <https://example.org/b> "c" .\n')
    policykg("load", str(extra), "--graph", "https://example.org/g", "--store", str(store_dir))
    store = open_store(store_dir)
    assert "https://example.org/g" in store.graphs()
    assert store.query('ASK { <https://example.org/a> <https://example.org/b> "c" }') is True


def test_stats_counts_classes(seed_store_dir):
    out = policykg("stats", "--store", str(seed_store_dir)).stdout
    assert "GlossaryEntry" in out and "Slogan" in out and "quads" in out


def test_help_teaches_with_examples():
    out = policykg("--help").stdout
    assert "examples:" in out and "policykg build" in out


def test_build_refuses_a_directory_that_is_not_a_store(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "thesis.txt").write_text("precious")
    result = policykg("build", str(SEED), "--store", str(docs), "--no-dumps", check=False)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert str(docs) in result.stderr and "not a PolicyKG store" in result.stderr
    assert (docs / "thesis.txt").read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["docs"]  # no work directory left


def test_build_refuses_a_file_as_store(tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("precious")
    result = policykg("build", str(SEED), "--store", str(target), "--no-dumps", check=False)
    assert result.returncode != 0 and str(target) in result.stderr
    assert target.read_text() == "precious"


def test_build_fills_an_empty_directory_and_replaces_a_store(tmp_path):
    store_dir = tmp_path / "store"
    store_dir.mkdir()
    build([SEED], store_dir, dumps=False)
    assert (store_dir / "build.json").is_file()
    build([SEED], store_dir, dumps=False)  # a store is replaced without complaint
    assert count_quads(store_dir) > 5000


def test_a_manifest_overrides_the_text_and_coverage_counts_the_report(tmp_path):
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "file,place,admin_code,year,delivered,title,kind,source\n"
        f"{SEED.name},,,,2023-10-18,湛河区2023年计划报告,,\n",
        "utf-8",
    )
    store_dir = tmp_path / "store"
    policykg(
        "build", str(SEED), "--store", str(store_dir), "--no-dumps", "--manifest", str(manifest)
    )
    store = open_store(store_dir)
    rows = store.select(
        "SELECT ?date ?title WHERE { ?r a <https://w3id.org/policykg/ontology#Report> ; "
        "<http://purl.org/dc/terms/date> ?date ; <http://purl.org/dc/terms/title> ?title }"
    )
    store.close()
    assert [(r["date"].value, r["title"].value) for r in rows] == [
        ("2023-10-18", "湛河区2023年计划报告")
    ]
    out = policykg("stats", "--store", str(store_dir), "--coverage", "--format", "csv").stdout
    table = list(csv.DictReader(io.StringIO(out)))
    assert [(r["report"], r["glossary"], r["dropped"]) for r in table] == [(SEED.stem, "25", "0")]
    assert int(table[0]["targets"]) > 20 and int(table[0]["slogans"]) > 20


def test_a_malformed_manifest_is_one_line_naming_it(tmp_path):
    manifest = tmp_path / "bad.csv"
    manifest.write_text(f"file,year\n{SEED.name},twenty\n", "utf-8")
    result = policykg(
        "build", str(SEED), "--store", str(tmp_path / "s"), "--manifest", str(manifest), check=False
    )
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        == f"policykg: {manifest}, line 2: year 'twenty' is not a four-digit year"
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("SELECT * WHERE { BIND(<urn:f>(1) AS ?x) }", "cannot be evaluated"),
        ("SELECT * WHERE { ?x ?y ?z .SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "SERVICE"),
    ],
)
def test_query_runtime_errors_and_service_are_one_line(seed_store_dir, query, message):
    result = policykg("query", "--store", str(seed_store_dir), query, check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "option", [("--port", "99999"), ("--query-timeout", "0"), ("--query-timeout", "inf")]
)
def test_serve_refuses_impossible_ports_and_timeouts(seed_store_dir, option):
    result = policykg("serve", "--store", str(seed_store_dir), *option, check=False)
    assert result.returncode == 2 and option[0] in result.stderr


def test_a_closed_pipe_ends_quietly(seed_store_dir):
    everything = "'SELECT * WHERE { ?s ?p ?o }'"  # megabytes, past any pipe buffer
    command = (
        f"{sys.executable} -m policykg.cli query --store {seed_store_dir} {everything} | head -c 1"
    )
    result = subprocess.run(command, shell=True, capture_output=True, text=True)
    assert "Broken pipe" not in result.stderr and "Traceback" not in result.stderr
