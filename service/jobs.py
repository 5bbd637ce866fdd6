"""Running a query job for a request: the one way the endpoint and the catalogue's named
queries reach the query workers (``pool.py``), with the result cache, each client's share of
the workers (:class:`ClientSlots`, ``MAX_QUERIES_PER_CLIENT``) and the errors a refusal
answers with.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Flask, current_app, request

from policykg.errors import PolicyKGError

from .cache import job_key
from .db import Backend, get_backend
from .errors import ServiceError
from .pool import OutOfMemory, PoolBusy, PoolClosed, QueryFailed, QueryTimeout, WorkerLost
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
        memory cap, a store version no longer served), 500 (the engine crashed), 413 (answer
        too large), 400 (the engine refused the query, or the answer has more than
        ``MAX_ROWS`` rows and is not a page).
    """
    config = app.config
    job.max_bytes = config["MAX_RESPONSE_BYTES"]
    timeout = config["QUERY_TIMEOUT"]
    key = job_key(job) if backend.cache.enabled else None
    if key is not None and isinstance(cached := backend.cache.get(key), Answer):
        return cached
    retry = {"Retry-After": str(config["RETRY_AFTER"])}
    pool, slots = backend.pool, app.extensions[SLOTS]
    try:
        started = slots.start(client, lambda block: pool.start(job, timeout, block=block))
        try:
            answer = pool.finish(started)
        finally:
            slots.release(client)
    except ClientBusy:
        raise ServiceError(
            f"this client already has {slots.limit} queries running; wait for one to finish "
            "(MAX_QUERIES_PER_CLIENT)",
            429,
            headers=retry,
        ) from None
    except PoolBusy:
        raise ServiceError(
            "too many queries at once; try again shortly", 429, headers=retry
        ) from None
    except (QueryTimeout, OutOfMemory, PoolClosed) as e:
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

T = TypeVar("T")


class ClientBusy(PolicyKGError):
    """The client held all of its slots for as long as a query may wait for one."""


@dataclass
class _Waiting:
    """A query waiting for one of its client's slots, and what starts it."""

    begin: Callable[[bool], Any]
    ready: threading.Condition
    granted: bool = False  # a slot was passed to it
    tried: bool = False  # the thread that passed it the slot tried to start it
    started: Any = None
    error: BaseException | None = None


@dataclass
class _Client:
    """One client's running queries, and the queries waiting for one of them to end."""

    held: int = 0
    waiting: deque[_Waiting] = field(default_factory=deque)


class ClientSlots:
    """How many queries each client address has running, capped per address. A client past
    its share waits a moment for one of its own queries to end (a client with many connections
    of quick queries is queued, not refused), then gets 429.

    A query that ends passes its slot to its client's first waiting query and starts it at once
    on the worker it has just freed (:meth:`release`), so that the worker never idles while the
    waiting thread wakes up: with one client on more connections than its share, as a bench or
    a crawler is, that hand-over would otherwise cost a quarter of the throughput.
    """

    def __init__(self, limit: int):
        self.limit = limit
        self._lock = threading.Lock()
        self._clients: dict[str, _Client] = {}

    def start(self, client: str, begin: Callable[[bool], T | None], wait: float = CLIENT_WAIT) -> T:
        """Take a slot for ``client`` and start its query in it: ``begin(block)`` (which returns
        None, having started nothing, only when ``block`` is False). :meth:`release` the slot
        once the query has ended.

        :raises ClientBusy: if the client held every slot for all of ``wait``.
        """
        with self._lock:
            entry = self._clients.get(client)
            if entry is None:
                entry = self._clients[client] = _Client()
            if entry.held < self.limit and not entry.waiting:
                entry.held += 1
                waiting = None
            else:
                waiting = _Waiting(begin, threading.Condition(self._lock))
                entry.waiting.append(waiting)
                if not waiting.ready.wait_for(lambda: waiting.granted, wait):
                    entry.waiting.remove(waiting)
                    if not entry.held and not entry.waiting:
                        del self._clients[client]
                    raise ClientBusy(client)
                waiting.ready.wait_for(lambda: waiting.tried)  # a pipe write away
        try:
            if waiting is not None and waiting.error is not None:
                raise waiting.error
            if waiting is not None and waiting.started is not None:
                return waiting.started
            started = begin(True)
            if started is None:
                raise RuntimeError("begin(True) must start the query")
            return started
        except BaseException:
            self.release(client)
            raise

    def release(self, client: str) -> None:
        """End one of ``client``'s queries: its slot goes to the client's first waiting query,
        started here when a worker is free at once."""
        with self._lock:
            entry = self._clients[client]
            if not entry.waiting:
                entry.held -= 1
                if entry.held <= 0:
                    del self._clients[client]
                return
            waiting = entry.waiting.popleft()
            waiting.granted = True  # the slot passes to it: entry.held stays
        started, error = None, None
        try:
            started = waiting.begin(False)
        except BaseException as e:  # handed to the waiting thread, which raises it
            error = e
        with self._lock:
            waiting.started, waiting.error, waiting.tried = started, error, True
            waiting.ready.notify()


SLOTS = "policykg.clients"  # app.extensions key of the app's ClientSlots


def init_app(app: Flask) -> None:
    """The app's client slots (``MAX_QUERIES_PER_CLIENT``)."""
    app.extensions[SLOTS] = ClientSlots(app.config["MAX_QUERIES_PER_CLIENT"])
