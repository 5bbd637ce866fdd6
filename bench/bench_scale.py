"""The catalogue and the pages on a collection N times the bundled corpus (issue 14).

    python -m bench scale --factor 10 --store /tmp/s10              # build the store
    python -m bench scale --factor 10 --store /tmp/s10 --measure    # and time every question
    python -m bench scale --factor 100 --store /tmp/s100 --virtuoso-only --no-service
                                                  # 100 copies straight into a Virtuoso

The bundled corpus is built by the real build (``kg.build.build``, into ``DIR.corpus`` beside
the store, reused when nothing changed). For a factor N > 1 its report graphs (report and
inferred) are then re-minted N times: copy k renames each report (``…-x007``), moves every
GB/T 2260 code to a code of its own (``410411`` → ``410411007``: places, province-scoped
enterprises, observations) and shifts every year back by ``k % YEARS`` (``xsd:gYear`` and
``xsd:date`` values, observation IRIs), so a copy is another county's reports of other years.
The ontology, the lexicons and the industries are shared, as in a real collection. The store
is then written in the layout ``policykg build`` writes: the named graphs, the attainment and
summary graphs computed by the build's own steps (once per year shift and then re-minted like
the reports: a copy's statements join nothing of another copy), the merge in the default graph and a
``build.json`` listing every report, so ``policykg query --store DIR`` and ``policykg serve
--store DIR`` run on it unchanged. Dumps only with ``--dumps``.

``--measure`` times every catalogue query with its example parameters, straight on the store
(CPU seconds of this process: the engine's work, whatever else the machine runs) and through
the service (Flask's test client: pool, cache and rendering included, wall time), and every
page type once the app is warm; p50 and p95 over ``--repeat`` runs. Repeats through the
service are answered by the result cache when the service has one: its first run is reported
apart (``first``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import sys
import time
from dataclasses import asdict
from pathlib import Path

import pyoxigraph as ox

SOURCES = Path(__file__).resolve().parent.parent / "kg" / "sources"
BASE = "https://w3id.org/policykg/id/"
YEARS = 10  # copies spread over this many years back: a county's reports of a decade
GYEAR = re.compile(rb'"(\d{4})"\^\^<http://www\.w3\.org/2001/XMLSchema#gYear>')
DATE = re.compile(rb'"(\d{4})(-\d\d-\d\d)"\^\^<http://www\.w3\.org/2001/XMLSchema#date>')
CODE_IRI = re.compile(rb"(/(?:place|enterprise|project|observation|policy|area)/)(\d{6})(?=[/>])")
ADMIN_CODE = re.compile(rb'(<https://w3id\.org/policykg/ontology#adminCode> ")(\d{6})(")')


# --- the store ---------------------------------------------------------------------------------


def corpus(store_dir: Path, progress) -> object:
    """The bundled corpus built by the real build into ``store_dir`` (reused when unchanged)."""
    from policykg.kg.build import build

    return build(sorted(SOURCES.glob("*.txt")), store_dir, dumps=False, progress=progress)


# stands for copy k's number in a template: valid in IRIs and literals, in no report
COPY = "ⓚⓚⓚ".encode()


def remint(data: bytes, names: list[str], k: int) -> bytes:
    """N-Quads of report graphs as copy ``k``: other report names, place codes and years."""
    return copy_of(template(data, names, k % YEARS), k)


def template(data: bytes, names: list[str], shift: int) -> bytes:
    """The copies whose years are ``shift`` years back, their number left as :data:`COPY`:
    the regular expressions run once per shift, a copy is then one byte replacement."""
    from policykg.kg.iri import slug

    # every name at once (one pass, not one per name); longest first, as the alternation
    # takes the first that matches
    keys = sorted({n.encode() for name in names for n in (name, slug(name))}, key=len, reverse=True)
    pattern = rb"(?:" + b"|".join(re.escape(n) for n in keys) + rb")(?=[/>#.\"])"
    data = re.sub(pattern, lambda m: m[0] + b"-x" + COPY, data)
    data = CODE_IRI.sub(lambda m: m[1] + m[2] + COPY, data)
    data = ADMIN_CODE.sub(lambda m: m[1] + m[2] + COPY + m[3], data)
    data = GYEAR.sub(lambda m: b'"%d"' % (int(m[1]) - shift) + m[0][6:], data)
    data = DATE.sub(lambda m: b'"%d' % (int(m[1]) - shift) + m[0][5:], data)
    return re.sub(
        rb"(/observation/[^/>]+/[^/>]+/)(\d{4})(?=/)",
        lambda m: m[1] + b"%d" % (int(m[2]) - shift),
        data,
    )


def copy_of(template: bytes, k: int) -> bytes:
    """Copy ``k`` of a :func:`template`."""
    return template.replace(COPY, b"%03d" % k)


def _default_copy(data: bytes) -> bytes:
    """The same statements in the default graph (N-Quads lines without their graph name)."""
    return re.sub(rb" <[^<>]*> \.$", b" .", data, flags=re.M)


def scale(factor: int, store_dir: Path, *, dumps: bool = False, progress=print) -> dict:
    """Write a store ``factor`` times the corpus into ``store_dir``; timings and sizes."""
    from policykg.kg.build import BUILD_FILE, load_background
    from policykg.kg.iri import Minter
    from policykg.kg.store import settle

    started = time.perf_counter()
    base_dir = store_dir.with_name(store_dir.name + ".corpus")
    result = corpus(base_dir if factor > 1 else store_dir, progress)
    built = time.perf_counter() - started
    if factor == 1:
        return {"factor": 1, "build_s": built, "load_s": built, **_sizes(store_dir)}
    minter = Minter(result.base)
    original = report_quads(result, base_dir)
    work = store_dir.with_name(f".{store_dir.name}.scaling")
    shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(store_dir, ignore_errors=True)
    work.mkdir(parents=True)
    t0 = time.perf_counter()
    store = ox.Store(str(work / "oxigraph"))
    load_background(store, minter)
    reports = []
    for k, data in copies(factor, original, [r.name for r in result.reports], minter):
        # the report graphs carry no blank nodes: their default-graph copy can be bulk loaded
        store.bulk_load(data + _default_copy(data), format=ox.RdfFormat.N_QUADS)
        for r in result.reports:
            copy = dict(asdict(r), reused=False)
            if k:
                copy["name"] = f"{r.name}-x{k:03d}"
                copy["graph"] = minter.report_graph(copy["name"])
            reports.append(copy)
        if k % 10 == 9 or k == factor - 1:
            progress(f"{k + 1}/{factor} copies loaded ({time.perf_counter() - t0:.0f}s)")
    _write_list_orders(store, minter)
    # the background's summary, then the background merged by SPARQL (blank nodes kept)
    store.bulk_load(b"".join(_background_summary(result.base)), format=ox.RdfFormat.N_QUADS)
    _merge(store, [minter.graph(g) for g in ("ontology", "lexicon", "summary")])
    if dumps:
        from policykg.kg.dumps import write_dumps

        progress("writing dumps")
        write_dumps(store, work / "dumps", result.base)
    store.flush()
    store.optimize()
    quads = len(store)
    del store
    settle(work / "oxigraph")
    record = {**asdict(result), "store_dir": str(store_dir), "reports": reports, "dumps": dumps}
    record.update(quads=quads, inputs=[f"scale:{factor}"], seconds=0)
    (work / BUILD_FILE).write_text(json.dumps(record, ensure_ascii=False, indent=1), "utf-8")
    work.rename(store_dir)
    loaded = time.perf_counter() - t0
    return {
        "factor": factor,
        "build_s": built,
        "load_s": loaded,
        "quads": quads,
        **_sizes(store_dir),
    }


def report_quads(result, base_dir: Path) -> bytes:
    """The report and inferred graphs of the corpus built in ``base_dir``, as N-Quads."""
    from policykg.kg.iri import Minter

    minter = Minter(result.base)
    old = ox.Store.read_only(str(base_dir / "oxigraph"))
    chunks = []
    for r in result.reports:
        for graph in (r.graph, minter.inferred_graph(r.name)):
            nt = old.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
            chunks.append(re.sub(rb" \.$", b" <%s> ." % graph.encode(), nt, flags=re.M))
    return b"".join(chunks)


def copies(factor: int, original: bytes, names: list[str], minter):
    """(k, N-Quads of copy k) for each of ``factor`` copies of the report graphs ``original``,
    with their attainment and summary lines; copy 0 is the corpus itself."""
    templates: dict[int | None, bytes] = {}  # by year shift; None: copy 0, the corpus itself
    for k in range(factor):
        shift = k % YEARS if k else None
        if shift not in templates:
            data = original if shift is None else template(original, names, shift)
            templates[shift] = data + _cross_report(data, minter)
        yield k, templates[shift] if shift is None else copy_of(templates[shift], k)


def _cross_report(data: bytes, minter) -> bytes:
    """The attainment and summary lines of one copy's report graphs (N-Quads), computed by the
    build's own steps. Per copy, not on the whole store: a copy's targets and actuals are of
    its own places (no join reaches another copy) and each summary statement is read from one
    report's graphs (kg/summary.py), so the union over the copies is the whole store's."""
    from policykg.kg.build import _attainment_lines, _background_nquads, _summary_lines

    lines = data.splitlines(keepends=True)
    background = _background_nquads(minter.base).splitlines(keepends=True)
    joined = _attainment_lines(lines + background, minter)
    summary = _summary_lines(lines + joined, minter.graph("summary"))
    return b"".join(joined + summary)


def _write_list_orders(store: ox.Store, minter) -> None:
    """The lists' orders (kg.summary.list_orders) over every copy, as the build writes them
    over every report: they are not per report, so no copy's own can stand."""
    from policykg.kg.build import _lines_in, _triple_line
    from policykg.kg.summary import ORDERS, list_orders

    for prop in {prop for prop, _, _ in ORDERS}:
        store.update(f"DELETE WHERE {{ GRAPH ?g {{ ?s {prop} ?o }} }}")
        store.update(f"DELETE WHERE {{ ?s {prop} ?o }}")
    lines = _lines_in(list_orders(store), minter.graph("summary"))  # and in the default graph:
    store.bulk_load(
        b"".join(lines + [_triple_line(line) for line in lines]), format=ox.RdfFormat.N_QUADS
    )


