"""Running a query job for a request: the one way the endpoint and the catalogue's named
queries reach the query workers (``pool.py``), with the result cache, each client's share of
the workers (:class:`ClientSlots`, ``MAX_QUERIES_PER_CLIENT``) and the errors a refusal
answers with.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask, current_app, request

from .cache import job_key
from .db import Backend, get_backend
from .errors import ServiceError
from .pool import OutOfMemory, PoolBusy, QueryFailed, QueryTimeout, WorkerLost
from .results import Answer, Job

MAX_MESSAGE = 400  # pyoxigraph lists every expected token; keep messages readable


def run_job(job: Job) -> Answer:
    """Run ``job`` for the current request (the catalogue's named queries come through here);
    see :func:`answer_job`."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return answer_job(app, get_backend(), job, client())


def client() -> str:
    """The current request's client address (what the per-client share counts)."""
    return request.remote_addr or ""


def answer_job(app: Flask, backend: Backend, job: Job, client: str) -> Answer:
    """Run ``job`` in a query worker, cut at the timeout, the row cap and the byte cap (the
    endpoint and the catalogue both go through here); a repeated job is answered from the
    store version's result cache.

    :raises ServiceError: 429 (too many queries, from all or from this client), 503 (timeout,
        memory cap), 500 (the engine crashed), 413 (answer too large), 400 (the engine refused
        the query, or the answer has more than ``MAX_ROWS`` rows and is not a page).
    """
    config = app.config
    job.max_bytes = config["MAX_RESPONSE_BYTES"]
    key = job_key(job) if backend.cache.enabled else None
    if key is not None and isinstance(cached := backend.cache.get(key), Answer):
        return cached
    retry = {"Retry-After": str(config["RETRY_AFTER"])}
    try:
        with client_slot(app, client, retry):
            answer = backend.pool.run(job, config["QUERY_TIMEOUT"])
    except PoolBusy:
        raise ServiceError(
            "too many queries at once; try again shortly", 429, headers=retry
        ) from None
    except (QueryTimeout, OutOfMemory) as e:
        raise ServiceError(str(e), 503, headers=retry) from None
    except WorkerLost:
        # The engine process died (a crash, not a refusal): the server's fault, not the query's.
        raise ServiceError(
            "the query engine failed while answering this query (the worker was replaced)",
            500,
        ) from None
    except QueryFailed as e:
        f = e.failure
        message = f.message if len(f.message) <= MAX_MESSAGE else f.message[:MAX_MESSAGE] + "…"
        raise ServiceError(message, f.status, line=f.line, column=f.column) from None
    if key is not None:
        backend.cache.put(key, answer)
    return answer


CLIENT_WAIT = 2.0  # seconds a query may wait for one of its client's slots before 429


@dataclass
class _Client:
    """One client's running queries, and the queries waiting for one of them to end."""

    freed: threading.Condition
    held: int = 0
    waiting: int = 0


class ClientSlots:
    """How many queries each client address has running, capped per address. A client past
    its share waits a moment for one of its own queries to end (a client with many connections
    of quick queries is queued, not refused), then gets 429. Each client has its own condition,
    so an ending query wakes one waiter of its own client, not every waiting thread."""

    def __init__(self, limit: int):
        self.limit = limit
        self._lock = threading.Lock()
        self._clients: dict[str, _Client] = {}

    def acquire(self, client: str, wait: float = CLIENT_WAIT) -> bool:
        """Take a slot for ``client``; False when it held ``limit`` for all of ``wait``."""
        with self._lock:
            entry = self._clients.get(client)
            if entry is None:
                entry = self._clients[client] = _Client(threading.Condition(self._lock))
            entry.waiting += 1
            try:
                free = entry.freed.wait_for(lambda: entry.held < self.limit, wait)
            finally:
                entry.waiting -= 1
            if free:
                entry.held += 1
            elif not entry.held and not entry.waiting:
                del self._clients[client]
            return free

    def release(self, client: str) -> None:
        with self._lock:
            entry = self._clients[client]
            entry.held -= 1
            if entry.held <= 0 and not entry.waiting:
                del self._clients[client]
            else:
                entry.freed.notify()


SLOTS = "policykg.clients"  # app.extensions key of the app's ClientSlots


@contextmanager
def client_slot(app: Flask, client: str, retry: dict[str, str]) -> Iterator[None]:
    """Hold one of ``client``'s ``MAX_QUERIES_PER_CLIENT`` query slots for the block, so that
    one client's parallel heavy queries cannot take every worker from the others.

    :raises ServiceError: 429 when the client already holds all of its slots.
    """
    slots = app.extensions[SLOTS]
    if not slots.acquire(client):
        raise ServiceError(
            f"this client already has {slots.limit} queries running; wait for one to finish "
            "(MAX_QUERIES_PER_CLIENT)",
            429,
            headers=retry,
        )
    try:
        yield
    finally:
        slots.release(client)


def init_app(app: Flask) -> None:
    """The app's client slots (``MAX_QUERIES_PER_CLIENT``)."""
    app.extensions[SLOTS] = ClientSlots(app.config["MAX_QUERIES_PER_CLIENT"])
