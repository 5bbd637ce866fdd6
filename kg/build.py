"""Reports in, store out: read → structure → extract → reason → check, per report; then store.
About 1,050 lines: the build's steps share its bookkeeping (build.json, the cache of report lines,
the lock and the atomic swap); the one-report check loop (:func:`build_report`) and the store
directory's lock and swap are the parts to move out next, once the incremental store patching
settles.

Reports are independent until they meet in the store, so each is built on its own, in a pool
of processes (:func:`build_report`): read, extracted, its inferences materialised, and its
graph checked against the SHACL shapes (compiled to SPARQL by ``kg.validate``). A report that
cannot be read is skipped, with the reason. A fact that fails a shape is dropped from its
report's graph: "the fact" is the focus node of the failure, that is every triple of the report
graph about it, every triple pointing to it and every ``pol:Assertion`` (evidence of a link)
naming it; the inferences are then redone and the graph checked again, until it conforms. A
failure of the report node itself (no year, no title) skips the report. ``strict=True`` keeps
the all-or-nothing behaviour: any skip or drop fails the build.

Unchanged reports are not built again: ``build.json`` keys each report by its file name, the
SHA-256 of its bytes, the IRI base and the pipeline version (a hash of the package's code,
lexicons, ontology and shapes), and their graphs are copied from the previous store. When every
input is unchanged the store is left as it is.

A build writes a fresh store directory next to the target and swaps it in only when complete;
a failed or interrupted build (SIGTERM included) leaves the previous store untouched and no
work directory behind. A lock file beside the store (``.STORE.lock``) serialises builds. The
store directory holds::

    DIR/oxigraph/     the Oxigraph store (named graphs: ontology, lexicon, one per report, inferred)
    DIR/dumps/        gzipped dumps in six formats, SHA256SUMS and void.ttl
    DIR/build.json    what was built, with counts, timings, skipped reports and dropped facts

A directory is a PolicyKG store when it holds both ``build.json`` and ``oxigraph/``. A build
replaces a store, or fills an empty (or missing) directory; it refuses any other directory, so
a mistyped ``--store`` never deletes someone's files.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import fcntl
import glob
import gzip
import hashlib
import json
import multiprocessing
import os
import shutil
import signal
import stat
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import pyoxigraph as ox

from policykg.errors import UserError

from . import vocab
from .attainment import READS, attainment
from .dumps import _quad_lines, _triple_line, _triple_lines
from .iri import DEFAULT_BASE, Minter
from .manifest import ReportMetadata, load_manifest
from .store import OxigraphStore, settle
from .summary import GRAPH as SUMMARY_GRAPH
from .summary import list_orders, summary_triples

# The extractors (jieba, pypinyin...) and pyshacl are imported where they are used, so that a
# build with nothing to do, or ``policykg --help``, starts in a fraction of a second.
ONTOLOGY_DIR = Path(str(resources.files("policykg.ontology")))

Progress = Callable[[str], None]
BUILD_FILE = "build.json"  # with oxigraph/, what marks a directory as a PolicyKG store
JOBS = 2  # processes building reports; the machine the goals are measured on has two cores
MAX_REPORT_BYTES = 4 * 1024 * 1024  # ~60× the longest bundled report; 1 MB takes ~20 s to read
MAX_ROUNDS = 10  # drop-and-check rounds per report; each drop can only remove, so it ends
HEARTBEAT = 15.0  # seconds between "still building" lines while a report takes long
POL = vocab.POL.base
NOT_PIPELINE = {"stats.py", "store.py", "dumps.py"}  # no report graph depends on them
PROV_DERIVED = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
RDFS_LABEL = vocab.RDFS.label
RDF_TYPE = vocab.RDF.type
NQ = ox.RdfFormat.N_QUADS


class BuildError(UserError):
    """A build failed; the previous store (if any) is untouched."""


@dataclass
class DroppedFact:
    """A focus node removed from its report's graph because it failed a shape."""

    shape: str
    component: str
    focus: str
    quote: str
    message: str


@dataclass
class ReportSummary:
    name: str
    graph: str
    quads: int
    counts: dict[str, int]
    warnings: list[str] = field(default_factory=list)
    file: str = ""
    sha256: str = ""
    key: str = ""  # what the report's graphs depend on: file name, bytes, base, pipeline
    inferred: int = 0
    dropped: list[DroppedFact] = field(default_factory=list)
    reused: bool = False  # copied from the previous store


@dataclass
class SkippedReport:
    file: str
    reason: str


@dataclass
class BuildResult:
    store_dir: str
    base: str
    reports: list[ReportSummary]
    quads: int
    inferred: int
    seconds: float
    skipped: list[SkippedReport] = field(default_factory=list)
    pipeline: str = ""
    inputs: list[str] = field(default_factory=list)  # the keys of every file given, in order
    dumps: bool = True
    up_to_date: bool = False  # nothing changed: the store was left as it was

    @property
    def dropped(self) -> int:
        return sum(len(r.dropped) for r in self.reports)

    @property
    def complete(self) -> bool:
        """Every report given was built, with every fact it read."""
        return not self.skipped and not self.dropped


@dataclass
class ReportOutcome:
    """What a worker sends back: the report's quads as N-Quads, or why it was skipped."""

    summary: ReportSummary | None
    nquads: bytes = b""  # the report graph's lines, then the inferred graph's, then the summary's
    skipped: str | None = None


