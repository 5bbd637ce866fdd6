"""Repeated catalogue answers and entity pages (result cache on) against the bare endpoint
answering the same SPARQL, on a real PolicyKG store (issue 11: at least 1.5×). Throughput
through the network with ``wrk``; ``bench pages`` times each page type's server time alone.

Catalogue: ``/api/queries/<name>?<example parameters>`` against the bare endpoint's
``/sparql?query=`` of the same query with the example's ``VALUES`` row (what the query page
offers as its example). Entity pages: the HTML page ``/id/<key>`` of a few slogans against the
bare endpoint's answer to the page's first lookup alone (every statement about the resource,
as N-Triples): a page runs several. Both use ``wrk`` in alternating rounds, like
``bench_endpoint``; target ≥ 1.5.

    python -m bench cache                          # a store of the founding report
    python -m bench cache -- --store var/store     # the whole corpus
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote, urlencode

from bench import wrk
from bench.bench_endpoint import compare, report
from policykg.kg.store import open_store
from policykg.queries import load_catalogue
from policykg.service.examples import load_examples
from policykg.service.settings import defaults, resolve
from policykg.service.testing import LiveServer

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "kg" / "sources" / "zhanhe-district_2023_plan-report.txt"
BASE = "https://w3id.org/policykg/id/"
JSON = "application/sparql-results+json"
CATALOGUE = ("slogans", "reports", "enterprise-profile", "glossary")  # quick; one with a parameter
SLOGANS = (
    "SELECT ?s WHERE { ?s a <https://w3id.org/policykg/ontology#Slogan> "
    f'FILTER(STRSTARTS(STR(?s), "{BASE}")) }} ORDER BY ?s LIMIT 5'
)


def catalogue_requests() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(ours, bare): the catalogue's answers and the same queries at the bare endpoint."""
    catalogue = load_catalogue()
    examples = {e.name: e.sparql for e in load_examples()}
    ours, bare = [], []
    for name in CATALOGUE:
        query = catalogue[name]
        params = f"?{urlencode(query.example)}" if query.example else ""
        ours.append((f"/api/queries/{name}{params}", "application/json"))
        bare.append(("/sparql?query=" + quote(examples[name]), JSON))
    return ours, bare


def entity_requests(store_dir: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(ours, bare): a few slogans' pages and their statements at the bare endpoint."""
    store = open_store(store_dir)
    iris = [row["s"].value for row in store.select(SLOGANS)]
    store.close()
    ours = [(f"/id/{iri[len(BASE) :]}", "text/html") for iri in iris]
    bare = [
        ("/sparql?query=" + quote(f"CONSTRUCT {{ <{iri}> ?p ?o }} WHERE {{ <{iri}> ?p ?o }}"), "")
        for iri in iris
    ]
    return ours, bare


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench cache")
    parser.add_argument("--store", help="store directory (default: the founding report's)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--min-ratio", type=float, default=1.5)
    args = parser.parse_args(argv or [])
    if not wrk.available():
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2
    threads = resolve(defaults())["THREADS"]
    with tempfile.TemporaryDirectory() as tmp:
        if args.store:
            store = Path(args.store)
        else:
            from policykg.kg.build import build

            store = Path(tmp) / "store"
            build([SEED], store)
        bare_command = [sys.executable, "-m", "bench.bench_endpoint", "--bare", str(store)]
        outcomes = {}
        with (
            LiveServer(store, command=[*bare_command, str(threads)]) as bare,
            LiveServer(store) as ours,
        ):
            for title, (mine, theirs) in (
                ("catalogue answers", catalogue_requests()),
                ("entity pages", entity_requests(store)),
            ):
                outcomes[title] = compare(bare.url, ours.url, theirs, args, mine)
    print(
        f"wrk: {args.connections} connections, 2 threads, {args.rounds}×{args.seconds:g} s per "
        f"endpoint, {threads} waitress threads, load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} CPUs"
    )
    for title, outcome in outcomes.items():
        report(f"repeated {title}, result cache on", outcome, args.min_ratio)
    summary = {title: round(o["ratio"], 3) for title, o in outcomes.items()}
    print(json.dumps({"bench": "cache", "ratios": summary}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
