"""Answers of recent queries, kept in the web process so that a repeated query never reaches a
worker.

A key names everything the answer depends on: the query text, its parameters (bindings), the
dataset, the chosen media type, the row and byte caps, and the base IRI. The cache belongs to
one store version (see ``db.Backends``), so a rebuild starts an empty one. It is bounded in
entries and in bytes, and drops the least recently used answers first. Queries whose answer
changes from one run to the next (``RAND()``, ``NOW()``, ``UUID()``, ``BNODE()``...) are never
kept.

    >>> from policykg.service.results import Answer
    >>> cache = ResultCache(max_bytes=10_000, max_entries=2)
    >>> cache.put("k", Answer("text/csv", body=b"x"))
    >>> cache.get("k").body
    b'x'
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Protocol

from .results import Job

_VOLATILE = re.compile(r"(?i)\b(?:RAND|NOW|UUID|STRUUID|BNODE)\s*\(")
ENTRY_OVERHEAD = 200  # bytes counted per entry besides its body and key text


class Cached(Protocol):
    """What the cache keeps: an :class:`Answer`, or a page (``pagecache.Page``)."""

    @property
    def body(self) -> bytes: ...


def job_key(job: Job) -> Hashable | None:
    """The cache key of ``job``, or None when its answer may change between runs."""
    if _VOLATILE.search(job.sparql):
        return None
    bindings = tuple(sorted((k, str(v)) for k, v in job.bindings.items())) if job.bindings else ()
    return (
        job.sparql,
        bindings,
        job.tabular_type,
        job.graph_type,
        job.max_rows,
        job.max_bytes,
        tuple(job.default_graphs) if job.default_graphs is not None else None,
        tuple(job.named_graphs) if job.named_graphs is not None else None,
        job.base_iri,
    )


def _size(key: Hashable, value: Cached) -> int:
    """Rough bytes held by one entry (an HTML table is counted by its cells' text)."""
    size = ENTRY_OVERHEAD + len(value.body) + len(str(key))
    size += sum(len(name) + len(text) for name, text in getattr(value, "headers", ()))
    table = getattr(value, "table", None)
    if table is not None:
        size += sum(len(c[1]) + 40 for row in table.rows for c in row if c)
    return size


class ResultCache:
    """A least-recently-used map of answers (and of whole pages, see ``pagecache.py``), bounded
    by ``max_bytes`` and ``max_entries``."""

    def __init__(self, max_bytes: int, max_entries: int):
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[Cached, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0 and self.max_entries > 0

    def get(self, key: Hashable) -> Cached | None:
        """The answer kept under ``key``, or None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[0]

    def fits(self, size: int) -> bool:
        """Whether an answer of ``size`` bytes would be kept: none takes over a quarter."""
        return self.enabled and size <= self.max_bytes // 4

    def put(self, key: Hashable, answer: Cached) -> None:
        """Keep ``answer`` (unless it alone would take more than a quarter of the cache)."""
        size = _size(key, answer)
        if not self.fits(size):
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (answer, size)
            self._bytes += size
            while self._bytes > self.max_bytes or len(self._entries) > self.max_entries:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped

    def stats(self) -> dict:
        """Entries, bytes, hits and misses (for /healthz)."""
        with self._lock:
            return {
                "entries": len(self._entries),
                "bytes": self._bytes,
                "hits": self.hits,
                "misses": self.misses,
            }
