"""Who runs users' queries: worker processes over the embedded store, or threads before a server
(some 640 lines, one module: the two pools share the admission, deadline and error protocol,
and the worker loop must agree with the parent on every message over the pipe).

Over the embedded store (:class:`QueryPool`), query worker processes are the only way to really
stop a pyoxigraph query. Before a SPARQL server (:class:`ServerPool`) the server does the work;
the pool admits as many queries, bounds each by the same timeout (sent to the server as a hint
and enforced here) and reads only what the row and byte caps let through.

pyoxigraph has no cancellation, so user queries never run in the web process. Each worker is
a process that opens the store read-only, drops its network access, and answers jobs
(:class:`~.results.Job`) over a pipe. A job that passes its deadline, or whose worker grows past
the memory cap (its resident size is read from ``/proc`` while the job runs), gets its worker
killed (SIGKILL) and a fresh one started in the background; the other workers keep answering,
and the pool stays warm so a common query never pays a process start. A replacement that fails
to start (the store briefly missing during a rebuild) is retried with a growing delay, so the
pool heals itself. Jobs and answers cross the pipe as plain pickles; after a big answer both
sides hand the memory it took back to the system (:func:`release_memory`), so a process's
resident size does not keep its largest answer.

Exceptions::

    PoolError
    ├── PoolBusy       more queries than ``max_queries`` at once: try again later
    ├── QueryTimeout   no answer before the deadline; the worker was killed and replaced
    ├── OutOfMemory    the worker grew past ``max_memory``; it was killed and replaced
    ├── WorkerLost     the worker died while answering (it is replaced)
    └── QueryFailed    the engine refused the query: status, message, line, column
"""

from __future__ import annotations

import ctypes
import itertools
import logging
import math
import multiprocessing as mp
import os
import pickle
import queue
import select
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from policykg.errors import PolicyKGError

from ..kg.store import (
    QuerySyntaxError,
    Store,
    StoreError,
    StoreTimeout,
    StoreUnavailable,
    open_store,
)
from .results import Answer, Job, NotAcceptable, TooLarge, TooManyRows, evaluate

log = logging.getLogger(__name__)

START_TIMEOUT = 60.0  # seconds a new worker may take to import and open the store
STACK_MIB = 512  # stack of the thread that runs a worker's queries (see worker_main)
WATCH_INTERVAL = 0.02  # seconds between two looks at a busy worker's memory
RETRY_DELAYS = (
    0.5,
    1.0,
    2.0,
    5.0,
    10.0,
    30.0,
)  # before each new try to start a worker; the last repeats
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
# Jobs and answers cross the pipe as plain pickles (multiprocessing's own pickler costs more).
PICKLE = pickle.HIGHEST_PROTOCOL
# An answer at least this large is followed by a release_memory() (in the worker, and a few
# seconds later, once it has been sent, in the web process).
BIG_ANSWER = 8 << 20
JOB_FIELDS = tuple(f.name for f in fields(Job))
TRIM_DELAY = 5.0


def _glibc(name: str):
    try:
        return getattr(ctypes.CDLL(None), name)
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to tune
        return None


_MALLOC_TRIM = _glibc("malloc_trim")
_MALLOPT = _glibc("mallopt")
M_ARENA_MAX = -8  # glibc's mallopt parameter


def limit_malloc_arenas(count: int = 2) -> None:
    """Let the threads of this process share ``count`` malloc arenas. glibc gives each thread
    that meets contention an arena of its own (up to 8 per core), and each keeps the most its
    threads ever held: under load, the web process's 32 request threads made it grow by tens
    of MiB an hour with a flat Python heap. Call before the threads start."""
    if _MALLOPT is not None:
        _MALLOPT(M_ARENA_MAX, count)


def release_memory() -> None:
    """Hand the heap's free pages back to the system. glibc keeps what a process freed for its
    next allocations: after one answer of a hundred MiB (built in many small pieces, copied
    through the pipe, written by waitress), a worker and the web process each stayed 150-250
    MiB larger, for ever, and the soak saw the web process grow without a leak."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def own_resident_bytes() -> Callable[[], int]:
    """A reader of this process's resident bytes (0 when they cannot be read): ``/proc/self/statm``
    kept open and read again from its start, a tenth of the cost of opening it, which a worker
    would pay on every job."""
    try:
        fd = os.open("/proc/self/statm", os.O_RDONLY)
    except OSError:
        return lambda: 0

    def read() -> int:
        try:
            return int(os.pread(fd, 128, 0).split()[1]) * PAGE_SIZE
        except (OSError, ValueError, IndexError):
            return 0

    return read


def resident_bytes(pid: int | str = "self") -> int:
    """Resident bytes of a process (0 when they cannot be read: not Linux, or gone)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * PAGE_SIZE
    except (OSError, ValueError, IndexError):
        return 0