# --- the build --------------------------------------------------------------------------------


def build(
    reports: Iterable[str | Path],
    store_dir: str | Path,
    *,
    base: str = DEFAULT_BASE,
    dumps: bool = True,
    progress: Progress = lambda message: None,
    strict: bool = False,
    jobs: int = JOBS,
    reuse: bool = True,
    max_bytes: int = MAX_REPORT_BYTES,
    manifest: str | Path | Mapping[str, ReportMetadata] | None = None,
) -> BuildResult:
    """Build the knowledge graph of ``reports`` into ``store_dir``, atomically.

    Unreadable reports are skipped and failing facts dropped (see the module docstring); the
    result lists both. With ``strict``, either fails the build instead. ``manifest`` (a CSV
    path or rows by file name, see ``kg.manifest``) overrides what each report's text says
    about its place, year, date and title.

    :raises policykg.kg.read.ReportError: with ``strict``, a report cannot be read.
    :raises BuildError: no report could be built; with ``strict``, a fact fails a shape; the
        store directory is not a store; the store cannot be written.
    """
    started = time.perf_counter()
    paths = [Path(p) for p in reports]
    if not paths:
        raise BuildError("no reports given")
    store_dir = Path(store_dir)
    check_replaceable(store_dir)
    with _terminate_cleanly(), _locked(store_dir, progress):
        _clean_leftovers(store_dir)
        check_replaceable(store_dir)
        version = pipeline_version()
        rows = load_manifest(manifest) if isinstance(manifest, str | Path) else manifest or {}
        inputs, skipped = _inputs(paths, base, version, max_bytes, rows)
        previous = _previous_build(store_dir, base, version) if reuse else None
        keys = [key for key, _ in inputs] + [f"{s.file}:skipped:{s.reason}" for s in skipped]
        if previous and previous.inputs == keys and previous.dumps == dumps:
            progress(f"{store_dir} is up to date ({len(previous.reports)} reports)")
            previous.up_to_date = True
            previous.seconds = round(time.perf_counter() - started, 2)
            return previous
        known = {r.key: r for r in previous.reports} if previous else {}
        known = {k: r for k, r in known.items() if _cache_file(store_dir, k).is_file()}
        todo = [(key, path) for key, path in inputs if key not in known]
        work = store_dir.with_name(f".{store_dir.name}.building-{os.getpid()}")
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        try:
            # unchanged reports are read from the old store, and the old store copied with the
            # lines that may change in it, while the others are built
            lines: dict[str, _ReportLines] = {}
            # a copy of the old store is patched when it kept every report's lines
            whole = previous and all(r.key in known for r in previous.reports)
            patch = previous if known and whole else None
            old: set[bytes] = set()
            minter = Minter(base)
            joins = _Joins(minter)

            def meanwhile() -> None:
                for key, _ in inputs:
                    if key in known:
                        data = gzip.decompress(_cache_file(store_dir, key).read_bytes())
                        lines[key] = _ReportLines.of(data, known[key], minter)
                background = _background_nquads(base).splitlines(keepends=True)
                joins.add([lines[key] for key, _ in inputs if key in known], background)
                if patch is not None:
                    _link_copy(store_dir / "oxigraph", work / "oxigraph")
                    kept = {key for key, _ in inputs if key in known}
                    old.update(_changing_lines(store_dir, patch, kept, minter))

            outcomes = _build_reports(todo, base, jobs, progress, rows, meanwhile=meanwhile)
            summaries: list[ReportSummary] = []
            for key, path in inputs:
                if key in known:
                    summaries.append(known[key])
                    summaries[-1].reused = True
                    continue
                outcome = outcomes[key]
                if outcome.summary is None:
                    skipped.append(SkippedReport(str(path), outcome.skipped or "not built"))
                else:
                    outcome.summary.key = key
                    outcome.summary.sha256 = key.split(":")[1]
                    summaries.append(outcome.summary)
                    lines[key] = _ReportLines.of(outcome.nquads, outcome.summary, minter)
            _report_problems(summaries, skipped, strict, progress)
            if not summaries:
                reasons = "; ".join(s.reason for s in skipped)
                raise BuildError("no report could be built: " + reasons)
            progress(f"storing {len(summaries)} reports ({len(known)} unchanged)")
            result = BuildResult(
                str(store_dir), base, summaries, 0, 0, 0.0, skipped, version, keys, dumps
            )
            joins.add(lines[r.key] for r in summaries if not r.reused)
            _write_store(result, lines, joins, work, store_dir, old if patch else None, progress)
        except BaseException:
            _remove(work, progress)
            raise
    result.seconds = round(time.perf_counter() - started, 2)
    progress(_summary_line(result))
    return result


def _summary_line(result: BuildResult) -> str:
    reused = sum(r.reused for r in result.reports)
    return (
        f"built {len(result.reports)} reports ({reused} unchanged), skipped "
        f"{len(result.skipped)}, dropped {result.dropped} facts: {result.quads} quads in "
        f"{result.seconds}s → {result.store_dir}"
    )


