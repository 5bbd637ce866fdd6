"""The dumps `policykg build` wrote for the founding report: six gzipped formats that each parse
and hold the VoID triple count, checksums that verify, a VoID description with one subset per
graph; /dumps/ and /.well-known/void serve them, over the embedded store and over Virtuoso.

The tests of what the build wrote (formats, counts, checksums, a store's dump) read the files
and the store directory the build made: they are about the build, so they run once, embedded.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from policykg.kg.dumps import read_manifest, write_dumps
from policykg.kg.store import Store, open_store
from policykg.service import create_app

BASE = "https://w3id.org/policykg/id/"
VOID = "http://rdfs.org/ns/void#"
DCTERMS = "http://purl.org/dc/terms/"
REPORT_GRAPH = BASE + "graph/report/zhanhe-district-2023-plan-report"
QUAD_FORMATS = {ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG, ox.RdfFormat.JSON_LD}


@pytest.fixture(scope="module")
def store(seed_store_dir) -> Store:
    return open_store(seed_store_dir)


@pytest.fixture(scope="module")
def dumps_dir(seed_store_dir) -> Path:
    return seed_store_dir / "dumps"


@pytest.fixture(scope="module")
def dumps(dumps_dir):
    return read_manifest(dumps_dir)


@pytest.fixture(scope="module")
def void(dumps, dumps_dir) -> dict[tuple[str, str], list[ox.Term]]:
    props: dict[tuple[str, str], list[ox.Term]] = {}
    for q in ox.parse(path=str(dumps_dir / "void.ttl"), format=ox.RdfFormat.TURTLE):
        props.setdefault((q.subject.value, q.predicate.value), []).append(q.object)
    return props


def dataset(void) -> str:
    return next(s for s, p in void if p == VOID + "dataDump")


def count(void, subject: str) -> int:
    return int(void[(subject, VOID + "triples")][0].value)


def parsed(dump) -> list[ox.Quad]:
    fmt = ox.RdfFormat.from_media_type(dump.format)
    return list(ox.parse(gzip.decompress(dump.path.read_bytes()), format=fmt))


def test_six_formats_are_written_gzipped(dumps):
    assert sorted(d.name for d in dumps) == sorted(
        f"policykg.{s}.gz" for s in ("nq", "trig", "ttl", "nt", "jsonld", "rdf")
    )
    assert all(d.path.read_bytes()[:2] == b"\x1f\x8b" for d in dumps)


def test_every_dump_parses_and_holds_the_void_triple_count(dumps, void):
    total = count(void, dataset(void))
    for dump in dumps:
        quads = parsed(dump)
        assert len({q.triple for q in quads}) == total, dump.name
        assert len(quads) == dump.triples, dump.name


def test_dumps_with_graphs_hold_each_subset_count(dumps, void):
    subsets = [s.value for s in void[(dataset(void), VOID + "subset")]]
    assert set(subsets) == {
        REPORT_GRAPH,
        *(BASE + f"graph/{g}" for g in ("ontology", "lexicon", "attainment", "summary")),
        REPORT_GRAPH.replace("/graph/report/", "/graph/inferred/"),
    }
    for dump in dumps:
        if ox.RdfFormat.from_media_type(dump.format) not in QUAD_FORMATS:
            continue
        quads = parsed(dump)
        for graph in subsets:
            in_graph = sum(1 for q in quads if q.graph_name.value == graph)
            assert in_graph == count(void, graph), (dump.name, graph)


def test_void_names_licence_date_dumps_and_the_report(dumps, void, store):
    ds = dataset(void)
    assert count(void, ds) == len({q.triple for q in store.named_quads()})
    assert void[(ds, DCTERMS + "license")][0].value.startswith("https://creativecommons.org/")
    assert void[(ds, DCTERMS + "modified")][0].datatype.value.endswith("#date")
    links = {t.value for t in void[(ds, VOID + "dataDump")]}
    assert links == {f"https://w3id.org/policykg/dumps/{d.name}" for d in dumps}
    report = BASE + "report/zhanhe-district-2023-plan-report"
    inferred = REPORT_GRAPH.replace("/graph/report/", "/graph/inferred/")
    for graph in (REPORT_GRAPH, inferred):  # both subsets of the report name it and its title
        assert void[(graph, DCTERMS + "source")][0].value == report
        assert void[(graph, DCTERMS + "title")][0].value.startswith("关于湛河区2022年")


def test_void_describes_publisher_formats_and_vocabularies(void):
    ds = dataset(void)
    descriptions = {d.language: d.value for d in void[(ds, DCTERMS + "description")]}
    assert set(descriptions) == {"en", "zh"} and "原文" in descriptions["zh"]
    publisher = void[(ds, DCTERMS + "publisher")][0]
    assert void[(publisher.value, "http://xmlns.com/foaf/0.1/name")][0].value == "PolicyKG"
    features = {t.value.rsplit("/", 1)[1] for t in void[(ds, VOID + "feature")]}
    assert features == {"N-Quads", "TriG", "Turtle", "N-Triples", "JSON-LD", "RDF_XML"}
    vocabularies = {t.value for t in void[(ds, VOID + "vocabulary")]}
    assert {
        "https://w3id.org/policykg/ontology#",
        "http://www.w3.org/2004/02/skos/core#",
        "http://www.w3.org/ns/prov#",
        "http://purl.org/dc/terms/",
        "http://www.w3.org/ns/org#",
        "http://purl.org/linked-data/cube#",
        "http://www.w3.org/ns/oa#",
    } <= vocabularies
    for link in void[(ds, VOID + "dataDump")]:
        media_type = void[(link.value, DCTERMS + "format")][0].value
        assert ox.RdfFormat.from_media_type(media_type) is not None


def test_checksums_verify(dumps, dumps_dir):
    sums = dict(
        reversed(line.split("  ")) for line in (dumps_dir / "SHA256SUMS").read_text().splitlines()
    )
    assert set(sums) == {d.name for d in dumps} | {"void.ttl"}
    for name, digest in sums.items():
        assert hashlib.sha256((dumps_dir / name).read_bytes()).hexdigest() == digest
    assert all(sums[d.name] == d.sha256 for d in dumps)


def test_dumping_a_store_gives_what_its_build_published_reproducibly(store, dumps, tmp_path):
    # the build splits the summary graph per report (kg/build.py); a dump of the store has
    # it whole, so the bytes differ but not the statements
    again = write_dumps(store, tmp_path / "1", BASE)
    assert [d.sha256 for d in write_dumps(store, tmp_path / "2", BASE)] == [d.sha256 for d in again]
    for published, dumped in zip(dumps, again, strict=True):
        assert published.name == dumped.name and published.triples == dumped.triples
        assert set(parsed(published)) == set(parsed(dumped))


# ---------------------------------------------------------------- served, over both stores


@pytest.fixture(scope="module")
def client(seed_client):
    """The app over the founding report's store (embedded, or in Virtuoso, as ``policykg serve
    --store URL --dumps DIR``) serving the dumps its build wrote."""
    return seed_client


def test_the_listing_shows_every_dump_with_its_checksum(client, dumps):
    page = client.get("/dumps/", headers={"Accept": "text/html"}).get_data(as_text=True)
    for d in dumps:
        assert f'href="/dumps/{d.name}"' in page and d.sha256 in page
    listing = client.get("/dumps/", headers={"Accept": "application/json"}).get_json()
    assert {r["name"]: r["triples"] for r in listing["dumps"]} == {d.name: d.triples for d in dumps}


def test_dumps_json_and_the_listing_agree_key_for_key(client, dumps_dir):
    listing = client.get("/dumps/", headers={"Accept": "application/json"}).get_json()["dumps"]
    written = json.loads((dumps_dir / "dumps.json").read_text(encoding="utf-8"))
    assert written == listing
    assert set(written[0]) == {"name", "format", "triples", "sha256", "bytes"}


def test_a_dump_downloads_byte_for_byte(client, dumps):
    dump = dumps[0]
    answer = client.get(f"/dumps/{dump.name}")
    assert answer.status_code == 200 and answer.mimetype == "application/gzip"
    assert hashlib.sha256(answer.data).hexdigest() == dump.sha256
    assert client.get("/dumps/../../etc/passwd").status_code == 404
    assert client.get("/dumps/other.nq.gz").status_code == 404


def test_well_known_void_answers_rdf_by_content_negotiation(client, void):
    answer = client.get("/.well-known/void")
    assert answer.mimetype == "text/turtle" and "Accept" in answer.headers["Vary"]
    triples = {q.triple for q in ox.parse(answer.data, format=ox.RdfFormat.TURTLE)}
    assert len(triples) == sum(len(v) for v in void.values())
    as_jsonld = client.get("/.well-known/void", headers={"Accept": "application/ld+json"})
    assert as_jsonld.mimetype == "application/ld+json"
    assert {q.triple for q in ox.parse(as_jsonld.data, format=ox.RdfFormat.JSON_LD)} == triples
    page = client.get("/.well-known/void", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert str(count(void, dataset(void))) in page
    # each subset has its row, named after its report, with the graph's data to download
    row = re.search(
        r'<tr id="graph-inferred-zhanhe-district-2023-plan-report">.*?</tr>', page, re.S
    )
    assert "推理 inferred zhanhe-district-2023-plan-report" in row[0]
    assert 'href="/id/graph/inferred/zhanhe-district-2023-plan-report?format=ttl"' in row[0]


def test_without_dumps_the_pages_say_how_to_make_them(seed_location, tmp_path):
    from policykg.service import db

    with open_store(seed_location) as store:
        app = create_app({"TESTING": True, "DUMPS_DIR": str(tmp_path / "none")}, store=store)
        try:
            answer = app.test_client().get("/dumps/", headers={"Accept": "application/json"})
            assert answer.status_code == 404 and "policykg build" in answer.get_json()["error"]
        finally:
            db.close(app)


def test_dumps_download_when_the_store_path_is_relative(seed_store_dir, dumps, monkeypatch):
    """`make serve` passes ``--store var/store``: relative to the working directory (embedded
    only: a server's URL is never relative)."""
    monkeypatch.chdir(seed_store_dir.parent)
    client = create_app({"TESTING": True, "STORE_PATH": seed_store_dir.name}).test_client()
    for name in [d.path.name for d in dumps] + ["SHA256SUMS", "void.ttl"]:
        assert client.get(f"/dumps/{name}").status_code == 200, name