class PoolError(PolicyKGError):
    """Base of the errors raised by :meth:`QueryPool.run`."""


class PoolBusy(PoolError):
    """As many queries as the pool admits are already running or waiting."""


class QueryTimeout(PoolError):
    """The query had no answer before its deadline."""


class PoolClosed(PoolError):
    """The pool was closed (its store version is no longer served)."""


class OutOfMemory(PoolError):
    """The worker grew past the pool's memory cap while answering; it was killed."""


class WorkerLost(PoolError):
    """The worker process died while answering."""


@dataclass
class Failure:
    """Why the engine refused a job; an HTTP status and a message a user can act on."""

    status: int
    message: str
    line: int | None = None
    column: int | None = None


class QueryFailed(PoolError):
    """The engine refused the query (syntax error, no acceptable format...)."""

    def __init__(self, failure: Failure):
        super().__init__(failure.message)
        self.failure = failure


@dataclass
class Started:
    """A job handed to a worker (or to a thread, before a server), its answer still to come."""

    worker: Any  # the Worker answering it; a Future before a SPARQL server
    deadline: float
    timeout: float


# ---------------------------------------------------------------- the worker process


def drop_network() -> bool:
    """Move this process into an empty network namespace (Linux): no socket can reach anything.

    Tried as root (CAP_SYS_ADMIN) and then through an unprivileged user namespace. Returns
    whether it worked; the screen in ``screening.py`` still refuses SERVICE when it did not.
    """
    if not sys.platform.startswith("linux"):
        return False
    clone_newuser, clone_newnet = 0x10000000, 0x40000000
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    return any(libc.unshare(flags) == 0 for flags in (clone_newnet, clone_newuser | clone_newnet))


def worker_main(conn, store_path: str, prefixes: dict[str, str]) -> None:
    """Body of a worker process: answer jobs from ``conn`` until it closes.

    The work runs in a thread with a large stack: the engine parses and plans recursively, one
    level per operator, and a long chain (10,000 UNIONs, ``1+1+…``) overflows the main thread's
    8 MiB and kills the process. With ``STACK_MIB`` the longest query ``MAX_QUERY_BYTES`` admits
    is only slow, and the timeout stops it. Only the pages it touches are ever allocated.
    """
    isolated = drop_network()  # single-threaded still: unshare applies to the caller's threads
    threading.stack_size(STACK_MIB << 20)
    thread = threading.Thread(target=_serve_jobs, args=(conn, store_path, prefixes, isolated))
    thread.start()
    thread.join()


def _serve_jobs(conn, store_path: str, prefixes: dict[str, str], isolated: bool) -> None:
    try:
        store = open_store(store_path)
    except StoreError as e:
        conn.send(("failed", str(e)))
        return
    conn.send(("ready", isolated))
    resident = own_resident_bytes()
    settled = resident()
    while True:
        try:
            message = conn.recv_bytes()
        except (EOFError, OSError):
            return
        if not message:
            return
        conn.send_bytes(encode(answer(store, Job(*pickle.loads(message)), prefixes)))
        if resident() > settled + BIG_ANSWER:  # a big answer (or refusal) was built
            release_memory()
            settled = resident()  # what stays is the engine's own (caches): kept


def job_fields(job: Job) -> tuple:
    """``job`` for the pipe, as the tuple of its fields (``Job(*fields)`` again): a tuple pickles
    at a fifth of a dataclass's cost."""
    return tuple(getattr(job, name) for name in JOB_FIELDS)


def encode(reply: Answer | Failure) -> bytes:
    """``reply`` for the pipe: a serialised answer as a plain tuple (its body is most of it, and
    a tuple pickles at a fraction of a dataclass's cost), anything else pickled whole."""
    if isinstance(reply, Answer) and reply.table is None:
        return pickle.dumps((reply.media_type, reply.body, reply.truncated), PICKLE)
    return pickle.dumps(reply, PICKLE)


def decode(message: bytes) -> Answer | Failure:
    """The reply :func:`encode` wrote."""
    reply = pickle.loads(message)
    return Answer(*reply) if isinstance(reply, tuple) else reply


