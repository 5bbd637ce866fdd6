"""Build time and peak memory of the bundled corpus: cold, one report added, nothing changed.

python -m bench build        # or: make bench

Each build runs as ``policykg build`` in its own process, as users run it; peak memory is the
largest resident set of the build and its worker processes.
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


def main() -> None:
    reports = sorted(SOURCES.glob("*.txt"))
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        rows = [(f"cold, all {len(reports)} reports", *measure(reports, store))]
        rows.append(("nothing changed", *measure(reports, store)))
        shutil.rmtree(store)
        measure(reports[:-1], store)
        rows.append(("one report added", *measure(reports, store)))
        rows.append(("cold, --no-dumps", *measure(reports, Path(tmp) / "bare", "--no-dumps")))
    print(
        f"{'build':28} {'seconds':>8} {'CPU s':>7} {'peak MiB':>9}   load {os.getloadavg()[0]:.1f}"
    )
    for name, seconds, cpu, peak in rows:
        print(f"{name:28} {seconds:8} {cpu:7} {peak:9}")


if __name__ == "__main__":
    main()
