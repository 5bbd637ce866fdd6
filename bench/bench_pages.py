"""Server time of every page type (issue 9: p95 under 100 ms on the 34-report store; full-text
search under 50 ms).

    python -m bench pages [-- --store DIR] [-- --runs N] [-- --only TYPE]

Without ``--store`` the bundled corpus (``kg/sources/*.txt``) is built into a temporary store
first (about a minute). Pages are requested through Flask's test client, so the times are the
app's own (routing, queries, templates), no network. The app starts, warms its indexes and
starts its query workers the way ``policykg serve`` does before the first request is timed, with
the result cache off: every request renders its page afresh. Each page type is fetched ``--runs`` times, its URLs (several
resources where the store has them) in turn; the first fetch of each URL (its first render) is
reported apart, as the slowest of them. Beside the wall-clock times, the request thread's CPU
time, which a busy machine disturbs far less (the load average is printed with them).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlencode

from policykg.queries import load_catalogue
from policykg.service import create_app, db

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "kg" / "sources"
BASE = "https://w3id.org/policykg/id/"
BUDGET_MS = 100.0
BUDGETS_MS = {"full-text search": 50.0}  # issue 9, item 4; every other type: BUDGET_MS

_Q_SAMPLES = """
PREFIX pol: <https://w3id.org/policykg/ontology#>
SELECT ?kind ?x WHERE {
  VALUES ?kind { pol:Enterprise pol:Indicator pol:Place pol:Report }
  ?x a ?kind .
  FILTER(STRSTARTS(STR(?x), "%s"))
}
"""
# Shared slogans (one IRI across reports): their term page compares the reports using them.
_Q_SHARED_SLOGANS = """
PREFIX pol: <https://w3id.org/policykg/ontology#>
SELECT ?s (COUNT(?v) AS ?n) WHERE { ?v pol:versionOf ?s } GROUP BY ?s ORDER BY DESC(?n) LIMIT 5
"""
SEARCHES = ("高质量发展", "地区生产总值", "GDP", "链长", "四主链", "营商环境")


def build(store: Path) -> None:
    """The bundled corpus, built by the real pipeline into ``store``."""
    reports = sorted(map(str, SOURCES.glob("*.txt")))
    cmd = [sys.executable, "-m", "policykg.cli", "build", *reports, "--store", str(store)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode not in (0, 3):
        raise SystemExit(done.stderr[-2000:])


def page_urls(app) -> dict[str, list[str]]:
    """Page type → URLs to time, chosen from what the store holds."""
    from policykg.service.corpus import corpus
    from policykg.service.db import get_store
    from policykg.service.search import term_index

    with app.app_context():
        store = get_store()
        by_kind: dict[str, list[str]] = {}
        for row in store.select(_Q_SAMPLES % BASE):
            by_kind.setdefault(row["kind"].value.rsplit("#", 1)[-1], []).append(row["x"].value)
        shared = [row["s"].value for row in store.select(_Q_SHARED_SLOGANS)]
        terms = sorted(
            (t for t in term_index() if t.iri.startswith(BASE) and t.iri not in shared),
            key=lambda t: t.iri,
        )
        reports = corpus().reports
        # the place with the most reports: the longest series of figures and charts
        busiest = max(corpus().places().values(), key=len)[0].place

    def pick(iris: list[str], prefix: str, n: int = 6) -> list[str]:
        found = sorted(iris)
        step = max(1, len(found) // n)
        return [prefix + iri[len(BASE) :] for iri in found[::step][:n]]

    filters = [{"year": r.year} for r in reports[::9]] + [{"place": reports[0].place}]
    fulltext = [
        "/search?" + urlencode({"q": q, **f}) for q, f in zip(SEARCHES, filters, strict=False)
    ]
    fulltext += [f"/search?q={quote(q)}&page=2" for q in SEARCHES[:2]]
    catalogue = [f"/queries/{q.name}?{urlencode(q.example)}" for q in load_catalogue().values()]
    return {
        "start": ["/"],
        "search": [f"/search?q={quote(q)}" for q in SEARCHES],
        "full-text search": fulltext,
        "term search": [f"/terms?q={quote(q)}" for q in ("主链", "sizhulian", "平高", "产业")],
        "term": pick([t.iri for t in terms], "/terms/"),
        "slogan comparison": ["/terms/" + iri[len(BASE) :] for iri in shared],
        "entity": pick(by_kind.get("Enterprise", []), "/id/"),
        "indicator": pick(by_kind.get("Indicator", []), "/id/"),
        "place": ["/id/" + busiest[len(BASE) :], *pick(by_kind.get("Place", []), "/id/", 5)],
        "report": pick(by_kind.get("Report", []), "/id/"),
        "catalogue": ["/queries"],
        "catalogue question": catalogue,
        "SPARQL editor": [
            "/sparql",
            "/sparql?query=" + quote("SELECT * WHERE { ?s ?p ?o } LIMIT 50"),
        ],
        "VoID": ["/.well-known/void", "/dumps/"],
    }


def time_pages(app, urls: dict[str, list[str]], runs: int) -> list[tuple]:
    """(page type, requests, p50 ms, p95 ms, CPU p50 ms, CPU p95 ms, slowest first render ms,
    its URL) per type; a non-200 answer stops the bench.

    The CPU time is the request thread's own (``time.thread_time``): on a busy machine it moves
    far less than the wall-clock time, so two versions can be compared there; it leaves out
    the query workers' time (catalogue and SPARQL pages)."""
    client = app.test_client()
    rows = []
    for kind, paths in urls.items():
        if not paths:
            print(f"{kind}: the store has no such page", file=sys.stderr)
            continue
        times, cpu, first = [], [], {}
        for i in range(max(runs, len(paths))):
            path = paths[i % len(paths)]
            started, started_cpu = time.perf_counter(), time.thread_time()
            answer = client.get(path, headers={"Accept": "text/html"})
            ms = (time.perf_counter() - started) * 1000
            cpu.append((time.thread_time() - started_cpu) * 1000)
            if answer.status_code != 200:
                raise SystemExit(f"{path}: {answer.status_code}")
            times.append(ms)
            first.setdefault(path, ms)
        slowest = max(first, key=first.__getitem__)
        rows.append((kind, len(times), *_p50_p95(times), *_p50_p95(cpu), first[slowest], slowest))
    return rows