def answer(
    store: Store, job: Job, prefixes: dict[str, str], timeout: float | None = None
) -> Answer | Failure:
    """The answer to ``job``, or the :class:`Failure` that explains why there is none.

    :raises StoreTimeout: if a server stopped the query at ``timeout``.
    """
    try:
        return evaluate(store, job, prefixes, timeout)
    except StoreTimeout:
        raise
    except QuerySyntaxError as e:
        return Failure(400, str(e), e.line, e.column)
    except TooManyRows as e:
        return Failure(400, str(e))
    except NotAcceptable as e:
        return Failure(406, f"the client accepts no format for {e.form} results")
    except TooLarge as e:
        return Failure(413, str(e))
    except (StoreError, OSError) as e:
        return Failure(503, f"the store cannot be read: {e}")
    except (ValueError, TypeError, RuntimeError) as e:
        # pyoxigraph raises RuntimeError for evaluation errors the query causes
        # ("The custom function <urn:f> is not supported")
        return Failure(400, str(e))
    except Exception as e:  # the engine's own failure: report it, keep the worker
        return Failure(500, f"the query engine failed: {type(e).__name__}")


# ---------------------------------------------------------------- the pool, in the web process


class Worker:
    """A started worker process and the parent's end of its pipe."""

    def __init__(self, context, store_path: str, prefixes: dict[str, str]):
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=worker_main, args=(child, store_path, prefixes), daemon=True
        )
        self.process.start()
        child.close()
        self.isolated = False
        self._killing = threading.Lock()
        # One poll object for the life of the pipe (Connection.poll builds a selector each time).
        self._readable = select.poll()
        self._readable.register(self.conn.fileno(), select.POLLIN)

    def wait(self, seconds: float) -> bool:
        """Whether the worker has sent something (an answer, or EOF) within ``seconds``."""
        return bool(self._readable.poll(max(0, math.ceil(seconds * 1000))))

    def wait_ready(self, timeout: float) -> None:
        """Block until the worker has opened the store.

        :raises StoreUnavailable: if it could not, or did not say within ``timeout``.
        """
        if not self.conn.poll(timeout):
            self.kill()
            raise StoreUnavailable(f"a query worker did not start within {timeout:.0f} s")
        try:
            status, detail = self.conn.recv()
        except (EOFError, OSError):
            status, detail = "failed", "the worker exited"
        if status != "ready":
            self.kill()
            raise StoreUnavailable(detail)
        self.isolated = bool(detail)

    def memory(self) -> int:
        """Resident bytes of the process (0 when it cannot be read: not Linux, or gone)."""
        return resident_bytes(self.process.pid) if self.process.pid else 0

    def kill(self) -> None:
        """SIGKILL the process and reap it, once: the pool's close and a thread that finds
        the worker gone while answering (the app's warm-up at a store switch) may both kill it,
        and a pipe closed twice closes whatever file took its number in between."""
        with self._killing:
            if self.conn.closed:
                return
            self.process.kill()
            self.process.join(5)
            self.conn.close()


