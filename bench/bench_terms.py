"""Term search latency, in server time (the app answering /api/terms and /terms, no network):
at the size of the founding report's graph, and at 10,000 generated terms.

    python -m bench terms [-- --store DIR]     # DIR: a store built by `policykg build`

Without ``--store`` the founding report is built into a temporary store first.
Generated terms are Chinese labels of 2–12 characters drawn from the founding report's own
text, so queries hit the same mix of characters real users type.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from policykg.kg.iri import slug
from policykg.kg.store import OxigraphStore, open_store
from policykg.service import create_app
from policykg.service.search import _initials, _syllables

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "kg" / "sources" / "zhanhe-district_2023_plan-report.txt"
BASE = "https://w3id.org/policykg/id/"
POL = "https://w3id.org/policykg/ontology#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
KINDS = ["Slogan", "Industry", "Enterprise", "Project", "Concept", "Place", "Indicator"]
FIXED_QUERIES = [
    "主链",
    "链",
    "四主链",
    "四主鏈",
    "sizhulian",
    "szl",
    "平高",
    "pgjt",
    "产业",
    "z",
    "bfs",
    "双减",
]


def generated_store(n: int, seed: int = 7) -> OxigraphStore:
    """``n`` labelled terms of mixed kinds, labels cut from the founding report's sentences."""
    rng = random.Random(seed)
    text = "".join(c for c in SEED.read_text("utf-8") if "\u4e00" <= c <= "\u9fff")
    graph = ox.NamedNode(BASE + "graph/report/bench")
    quads, seen = [], set()
    while len(seen) < n:
        start = rng.randrange(len(text) - 12)
        label = text[start : start + rng.randint(2, 12)]
        if label in seen:
            continue
        seen.add(label)
        kind = rng.choice(KINDS)
        iri = ox.NamedNode(f"{BASE}{kind.lower()}/{slug(label)}-{len(seen)}")
        quads += [
            ox.Quad(iri, RDF_TYPE, ox.NamedNode(POL + kind), graph),
            ox.Quad(iri, RDFS_LABEL, ox.Literal(label, language="zh"), graph),
        ]
    store = ox.Store()
    store.extend(quads)
    return OxigraphStore(store)


def queries_for(labels: list[str], n: int, seed: int = 11) -> list[str]:
    """A user-like mix: one character, a two-to-four character piece, full pinyin, initials."""
    rng = random.Random(seed)
    out = list(FIXED_QUERIES)
    while len(out) < n:
        label = rng.choice(labels)
        shape = rng.randrange(4)
        if shape == 0:
            out.append(rng.choice(label))
        elif shape == 1:
            i = rng.randrange(len(label))
            out.append(label[i : i + rng.randint(2, 4)])
        elif shape == 2:
            out.append("".join(_syllables(label)[: rng.randint(2, 4)]))
        else:
            out.append(_initials(label)[: rng.randint(2, 4)])
    return out


def measure(store: OxigraphStore, n_queries: int) -> dict:
    """Index build time, then per-request server time of /api/terms and /terms."""
    app = create_app({"TESTING": True}, store=store)
    client = app.test_client()
    started = time.perf_counter()
    with app.app_context():
        from policykg.service.search import term_index

        index = term_index()
        build_s = time.perf_counter() - started
        labels = [t.label for t in index]
    queries = queries_for(labels, n_queries)
    result = {"terms": len(index), "index_build_s": round(build_s, 2)}
    for path in ("/api/terms", "/terms"):
        times = []
        for q in queries:
            t = time.perf_counter()
            answer = client.get(path, query_string={"q": q})
            times.append((time.perf_counter() - t) * 1000)
            assert answer.status_code == 200, (q, answer.status_code)
        times.sort()
        result[path] = {
            "p50_ms": round(statistics.median(times), 2),
            "p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
            "max_ms": round(times[-1], 2),
        }
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="a store built by `policykg build`")
    parser.add_argument("--queries", type=int, default=400)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        store_dir = args.store
        if store_dir is None:
            from policykg.kg.build import build

            store_dir = Path(tmp) / "store"
            build([SEED], store_dir, dumps=False)
        name = f"store {args.store}" if args.store else "founding report"
        rows = [(name, measure(open_store(store_dir), args.queries))]
    rows.append(("10,000 generated terms", measure(generated_store(10_000), args.queries)))
    print(
        f"{'data':40} {'terms':>6} {'build s':>8}  {'path':11} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}"
    )
    for name, r in rows:
        for path in ("/api/terms", "/terms"):
            m = r[path]
            print(
                f"{name:40} {r['terms']:>6} {r['index_build_s']:>8}  {path:11} "
                f"{m['p50_ms']:>7} {m['p95_ms']:>7} {m['max_ms']:>7}"
            )


if __name__ == "__main__":
    main()