def _background_summary(base: str) -> frozenset[bytes]:
    from policykg.kg.build import _background_summary

    return _background_summary(base)


def _merge(store: ox.Store, graphs: list[str]) -> None:
    for graph in graphs:
        store.update(f"INSERT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")


def _sizes(store_dir: Path) -> dict:
    size = sum(f.stat().st_size for f in store_dir.rglob("*") if f.is_file())
    return {"disk_mb": round(size / 1e6, 1)}


# --- the measures ------------------------------------------------------------------------------


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def measure_catalogue(store_dir: str | Path, repeat: int) -> list[dict]:
    """Each catalogue query with its example parameters, straight on the store (a directory or
    a server's query URL): CPU of this process and wall time."""
    from policykg.kg.store import StoreError, open_store
    from policykg.queries import load_catalogue

    store = open_store(store_dir)
    out = []
    for name, query in load_catalogue().items():
        cpu, wall, rows = [], [], 0
        for _ in range(repeat):
            c, w = time.process_time(), time.perf_counter()
            try:
                rows = len(query.run(store, **query.example))
            except StoreError as e:  # a timeout: its time is the limit's, and counted so
                rows = f"failed: {type(e).__name__}"
            cpu.append(time.process_time() - c)
            wall.append(time.perf_counter() - w)
            if isinstance(rows, str):
                break  # no second wait for a timeout
        out.append(
            {"what": f"query {name}", "rows": rows, "cpu": cpu, "wall": wall, **_load_average()}
        )
        _line(out[-1])
    store.close()
    return out