class QueryPool:
    """``size`` warm worker processes over the read-only store at ``store_path``.

    At most ``max_queries`` jobs are admitted at once (running or waiting for a worker); a
    worker whose resident memory passes ``max_memory`` bytes while answering is killed.

    >>> pool = QueryPool("var/store", 2)                       # doctest: +SKIP
    >>> pool.run(Job("ASK {}", "text/csv", None, 100), timeout=5).body.split()  # doctest: +SKIP
    [b'_askResult', b'true']
    """

    def __init__(
        self,
        store_path: str | Path,
        size: int,
        prefixes: dict[str, str] | None = None,
        *,
        max_queries: int = 32,
        max_memory: int = 0,
    ):
        self._admitted = threading.BoundedSemaphore(max_queries)
        self.size = size
        self.max_memory = max_memory  # bytes; 0: no cap
        self.store_path = str(store_path)
        self.prefixes = dict(prefixes or {})
        self._context = mp.get_context("spawn")  # never fork a threaded server
        self._idle: queue.SimpleQueue[Worker] = queue.SimpleQueue()
        self._live: set[Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._release_pending = False
        self.network_isolated = True
        # The first worker is waited for (it proves the store opens); the others start after
        # it, in the background, so a server answers after one process start, not ``size``.
        first = Worker(self._context, self.store_path, self.prefixes)
        first.wait_ready(START_TIMEOUT)
        self._add(first)
        for _ in range(size - 1):
            threading.Thread(target=self._replace, name="policykg-start", daemon=True).start()

    def run(self, job: Job, timeout: float) -> Answer:
        """Answer ``job`` within ``timeout`` seconds (waiting for a free worker included).

        :raises PoolBusy: if ``max_queries`` jobs are already admitted.
        :raises QueryTimeout: if no answer came in time (the worker is killed and replaced).
        :raises OutOfMemory: if the worker grew past ``max_memory`` (it is killed and replaced).
        :raises WorkerLost: if the worker died while answering.
        :raises QueryFailed: if the engine refused the query.
        """
        started = self.start(job, timeout)
        assert started is not None  # a blocking start waits for a worker or raises
        return self.finish(started)

    def start(self, job: Job, timeout: float, *, block: bool = True) -> Started | None:
        """Admit ``job`` and hand it to a worker; :meth:`finish` waits for its answer. Without
        ``block``, None (nothing admitted) when no worker is idle at once.

        :raises PoolBusy: if ``max_queries`` jobs are already admitted.
        :raises QueryTimeout: if no worker became free within ``timeout``.
        :raises PoolClosed: if the pool was closed (no worker would ever be free).
        """
        if self._closed:
            raise PoolClosed("the query workers of this store version were stopped")
        if not self._admitted.acquire(blocking=False):
            raise PoolBusy("too many queries at once")
        deadline = time.monotonic() + timeout
        try:
            worker = self._send(job, deadline, block)
        except BaseException:
            self._admitted.release()
            raise
        if worker is None:
            self._admitted.release()
            return None
        return Started(worker, deadline, timeout)

    def finish(self, started: Started) -> Answer:
        """The answer to a job :meth:`start` handed to a worker (raises as :meth:`run`)."""
        try:
            return self._collect(started.worker, started.deadline, started.timeout)
        finally:
            self._admitted.release()

    def _collect(self, worker: Worker, deadline: float, timeout: float) -> Answer:
        try:
            self._watch(worker, deadline, timeout)
            reply = decode(worker.conn.recv_bytes())
        except (EOFError, OSError) as e:
            self._retire(worker)
            raise WorkerLost("the query worker stopped while answering") from e
        self._idle.put(worker)
        if isinstance(reply, Failure):
            raise QueryFailed(reply)
        if len(reply.body) >= BIG_ANSWER:
            self._release_later()
        return reply

    def _release_later(self) -> None:
        """:func:`release_memory` once a big answer has had time to be sent (one pending at a
        time, however many big answers pass)."""
        with self._lock:
            if self._release_pending:
                return
            self._release_pending = True

        def release() -> None:
            with self._lock:
                self._release_pending = False
            release_memory()

        timer = threading.Timer(TRIM_DELAY, release)
        timer.daemon = True
        timer.start()

    def _watch(self, worker: Worker, deadline: float, timeout: float) -> None:
        """Wait for ``worker``'s reply, killing it at the deadline or past the memory cap."""
        while not worker.wait(min(WATCH_INTERVAL, deadline - time.monotonic())):
            if time.monotonic() >= deadline:
                self._retire(worker)
                raise QueryTimeout(f"the query ran longer than {timeout:g} s and was stopped")
            if self.max_memory and worker.memory() > self.max_memory:
                self._retire(worker)
                raise OutOfMemory(
                    f"the query needed more than {self.max_memory >> 20} MiB of memory and was "
                    "stopped; add a LIMIT, or join on fewer unbound patterns"
                )

    def _send(self, job: Job, deadline: float, block: bool = True) -> Worker | None:
        """Hand ``job`` to an idle worker (None when none is idle and ``block`` is False); one
        found dead (its pipe broken) is replaced and the job goes to the next, since it never
        ran."""
        while True:
            try:
                if block:
                    worker = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
                else:
                    worker = self._idle.get_nowait()
            except queue.Empty:
                if not block:
                    return None
                raise QueryTimeout("no query worker became free before the deadline") from None
            try:
                worker.conn.send_bytes(pickle.dumps(job_fields(job), PICKLE))
                return worker
            except OSError:
                self._retire(worker)

    def _add(self, worker: Worker) -> None:
        if not worker.isolated and self.network_isolated:
            self.network_isolated = False
            log.critical(
                "NETWORK ISOLATION FAILED: query workers could not leave the network namespace "
                "(unshare refused, e.g. by a container's seccomp profile); SERVICE and LOAD are "
                "still refused by the query screen, but nothing below it stops a connection"
            )
        with self._lock:
            self._live.add(worker)
        self._idle.put(worker)

    def _retire(self, worker: Worker) -> None:
        """Kill ``worker`` now and start its replacement in the background."""
        with self._lock:
            self._live.discard(worker)
        worker.kill()
        if not self._closed:
            threading.Thread(target=self._replace, name="policykg-respawn", daemon=True).start()

    def _replace(self) -> None:
        """Start a worker (at start-up, or in place of a retired one), trying again with a
        growing delay until one starts or the pool is closed (the store may be missing for a
        moment)."""
        for attempt in itertools.count():
            if self._closed:
                return
            try:
                worker = Worker(self._context, self.store_path, self.prefixes)
                worker.wait_ready(START_TIMEOUT)
            except (StoreUnavailable, OSError) as e:
                delay = RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)]
                log.error(
                    "could not start a query worker (try %d, next in %g s): %s",
                    attempt + 1,
                    delay,
                    e,
                )
                time.sleep(delay)
                continue
            if self._closed:
                worker.kill()
            else:
                self._add(worker)
            return

    def status(self) -> dict:
        """Workers alive and wanted, and whether they run without network (for /healthz)."""
        with self._lock:
            alive = sum(1 for w in self._live if w.process.is_alive())
        return {"alive": alive, "size": self.size, "network_isolated": self.network_isolated}

    def pids(self) -> list[int]:
        """Process ids of the live workers (for tests and status pages)."""
        with self._lock:
            return sorted(w.process.pid for w in self._live if w.process.pid)

    def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        with self._lock:
            workers, self._live = list(self._live), set()
        for worker in workers:
            worker.kill()


