"""Building a collection: bad reports skipped, failing facts dropped, unchanged reports reused,
and the store directory safe from kills, races and mistakes (issues 7 and 11)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from policykg.cli import main
from policykg.kg import build as kg_build
from policykg.kg import extract
from policykg.kg.build import BuildError, build
from policykg.kg.store import open_store


def count_quads(store_dir) -> int:
    """Quads of the named graphs of the store at ``store_dir``."""
    return sum(1 for _ in open_store(store_dir).named_quads())


SOURCES = Path(__file__).resolve().parents[2] / "kg" / "sources"
SEED = SOURCES / "zhanhe-district_2023_plan-report.txt"
SMALL = SOURCES / "hailaer-district_2014_gov-work-report.txt"  # the shortest report
POL = "https://w3id.org/policykg/ontology#"


def test_every_bundled_report_builds_with_no_fact_dropped(corpus_build):
    assert len(corpus_build.reports) == 34
    assert corpus_build.skipped == []
    dropped = [(r.name, d.shape, d.focus) for r in corpus_build.reports for d in r.dropped]
    assert dropped == []


def test_an_unreadable_report_is_skipped_and_the_rest_land(tmp_path, capsys):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "scan.txt"
    binary.write_bytes(bytes(range(256)) * 20)
    store_dir = tmp_path / "store"
    code = main(
        ["build", str(SMALL), str(empty), str(binary), "--store", str(store_dir), "--no-dumps"]
    )
    err = capsys.readouterr().err
    assert code == 3
    assert "empty.txt" in err and "scan.txt" in err and "Traceback" not in err
    reports = open_store(store_dir).select(
        "SELECT ?r ?c WHERE { ?r a ?c }", c=ox.NamedNode(POL + "Report")
    )
    assert len(reports) == 1


def _with_bad_observation(monkeypatch):
    """Every report gains an observation with no indicator: a fact that fails its shape."""
    real = extract.report_quads

    def report_quads(doc, minter):
        result = real(doc, minter)
        g = ox.NamedNode(result.graph)
        bad = ox.NamedNode(minter.base + "observation/broken")
        span = next(q.object for q in result.quads if q.predicate.value.endswith("wasDerivedFrom"))
        result.quads += [
            ox.Quad(
                bad,
                ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                ox.NamedNode(POL + "Observation"),
                g,
            ),
            ox.Quad(
                bad,
                ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                ox.Literal("坏的观测", language="zh"),
                g,
            ),
            ox.Quad(bad, ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom"), span, g),
        ]
        return result

    monkeypatch.setattr(extract, "report_quads", report_quads)


def test_a_fact_failing_a_shape_is_dropped_and_listed(tmp_path, monkeypatch):
    _with_bad_observation(monkeypatch)
    result = build([SMALL], tmp_path / "store", dumps=False)
    (report,) = result.reports
    shapes = {d.shape for d in report.dropped}
    assert "pols:ObservationShape pol:indicator" in shapes
    assert {d.focus for d in report.dropped} == {"https://w3id.org/policykg/id/observation/broken"}
    assert all(d.quote for d in report.dropped)  # the text it was read from
    assert not result.complete
    store = open_store(tmp_path / "store")
    assert (
        store.select("SELECT ?p WHERE { <https://w3id.org/policykg/id/observation/broken> ?p ?o }")
        == []
    )
    # only the fact goes: the report and the text spans it quoted stay
    assert len(store.select("SELECT ?r ?c WHERE { ?r a ?c }", c=ox.NamedNode(POL + "Report"))) == 1
    assert (
        len(store.select("SELECT ?s ?c WHERE { ?s a ?c }", c=ox.NamedNode(POL + "TextSpan"))) > 50
    )


def test_strict_refuses_a_failing_fact_and_keeps_nothing(tmp_path, monkeypatch):
    _with_bad_observation(monkeypatch)
    with pytest.raises(BuildError, match="ObservationShape"):
        build([SMALL], tmp_path / "store", dumps=False, strict=True)
    assert list(tmp_path.iterdir()) == []


def test_an_internal_error_names_the_report_and_spares_the_others(tmp_path, monkeypatch):
    real = extract.report_quads

    def report_quads(doc, minter):
        if doc.name == SMALL.stem:
            raise KeyError("boom")
        return real(doc, minter)

    monkeypatch.setattr(extract, "report_quads", report_quads)
    other = SOURCES / "hailaer-district_2015_gov-work-report.txt"
    result = build([SMALL, other], tmp_path / "store", dumps=False, jobs=1)
    assert [r.name for r in result.reports] == [other.stem]
    (skipped,) = result.skipped
    assert SMALL.name in skipped.reason and "KeyError" in skipped.reason
    # a bug, not bad input: its traceback comes with it, down to where it was raised
    assert "Traceback (most recent call last)" in skipped.reason
    assert 'raise KeyError("boom")' in skipped.reason


def test_unchanged_reports_are_reused_and_a_changed_one_is_rebuilt(tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    names = [
        "hailaer-district_2014_gov-work-report.txt",
        "hailaer-district_2015_gov-work-report.txt",
    ]
    for name in names:
        (sources / name).write_bytes((SOURCES / name).read_bytes())
    store_dir = tmp_path / "store"
    first = build(sorted(sources.iterdir()), store_dir, dumps=False)
    quads = count_quads(store_dir)
    again = build(sorted(sources.iterdir()), store_dir, dumps=False)
    assert again.up_to_date and again.quads == first.quads

    third = SOURCES / "hailaer-district_2013_gov-work-report.txt"
    (sources / third.name).write_bytes(third.read_bytes())
    grown = build(sorted(sources.iterdir()), store_dir, dumps=False)
    assert {r.name: r.reused for r in grown.reports} == {
        Path(names[0]).stem: True,
        Path(names[1]).stem: True,
        third.stem: False,
    }
    cold = build(sorted(sources.iterdir()), tmp_path / "cold", dumps=False, reuse=False)
    assert grown.quads == cold.quads
    # the write-ahead log is left in the tables: no read-only open (each query worker's)
    # replays it into memory
    for built in (store_dir, tmp_path / "cold"):
        assert sum(log.stat().st_size for log in (built / "oxigraph").glob("*.log")) == 0
    assert count_quads(store_dir) == count_quads(tmp_path / "cold")
    assert count_quads(store_dir) > quads

    text = (sources / names[0]).read_text("utf-8")
    (sources / names[0]).write_text(text.replace("。", "。\n", 1), "utf-8")
    changed = build(sorted(sources.iterdir()), store_dir, dumps=False)
    assert {r.name for r in changed.reports if not r.reused} == {Path(names[0]).stem}


def test_a_killed_build_leaves_nothing_behind_for_the_next(tmp_path):
    store_dir = tmp_path / "store"
    (tmp_path / ".store.building-99999" / "oxigraph").mkdir(parents=True)
    (tmp_path / ".store.old-99998").mkdir()
    build([SMALL], store_dir, dumps=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]


def test_a_store_moved_aside_by_a_killed_build_is_restored(tmp_path):
    store_dir = tmp_path / "store"
    build([SMALL], store_dir, dumps=False)
    store_dir.rename(tmp_path / ".store.old-99999")  # killed between the two renames
    kg_build._clean_leftovers(store_dir)
    assert kg_build.is_store(store_dir) and sorted(p.name for p in tmp_path.iterdir()) == ["store"]


def test_sigterm_during_a_build_leaves_no_work_directory(tmp_path):
    store_dir = tmp_path / "store"
    process = subprocess.Popen(
        [sys.executable, "-m", "policykg.cli", "build", str(SMALL), "--store", str(store_dir)],
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob(".store.building-*")) and time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        time.sleep(0.02)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode != 0 and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_a_second_build_of_one_store_waits_for_the_first(tmp_path):
    store_dir = tmp_path / "store"
    said: list[str] = []
    inside = threading.Event()

    def second() -> None:
        with kg_build._locked(store_dir, said.append):
            inside.set()

    with kg_build._locked(store_dir, lambda m: None):
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.3)
        assert not inside.is_set()
    thread.join(5)
    assert inside.is_set() and any("waiting" in m and str(store_dir) in m for m in said)
    assert list(tmp_path.iterdir()) == []  # the lock file goes with the last holder


def test_load_into_a_mistyped_store_creates_nothing(tmp_path, capsys):
    extra = tmp_path / "extra.ttl"
    extra.write_text('<https://example.org/a> <https://example.org/b> "c" .\n')
    missing = tmp_path / "stroe"
    code = main(["load", str(extra), "--graph", "https://example.org/g", "--store", str(missing)])
    assert code == 1 and str(missing) in capsys.readouterr().err
    assert not missing.exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_an_unwritable_parent_is_refused_before_anything_is_built(tmp_path):
    parent = tmp_path / "ro"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        with pytest.raises(BuildError, match="cannot write"):
            build([SMALL], parent / "store", dumps=False)
    finally:
        parent.chmod(0o755)
    assert list(parent.iterdir()) == []


def _content(store_dir: Path) -> tuple[list[str], dict[str, bytes]]:
    """A store's quads (blank nodes included: the build names them the same every time) and
    its dump files."""
    store = ox.Store.read_only(str(store_dir / "oxigraph"))
    quads = sorted(str(q) for q in store)
    dumps = {p.name: p.read_bytes() for p in sorted((store_dir / "dumps").iterdir())}
    return quads, dumps


def test_a_store_grown_or_shrunk_report_by_report_is_the_store_built_cold(tmp_path):
    other = SOURCES / "hailaer-district_2015_gov-work-report.txt"
    build([SMALL, other], tmp_path / "cold")
    build([SMALL], tmp_path / "small")

    build([SMALL], tmp_path / "grown")
    grown = build([SMALL, other], tmp_path / "grown")
    assert [r.reused for r in grown.reports] == [True, False]
    cold_quads, cold_dumps = _content(tmp_path / "cold")
    grown_quads, grown_dumps = _content(tmp_path / "grown")
    assert len(grown_quads) > 10_000 and grown_quads == cold_quads
    assert len(grown_dumps) == 9 and grown_dumps == cold_dumps

    shrunk = build([SMALL], tmp_path / "grown")  # the other report's statements leave
    assert [r.reused for r in shrunk.reports] == [True]
    assert _content(tmp_path / "grown") == _content(tmp_path / "small")


def test_the_summary_kept_per_report_is_what_the_whole_store_gives(corpus_store_dir):
    from policykg.kg.iri import Minter
    from policykg.kg.summary import GRAPH, list_orders, summary_triples

    store = ox.Store.read_only(str(corpus_store_dir / "oxigraph"))
    summary = ox.NamedNode(Minter().graph(GRAPH))
    whole = ox.Store()
    whole.extend(q for q in store if q.graph_name not in (summary, ox.DefaultGraph()))
    # the lists' orders read the default graph, the union of the others
    whole.extend(ox.Quad(q.subject, q.predicate, q.object) for q in list(whole))
    kept = {q.triple for q in store.quads_for_pattern(None, None, None, summary)}
    assert len(kept) > 10_000 and kept == summary_triples(whole) | list_orders(whole)
