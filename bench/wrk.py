"""Drive an HTTP server with ``wrk`` (Debian package ``wrk``): a C load generator, so that the
load does not compete with the server for the interpreter (a Python loop hid a 0.58 ratio).

``run(url, requests, seconds)`` replays ``requests`` ((path, Accept) pairs) in turn over keep-
alive connections and returns what wrk measured::

    {"requests_per_s": 2650.2, "requests": 21201, "errors": 0, "p50_ms": 5.1, "p99_ms": 18.0, ...}

``errors`` counts non-2xx answers and socket errors (connect, read, write, timeout).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

# wrk's Lua: one request per line of the file named by WRK_REQUESTS ("Accept<TAB>path").
SCRIPT = r"""
local requests = {}
for line in io.lines(os.getenv("WRK_REQUESTS")) do
  local accept, path = line:match("^([^\t]*)\t(.*)$")
  table.insert(requests, wrk.format("GET", path, {["Accept"] = accept}))
end
local i = 0
function setup(thread)
  thread:set("offset", math.floor(#requests / 2) * (i % 2)) -- threads start apart
  i = i + 1
end
local n = 0
function request()
  n = n + 1
  return requests[((n + (offset or 0)) % #requests) + 1]
end
function done(summary, latency, requests)
  io.write(string.format("P50 %d\nP95 %d\nP99 %d\n", latency:percentile(50),
    latency:percentile(95), latency:percentile(99)))
end
"""
_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def available() -> bool:
    """Whether the ``wrk`` command is installed (``apt-get install wrk``)."""
    return shutil.which("wrk") is not None


def run(
    url: str,
    requests: list[tuple[str, str]],
    seconds: float,
    *,
    connections: int = 16,
    threads: int = 2,
    timeout: float = 30,
) -> dict:
    """Load ``url`` (scheme and host) with ``requests`` for ``seconds``; wrk's figures."""
    with tempfile.TemporaryDirectory() as tmp:
        script, lines = Path(tmp) / "mix.lua", Path(tmp) / "requests.tsv"
        script.write_text(SCRIPT)
        lines.write_text("".join(f"{accept}\t{path}\n" for path, accept in requests))
        command = [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            f"--timeout={timeout:g}s",
            "-s",
            str(script),
            url,
        ]
        out = subprocess.run(
            command, capture_output=True, text=True, check=True, env={"WRK_REQUESTS": str(lines)}
        ).stdout
    return parse(out)


def parse(out: str) -> dict:
    """wrk's report as numbers."""
    done = re.search(r"(\d+) requests in", out)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    result = {
        "requests_per_s": float(rate.group(1)) if rate else 0.0,
        "requests": int(done.group(1)) if done else 0,
        "errors": (int(non_2xx.group(1)) if non_2xx else 0)
        + (sum(int(g) for g in sockets.groups()) if sockets else 0),
    }
    for name in ("P50", "P95", "P99"):
        match = re.search(rf"^{name} (\d+)$", out, re.M)  # microseconds
        result[f"{name.lower()}_ms"] = round(int(match.group(1)) / 1000, 2) if match else None
    return result