def _report_problems(
    summaries: list[ReportSummary], skipped: list[SkippedReport], strict: bool, progress: Progress
) -> None:
    if strict and skipped:
        raise BuildError(f"{skipped[0].file}: {skipped[0].reason}")
    dropped = [(r, d) for r in summaries for d in r.dropped]
    if strict and dropped:
        shown = "\n".join(f"  {r.name}: {d.shape} {d.focus} 「{d.quote}」" for r, d in dropped[:20])
        raise BuildError(f"{len(dropped)} facts fail the SHACL shapes:\n{shown}")


def _write_store(
    result: BuildResult,
    reports: dict[str, _ReportLines],
    joins: _Joins,
    work: Path,
    store_dir: Path,
    old: set[bytes] | None,
    progress: Progress,
) -> None:
    """Fill ``work`` with the store of ``result``'s reports, whose lines ``reports`` holds by
    key and ``joins`` holds what the joins across them read, and swap it in.

    With the ``old`` lines of a previous store already copied into ``work`` (see
    :func:`_changing_lines`), only what changed is written: the graphs of the reports that
    are new or gone, the cross-report graphs (attainment, summary), and the default graph's
    difference.
    """
    minter = Minter(result.base)
    summary_graph = minter.graph(SUMMARY_GRAPH)
    graphs: dict[str, list[bytes]] = {}  # each named graph's lines
    triples: dict[str, list[bytes]] = {}  # and the same as triples (for the default graph)
    # the summary graph is the union of each report's, of the joins' and of the background's:
    # kept in those parts, each without what an earlier one holds, for the dumps
    summary = [sorted(_background_summary(result.base))]
    seen = set(summary[0])
    cache = work / CACHE_DIR / "reports"
    cache.mkdir(parents=True)
    for r in sorted(result.reports, key=lambda r: r.name):
        own = reports[r.key]
        graphs.update(own.graphs)
        triples.update(own.triples)
        summary.append(sorted(set(own.summary) - seen))
        seen.update(summary[-1])
        if r.reused:
            os.link(_cache_file(store_dir, r.key), _cache_file(work, r.key))
        else:
            _cache_file(work, r.key).write_bytes(gzip.compress(own.data, compresslevel=1, mtime=0))
    store = ox.Store(str(work / "oxigraph"))  # with a previous build, a copy of its store
    if old is None:
        load_background(store, minter)
    for name in ("ontology", "lexicon"):
        graphs[minter.graph(name)] = sorted(_graph_lines(store, minter.graph(name)))
    progress("joining targets and actuals across reports")
    joined = graphs[minter.graph("attainment")] = joins.attainment()
    # the summary of the joins (their labels and IRIs as keys), then the lists' orders
    summary.append(sorted(set(_summary_lines(joined, summary_graph)) - seen))
    summary.append(joins.order(summary_graph))
    graphs[summary_graph] = [line for part in summary for line in part]
    for g in _cross_graphs(minter) + sorted(_background(minter)):
        triples[g] = _triple_lines(graphs[g], g)
    # the data dumps need only the graphs' lines: written while the store loads (a bulk load
    # releases the GIL), and VoID, which reads the store, once it has
    with cf.ThreadPoolExecutor(1) as side:
        if result.dumps:
            from .dumps import write_data_dumps, write_void

            progress("writing dumps")
            data_dumps = side.submit(
                write_data_dumps,
                work / "dumps",
                graphs,
                parts={summary_graph: summary},
                triples=triples,
                cache=work / CACHE_DIR / "dumps",
                reuse=store_dir / CACHE_DIR / "dumps",
            )
        if old is None:
            # the named graphs, then the default graph, the set union of the graphs (see
            # merge_into_default_graph); the ontology's and lexicon's triples are copied
            # inside the store (their blank nodes would be renamed by a load)
            named = [lines for g, lines in graphs.items() if g not in _background(minter)]
            data = b"".join(line for lines in named for line in lines)
            store.bulk_load(data, format=NQ, lenient=True)
            union = set().union(*triples.values())
            union.difference_update(*(triples[g] for g in _background(minter)))
            store.bulk_load(b"".join(union), format=ox.RdfFormat.N_TRIPLES, lenient=True)
            _merge_background(store, minter)
        else:
            _patch_store(store, graphs, triples, result, old, minter)
        result.quads = sum(len(lines) for lines in graphs.values())
        result.inferred = sum(r.inferred for r in result.reports)
        if result.dumps:
            dumps, count = data_dumps.result()
            write_void(OxigraphStore(store), work / "dumps", result.base, dumps, graphs, count)
    store.flush()
    del store
    settle(work / "oxigraph")
    (work / BUILD_FILE).write_text(
        json.dumps(asdict(result), ensure_ascii=False, indent=1), encoding="utf-8"
    )
    _swap(work, store_dir, progress)


@dataclass
class _ReportLines:
    """A report's N-Quads lines as its worker wrote them (``data``), and split: its own and
    its inferred graph's (sorted, and as triples), its part of the summary graph, and what
    the attainment join reads of it. Made while the workers run for the reports kept."""

    data: bytes
    graphs: dict[str, list[bytes]]
    triples: dict[str, list[bytes]]
    summary: list[bytes]
    attainment_inputs: list[bytes]
    ordered: list[bytes]  # what the lists' orders read of it (kg.summary.ORDERS)

    @classmethod
    def of(cls, data: bytes, report: ReportSummary, minter: Minter) -> _ReportLines:
        own = [report.graph, minter.inferred_graph(report.name)]
        groups = _groups(data, [*own, minter.graph(SUMMARY_GRAPH)])
        graphs = {g: sorted(groups[g]) for g in own}
        triples = {g: _triple_lines(graphs[g], g) for g in own}
        read = _attainment_inputs(line for g in own for line in graphs[g])
        summary = groups[minter.graph(SUMMARY_GRAPH)]
        return cls(data, graphs, triples, summary, read, _order_lines(data))