def _p50_p95(values: list[float]) -> tuple[float, float]:
    return statistics.median(values), statistics.quantiles(values, n=20)[-1]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench pages")
    parser.add_argument("--store", type=Path, help="a store built by `policykg build`")
    parser.add_argument("--runs", type=int, default=40, help="requests per page type")
    parser.add_argument("--only", action="append", help="time only this page type (repeatable)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        store = args.store
        if store is None:
            store = Path(tmp) / "store"
            print("building the bundled corpus…", file=sys.stderr, flush=True)
            build(store)
        started = time.perf_counter()
        app = create_app({"STORE_PATH": str(store), "RESULT_CACHE_BYTES": 0})
        app.extensions["policykg.warming"].join()  # as `policykg serve` before its first user
        db.start(app)  # and its query workers (service/server.py)
        print(f"app start, indexes warmed: {time.perf_counter() - started:.1f} s")
        urls = page_urls(app)
        if args.only:
            urls = {k: v for k, v in urls.items() if k in args.only}
        rows = time_pages(app, urls, args.runs)
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"{'page':18} {'requests':>8} {'p50 ms':>7} {'p95 ms':>7} {'cpu p50':>7} {'cpu p95':>7} "
        f"{'first ms':>8}  slowest first"
    )
    over = False
    for kind, n, median, p95, cpu_median, cpu_p95, first, url in rows:
        budget = BUDGETS_MS.get(kind, BUDGET_MS)
        flag = "" if p95 < budget else f"  over {budget:.0f} ms"
        over = over or bool(flag)
        print(
            f"{kind:18} {n:8} {median:7.1f} {p95:7.1f} {cpu_median:7.1f} {cpu_p95:7.1f} "
            f"{first:8.1f}  {url[:48]}{flag}"
        )
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