def page_urls(store_dir: str | Path) -> dict[str, str]:
    """One URL of every page type, for things the example parameters name."""
    from policykg.kg.store import open_store

    store = open_store(store_dir)
    ask = (
        "PREFIX pol: <https://w3id.org/policykg/ontology#> "
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "SELECT ?x WHERE { ?x a pol:%s ; rdfs:label ?l FILTER(STR(?l) = %s) } ORDER BY ?x LIMIT 1"
    )

    def key(kind: str, label: str) -> str:
        rows = store.query(ask % (kind, json.dumps(label, ensure_ascii=False)))
        iri = rows[0]["x"].value if rows else ""
        return iri.split("/id/", 1)[-1]

    from urllib.parse import quote

    report = "report/zhanhe-district-2023-plan-report"
    urls = {
        "term search /terms?q=": "/terms?q=四主链",
        "term search API /api/terms?q=": "/api/terms?q=szl",
        "term index /api/terms/index": "/api/terms/index",
        "full-text search /search?q=": "/search?q=高质量发展",
        "full-text search, one place": "/search?q=高质量发展&place="
        + quote(BASE + key("Place", "河南省")),
        "term page (shared slogan)": "/terms/" + key("Term", "四主链"),
        "term page (report's slogan)": "/terms/" + key("Slogan", "四主链"),
        "term page (enterprise)": "/terms/" + key("Enterprise", "平高集团"),
        "entity page (enterprise)": "/id/" + key("Enterprise", "平高集团"),
        "entity page (industry)": "/id/" + key("Industry", "电气装备制造业"),
        "entity page (indicator)": "/id/" + key("Indicator", "地区生产总值"),
        "entity page (place)": "/id/" + key("Place", "湛河区"),
        "report page": "/id/" + report,
        "entity as Turtle": "/id/" + key("Enterprise", "平高集团") + "?format=ttl",
        "glossary page": "/terms/glossary/zhanhe-district-2023-plan-report",
        "catalogue index /queries": "/queries",
        "query page /queries/co-mentions": "/queries/co-mentions?term=平高集团",
        "query page /queries/slogans": "/queries/slogans",
        "query page /queries/slogans, page 50": "/queries/slogans?page=50",
        "ontology page": "/ontology",
        "dumps page": "/dumps/",
    }
    store.close()
    return urls