class _Joins:
    """The joins across reports (attainment, the lists' orders), each over an in-memory
    store of only what it reads, loaded a batch of reports at a time: the reports kept from
    the previous store while the workers build the others."""

    def __init__(self, minter: Minter) -> None:
        self.minter = minter
        self.observations = ox.Store()  # the lines of kg.attainment.READS, and their triples
        self.ordered = ox.Store()

    def add(self, reports: Iterable[_ReportLines], background: list[bytes] | None = None) -> None:
        """Load ``reports`` (and the ontology's and lexicons' ``background`` lines)."""
        reports = list(reports)
        read = [line for r in reports for line in r.attainment_inputs]
        read += _attainment_inputs(background or [])
        triples = {_triple_line(line) for line in read}
        self.observations.bulk_load(b"".join(read) + b"".join(triples), format=NQ, lenient=True)
        # as triples: the orders read the default graph, a set (kg.summary.list_orders)
        ordered = {_triple_line(line) for r in reports for line in r.ordered}
        self.ordered.bulk_load(b"".join(ordered), format=ox.RdfFormat.N_TRIPLES)

    def attainment(self) -> list[bytes]:
        """The attainment graph (``kg.attainment``) as sorted N-Quads lines."""
        attainment(self.observations, self.minter)
        return sorted(_graph_lines(self.observations, self.minter.graph("attainment")))

    def order(self, graph: str) -> list[bytes]:
        """The lists' orders (:func:`kg.summary.list_orders`) as sorted N-Quads lines in
        ``graph``."""
        return sorted(_lines_in(list_orders(self.ordered), graph))


def _changing_lines(
    store_dir: Path, previous: BuildResult, kept: set[str], minter: Minter
) -> set[bytes]:
    """The lines of the ``previous`` store that a build keeping the reports of ``kept`` keys
    may change: its cross-report graphs' (attainment, summary) and its other reports'."""
    store = ox.Store.read_only(str(store_dir / "oxigraph"))
    lines = {line for g in _cross_graphs(minter) for line in _graph_lines(store, g)}
    for r in previous.reports:
        if r.key not in kept:
            data = gzip.decompress(_cache_file(store_dir, r.key).read_bytes())
            lines.update(data.splitlines(keepends=True))
    return lines


def _cross_graphs(minter: Minter) -> list[str]:
    return [minter.graph("attainment"), minter.graph(SUMMARY_GRAPH)]


def _patch_store(
    store: ox.Store,
    graphs: dict[str, list[bytes]],
    triples: dict[str, list[bytes]],
    result: BuildResult,
    old: set[bytes],
    minter: Minter,
) -> None:
    """Turn a copy of a previous store into the store of ``graphs`` by their difference with
    the ``old`` lines that may change (:func:`_changing_lines`): those of the graphs that
    changed (reports new or gone, the cross-report graphs) that are new are added and those
    gone removed, in the named graphs and the default graph (the union). Adding one report to
    a store so writes about one report's quads."""
    changed = {*_cross_graphs(minter)}
    changed |= {
        g for r in result.reports if not r.reused for g in (r.graph, minter.inferred_graph(r.name))
    }
    new = {line for g in changed for line in graphs[g]}
    added, gone = new - old, old - new
    # one bulk load of the quads and their triples in the default graph, not a transaction:
    # half the time, and nothing to flush (the store is a copy, thrown away if the build fails)
    union = {_triple_line(line) for line in added}
    store.bulk_load(b"".join(added) + b"".join(union), format=ox.RdfFormat.N_QUADS)
    for quad in ox.parse(b"".join(gone), format=ox.RdfFormat.N_QUADS):
        store.remove(quad)
    # a triple leaves the default graph (the union) when no graph of the new store holds it:
    # found among the graphs' triples (a store lookup a triple cost 0.3 ms: 0.35 s for the
    # slogans whose list order moved when one report is added)
    orphans = {_triple_line(line) for line in gone}
    orphans.difference_update(*triples.values())
    for triple in ox.parse(b"".join(orphans), format=ox.RdfFormat.N_TRIPLES):
        store.remove(ox.Quad(triple.subject, triple.predicate, triple.object))


def _background(minter: Minter) -> set[str]:
    return {minter.graph("ontology"), minter.graph("lexicon")}


def _groups(data: bytes, graphs: list[str]) -> dict[str, list[bytes]]:
    """N-Quads lines grouped by graph, in the order of ``graphs``, split into their groups: a
    line ends with its graph and a newline, which inside a literal is escaped."""
    out: dict[str, list[bytes]] = {}
    starts = []
    for graph in graphs:
        at = data.find(f" <{graph}> .\n".encode())
        starts.append(len(data) if at < 0 else data.rfind(b"\n", 0, at) + 1)
    for i, graph in enumerate(graphs):
        end = min([len(data), *(s for s in starts[i + 1 :] if s >= starts[i])])
        out[graph] = data[starts[i] : end].splitlines(keepends=True)
    return out


