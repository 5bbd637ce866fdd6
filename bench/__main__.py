"""``python -m bench [NAME ...] [-- ARGS]`` (``make bench``): run the named benchmarks, or all.

One benchmark takes its options directly: ``python -m bench scale --factor 10 --store DIR``.

Each benchmark is a module here with a ``main()`` (or ``main(argv)``); add one line to
:data:`BENCHES` to register another.
"""

from __future__ import annotations

import inspect
import sys
from importlib import import_module

BENCHES = {
    "build": "bench.bench_build",
    "terms": "bench.bench_terms",
    "endpoint": "bench.bench_endpoint",
    "soak": "bench.bench_soak",
    "scale": "bench.bench_scale",
    "pages": "bench.bench_pages",
    "cache": "bench.bench_cache",
}


def main(argv: list[str]) -> int:
    names, rest = argv, []
    if "--" in argv:
        cut = argv.index("--")
        names, rest = argv[:cut], argv[cut + 1 :]
    elif argv and any(a.startswith("-") for a in argv):  # NAME --option ...: one bench's options
        cut = next(i for i, a in enumerate(argv) if a.startswith("-"))
        names, rest = argv[:cut], argv[cut:]
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        print(f"unknown benchmark {unknown[0]}; known: {', '.join(BENCHES)}", file=sys.stderr)
        return 2
    status = 0
    for name in names or list(BENCHES):
        print(f"== bench {name}", flush=True)
        entry = import_module(BENCHES[name]).main
        result = entry(rest) if inspect.signature(entry).parameters else entry()
        status = status or (result or 0)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