def measure_service(store_dir: str | Path, repeat: int) -> list[dict]:
    """Every catalogue query through /api/queries (its first page and its whole answer) and
    every page type, through Flask's test client (the real app: query workers, cache,
    templates), after one warm-up request each."""
    from urllib.parse import urlencode

    from policykg.queries import load_catalogue
    from policykg.service import create_app, db

    t = time.perf_counter()
    app = create_app({"STORE_PATH": str(store_dir)})
    db.start(app)  # the query workers started before the first request, as `policykg serve` does
    client = app.test_client()
    # what pages read is built in the background at start (indexes, comparison tables): waited
    # for here, as `policykg serve` does before its first user, so that no page's first time
    # is the warm-up's
    app.extensions["policykg.warming"].join()
    warm = time.perf_counter() - t
    rss = _rss_mb()
    print(f"  app start: warmed up in {warm:.2f}s, RSS {rss:.0f} MB", flush=True)
    steps = app.extensions.get("policykg.warm_steps", [])
    for step in steps:  # each step's time and the web process's memory after it
        failed = f" FAILED {step['error']}" if step["error"] else ""
        rss_step = f"{step.get('rss_before_mb', 0):6.0f} → {step['rss_mb']:6.0f} MB"
        print(f"    {step['step']:32} {step['seconds']:8.1f} s {rss_step}{failed}")
    catalogue = load_catalogue().items()
    targets = {
        f"api {name}": f"/api/queries/{name}?{urlencode(q.example)}" for name, q in catalogue
    }
    targets.update(page_urls(store_dir))
    targets.update(  # the whole answer, as a user downloads it
        (f"download {name}", f"/api/queries/{name}?{urlencode({**q.example, 'page': 'all'})}")
        for name, q in catalogue
    )
    out = []
    for what, url in targets.items():
        wall, cpu, status = [], [], 0
        for _ in range(repeat + 1):
            c, w = _cpu_with_workers(), time.perf_counter()
            response = client.get(url)
            response.get_data()  # a download is read as it is sent
            status = response.status_code
            wall.append(time.perf_counter() - w)
            cpu.append(_cpu_with_workers() - c)
        out.append(
            {
                "what": what,
                "status": status,
                "first": wall[0],
                "wall": wall[1:],
                "cpu": cpu[1:],
                **_load_average(),
            }
        )
        _line(out[-1])
    db.close(app)
    out.append(
        {
            "what": "app start (warm-up)",
            "seconds": warm,
            "rss_mb": rss,
            "steps": steps,
            **_load_average(),
        }
    )
    return out


def _rss_mb() -> float:
    """Resident memory of this process and its live children (the query workers), MB."""
    me, total = str(os.getpid()), 0
    for status in [Path("/proc/self/status"), *Path("/proc").glob("[0-9]*/status")]:
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if status.parent.name != "self" and fields.get("PPid", "").strip() != me:
            continue
        total += int(fields.get("VmRSS", "0 kB").split()[0])
    return total / 1024


def _load_average() -> dict:
    """The machine's load average over the last minute, beside each measure: on a shared
    machine it says how much of the wall time is waiting for a core."""
    return {"load": round(os.getloadavg()[0], 1)}