def _graph_lines(store: ox.Store, graph: str) -> list[bytes]:
    """A graph of ``store`` as N-Quads lines."""
    data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph)) or b""
    return _quad_lines(data, graph)


CACHE_DIR = "cache"  # in a store: each report's lines and the dumps' pieces, for the next build


def _cache_file(store_dir: Path, key: str) -> Path:
    """Where a store keeps the lines of the report built under ``key``."""
    name = hashlib.sha256(key.encode()).hexdigest()[:32]
    return store_dir / CACHE_DIR / "reports" / f"{name}.nq.gz"


def _link_copy(source: Path, target: Path) -> None:
    """Copy an Oxigraph (RocksDB) directory, hard-linking its table files: they are never
    written again once made, so the copy can change without touching the source."""
    target.mkdir()
    for path in source.iterdir():
        if path.suffix in (".sst", ".blob"):
            os.link(path, target / path.name)
        elif path.is_file() and path.name != "LOCK":
            shutil.copy2(path, target / path.name)


ATTAINMENT_INPUTS = frozenset(f"<{p.value}>".encode() for p in READS)


def _attainment_inputs(lines: Iterable[bytes]) -> list[bytes]:
    """The lines the attainment join reads: those of :data:`kg.attainment.READS`."""
    return [line for line in lines if line.split(b" ", 2)[1] in ATTAINMENT_INPUTS]


def _attainment_lines(lines: list[bytes], minter: Minter) -> list[bytes]:
    """The attainment graph (``kg.attainment``) of N-Quads ``lines`` (reports' and the
    background's), as sorted N-Quads lines."""
    joins = _Joins(minter)
    joins.add([], lines)
    return joins.attainment()


def _merge_background(store: ox.Store, minter: Minter) -> None:
    """The ontology and lexicon graphs copied into the default graph, blank nodes kept."""
    graphs = ", ".join(f"<{minter.graph(name)}>" for name in ("ontology", "lexicon"))
    store.update(
        f"INSERT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g IN ({graphs})) }}"
    )


# --- the inputs -------------------------------------------------------------------------------


@cache
def pipeline_version() -> str:
    """A hash of everything a report's graph depends on besides its text: the package's code,
    lexicons, ontology and shapes. Any change rebuilds every report."""
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    files = [p for p in sorted(here.glob("*.py")) if p.name not in NOT_PIPELINE]
    files += sorted((here / "lexicons").glob("*"))
    files += sorted(ONTOLOGY_DIR.glob("*.ttl"))
    for path in files:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _inputs(
    paths: list[Path],
    base: str,
    version: str,
    max_bytes: int,
    rows: Mapping[str, ReportMetadata],
) -> tuple[list[tuple[str, Path]], list[SkippedReport]]:
    """Each readable file with its cache key; the others with the reason they are skipped."""
    inputs: list[tuple[str, Path]] = []
    skipped: list[SkippedReport] = []
    names: dict[str, Path] = {}
    for path in paths:
        try:
            size = path.stat().st_size
            data = path.read_bytes() if size <= max_bytes else b""
        except OSError as e:
            skipped.append(SkippedReport(str(path), f"{path}: cannot be read ({e.strerror or e})"))
            continue
        if size > max_bytes:
            reason = f"{path}: is {size:,} bytes, over the limit of {max_bytes:,}"
            skipped.append(SkippedReport(str(path), reason))
            continue
        if path.stem in names:
            reason = f"{path}: same name as {names[path.stem]} (a report's graph is named by it)"
            skipped.append(SkippedReport(str(path), reason))
            continue
        names[path.stem] = path
        sha = hashlib.sha256(data).hexdigest()
        meta = hashlib.sha256(repr(rows.get(path.name)).encode()).hexdigest()[:12]
        inputs.append((f"{path.name}:{sha}:{base}:{version}:{meta}", path))
    return inputs, skipped


def _previous_build(store_dir: Path, base: str, version: str) -> BuildResult | None:
    """The previous build's record, when it was made with the same base and pipeline."""
    try:
        record = json.loads((store_dir / BUILD_FILE).read_text(encoding="utf-8"))
        if record.get("pipeline") != version or record.get("base") != base:
            return None
        reports = [
            ReportSummary(**{**r, "dropped": [DroppedFact(**d) for d in r.get("dropped", [])]})
            for r in record["reports"]
        ]
        skipped = [SkippedReport(**s) for s in record.get("skipped", [])]
        record.pop("up_to_date", None)
        return BuildResult(**{**record, "reports": reports, "skipped": skipped})
    except (OSError, ValueError, TypeError, KeyError):
        return None  # no store yet, or one from an older version: build everything


# --- one report, in a worker ------------------------------------------------------------------


