"""The same store served by Virtuoso: load time, disk, and the same questions (issue 12, item 5).

    python -m bench scale --factor 10 --store /tmp/s10 --virtuoso            # build, then this
    python -m bench scale --factor 10 --store /tmp/s10 --no-build --virtuoso  # the store as is

A Virtuoso Open Source (``service.testing.Virtuoso``: Debian's ``virtuoso-t`` on free loopback
ports, its database in ``DIR.virtuoso``) is loaded with the store's named graphs by Virtuoso's
own bulk loader (``ld_dir`` + ``rdf_loader_run``: what an operator uses for millions of quads;
the Graph Store Protocol ``PUT`` of ``policykg build --store URL`` sends the same graphs one
request each). As that build does, the embedded store's merged default graph goes into
``kg.remote.MERGE_GRAPH`` and the description of the load into ``kg.remote.DATASET_GRAPH``
(README, "Your own SPARQL server"). Load time is the bulk load and its checkpoint; disk is the
database directory after the checkpoint.

Then every catalogue query is timed straight on the server (``RemoteStore``: HTTP included),
and every catalogue query and page type through the service over it (``STORE_PATH`` = the
server's URL): :func:`bench.bench_scale.measure_catalogue` and ``measure_service``, unchanged.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

# Virtuoso's loader reads N-Quads files; a few big ones load faster than thousands of small ones
GRAPHS_PER_FILE = 400


def export(store_dir: Path, out: Path) -> int:
    """The store's named graphs, their merge and the description of the load (as
    ``policykg build --store URL`` loads them) as N-Quads files in ``out``; the number of
    named graphs."""
    import hashlib
    from datetime import UTC, datetime

    import pyoxigraph as ox

    from policykg.kg.publish import load_identifier
    from policykg.kg.remote import DATASET_GRAPH, MERGE_GRAPH, describe_dataset
    from policykg.kg.store import oxigraph_dir

    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    store = ox.Store.read_only(str(oxigraph_dir(store_dir)))
    graphs = sorted(g.value for g in store.named_graphs())
    digests = {}

    def quads(nt: bytes, graph: str) -> bytes:
        return re.sub(rb" \.$", b" <%s> ." % graph.encode(), nt, flags=re.M)

    for first in range(0, len(graphs), GRAPHS_PER_FILE):
        with open(out / f"part{first // GRAPHS_PER_FILE:04d}.nq", "wb") as f:
            for graph in graphs[first : first + GRAPHS_PER_FILE]:
                nt = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
                digests[graph] = hashlib.sha256(nt).hexdigest()
                f.write(quads(nt, graph))
    merge = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    (out / "merge.nq").write_bytes(quads(merge, MERGE_GRAPH))
    modified = datetime.now(UTC).isoformat(timespec="seconds")
    described = describe_dataset(graphs, load_identifier(digests), modified)
    (out / "dataset.nq").write_bytes(quads(described, DATASET_GRAPH))
    return len(graphs)


def export_scaled(factor: int, store_dir: Path, out: Path, progress=print) -> int:
    """``factor`` copies of the corpus (:func:`bench.bench_scale.copies`, built into
    ``DIR.corpus`` beside ``store_dir``), the background graphs and the description of the load
    as N-Quads files in ``out``, without an embedded store of them (at 100 times the corpus the
    embedded store takes most of an hour to load). Each copy's quads are written twice, in their
    own graphs and in the merge graph (the bulk loader keeps a graph a set: a triple stated by
    many reports is in the merge once), as is the background's summary; only the ontology and
    the lexicon, whose blank nodes must stay the server's own, are merged by the server
    afterwards (:func:`merge_on_server`: one INSERT over all graphs took 1,116 s at 100×, short
    of query memory). The number of named graphs."""
    from datetime import UTC, datetime

    import pyoxigraph as ox

    from policykg.kg.build import (
        _background_nquads,
        _background_summary,
        _lines_in,
        _order_lines,
        _triple_line,
    )
    from policykg.kg.iri import Minter
    from policykg.kg.publish import load_identifier
    from policykg.kg.remote import DATASET_GRAPH, describe_dataset
    from policykg.kg.summary import list_orders

    from .bench_scale import copies, corpus, report_quads

    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    base_dir = store_dir.with_name(store_dir.name + ".corpus")
    result = corpus(base_dir, progress)
    minter = Minter(result.base)
    names = [r.name for r in result.reports]
    graph_name = re.compile(rb" <([^<>]*)> \.$", re.M)
    summary = b"".join(_background_summary(result.base))
    background = _background_nquads(result.base) + summary
    graphs = {g.decode() for g in graph_name.findall(background)}
    (out / "background.nq").write_bytes(background + _in_merge(summary))
    # what the lists' orders read of every copy, as triples (as kg.build._Joins keeps them):
    # they depend on every report, so no copy's own can stand
    ordered = ox.Store()
    for k, data in copies(factor, report_quads(result, base_dir), names, minter):
        graphs.update(g.decode() for g in set(graph_name.findall(data)))
        (out / f"copy{k:04d}.nq").write_bytes(data + _in_merge(data))
        triples = {_triple_line(line) for line in _order_lines(data)}
        ordered.bulk_load(b"".join(triples), format=ox.RdfFormat.N_TRIPLES)
        if k % 10 == 9:
            progress(f"  {k + 1}/{factor} copies written")
    order = b"".join(_lines_in(list_orders(ordered), minter.graph("summary")))
    (out / "order.nq").write_bytes(order + _in_merge(order))
    identifier = load_identifier({g: f"scale:{factor}" for g in graphs})
    modified = datetime.now(UTC).isoformat(timespec="seconds")
    described = describe_dataset(graphs, identifier, modified)
    (out / "dataset.nq").write_bytes(
        re.sub(rb" \.$", b" <%s> ." % DATASET_GRAPH.encode(), described, flags=re.M)
    )
    return len(graphs)


def _in_merge(data: bytes) -> bytes:
    """The same N-Quads lines in the merge graph (lines without blank nodes only)."""
    from policykg.kg.remote import MERGE_GRAPH

    return re.sub(rb" <[^<>]*> \.$", b" <%s> ." % MERGE_GRAPH.encode(), data, flags=re.M)


def merge_on_server(server, graphs: list[str]) -> None:
    """Copy the triples of ``graphs`` into the merge graph, by the server itself (a graph is a
    set: each triple once; blank nodes stay the server's own)."""
    from policykg.kg.remote import MERGE_GRAPH

    statements = "".join(
        f"SPARQL INSERT {{ GRAPH <{MERGE_GRAPH}> {{ ?s ?p ?o }} }} "
        f"WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }};\n"
        for graph in graphs
    )
    server.sql(f"log_enable(2);\n{statements}checkpoint;\n", timeout=24 * 3600)


def load(server, files: Path) -> None:
    """Bulk load the N-Quads files of ``files`` into ``server`` and checkpoint."""
    server.sql(
        f"ld_dir ('{files}', '*.nq', 'urn:policykg:unused');\nrdf_loader_run ();\ncheckpoint;\n",
        timeout=24 * 3600,
    )
    failed = server.sql(
        "SELECT ll_file, ll_error FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL;"
    )
    if "\n0 Rows." not in failed:
        raise RuntimeError(f"Virtuoso's bulk loader failed:\n{failed[-2000:]}")


def _disk_mb(directory: Path, skip: Path) -> float:
    size = sum(
        f.stat().st_size for f in directory.rglob("*") if f.is_file() and skip not in f.parents
    )
    return round(size / 1e6, 1)


def run(
    store_dir: Path,
    repeat: int,
    memory_mb: int = 2000,
    factor: int = 0,
    service: bool = True,
    reuse: bool = False,
    catalogue: bool = True,
) -> dict:
    """Load ``store_dir`` into a fresh Virtuoso beside it and time every question on it; with
    ``factor``, that many copies of the corpus straight from their N-Quads instead
    (:func:`export_scaled`: no embedded store of them). With ``reuse``, a whole earlier load
    in the same place is measured again, not reloaded."""
    from policykg.service.testing import Virtuoso

    from .bench_scale import measure_catalogue, measure_service

    directory = store_dir.with_name(store_dir.name + ".virtuoso")
    loaded = directory / "loaded.json"  # written once a load is whole
    if reuse and loaded.exists():
        record = json.loads(loaded.read_text())
        print(f"  virtuoso: reusing the load of {directory}: {record}", flush=True)
    else:
        record = _load_fresh(directory, store_dir, memory_mb, factor)
        loaded.write_text(json.dumps(record))
    with Virtuoso(directory, memory_mb=memory_mb) as server:
        if catalogue:
            record["catalogue"] = measure_catalogue(server.url, repeat)
        if service:
            record["service"] = measure_service(server.url, repeat)
    return record


def _load_fresh(directory: Path, store_dir: Path, memory_mb: int, factor: int) -> dict:
    """A new Virtuoso database in ``directory`` loaded with ``store_dir`` (or ``factor`` copies
    of the corpus); the export and load times, quads and disk."""
    from policykg.kg.iri import DEFAULT_BASE, Minter
    from policykg.kg.remote import RemoteStore
    from policykg.service.testing import Virtuoso

    shutil.rmtree(directory, ignore_errors=True)
    files = directory / "load"
    t = time.perf_counter()
    graphs = export_scaled(factor, store_dir, files) if factor else export(store_dir, files)
    exported = time.perf_counter() - t
    print(f"  {graphs} graphs exported as N-Quads in {exported:.1f}s", flush=True)
    record: dict = {"export_s": round(exported, 1), "graphs": graphs}
    with Virtuoso(directory, memory_mb=memory_mb) as server:
        t = time.perf_counter()
        load(server, files)
        if factor:
            record["bulk_load_s"] = round(time.perf_counter() - t, 1)
            minter = Minter(DEFAULT_BASE)
            merge_on_server(server, [minter.graph("ontology"), minter.graph("lexicon")])
        record["load_s"] = round(time.perf_counter() - t, 1)
        record["quads"] = int(
            RemoteStore(server.url, timeout=300)
            .query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", default_graphs=[])[0][
                "n"
            ]
            .value
        )
        record["disk_mb"] = _disk_mb(directory, files)
        print(f"  virtuoso: {record}", flush=True)
    shutil.rmtree(files)  # loaded: the database no longer needs them (GBs at 100×)
    return record
