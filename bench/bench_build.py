"""Build time and peak memory of the bundled corpus: cold, one report added, nothing changed;
and what ``make serve`` costs when nothing changed (the build, then the server's start).

python -m bench build        # or: make bench

Each build runs as ``policykg build`` in its own process, as users run it; peak memory is the
largest resident set of the build and its worker processes. The second ``make serve`` is timed
until the server answers both the start page and a SPARQL query (its first start, the one
before, has made what a start keeps in the store: the pages' indexes and compiled templates).
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from policykg.service.testing import LiveServer

SOURCES = Path(__file__).resolve().parent.parent / "kg" / "sources"


def measure(reports: list[Path], store: Path, *extra: str) -> tuple[float, float, int]:
    """Seconds, CPU seconds (the build's processes, all cores) and peak MiB of one
    ``policykg build`` of ``reports`` into ``store``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "policykg.cli",
            "build",
            *map(str, reports),
            "--store",
            str(store),
            *extra,
        ],
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 3):
        raise SystemExit(done.stderr[-2000:])
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return round(seconds, 1), round(cpu, 1), after.ru_maxrss // 1024


def serve(store: Path, started: float | None = None, warm=False) -> tuple[float, float, int]:
    """Seconds from ``started`` (else from now) until ``policykg serve`` of ``store`` answers
    ``/`` and a query, with the web process' CPU seconds and peak MiB until then."""
    started = started or time.perf_counter()
    with LiveServer(store, every_worker=False) as live:  # returns once the endpoint listens
        for path in ("/", "/sparql?query=ASK%7B%7D"):
            while requests.get(live.url + path, timeout=60).status_code != 200:
                time.sleep(0.05)
        while warm and not requests.get(live.url + "/healthz", timeout=60).json()["warm"]:
            time.sleep(0.1)
        seconds = time.perf_counter() - started
        cpu = _cpu_seconds(live.process.pid)
    return (
        round(seconds, 1),
        round(cpu, 1),
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024,
    )


def _cpu_seconds(pid: int) -> float:
    """CPU seconds of a process and its children so far (from /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / ticks


def main() -> None:
    reports = sorted(SOURCES.glob("*.txt"))
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        rows = [(f"cold, all {len(reports)} reports", *measure(reports, store))]
        rows.append(("nothing changed", *measure(reports, store)))
        shutil.rmtree(store)
        # the largest report (the founding one, 9,336 quads), then one of median size
        by_size = sorted(reports, key=lambda p: p.stat().st_size)
        for name, added in (("largest", by_size[-1]), ("median", by_size[len(by_size) // 2])):
            measure([r for r in reports if r != added], store)
            rows.append((f"one report added ({name})", *measure(reports, store)))
        rows.append(("cold, --no-dumps", *measure(reports, Path(tmp) / "bare", "--no-dumps")))
        serve(store, warm=True)  # the first start after a build, until what it keeps is kept
        started = time.perf_counter()
        measure(reports, store)
        rows.append(("second make serve", *serve(store, started)))
    print(
        f"{'build':28} {'seconds':>8} {'CPU s':>7} {'peak MiB':>9}   load {os.getloadavg()[0]:.1f}"
    )
    for name, seconds, cpu, peak in rows:
        print(f"{name:28} {seconds:8} {cpu:7} {peak:9}")


if __name__ == "__main__":
    main()