def _build_reports(
    todo: list[tuple[str, Path]],
    base: str,
    jobs: int,
    progress: Progress,
    rows: Mapping[str, ReportMetadata],
    meanwhile: Callable[[], None] = lambda: None,
) -> dict[str, ReportOutcome]:
    """Build ``todo`` in ``jobs`` processes (in this one for ``jobs=1``), running
    ``meanwhile`` in a thread of this process once the workers are started."""
    outcomes: dict[str, ReportOutcome] = {}
    if not todo or jobs <= 1:
        meanwhile()
    if not todo:
        return outcomes

    def done(i: int, key: str, path: Path, outcome: ReportOutcome) -> None:
        outcomes[key] = outcome
        if outcome.summary is None:
            progress(f"[{i}/{len(todo)}] skipped {outcome.skipped}")
        else:
            s = outcome.summary
            dropped = f", {len(s.dropped)} facts dropped" if s.dropped else ""
            progress(f"[{i}/{len(todo)}] {path.name}: {s.quads} quads{dropped}")

    if jobs <= 1:
        for i, (key, path) in enumerate(todo, 1):
            done(i, key, path, build_report(str(path), base, rows.get(path.name)))
        return outcomes
    # SIGTERM is held while the pool starts: raised inside the executor's locked start-up, it
    # was lost (the build went on) or deadlocked the shutdown below; it is delivered after
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    try:
        pool = cf.ProcessPoolExecutor(
            min(jobs, len(todo)),
            mp_context=multiprocessing.get_context("fork"),
            initializer=_worker_init,
        )
        helper = cf.ThreadPoolExecutor(1)
        # the longest first, so that no worker is left with a long report at the end
        largest_first = sorted(todo, key=lambda item: -item[1].stat().st_size)
        futures = {
            pool.submit(build_report, str(path), base, rows.get(path.name)): (key, path)
            for key, path in largest_first
        }
        # started after the workers are forked (a fork copies no running thread)
        side_work = helper.submit(meanwhile)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
    try:
        started = time.monotonic()
        pending = set(futures)
        while pending:
            finished, pending = cf.wait(pending, HEARTBEAT, cf.FIRST_COMPLETED)
            for future in finished:
                key, path = futures[future]
                done(len(outcomes) + 1, key, path, future.result())
            if not finished:
                names = ", ".join(sorted(futures[f][1].name for f in pending if f.running()))
                progress(f"still building {names} ({time.monotonic() - started:.0f}s)")
        side_work.result()
    finally:  # on SIGTERM or an error: drop what has not started, wait for what has
        pool.shutdown(wait=True, cancel_futures=True)
        helper.shutdown(wait=True)
    return outcomes


def _worker_init() -> None:
    # a worker is stopped by its parent; SIGTERM's default ends it without a traceback (and it
    # was forked while the parent held SIGTERM back)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def build_report(
    path: str, base: str = DEFAULT_BASE, metadata: ReportMetadata | None = None
) -> ReportOutcome:
    """Read, extract, infer and check one report; never raises for a bad report.

    An unreadable report, a report whose own node fails its shape, and an error inside the
    pipeline all come back as ``skipped`` with a reason naming the file.
    """
    from .read import ReportError, read_report

    file = Path(path)
    try:
        doc = read_report(file, metadata=metadata)
    except ReportError as e:
        return ReportOutcome(None, skipped=str(e))
    try:
        return _build_document(doc, Minter(base))
    except _ReportRejected as e:
        return ReportOutcome(None, skipped=f"{file}: {e}")
    except Exception as e:  # a bug met on this report: name it with its traceback, keep the others
        where = traceback.extract_tb(e.__traceback__)[-1]
        reason = (
            f"{file}: internal error while building it ({type(e).__name__}: {e}, at "
            f"{Path(where.filename).name}:{where.lineno}); please report it\n"
            + "".join(traceback.format_exception(e)).rstrip()
        )
        return ReportOutcome(None, skipped=reason)


class _ReportRejected(UserError):
    """The report's own node fails a shape (no year, no title): nothing of it can stand."""


def _build_document(doc, minter: Minter) -> ReportOutcome:
    from . import extract
    from .reason import materialise

    extracted = extract.report_quads(doc, minter)
    store = ox.Store()
    store.bulk_load(_background_nquads(minter.base), format=ox.RdfFormat.N_QUADS)
    store.extend(extracted.quads)
    graph = ox.NamedNode(extracted.graph)
    inferred_graph = ox.NamedNode(minter.inferred_graph(doc.name))
    report = ox.NamedNode(minter.report(doc.name))
    dropped: list[DroppedFact] = []
    for _ in range(MAX_ROUNDS):
        store.clear_graph(inferred_graph)
        inferred = materialise(
            store,
            minter.graph("ontology"),
            [graph.value, minter.graph("lexicon")],
            inferred_graph.value,
        )
        found = _failures(store, minter)
        if not found:
            break
        if any(f.focus == report for f in found):
            shown = "; ".join(f"{f.shape}: {f.message}" for f in found if f.focus == report)
            raise _ReportRejected(f"the report fails its shape ({shown})")
        focuses = {f.focus for f in found}
        if not any(any(store.quads_for_pattern(n, None, None, graph)) for n in focuses):
            raise RuntimeError("shape failures outside the report's graph: " + str(found[:3]))
        for f in found:
            dropped.append(
                DroppedFact(
                    f.shape, f.component, f.focus.value, _quote(store, graph, f.focus), f.message
                )
            )
        for focus in focuses:
            _drop(store, graph, focus)
    else:
        raise RuntimeError(f"the graph still fails its shapes after {MAX_ROUNDS} rounds")
    lines = [sorted(_graph_lines(store, g.value)) for g in (graph, inferred_graph)]
    summary = _summary_lines(store, minter.graph(SUMMARY_GRAPH))
    lines.append(sorted(set(summary) - _background_summary(minter.base)))
    outcome = ReportSummary(
        doc.name,
        extracted.graph,
        len(lines[0]),
        extracted.counts,
        extracted.warnings,
        file=str(doc.path),
        inferred=inferred,
        dropped=dropped,
    )
    return ReportOutcome(outcome, b"".join(line for group in lines for line in group))


