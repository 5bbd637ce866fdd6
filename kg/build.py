"""Reports in, store out: read → structure → extract → link → reason → check → swap.

A build writes a fresh store directory next to the target and swaps it in only when every
report was read, the inferences materialised and the SHACL shapes pass; a failed build leaves
the previous store untouched. The store directory holds::

    DIR/oxigraph/     the Oxigraph store (named graphs: ontology, lexicon, one per report, inferred)
    DIR/dumps/        gzipped dumps in six formats, SHA256SUMS and void.ttl
    DIR/build.json    what was built, with counts and timings
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib

from ..ontology import check
from . import extract
from .document import Document
from .dumps import write_dumps
from .iri import DEFAULT_BASE, Minter
from .manifest import ReportMetadata, load_manifest
from .read import read_report
from .reason import materialise
from .store import merge_into_default_graph

Progress = Callable[[str], None]


class BuildError(Exception):
    """A build failed; the previous store (if any) is untouched."""


@dataclass
class ReportSummary:
    name: str
    graph: str
    quads: int
    counts: dict[str, int]
    warnings: list[str] = field(default_factory=list)


@dataclass
class BuildResult:
    store_dir: str
    base: str
    reports: list[ReportSummary]
    quads: int
    inferred: int
    seconds: float


def build(
    reports: Iterable[str | Path],
    store_dir: str | Path,
    *,
    base: str = DEFAULT_BASE,
    dumps: bool = True,
    progress: Progress = lambda message: None,
    manifest: str | Path | Mapping[str, ReportMetadata] | None = None,
) -> BuildResult:
    """Build the knowledge graph of ``reports`` into ``store_dir``, atomically.

    ``manifest`` (a CSV path or rows by file name, see ``kg.manifest``) overrides what each
    report's text says about its place, year, date and title.

    :raises policykg.kg.read.ReportError: a report is empty, binary or not a report.
    :raises BuildError: the graph fails its SHACL shapes, or the store cannot be written.
    """
    started = time.perf_counter()
    paths = [Path(p) for p in reports]
    if not paths:
        raise BuildError("no reports given")
    minter = Minter(base)
    store_dir = Path(store_dir)
    rows = load_manifest(manifest) if isinstance(manifest, str | Path) else manifest or {}
    # fail on bad input before writing anything
    docs = [read_report(p, metadata=rows.get(p.name)) for p in paths]
    work = store_dir.with_name(f".{store_dir.name}.building-{os.getpid()}")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        store = ox.Store(str(work / "oxigraph"))
        summaries, inferred = fill(store, docs, minter, progress)
        progress("checking SHACL shapes")
        report = check.validate_shapes(_union_graph(store, minter))
        if not report.conforms:
            raise BuildError(f"the graph fails its SHACL shapes:\n{report.text[:4000]}")
        store.flush()
        if dumps:
            progress("writing dumps")
            write_dumps(store, work / "dumps", base)
        quads = len(store)
        merge_into_default_graph(store)
        seconds = round(time.perf_counter() - started, 2)
        result = BuildResult(str(store_dir), base, summaries, quads, inferred, seconds)
        del store
        (work / "build.json").write_text(json.dumps(asdict(result), ensure_ascii=False, indent=2))
        _swap(work, store_dir)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    progress(f"built {result.quads} quads from {len(docs)} reports in {seconds}s → {store_dir}")
    return result


def fill(
    store: ox.Store, docs: list[Document], minter: Minter, progress: Progress
) -> tuple[list[ReportSummary], int]:
    """Ontology, lexicons, one graph per report, and each report's inferences."""
    load_background(store, minter)
    summaries = []
    for i, doc in enumerate(docs, 1):
        progress(f"[{i}/{len(docs)}] {doc.path.name}")
        extracted = extract.report_quads(doc, minter)
        store.extend(extracted.quads)
        summaries.append(
            ReportSummary(
                doc.name,
                extracted.graph,
                len(extracted.quads),
                extracted.counts,
                extracted.warnings,
            )
        )
    progress("materialising inferences")
    inferred = sum(
        materialise(
            store,
            minter.graph("ontology"),
            [minter.report_graph(doc.name), minter.graph("lexicon")],
            minter.inferred_graph(doc.name),
        )
        for doc in docs
    )
    return summaries, inferred


def load_background(store: ox.Store, minter: Minter) -> None:
    """The ontology and the hand-written lexicons, each in its own named graph."""
    store.load(
        path=str(check.ontology_path()),
        format=ox.RdfFormat.TURTLE,
        to_graph=ox.NamedNode(minter.graph("ontology")),
    )
    for path in sorted((Path(__file__).parent / "lexicons").glob("*.ttl")):
        # lexicons are written under the default base; a configured base moves them with it
        data = path.read_text("utf-8").replace(DEFAULT_BASE, minter.base)
        store.load(data, format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(minter.graph("lexicon")))
    # SKOS makes skos:prefLabel a sub-property of rdfs:label: every lexicon concept gets its label
    store.update(
        "INSERT { GRAPH ?g { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } } WHERE { "
        "GRAPH ?g { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?l } "
        f"FILTER(?g = <{minter.graph('lexicon')}>) }}"
    )


def _union_graph(store: ox.Store, minter: Minter) -> rdflib.Graph:
    """Report, lexicon and inferred graphs as one rdflib graph, for pyshacl."""
    ontology = ox.NamedNode(minter.graph("ontology"))
    triples = (
        ox.Triple(q.subject, q.predicate, q.object) for q in store if q.graph_name != ontology
    )
    data = rdflib.Graph()
    data.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    return data


def _swap(work: Path, store_dir: Path) -> None:
    """Move the finished build into place; the old store is removed only after the move."""
    old = store_dir.with_name(f".{store_dir.name}.old-{os.getpid()}")
    if store_dir.exists():
        store_dir.rename(old)
    work.rename(store_dir)
    shutil.rmtree(old, ignore_errors=True)
