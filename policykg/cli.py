"""The ``policykg`` command: build, load, query, dump, stats, serve. About 500 lines because it
is the composition root, the one module that knows every part: a small click command a verb,
with its options and help.

This is where the parts are wired together (the composition root): ``kg`` builds, ``queries``
names questions, ``service`` serves; none of them imports this module, and ``kg`` imports
neither ``queries`` nor ``service``. Errors a user can act on (:class:`~policykg.errors.UserError`,
and files that cannot be opened) are printed as one line with exit status 1; anything else is a
bug and keeps its traceback.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path
from typing import cast

import click
import pyoxigraph as ox

from policykg.errors import UserError
from policykg.kg.build import JOBS, MAX_REPORT_BYTES
from policykg.kg.formats import RDF_FORMATS, rdf_named
from policykg.kg.iri import DEFAULT_BASE
from policykg.kg.remote import Credentials
from policykg.kg.store import Store, is_remote, open_store
from policykg.kg.vocab import PREFIXES

DEFAULT_STORE = "var/store"
DEFAULT_LOCAL = "var/build"
ENV_USER = "POLICYKG_STORE_USER"
ENV_PASSWORD = "POLICYKG_STORE_PASSWORD"
ENV_PASSWORD_FILE = "POLICYKG_STORE_PASSWORD_FILE"
ENV_GRAPH_STORE = "POLICYKG_GRAPH_STORE"
EXIT_INCOMPLETE = 3  # the build landed, but some report was skipped or some fact dropped

EPILOG = """\
\b
examples:
  policykg build kg/sources/*.txt --store var/store      build the graph of the bundled reports
  policykg stats --store var/store                        what is in it
  policykg query --store var/store 'SELECT ?s WHERE { ?s a pol:Slogan } LIMIT 5'
  policykg query --store var/store --named chain-enterprises chain=四主链
  policykg dump --store var/store --format ttl -o kg.ttl
  policykg load extra.ttl --graph https://example.org/g --store var/store
  policykg serve --store var/store --port 5000            the SPARQL service and term pages

\b
--store takes a directory (the embedded Oxigraph store) or the http(s):// query URL of a SPARQL
server (Virtuoso, Fuseki, GraphDB), for every command:
  POLICYKG_STORE_USER=dba POLICYKG_STORE_PASSWORD_FILE=~/.virtuoso-password \\
    policykg build kg/sources/*.txt --store http://localhost:8890/sparql --local var/build
  policykg serve --store http://localhost:8890/sparql --dumps var/build/dumps

\b
Writing to a server (build, load) goes through the Graph Store HTTP Protocol: --graph-store URL
or $POLICYKG_GRAPH_STORE (default: Virtuoso's /sparql-graph-crud-auth, Fuseki's /DATASET/data,
GraphDB's /repositories/ID/rdf-graphs/service), as $POLICYKG_STORE_USER with the password from
--store-password-file FILE, $POLICYKG_STORE_PASSWORD_FILE or $POLICYKG_STORE_PASSWORD (Digest or
Basic, as the server asks). A password is never taken on the command line.

The common prefixes (pol: id: skos: prov: rdfs: dcterms: org: qb: xsd:) are declared for you.
"""


class RdfFormatChoice(click.ParamType):
    """An RDF format of :mod:`kg.formats` named by its name (``nq``, ``ttl``...), an alias
    (``rdfxml``, ``turtle``...) or its media type; the option's value is pyoxigraph's format."""

    name = "format"

    def convert(self, value, param, ctx) -> ox.RdfFormat:
        if isinstance(value, ox.RdfFormat):
            return value
        found = rdf_named(value)
        if found is None or found.rdf is None:
            names = ", ".join(f.name for f in RDF_FORMATS)
            self.fail(f"{value!r} is not an RDF format: use one of {names}", param, ctx)
        return found.rdf


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``policykg`` console script; returns the exit status."""
    try:
        return cli.main(args=argv, prog_name="policykg", standalone_mode=False) or 0
    except click.exceptions.Exit as e:
        return e.exit_code
    except click.ClickException as e:  # usage errors: click's own message, status 2
        e.show()
        return e.exit_code
    except (KeyboardInterrupt, click.exceptions.Abort):
        return 130
    except BrokenPipeError:  # `policykg stats | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (UserError, OSError) as e:  # one line a user can act on, not a traceback
        print(f"policykg: {e}", file=sys.stderr)
        return 1


def store_option(command):
    return click.option(
        "--store",
        default=DEFAULT_STORE,
        show_default=True,
        help="store directory, or a SPARQL server's http(s):// query URL",
    )(command)


def server_write_options(command):
    """The options that say how to write to a server: never a password on the command line."""
    for option in reversed(
        [
            click.option(
                "--graph-store",
                metavar="URL",
                envvar=ENV_GRAPH_STORE,
                help=f"with a server: its Graph Store Protocol URL (or ${ENV_GRAPH_STORE}; "
                "default from the query URL: Virtuoso, Fuseki and GraphDB layouts)",
            ),
            click.option(
                "--store-user",
                metavar="NAME",
                envvar=ENV_USER,
                help=f"with a server: the user that may write (or ${ENV_USER})",
            ),
            click.option(
                "--store-password-file",
                metavar="FILE",
                type=click.Path(dir_okay=False, path_type=Path),
                envvar=ENV_PASSWORD_FILE,
                help=f"with a server: a file whose first line is the password (or "
                f"${ENV_PASSWORD_FILE}, or the password itself in ${ENV_PASSWORD})",
            ),
        ]
    ):
        command = option(command)
    return command


@click.group(epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Knowledge graphs from Chinese government planning reports."""


@cli.command()
@click.argument("reports", nargs=-1, required=True, type=click.Path(path_type=Path))
@store_option
@click.option("--base", default=DEFAULT_BASE, show_default=True, help="base of entity IRIs")
@click.option("--no-dumps", is_flag=True, help="skip writing the RDF dumps")
@click.option(
    "--strict",
    is_flag=True,
    help="all or nothing: fail (and keep the old store) if any report cannot be read or any "
    "fact fails a SHACL shape, instead of skipping the report or dropping the fact",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=JOBS,
    show_default=True,
    help="processes building reports in parallel",
)
@click.option(
    "--rebuild",
    is_flag=True,
    help="build every report again instead of reusing the unchanged ones of the store",
)
@click.option(
    "--max-report-kb",
    type=click.IntRange(min=1),
    default=MAX_REPORT_BYTES // 1024,
    show_default=True,
    help="skip report files larger than this many KiB",
)
@click.option(
    "--manifest",
    type=click.Path(path_type=Path),
    help="CSV (file,place,admin_code,year,delivered,title,kind,source) whose non-empty "
    "cells override what each report's text says about itself",
)
@click.option(
    "--local",
    type=click.Path(path_type=Path),
    default=DEFAULT_LOCAL,
    show_default=True,
    help="with a server as --store: the local build directory (reused reports, dumps, "
    "build.json) whose graphs are loaded into the server",
)
@server_write_options
def build(reports, store, base, no_dumps, strict, jobs, rebuild, max_report_kb, manifest, **rest):
    """Read reports and (re)build the store atomically (exit 3: built, but a report was skipped
    or a fact dropped)."""
    from policykg.kg.build import build as build_store

    local = rest.pop("local")
    server = _server(store, **rest) if is_remote(store) else None
    if server:
        from policykg.kg.publish import read_published

        known = read_published(local, server.location)
        server.query("ASK {}")  # unreachable or refusing: say so before building
    result = build_store(
        list(reports),
        local if server else Path(store),
        base=base,
        dumps=not no_dumps,
        progress=_progress,
        strict=strict,
        jobs=jobs,
        reuse=not rebuild,
        max_bytes=max_report_kb * 1024,
        manifest=manifest,
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
        from policykg.kg.publish import publish, write_published

        with open_store(local) as built:
            done, graphs = publish(built, server, known, _progress, result.base)
        write_published(local, server.location, graphs)
        print(
            f"{server.location}: {len(done.replaced)} graphs replaced ({done.triples} triples), "
            f"{len(done.deleted)} deleted, {done.unchanged} unchanged, in {done.seconds}s"
        )
    return 0 if result.complete else EXIT_INCOMPLETE


def _server(url: str, graph_store=None, store_user=None, store_password_file=None) -> Store:
    """The server at ``url``, with the write endpoint and credentials of the options and the
    environment (never a password on the command line)."""
    if "@" in url.split("/")[2]:
        raise UserError(
            f"{url}: give the user with --store-user or ${ENV_USER} and the password with "
            f"--store-password-file or ${ENV_PASSWORD}, never in the URL"
        )
    credentials = None
    if store_user:
        if store_password_file:
            lines = Path(store_password_file).read_text("utf-8").splitlines()
            password = lines[0] if lines else ""
        else:
            password = os.environ.get(ENV_PASSWORD, "")
        credentials = Credentials(store_user, password)
    return open_store(url, graph_store=graph_store, credentials=credentials, timeout=300)


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--graph", required=True, help="IRI of the named graph to load into")
@store_option
@server_write_options
def load(file: Path, graph: str, store: str, **write) -> int:
    """Load any RDF file (.ttl .nt .nq .trig .jsonld .rdf) into a named graph of the store."""
    from policykg.kg.build import is_store
    from policykg.kg.store import StoreUnavailable

    if is_remote(store):
        target = _server(store, **write)
    else:
        path = Path(store)
        if not (is_store(path) or (path / "CURRENT").is_file()):  # built, or bare Oxigraph
            raise StoreUnavailable(
                f"{path} is not a store; build one first with `policykg build REPORT... "
                f"--store {path}`"
            )
        target = open_store(path, read_only=False)
    with target:
        target.add_file(file, graph)
    print(f"loaded {file} into <{graph}>")
    return 0


@cli.command()
@click.argument("sparql", nargs=-1)
@store_option
@click.option("--named", metavar="NAME", help="run the catalogue query NAME (see --list)")
@click.option("--list", "list_", is_flag=True, help="list the catalogue's queries")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table")
def query(sparql, store, named, list_, fmt) -> int:
    """Run SPARQL (text, '-' for stdin) or a named catalogue query (NAME param=value ...)."""
    from policykg.queries import load_catalogue, run_named
    from policykg.service.screening import screen

    if list_:
        for name, q in sorted(load_catalogue().items()):
            print(f"{name:28} {q.title_zh} — {q.title_en}")
        return 0
    target = open_store(store)
    if named:
        _print_rows(run_named(target, named, list(sparql)), fmt)
        return 0
    text = " ".join(sparql)
    if text in ("", "-"):
        text = sys.stdin.read()
    prologue = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())
    if screen(text).uses_service:
        raise UserError("SERVICE is refused: policykg query never connects to other servers")
    try:
        result = target.query(prologue + text)
    except RuntimeError as e:  # the engine's evaluation errors (unknown function...)
        raise UserError(f"the query cannot be evaluated: {e}") from None
    if isinstance(result, bool):
        print("true" if result else "false")
    elif result and isinstance(result[0], ox.Triple):
        turtle = ox.serialize(cast(list[ox.Triple], result), format=ox.RdfFormat.TURTLE)
        sys.stdout.write((turtle or b"").decode())
    else:
        _print_rows(result, fmt)  # type: ignore[arg-type]
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


@cli.command()
@store_option
@click.option(
    "--format",
    "fmt",
    type=RdfFormatChoice(),
    default="nq",
    show_default=True,
    help="one of " + ", ".join(f.name for f in RDF_FORMATS) + " (or another name of the format)",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="file to write ('-' for stdout)",
)
@click.option(
    "--all",
    "all_",
    is_flag=True,
    help="write every format, gzipped, with checksums and VoID into -o DIR",
)
def dump(store, fmt: ox.RdfFormat, output: Path, all_) -> int:
    """Write the whole store in one RDF format."""
    source = open_store(store, timeout=600)
    if all_:
        from policykg.kg.dumps import write_dumps

        base = DEFAULT_BASE if is_remote(store) else _built_base(store)
        for f in write_dumps(source, output, base):
            print(f"{f.path}  {f.sha256}")
        return 0
    rdf = fmt
    out = sys.stdout.buffer if str(output) == "-" else str(output)
    if rdf.supports_datasets:
        ox.serialize(source.named_quads(), out, format=rdf, prefixes=PREFIXES)
    else:  # a triple format holds the merge of the graphs
        triples = {q.triple for q in source.named_quads()}
        ox.serialize(triples, out, format=rdf, prefixes=PREFIXES)
    if out is not sys.stdout.buffer:
        print(f"wrote {output} ({output.stat().st_size} bytes)")
    return 0


def _built_base(store_dir: str) -> str:
    """The IRI base the store was built with (``build.json``), else the default."""
    manifest = Path(store_dir) / "build.json"
    return json.loads(manifest.read_text())["base"] if manifest.is_file() else DEFAULT_BASE


@cli.command()
@store_option
@click.option(
    "--coverage",
    is_flag=True,
    help="per report: glossary entries, slogans (decomposed), policy documents, "
    "enterprises, projects, observations (targets/actuals), checks, facts dropped",
)
@click.option(
    "--local",
    type=click.Path(path_type=Path),
    help="with a server as --store: the local build directory whose build.json lists the "
    "dropped facts",
)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
def stats(store, coverage, local, fmt) -> int:
    """Count what the store holds, per graph and per class (or per report: --coverage)."""
    from policykg.kg.stats import store_stats

    if coverage:
        local = local or (None if is_remote(store) else store)
        _print_coverage(open_store(store, timeout=600), local, fmt)
        return 0
    counts = store_stats(open_store(store))
    print(f"{counts['quads']} quads in {len(counts['graphs'])} named graphs")
    for graph, n in counts["graphs"].items():
        print(f"  {n:8}  {graph}")
    print("instances per class:")
    for cls, n in counts["classes"].items():
        print(f"  {n:8}  {cls}")
    return 0


def _print_coverage(store: Store, build_dir: str | Path | None, fmt: str) -> None:
    from policykg.kg.stats import COVERAGE, coverage

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


def _setting(ctx, param, pairs):
    """``--setting NAME VALUE`` pairs as a dict, every name one of the service's settings."""
    from policykg.service.settings import BY_NAME

    unknown = [name for name, _ in pairs if name not in BY_NAME]
    if unknown:
        raise click.BadParameter(f"unknown setting {unknown[0]}; known: {', '.join(BY_NAME)}")
    return dict(pairs)


@cli.command()
@store_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--port", type=click.IntRange(0, 65535), default=5000, show_default=True, help="0: any free"
)
@click.option(
    "--query-timeout",
    type=click.FloatRange(min=0, min_open=True, max=1e9),
    default=30,
    show_default=True,
    help="seconds before a query is cut (503)",
)
@click.option(
    "--dumps",
    type=click.Path(path_type=Path),
    help="directory of the dumps to serve (default: DIR/dumps of a store directory; with a "
    f"server, the --local build's dumps: {DEFAULT_LOCAL}/dumps)",
)
@click.option(
    "--setting",
    "settings",
    type=(str, str),
    multiple=True,
    callback=_setting,
    metavar="NAME VALUE",
    help="any setting of service/settings.py, e.g. --setting MAX_ROWS 500",
)
def serve(store, host, port, query_timeout, dumps, settings) -> int:
    """Serve the SPARQL endpoint and pages with waitress (Ctrl-C or SIGTERM stops it)."""
    from policykg.service.server import serve as run

    if dumps is None and "DUMPS_DIR" not in settings and is_remote(store):
        dumps = Path(DEFAULT_LOCAL) / "dumps"  # --setting DUMPS_DIR counts as given
    config = {**settings, **({"DUMPS_DIR": str(dumps)} if dumps else {})}
    run(store, host=host, port=port, query_timeout=query_timeout, config=config)
    return 0


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