def _cpu_with_workers() -> float:
    """CPU seconds of this process and of its live children (the service's query workers)."""
    total = time.process_time()
    tick = os.sysconf("SC_CLK_TCK")
    me = str(os.getpid())
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == me:  # ppid
            total += (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    return total


def _line(m: dict) -> None:
    p50, p95 = _percentiles(m["wall"])
    extra = f" cpu p50 {_percentiles(m['cpu'])[0] * 1e3:8.1f} ms" if "cpu" in m else ""
    extra += f" first {m['first'] * 1e3:8.1f} ms status {m['status']}" if "first" in m else ""
    extra += f" rows {m['rows']}" if "rows" in m else ""
    extra += f" load {m['load']}" if "load" in m else ""
    print(f"  {m['what']:<40} p50 {p50 * 1e3:8.1f} ms  p95 {p95 * 1e3:8.1f} ms{extra}", flush=True)


def table(*columns: tuple[str, list[dict]]) -> str:
    """A markdown table of measures side by side: per question, p50/p95 wall and CPU p50 (ms)
    of each ``(heading, measures)`` column; a service's first (uncached) run beside them."""
    rows: dict[str, list[str]] = {}
    for i, (_, measures) in enumerate(columns):
        for m in measures:
            if "wall" not in m:  # the app's start: not a question
                continue
            p50, p95 = _percentiles(m["wall"])
            cell = f"{p50 * 1e3:.0f} / {p95 * 1e3:.0f} (cpu {_percentiles(m['cpu'])[0] * 1e3:.0f})"
            if "first" in m:
                cell += f", first {m['first'] * 1e3:.0f}"
            rows.setdefault(m["what"], [""] * len(columns))[i] = cell
    head = "| question | " + " | ".join(h for h, _ in columns) + " |\n"
    head += "|---" * (len(columns) + 1) + "|\n"
    return head + "".join(
        f"| {what} | " + " | ".join(cells) + " |\n" for what, cells in rows.items()
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench scale", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--factor", type=int, default=1, help="copies of the corpus (1: as bundled)"
    )
    parser.add_argument("--store", type=Path, help="the store directory (default: a temporary one)")
    parser.add_argument("--measure", action="store_true", help="time every query and page type")
    parser.add_argument("--no-build", action="store_true", help="measure the store as it is")
    parser.add_argument("--dumps", action="store_true", help="write the dumps too")
    parser.add_argument("--repeat", type=int, default=7, help="runs per query (default 7)")
    parser.add_argument("--json", type=Path, help="write the measures here as JSON")
    parser.add_argument(
        "--virtuoso",
        action="store_true",
        help="load the store into a Virtuoso beside it (DIR.virtuoso) and time the same there",
    )
    parser.add_argument(
        "--virtuoso-only",
        action="store_true",
        help="no embedded store: write the copies as N-Quads and load them straight into a "
        "Virtuoso (DIR.virtuoso), then time the catalogue there",
    )
    parser.add_argument(
        "--no-service", action="store_true", help="with a Virtuoso: the catalogue only"
    )
    parser.add_argument(
        "--virtuoso-memory", type=int, default=2000, help="Virtuoso's memory, MB (default 2000)"
    )
    parser.add_argument(
        "--no-catalogue", action="store_true", help="with a Virtuoso: the service's pages only"
    )
    parser.add_argument(
        "--virtuoso-reuse",
        action="store_true",
        help="with a Virtuoso: measure the whole load already in DIR.virtuoso, not a new one",
    )
    args = parser.parse_args(argv)
    if (
        args.store is None
    ):  # `make bench`: the corpus as bundled, measured, in a temporary directory
        import tempfile

        args.store = Path(tempfile.mkdtemp(prefix="policykg-scale-")) / "store"
        args.measure = True
    report: dict = {"load_average_before": os.getloadavg()}
    if args.virtuoso_only:
        from .bench_virtuoso import run

        report["virtuoso"] = run(
            args.store,
            args.repeat,
            args.virtuoso_memory,
            factor=args.factor,
            service=not args.no_service,
            reuse=args.virtuoso_reuse,
            catalogue=not args.no_catalogue,
        )
        report["load_average_after"] = os.getloadavg()
        print(f"load average {os.getloadavg()}", flush=True)
        args.no_build, args.measure, args.virtuoso = True, False, False
    if not args.no_build:
        sizes = scale(args.factor, args.store, dumps=args.dumps)
        report.update(sizes)
        print(f"factor {args.factor}: {json.dumps(sizes)}", flush=True)
    if args.measure:
        print(f"load average {os.getloadavg()}, {os.cpu_count()} cores", flush=True)
        report["catalogue"] = measure_catalogue(args.store, args.repeat)
        report["service"] = measure_service(args.store, args.repeat)
        report["load_average_after"] = os.getloadavg()
        print(f"load average {os.getloadavg()}", flush=True)
    if args.virtuoso:
        from .bench_virtuoso import run

        print(f"virtuoso: load average {os.getloadavg()}", flush=True)
        report["virtuoso"] = run(
            args.store,
            args.repeat,
            args.virtuoso_memory,
            service=not args.no_service,
            reuse=args.virtuoso_reuse,
            catalogue=not args.no_catalogue,
        )
        print(f"load average {os.getloadavg()}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
