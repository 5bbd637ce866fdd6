"""Server time of every page type (issue 9: p95 under 100 ms on the 34-report store).

    python -m bench pages [-- --store DIR] [-- --runs N]

Without ``--store`` the bundled corpus (``kg/sources/*.txt``) is built into a temporary store
first (about a minute). Pages are requested through Flask's test client, so the times are the
app's own (routing, queries, templates), no network. The app starts and warms its indexes the
way ``policykg serve`` does before the first request is timed; each page type is then fetched
``--runs`` times (URLs of one type rotate over several resources where the store has them).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from policykg.service import create_app

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "kg" / "sources"
BASE = "https://w3id.org/policykg/id/"
BUDGET_MS = 100.0

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


def build(store: Path) -> None:
    """The bundled corpus, built by the real pipeline into ``store``."""
    reports = sorted(map(str, SOURCES.glob("*.txt")))
    cmd = [sys.executable, "-m", "policykg.cli", "build", *reports, "--store", str(store)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode not in (0, 3):
        raise SystemExit(done.stderr[-2000:])


def page_urls(app) -> dict[str, list[str]]:
    """Page type → URLs to time, chosen from what the store holds."""
    from policykg.service.db import get_store

    with app.app_context():
        store = get_store()
        by_kind: dict[str, list[str]] = {}
        for row in store.select(_Q_SAMPLES % BASE):
            by_kind.setdefault(row["kind"].value.rsplit("#", 1)[-1], []).append(row["x"].value)
        shared = [row["s"].value for row in store.select(_Q_SHARED_SLOGANS)]

    def pick(kind: str, n: int = 5) -> list[str]:
        found = sorted(by_kind.get(kind, []))
        step = max(1, len(found) // n)
        return ["/id/" + iri[len(BASE) :] for iri in found[::step][:n]]

    return {
        "start": ["/"],
        "search": [f"/search?q={quote(q)}" for q in ("高质量发展", "地区生产总值", "GDP", "链长")],
        "term": [f"/terms?q={quote(q)}" for q in ("主链", "sizhulian", "平高", "产业")],
        "slogan comparison": ["/terms/" + iri[len(BASE) :] for iri in shared],
        "entity": pick("Enterprise"),
        "indicator": pick("Indicator"),
        "place": pick("Place"),
        "report": pick("Report"),
        "catalogue page": ["/queries", "/queries/plan-vs-actual", "/queries/slogans"],
        "query page": ["/sparql", "/sparql?query=" + quote("SELECT * WHERE { ?s ?p ?o } LIMIT 50")],
    }


def time_pages(app, urls: dict[str, list[str]], runs: int) -> list[tuple[str, int, float, float]]:
    """(page type, requests, median ms, p95 ms) per type; a non-200 answer stops the bench."""
    client = app.test_client()
    rows = []
    for kind, paths in urls.items():
        if not paths:
            print(f"{kind}: the store has no such page", file=sys.stderr)
            continue
        times = []
        for i in range(runs):
            path = paths[i % len(paths)]
            started = time.perf_counter()
            answer = client.get(path, headers={"Accept": "text/html"})
            times.append((time.perf_counter() - started) * 1000)
            if answer.status_code != 200:
                raise SystemExit(f"{path}: {answer.status_code}")
        p95 = statistics.quantiles(times, n=20)[-1]
        rows.append((kind, runs, statistics.median(times), p95))
    return rows


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench pages")
    parser.add_argument("--store", type=Path, help="a store built by `policykg build`")
    parser.add_argument("--runs", type=int, default=40, help="requests per page type")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        store = args.store
        if store is None:
            store = Path(tmp) / "store"
            print("building the bundled corpus…", file=sys.stderr, flush=True)
            build(store)
        started = time.perf_counter()
        app = create_app({"STORE_PATH": str(store)})
        app.extensions["policykg.warming"].join()  # as `policykg serve` before its first user
        print(f"app start, indexes warmed: {time.perf_counter() - started:.1f} s")
        rows = time_pages(app, page_urls(app), args.runs)
    print(f"{'page':20} {'requests':>8} {'median ms':>10} {'p95 ms':>8}")
    for kind, n, median, p95 in rows:
        flag = "" if p95 < BUDGET_MS else f"  over {BUDGET_MS:.0f} ms"
        print(f"{kind:20} {n:8} {median:10.1f} {p95:8.1f}{flag}")
    return 0 if all(p95 < BUDGET_MS for *_, p95 in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