def _failures(store: ox.Store, minter: Minter) -> list:
    """The shape failures of the store's graphs, by the compiled checks (pyshacl if the shapes
    use something they do not compile)."""
    from . import validate

    try:
        checks = validate.compiled_checks(ONTOLOGY_DIR / "shapes.ttl")
    except validate.UnsupportedShape:
        return _pyshacl_failures(store, minter)
    return validate.failures(store, checks)


def _pyshacl_failures(store: ox.Store, minter: Minter) -> list:
    import rdflib

    from ..ontology import check
    from . import validate

    ontology = ox.NamedNode(minter.graph("ontology"))
    triples = (q.triple for q in store if q.graph_name != ontology)
    data = rdflib.Graph().parse(
        data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt"
    )
    report = check.validate_shapes(data)
    return [
        validate.Failure(v.shape, v.constraint, v.message, ox.NamedNode(v.focus), v.value)
        for v in report.violations
        if v.focus.startswith("http")
    ]


def _quote(store: ox.Store, graph: ox.NamedNode, focus: ox.NamedNode | ox.BlankNode) -> str:
    """The text a focus node was read from: its own quote, its first evidence, or its label."""
    quote = ox.NamedNode(POL + "quote")
    for q in store.quads_for_pattern(focus, quote, None, graph):
        return str(getattr(q.object, "value", ""))
    for q in store.quads_for_pattern(focus, PROV_DERIVED, None, graph):
        if isinstance(q.object, ox.NamedNode | ox.BlankNode):
            for r in store.quads_for_pattern(q.object, quote, None, graph):
                return str(getattr(r.object, "value", ""))
    for q in store.quads_for_pattern(focus, RDFS_LABEL, None, graph):
        return str(getattr(q.object, "value", ""))
    return ""


def _drop(store: ox.Store, graph: ox.NamedNode, focus: ox.NamedNode | ox.BlankNode) -> None:
    """Remove a fact from a report graph: the node's triples, the triples pointing to it, and
    the assertions (evidence of links) that name it."""
    assertions = {
        q.subject
        for p in ("assertedSubject", "assertedObject")
        for q in store.quads_for_pattern(None, ox.NamedNode(POL + p), focus, graph)
    }
    for node in {focus, *assertions}:
        doomed = [*store.quads_for_pattern(node, None, None, graph)]
        doomed += store.quads_for_pattern(None, None, node, graph)
        for q in doomed:
            store.remove(q)


@cache
def _background_summary(base: str) -> frozenset[bytes]:
    """The summary graph's lines the ontology and lexicon alone give, made once per process."""
    store = ox.Store()
    load_background(store, Minter(base))
    return frozenset(_summary_lines(store, Minter(base).graph(SUMMARY_GRAPH)))


def _summary_lines(source: ox.Store | list[bytes], graph: str) -> list[bytes]:
    """The summary statements of a store's named graphs (or of N-Quads lines), as N-Quads lines
    in ``graph``."""
    if isinstance(source, list):
        store = ox.Store()
        store.bulk_load(b"".join(source), format=ox.RdfFormat.N_QUADS)
        source = store
    return _lines_in(summary_triples(source), graph)


def _lines_in(triples: Iterable[ox.Triple], graph: str) -> list[bytes]:
    """``triples`` as N-Quads lines in ``graph``."""
    node = ox.NamedNode(graph)
    quads = (ox.Quad(t.subject, t.predicate, t.object, node) for t in triples)
    return (ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"").splitlines(keepends=True)


# what the lists' orders (kg.summary.ORDERS) read: the types of the things they place, and these
ORDER_TYPES = [
    f"<{POL}{c}>" for c in ("Slogan", "GlossaryEntry", "ConsistencyCheck", "PolicyDocument")
]
# observations' keys; glossary entries', checks' and spans' report, number and start
_ORDER_PROPERTIES = (
    "indicator measure refArea period valueKind number inReport checkPassed statedIn start"
)
ORDER_READS = [RDFS_LABEL.value, PROV_DERIVED.value] + [POL + p for p in _ORDER_PROPERTIES.split()]


def _order_lines(data: bytes) -> list[bytes]:
    """The lines of N-Quads ``data`` that the lists' orders read: those typing the things they
    place and those of :data:`ORDER_READS` (a few percent of a report's lines)."""
    typed = [f" <{RDF_TYPE.value}> {c} ".encode() for c in ORDER_TYPES]
    read = [f" <{p}> ".encode() for p in ORDER_READS]
    return [line for needle in typed + read for line in _lines_with(data, needle)]


def _lines_with(data: bytes, needle: bytes) -> Iterator[bytes]:
    """The lines of ``data`` holding ``needle``, found by ``bytes.find`` (a pattern or a loop
    over 44 MB of lines took 0.3–0.5 s)."""
    at = data.find(needle)
    while at >= 0:
        start = data.rfind(b"\n", 0, at) + 1
        end = data.find(b"\n", at) + 1 or len(data)
        yield data[start:end]
        at = data.find(needle, end)