# ---------------------------------------------------------------- before a SPARQL server


class ServerPool:
    """Users' queries on a SPARQL server, from threads of the web process.

    The same contract as :class:`QueryPool`: at most ``max_queries`` admitted at once, each
    answered within its timeout or refused with :class:`QueryTimeout` (the server is told the
    timeout too, and its connection is dropped when it passes), the same failures. There is no
    process to isolate: the server holds no way out the service would not also refuse (the
    query screen refuses SERVICE, LOAD, updates and FROM of unknown graphs before a query is
    sent).
    """

    network_isolated = True  # nothing runs here but the HTTP client

    def __init__(
        self, store: Store, prefixes: dict[str, str] | None = None, *, max_queries: int = 32
    ):
        self.store = store
        self.prefixes = dict(prefixes or {})
        self.size = max_queries
        self._admitted = threading.BoundedSemaphore(max_queries)
        self._threads = ThreadPoolExecutor(max_queries, thread_name_prefix="policykg-query")

    def run(self, job: Job, timeout: float) -> Answer:
        """Answer ``job`` within ``timeout`` seconds.

        :raises PoolBusy: if ``max_queries`` jobs are already admitted.
        :raises QueryTimeout: if no answer came in time.
        :raises QueryFailed: if the server refused the query.
        """
        return self.finish(self.start(job, timeout))

    def start(self, job: Job, timeout: float, *, block: bool = True) -> Started:
        """Admit ``job`` and send it to the server from a thread (``block`` changes nothing:
        the threads are as many as the jobs admitted).

        :raises PoolBusy: if ``max_queries`` jobs are already admitted.
        """
        if not self._admitted.acquire(blocking=False):
            raise PoolBusy("too many queries at once")
        try:
            future = self._threads.submit(answer, self.store, job, self.prefixes, timeout)
        except BaseException:
            self._admitted.release()
            raise
        return Started(future, time.monotonic() + timeout, timeout)

    def finish(self, started: Started) -> Answer:
        """The answer to a job :meth:`start` sent (raises as :meth:`run`)."""
        future = started.worker
        try:
            try:
                reply = future.result(max(0.0, started.deadline - time.monotonic()))
            except (FutureTimeout, StoreTimeout):
                future.cancel()
                raise QueryTimeout(
                    f"the query ran longer than {started.timeout:g} s and was stopped"
                ) from None
        finally:
            self._admitted.release()
        if isinstance(reply, Failure):
            raise QueryFailed(reply)
        return reply

    def status(self) -> dict:
        """Whether the server answers a trivial query (for /healthz)."""
        try:
            alive = self.store.query("ASK {}", timeout=5) in (True, False)
        except StoreError:
            alive = False
        return {"alive": self.size if alive else 0, "size": self.size, "network_isolated": True}

    def pids(self) -> list[int]:
        """No worker processes."""
        return []

    def close(self) -> None:
        """Stop admitting; running queries end at their timeout."""
        self._threads.shutdown(wait=False, cancel_futures=True)
