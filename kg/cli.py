"""The ``policykg`` command: build, load, query, dump, stats, serve."""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import sys
from pathlib import Path

import pyoxigraph as ox

from .build import JOBS, MAX_REPORT_BYTES
from .iri import DEFAULT_BASE
from .store import merge_into_default_graph, named_quads, oxigraph_dir
from .vocab import PREFIXES

DEFAULT_STORE = "var/store"

EPILOG = """\
examples:
  policykg build kg/sources/*.txt --store var/store      build the graph of the bundled reports
  policykg stats --store var/store                        what is in it
  policykg query --store var/store 'SELECT ?s WHERE { ?s a pol:Slogan } LIMIT 5'
  policykg query --store var/store --named chain-enterprises chain=四主链
  policykg dump --store var/store --format ttl -o kg.ttl
  policykg load extra.ttl --graph https://example.org/g --store var/store
  policykg serve --store var/store --port 5000            the SPARQL service and term pages

The common prefixes (pol: id: skos: prov: rdfs: dcterms: org: qb: xsd:) are declared for you.
"""

DUMP_FORMATS = {
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``policykg`` console script."""
    args = parser().parse_args(argv)
    try:
        return args.run(args) or 0
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `policykg stats | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as e:  # one line a user can act on, not a traceback
        from ..queries import CatalogueError
        from .build import BuildError
        from .read import ReportError
        from .store import StoreError

        if isinstance(
            e, BuildError | ReportError | StoreError | CatalogueError | ValueError | OSError
        ):
            print(f"policykg: {e}", file=sys.stderr)
            return 1
        raise


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="policykg",
        description="Knowledge graphs from Chinese government planning reports.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(required=True, metavar="COMMAND")

    def command(name: str, run, help: str) -> argparse.ArgumentParser:
        c = sub.add_parser(name, help=help, description=help)
        c.add_argument(
            "--store", default=DEFAULT_STORE, help=f"store directory (default {DEFAULT_STORE})"
        )
        c.set_defaults(run=run)
        return c

    c = command("build", cmd_build, "read reports and (re)build the store atomically")
    c.add_argument("reports", nargs="+", type=Path, help="report text files (UTF-8 or GB18030)")
    c.add_argument(
        "--base", default=DEFAULT_BASE, help=f"base of entity IRIs (default {DEFAULT_BASE})"
    )
    c.add_argument("--no-dumps", action="store_true", help="skip writing the RDF dumps")
    c.add_argument(
        "--strict",
        action="store_true",
        help="all or nothing: fail (and keep the old store) if any report cannot be read or any "
        "fact fails a SHACL shape, instead of skipping the report or dropping the fact",
    )
    c.add_argument(
        "--jobs",
        type=_positive_int,
        default=JOBS,
        help=f"processes building reports in parallel (default {JOBS})",
    )
    c.add_argument(
        "--rebuild",
        action="store_true",
        help="build every report again instead of reusing the unchanged ones of the store",
    )
    c.add_argument(
        "--max-report-kb",
        type=_positive_int,
        default=MAX_REPORT_BYTES // 1024,
        help=f"skip report files larger than this (default {MAX_REPORT_BYTES // 1024} KiB)",
    )
    c.add_argument(
        "--manifest",
        type=Path,
        help="CSV (file,place,admin_code,year,delivered,title,kind,source) whose non-empty "
        "cells override what each report's text says about itself",
    )

    c = command("load", cmd_load, "load any RDF file into a named graph of the store")
    c.add_argument(
        "file",
        type=Path,
        help="RDF file; format from its extension (.ttl .nt .nq .trig .jsonld .rdf)",
    )
    c.add_argument("--graph", required=True, help="IRI of the named graph to load into")

    c = command("query", cmd_query, "run SPARQL (or a named catalogue query) against the store")
    c.add_argument(
        "sparql", nargs="*", help="query text, '-' for stdin, or NAME param=value with --named"
    )
    c.add_argument(
        "--named", metavar="NAME", help="run the catalogue query NAME (see `policykg query --list`)"
    )
    c.add_argument("--list", action="store_true", help="list the catalogue's queries")
    c.add_argument("--format", choices=["table", "json", "csv"], default="table")

    c = command("dump", cmd_dump, "write the whole store in one RDF format")
    c.add_argument("--format", choices=sorted(DUMP_FORMATS), default="nq")
    c.add_argument(
        "-o", "--output", type=Path, required=True, help="file to write ('-' for stdout)"
    )
    c.add_argument(
        "--all",
        action="store_true",
        help="write every format, gzipped, with checksums and VoID into -o DIR",
    )

    c = command("stats", cmd_stats, "count what the store holds, per graph and per class")
    c.add_argument(
        "--coverage",
        action="store_true",
        help="per report: glossary entries, slogans (decomposed), policy documents, "
        "enterprises, projects, observations (targets/actuals), facts dropped",
    )
    c.add_argument("--format", choices=["table", "csv", "json"], default="table")

    c = command("serve", cmd_serve, "serve the SPARQL endpoint and pages with waitress")
    c.add_argument("--host", default="127.0.0.1")
    c.add_argument("--port", type=_port, default=5000, help="TCP port, 0-65535 (0: any free)")
    c.add_argument(
        "--query-timeout",
        type=_timeout,
        default=30,
        help="seconds before a query is cut (503); a positive, finite number",
    )
    return p


EXIT_INCOMPLETE = 3  # the build landed, but some report was skipped or some fact dropped


def cmd_build(args) -> int:
    from .build import build

    result = build(
        args.reports,
        args.store,
        base=args.base,
        dumps=not args.no_dumps,
        progress=_progress,
        strict=args.strict,
        jobs=args.jobs,
        reuse=not args.rebuild,
        max_bytes=args.max_report_kb * 1024,
        manifest=args.manifest,
    )
    for r in result.reports:
        counts = ", ".join(f"{k} {v}" for k, v in r.counts.items())
        print(f"{r.name}: {r.quads} quads ({counts})")
        for w in r.warnings:
            print(f"  warning: {w}", file=sys.stderr)
        for d in r.dropped:
            print(
                f"  dropped: {d.focus} fails {d.shape} ({d.component}): {d.message} 「{d.quote[:60]}」",
                file=sys.stderr,
            )
    for s in result.skipped:
        print(f"skipped {s.reason}", file=sys.stderr)
    print(
        f"{len(result.reports)} reports built, {len(result.skipped)} skipped, "
        f"{result.dropped} facts dropped; {result.quads} quads, {result.inferred} inferred, "
        f"in {result.seconds}s" + (" (unchanged)" if result.up_to_date else "")
    )
    return 0 if result.complete else EXIT_INCOMPLETE


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def cmd_load(args) -> int:
    from .build import is_store
    from .store import StoreUnavailable

    path = Path(args.store)
    if not (
        is_store(path) or (path / "CURRENT").is_file()
    ):  # a built store, or a bare Oxigraph one
        raise StoreUnavailable(
            f"no store at {path}: build one with `policykg build … --store {path}`"
        )
    if not args.file.is_file():
        raise ValueError(f"{args.file}: no such file")
    store = ox.Store(str(oxigraph_dir(args.store)))
    try:
        store.load(path=str(args.file), to_graph=ox.NamedNode(args.graph))
    except SyntaxError as e:
        raise ValueError(f"{args.file}: {e}") from None
    if any(True for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph())):
        merge_into_default_graph(store)  # keep the default graph the merge of all graphs
    store.flush()
    print(f"loaded {args.file} into <{args.graph}>")
    return 0


def cmd_query(args) -> int:
    from ..queries import load_catalogue, run_named
    from ..service.screening import screen
    from .store import open_store

    if args.list:
        for name, q in sorted(load_catalogue().items()):
            print(f"{name:28} {q.title_zh} — {q.title_en}")
        return 0
    store = open_store(args.store)
    if args.named:
        rows = run_named(store, args.named, args.sparql)
    else:
        text = " ".join(args.sparql)
        if text in ("", "-"):
            text = sys.stdin.read()
        prologue = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())
        if screen(text).uses_service:
            raise ValueError("SERVICE is refused: policykg query never connects to other servers")
        try:
            result = store.query(prologue + text)
        except RuntimeError as e:  # the engine's evaluation errors (unknown function...)
            raise ValueError(f"the query cannot be evaluated: {e}") from None
        if isinstance(result, bool):
            print("true" if result else "false")
            return 0
        if result and isinstance(result[0], ox.Triple):
            sys.stdout.write(ox.serialize(result, format=ox.RdfFormat.TURTLE).decode())  # type: ignore[union-attr]
            return 0
        rows = result
    _print_rows(rows, args.format)
    return 0


def _print_rows(rows, fmt: str) -> None:
    names = list(dict.fromkeys(k for row in rows for k in row))
    values = [{k: row[k].value for k in row} for row in rows]
    if fmt == "json":
        print(json.dumps(values, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        writer = csv.DictWriter(sys.stdout, names)
        writer.writeheader()
        writer.writerows(values)
    else:
        widths = {n: max([len(n)] + [len(v.get(n, "")) for v in values]) for n in names}
        print("  ".join(n.ljust(widths[n]) for n in names))
        for v in values:
            print("  ".join(v.get(n, "").ljust(widths[n]) for n in names))
        print(f"({len(values)} rows)")


def cmd_dump(args) -> int:
    from .store import open_store

    store = open_store(args.store).oxigraph
    if args.all:
        from .dumps import write_dumps

        for f in write_dumps(store, args.output, _built_base(args.store)):
            print(f"{f.path}  {f.sha256}")
        return 0
    fmt = DUMP_FORMATS[args.format]
    out = sys.stdout.buffer if str(args.output) == "-" else str(args.output)
    if fmt.supports_datasets:
        ox.serialize(named_quads(store), out, format=fmt, prefixes=PREFIXES)
    else:  # a triple format holds the merge of the graphs
        ox.serialize({q.triple for q in named_quads(store)}, out, format=fmt, prefixes=PREFIXES)
    if out is not sys.stdout.buffer:
        print(f"wrote {args.output} ({args.output.stat().st_size} bytes)")
    return 0


def _built_base(store_dir: str) -> str:
    """The IRI base the store was built with (``build.json``), else the default."""
    manifest = Path(store_dir) / "build.json"
    return json.loads(manifest.read_text())["base"] if manifest.is_file() else DEFAULT_BASE


def cmd_stats(args) -> int:
    from .stats import store_stats
    from .store import open_store

    if args.coverage:
        _print_coverage(args.store, args.format)
        return 0
    stats = store_stats(open_store(args.store))
    print(f"{stats['quads']} quads in {len(stats['graphs'])} named graphs")
    for graph, n in stats["graphs"].items():
        print(f"  {n:8}  {graph}")
    print("instances per class:")
    for cls, n in stats["classes"].items():
        print(f"  {n:8}  {cls}")
    return 0


def _print_coverage(store_dir: str, fmt: str) -> None:
    from .stats import COVERAGE, coverage
    from .store import open_store

    table = coverage(open_store(store_dir), store_dir)
    names = ["report", *COVERAGE, "dropped"]
    counts = [[*e.counts.values(), e.dropped] for e in table]
    reports = [e.file.removesuffix(".txt") for e in table]
    if fmt == "json":
        rows = [
            dict(zip(names, [r, *c], strict=True)) for r, c in zip(reports, counts, strict=True)
        ]
        print(json.dumps(rows, ensure_ascii=False))
        return
    if fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(names)
        writer.writerows([r, *c] for r, c in zip(reports, counts, strict=True))
        return
    reports.append("total")
    counts.append([sum(column) for column in zip(*counts, strict=True)] if counts else [])
    width = max(map(len, [names[0], *reports]))
    print(names[0].ljust(width), *(n.rjust(max(len(n), 5)) for n in names[1:]))
    for report, row in zip(reports, counts, strict=True):
        print(
            report.ljust(width),
            *(str(v).rjust(max(len(n), 5)) for v, n in zip(row, names[1:], strict=True)),
        )


def _port(text: str) -> int:
    port = int(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a TCP port (0-65535)")
    return port


def _timeout(text: str) -> float:
    seconds = float(text)
    if not (0 < seconds < math.inf):
        raise argparse.ArgumentTypeError(f"{text} is not a positive, finite number of seconds")
    return seconds


def cmd_serve(args) -> int:
    from ..service.server import serve

    serve(Path(args.store), host=args.host, port=args.port, query_timeout=args.query_timeout)
    return 0


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