@cache
def _background_nquads(base: str) -> bytes:
    """The ontology and lexicon graphs as N-Quads, made once per process."""
    store = ox.Store()
    load_background(store, Minter(base))
    return store.dump(format=ox.RdfFormat.N_QUADS) or b""


def load_background(store: ox.Store, minter: Minter) -> None:
    """The ontology and the hand-written lexicons, each in its own named graph.

    Their blank nodes are named by their order in the files (a load would name them at
    random), so that every build writes the same store and the same dumps.
    """
    sources = [(ONTOLOGY_DIR / "policykg.ttl", "ontology")]
    sources += [(p, "lexicon") for p in sorted((Path(__file__).parent / "lexicons").glob("*.ttl"))]
    names: dict[str, ox.BlankNode] = {}

    def term(t):
        if isinstance(t, ox.BlankNode):
            return names.setdefault(t.value, ox.BlankNode(f"b{len(names)}"))
        return t

    for path, name in sources:
        # lexicons are written under the default base; a configured base moves them with it
        data = path.read_text("utf-8").replace(DEFAULT_BASE, minter.base)
        graph = ox.NamedNode(minter.graph(name))
        store.extend(
            ox.Quad(term(q.subject), q.predicate, term(q.object), graph)
            for q in ox.parse(data, format=ox.RdfFormat.TURTLE)
        )
    # SKOS makes skos:prefLabel a sub-property of rdfs:label: every lexicon concept gets its label
    store.update(
        "INSERT { GRAPH ?g { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } } WHERE { "
        "GRAPH ?g { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?l } "
        f"FILTER(?g = <{minter.graph('lexicon')}>) }}"
    )


# --- the store directory ----------------------------------------------------------------------


def is_store(path: str | Path) -> bool:
    """Whether ``path`` is a store written by ``policykg build`` (``build.json`` and ``oxigraph/``)."""
    path = Path(path)
    return (path / BUILD_FILE).is_file() and (path / "oxigraph").is_dir()


def check_replaceable(store_dir: Path) -> None:
    """Refuse to build over anything but a PolicyKG store, an empty directory or nothing.

    :raises BuildError: ``store_dir`` is a file, or a directory with other things in it.
    """
    if not store_dir.exists() and not store_dir.is_symlink():
        return
    if not store_dir.is_dir():
        raise BuildError(f"{store_dir} exists and is not a directory: choose another --store")
    if is_store(store_dir) or not any(store_dir.iterdir()):
        return
    raise BuildError(
        f"{store_dir} is not empty and is not a PolicyKG store (no {BUILD_FILE} and oxigraph/): "
        "refusing to replace it; choose another --store"
    )


@contextlib.contextmanager
def _locked(store_dir: Path, progress: Progress) -> Iterator[None]:
    """Hold ``.STORE.lock`` beside the store for the whole build; a second build waits."""
    parent = store_dir.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise BuildError(f"cannot create {parent}: {e.strerror or e}") from e
    if not os.access(parent, os.W_OK | os.X_OK):
        raise BuildError(f"cannot write in {parent}, where {store_dir.name} is built and swapped")
    lock = store_dir.with_name(f".{store_dir.name}.lock")
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            progress(f"{store_dir} is being built by another process; waiting for it to finish")
            fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            same = os.fstat(fd).st_ino == os.stat(lock).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # the holder removed the file as we waited: lock the new one
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock)
        os.close(fd)


def _clean_leftovers(store_dir: Path) -> None:
    """Remove what a killed build left beside the store (we hold the lock: no build runs).

    A store moved aside but never replaced (killed between the two renames) is moved back.
    """
    pattern = glob.escape(f".{store_dir.name}")
    for work in store_dir.parent.glob(pattern + ".building-*"):
        _remove(work, lambda message: None)
    for old in sorted(store_dir.parent.glob(pattern + ".old-*")):
        if not store_dir.exists() and is_store(old):
            old.rename(store_dir)
        else:
            _remove(old, lambda message: None)


def _swap(work: Path, store_dir: Path, progress: Progress) -> None:
    """Move the finished build into place; the old store is removed only after the move."""
    old = store_dir.with_name(f".{store_dir.name}.old-{os.getpid()}")
    if store_dir.exists():
        store_dir.rename(old)
    try:
        work.rename(store_dir)
    except BaseException:
        if old.exists() and not store_dir.exists():
            old.rename(store_dir)
        raise
    _remove(old, progress)


def _remove(path: Path, progress: Progress) -> None:
    """``rm -rf path``, making read-only directories writable on the way; says what it left."""

    def writable_then_retry(function, name, _error) -> None:
        with contextlib.suppress(OSError):
            os.chmod(os.path.dirname(name), stat.S_IRWXU)
            function(name)

    if path.exists() or path.is_symlink():
        shutil.rmtree(path, onerror=writable_then_retry)
    if path.exists():
        progress(f"warning: could not remove {path}; remove it by hand")


@contextlib.contextmanager
def _terminate_cleanly() -> Iterator[None]:
    """SIGTERM ends the build like Ctrl-C: the work directory is removed on the way out."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum, frame):
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


__all__ = [
    "BuildError",
    "BuildResult",
    "DroppedFact",
    "ReportSummary",
    "SkippedReport",
    "build",
    "build_report",
    "check_replaceable",
    "is_store",
    "load_background",
    "pipeline_version",
]
