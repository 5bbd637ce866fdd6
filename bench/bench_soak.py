"""Soak: mixed load with hostile queries interleaved, then the RSS of every process.

``wrk`` keeps simple queries coming from 127.0.0.1 for ``--seconds`` (10 minutes by default)
while a few attacker threads, each from its own loopback address (127.0.0.2...), send what the
adversarial run of issue 11 found: a sorted cross product that eats memory, nested
``CONCAT`` answers of hundreds of MiB, a 3-way cross product per worker, a 5,000-UNION query,
SERVICE and updates, and slow header senders. Reported: errors of the well-formed queries
(must be 0), their p50/p95/p99 while the attacks ran, what each attack got, and the resident
memory of the server and each worker at the start and the end (should be flat).

    python -m bench soak                      # 10 minutes
    python -m bench soak -- --seconds 60
    python -m bench soak -- --no-cache        # every query reaches the engine
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

import requests
from requests.adapters import HTTPAdapter

from bench import wrk
from bench.bench_endpoint import W3C, requests_for
from policykg.service.testing import LiveServer, build_protocol_store

ATTACKS = {
    "sorted-product": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1",
    "concat": "SELECT ?l6 WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l0 "
    + " ".join(f"BIND(CONCAT(?l{i}, ?l{i}, ?l{i}, ?l{i}) AS ?l{i + 1})" for i in range(6))
    + " }",
    "cross-product": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "unions": "SELECT * WHERE { " + " UNION ".join(["{?s ?p ?o}"] * 5000) + " }",
    "service": "SELECT * WHERE { ?x ?y ?z .SERVICE <http://127.0.0.1:9/g> { ?s ?p ?o } } LIMIT 1",
    "update": "DELETE WHERE { ?s ?p ?o }",
}


class SourceAdapter(HTTPAdapter):
    """requests from a given local address (another client on the loopback)."""

    def __init__(self, source: str):
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


def attacker(url: str, source: str, stop: threading.Event, seen: collections.Counter) -> None:
    """Send every attack in turn from ``source`` until ``stop``."""
    session = requests.Session()
    session.mount("http://", SourceAdapter(source))
    while not stop.is_set():
        for name, query in ATTACKS.items():
            if stop.is_set():
                return
            try:
                response = session.post(url + "/sparql", data={"query": query}, timeout=60)
                seen[f"{name} {response.status_code}"] += 1
            except requests.RequestException as e:
                seen[f"{name} {type(e).__name__}"] += 1


def slowloris(port: int, stop: threading.Event) -> None:
    """30 connections from 127.0.0.9 that send a header line a second."""
    while not stop.is_set():
        conns = []
        for _ in range(30):
            with contextlib.suppress(OSError):
                conn = socket.socket()
                conn.bind(("127.0.0.9", 0))
                conn.connect(("127.0.0.1", port))
                conn.sendall(b"GET /sparql HTTP/1.1\r\nHost: x\r\n")
                conns.append(conn)
        for _ in range(15):
            if stop.wait(1):
                break
            for conn in conns:
                with contextlib.suppress(OSError):
                    conn.sendall(b"X-Slow: 1\r\n")
        for conn in conns:
            conn.close()


def rss(server_pid: int) -> dict[str, float]:
    """Resident MiB of the server and of each of its child processes."""

    def one(pid: int) -> float:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
        return 0.0

    out = {f"server {server_pid}": one(server_pid)}
    children = Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()
    for pid in children:
        with contextlib.suppress(OSError):
            out[f"child {pid}"] = one(int(pid))
    return out


def sample_server(pid: int, stop: threading.Event, every: float, out: list[float]) -> None:
    """The server's resident MiB every ``every`` seconds until ``stop`` (is it flat?)."""
    while not stop.wait(every):
        with contextlib.suppress(OSError):
            out.append(rss(pid)[f"server {pid}"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench soak")
    parser.add_argument("--store", help="store directory (default: a generated store)")
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--attackers", type=int, default=2, help="attacker client addresses")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--query-timeout", type=float, default=10)
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="serve with the result cache off, so that every query reaches a worker",
    )
    args = parser.parse_args(argv or [])
    if not wrk.available():
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        store = (
            Path(args.store)
            if args.store
            else build_protocol_store(Path(tmp) / "store", W3C, filler=3000)
        )
        settings = {"RESULT_CACHE_BYTES": 0} if args.no_cache else {}
        with LiveServer(store, query_timeout=args.query_timeout, **settings) as live:
            port = int(live.url.rsplit(":", 1)[1])
            before = rss(live.process.pid)
            stop, seen = threading.Event(), collections.Counter()
            threads = [
                threading.Thread(target=attacker, args=(live.url, f"127.0.0.{2 + i}", stop, seen))
                for i in range(args.attackers)
            ]
            threads.append(threading.Thread(target=slowloris, args=(port, stop)))
            samples: list[float] = []
            every = max(1.0, args.seconds / 10)
            sampler = (live.process.pid, stop, every, samples)
            threads.append(threading.Thread(target=sample_server, args=sampler))
            for t in threads:
                t.start()
            simple = requests_for(400) + [("/sparql?query=" + quote("ASK {}"), "text/csv")] * 100
            load = wrk.run(live.url, simple, args.seconds, connections=args.connections)
            stop.set()
            for t in threads:
                t.join()
            health = requests.get(live.url + "/healthz").json()
            time.sleep(1)
            after = rss(live.process.pid)
    cache = "off" if args.no_cache else "on"
    print(
        f"simple queries under attack for {args.seconds:g} s ({args.connections} connections, "
        f"result cache {cache}):"
    )
    print(
        f"  {load['requests']} answered, {load['requests_per_s']} req/s, errors {load['errors']}, "
        f"p50 {load['p50_ms']} ms, p95 {load['p95_ms']} ms, p99 {load['p99_ms']} ms"
    )
    print("attacks (name status: count):")
    for key, n in sorted(seen.items()):
        print(f"  {key}: {n}")
    print("health at the end:", json.dumps(health))
    print(f"server resident MiB every {every:g} s:", " ".join(f"{m:g}" for m in samples))
    print("resident MiB, start → end:")
    for name in sorted(set(before) | set(after)):
        print(f"  {name}: {before.get(name, '-')} → {after.get(name, '-')}")
    print(
        json.dumps(
            {
                "bench": "soak",
                "load": load,
                "attacks": seen,
                "server_rss_series": samples,
                "rss_end": after,
            }
        )
    )
    return 0
