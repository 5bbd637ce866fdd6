"""Build time and peak memory per bundled report (each build in its own process).

python -m bench build        # or: make bench
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

SOURCES = Path(__file__).resolve().parent.parent / "kg" / "sources"

CHILD = """
import json, resource, sys, time
from policykg.kg.build import build
started = time.perf_counter()
result = build(sys.argv[2:], sys.argv[1], dumps=False)
print(json.dumps({"seconds": round(time.perf_counter() - started, 2), "quads": result.quads,
                  "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))
"""


def measure(reports: list[Path]) -> dict:
    """Build ``reports`` in a fresh process; seconds, quads and peak resident memory (MiB)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(Path(tmp) / "store"), *map(str, reports)],
            check=True,
            capture_output=True,
            text=True,
        )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    reports = sorted(SOURCES.glob("*.txt"))
    print(f"{'report':48} {'chars':>7} {'seconds':>8} {'quads':>7} {'peak MiB':>9}")
    for report in reports:
        r = measure([report])
        chars = len(report.read_text("utf-8"))
        print(f"{report.name:48} {chars:7} {r['seconds']:8} {r['quads']:7} {r['peak_mib']:9}")
    r = measure(reports)
    print(f"{'all five':48} {'':7} {r['seconds']:8} {r['quads']:7} {r['peak_mib']:9}")


if __name__ == "__main__":
    main()
