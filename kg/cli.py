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
from .store import Credentials, Store, is_remote, open_store
from .vocab import PREFIXES

DEFAULT_STORE = "var/store"
DEFAULT_LOCAL = "var/build"
ENV_USER = "POLICYKG_STORE_USER"
ENV_PASSWORD = "POLICYKG_STORE_PASSWORD"
ENV_PASSWORD_FILE = "POLICYKG_STORE_PASSWORD_FILE"
ENV_GRAPH_STORE = "POLICYKG_GRAPH_STORE"

EPILOG = """\
examples:
  policykg build kg/sources/*.txt --store var/store      build the graph of the bundled reports
  policykg stats --store var/store                        what is in it
  policykg query --store var/store 'SELECT ?s WHERE { ?s a pol:Slogan } LIMIT 5'
  policykg query --store var/store --named chain-enterprises chain=四主链
  policykg dump --store var/store --format ttl -o kg.ttl
  policykg load extra.ttl --graph https://example.org/g --store var/store
  policykg serve --store var/store --port 5000            the SPARQL service and term pages

--store takes a directory (the embedded Oxigraph store) or the http(s):// query URL of a SPARQL
server (Virtuoso, Fuseki, GraphDB), for every command:

  POLICYKG_STORE_USER=dba POLICYKG_STORE_PASSWORD_FILE=~/.virtuoso-password \
    policykg build kg/sources/*.txt --store http://localhost:8890/sparql --local var/build
  policykg serve --store http://localhost:8890/sparql --dumps var/build/dumps

Writing to a server (build, load) goes through the Graph Store HTTP Protocol: --graph-store URL
or $POLICYKG_GRAPH_STORE (default: Virtuoso's /sparql-graph-crud-auth, Fuseki's /DATASET/data,
GraphDB's /repositories/ID/rdf-graphs/service), as $POLICYKG_STORE_USER with the password from
--store-password-file FILE, $POLICYKG_STORE_PASSWORD_FILE or $POLICYKG_STORE_PASSWORD (Digest or
Basic, as the server asks). A password is never taken on the command line.

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
            "--store",
            default=DEFAULT_STORE,
            help=f"store directory, or a SPARQL server's http(s):// query URL "
            f"(default {DEFAULT_STORE})",
        )
        c.set_defaults(run=run)
        return c

    def server_writes(c: argparse.ArgumentParser) -> None:
        c.add_argument(
            "--graph-store",
            metavar="URL",
            default=os.environ.get(ENV_GRAPH_STORE),
            help=f"with a server: its Graph Store Protocol URL (or ${ENV_GRAPH_STORE}; default "
            "from the query URL: Virtuoso, Fuseki and GraphDB layouts)",
        )
        c.add_argument(
            "--store-user",
            metavar="NAME",
            default=os.environ.get(ENV_USER),
            help=f"with a server: the user that may write (or ${ENV_USER})",
        )
        c.add_argument(
            "--store-password-file",
            metavar="FILE",
            type=Path,
            default=os.environ.get(ENV_PASSWORD_FILE),
            help=f"with a server: a file whose first line is the password (or "
            f"${ENV_PASSWORD_FILE}, or the password itself in ${ENV_PASSWORD})",
        )

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
    c.add_argument(
        "--local",
        type=Path,
        default=Path(DEFAULT_LOCAL),
        help="with a server as --store: the local build directory (reused reports, dumps, "
        f"build.json) whose graphs are loaded into the server (default {DEFAULT_LOCAL})",
    )
    server_writes(c)

    c = command("load", cmd_load, "load any RDF file into a named graph of the store")
    c.add_argument(
        "file",
        type=Path,
        help="RDF file; format from its extension (.ttl .nt .nq .trig .jsonld .rdf)",
    )
    c.add_argument("--graph", required=True, help="IRI of the named graph to load into")
    server_writes(c)

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
    c.add_argument(
        "--local",
        type=Path,
        help="with a server as --store: the local build directory whose build.json lists the "
        "dropped facts",
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
    c.add_argument(
        "--dumps",
        type=Path,
        help="directory of the dumps to serve (default: DIR/dumps of a store directory; with a "
        "server, the --local build's dumps: var/build/dumps)",
    )
    return p


EXIT_INCOMPLETE = 3  # the build landed, but some report was skipped or some fact dropped


def cmd_build(args) -> int:
    from .build import build

    server = _server(args) if is_remote(args.store) else None
    local = args.local if server else Path(args.store)
    if server:
        from .publish import read_published

        known = read_published(local, server.location)
        server.query("ASK {}")  # unreachable or refusing: say so before building
    result = build(
        args.reports,
        local,
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
    if server:
        from .publish import publish, write_published

        with open_store(local) as built:
            done, graphs = publish(built, server, known, _progress)
        write_published(local, server.location, graphs)
        print(
            f"{server.location}: {len(done.replaced)} graphs replaced ({done.triples} triples), "
            f"{len(done.deleted)} deleted, {done.unchanged} unchanged, in {done.seconds}s"
        )
    return 0 if result.complete else EXIT_INCOMPLETE


def _server(args) -> Store:
    """The server named by ``--store``, with the write endpoint and credentials of the options
    and the environment (never a password on the command line)."""
    url = args.store
    if "@" in url.split("/")[2]:
        raise ValueError(
            f"{url}: give the user with --store-user or ${ENV_USER} and the password with "
            f"--store-password-file or ${ENV_PASSWORD}, never in the URL"
        )
    credentials = None
    if args.store_user:
        if args.store_password_file:
            lines = Path(args.store_password_file).read_text("utf-8").splitlines()
            password = lines[0] if lines else ""
        else:
            password = os.environ.get(ENV_PASSWORD, "")
        credentials = Credentials(args.store_user, password)
    return open_store(url, graph_store=args.graph_store, credentials=credentials, timeout=300)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def cmd_load(args) -> int:
    from .build import is_store
    from .store import StoreUnavailable

    if not args.file.is_file():
        raise ValueError(f"{args.file}: no such file")
    if is_remote(args.store):
        store = _server(args)
    else:
        path = Path(args.store)
        if not (is_store(path) or (path / "CURRENT").is_file()):  # built, or bare Oxigraph
            raise StoreUnavailable(
                f"no store at {path}: build one with `policykg build … --store {path}`"
            )
        store = open_store(path, read_only=False)
    with store:
        store.add_file(args.file, args.graph)
    print(f"loaded {args.file} into <{args.graph}>")
    return 0


def cmd_query(args) -> int:
    from ..queries import load_catalogue, run_named
    from ..service.screening import screen

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
    store = open_store(args.store, timeout=600)
    if args.all:
        from .dumps import write_dumps

        base = DEFAULT_BASE if is_remote(args.store) else _built_base(args.store)
        for f in write_dumps(store, args.output, base):
            print(f"{f.path}  {f.sha256}")
        return 0
    fmt = DUMP_FORMATS[args.format]
    out = sys.stdout.buffer if str(args.output) == "-" else str(args.output)
    if fmt.supports_datasets:
        ox.serialize(store.named_quads(), out, format=fmt, prefixes=PREFIXES)
    else:  # a triple format holds the merge of the graphs
        triples = {q.triple for q in store.named_quads()}
        ox.serialize(triples, out, format=fmt, prefixes=PREFIXES)
    if out is not sys.stdout.buffer:
        print(f"wrote {args.output} ({args.output.stat().st_size} bytes)")
    return 0


def _built_base(store_dir: str) -> str:
    """The IRI base the store was built with (``build.json``), else the default."""
    manifest = Path(store_dir) / "build.json"
    return json.loads(manifest.read_text())["base"] if manifest.is_file() else DEFAULT_BASE


def cmd_stats(args) -> int:
    from .stats import store_stats

    if args.coverage:
        local = args.local or (None if is_remote(args.store) else args.store)
        _print_coverage(open_store(args.store, timeout=600), local, args.format)
        return 0
    stats = store_stats(open_store(args.store))
    print(f"{stats['quads']} quads in {len(stats['graphs'])} named graphs")
    for graph, n in stats["graphs"].items():
        print(f"  {n:8}  {graph}")
    print("instances per class:")
    for cls, n in stats["classes"].items():
        print(f"  {n:8}  {cls}")
    return 0


def _print_coverage(store: Store, build_dir: str | Path | None, fmt: str) -> None:
    from .stats import COVERAGE, coverage

    table = coverage(store, build_dir)
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

    dumps = args.dumps or (Path(DEFAULT_LOCAL) / "dumps" if is_remote(args.store) else None)
    config = {"DUMPS_DIR": str(dumps)} if dumps else {}
    serve(
        args.store,
        host=args.host,
        port=args.port,
        query_timeout=args.query_timeout,
        config=config,
    )
    return 0


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
