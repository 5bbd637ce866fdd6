"""Run the service with waitress, a production WSGI server (never Flask's development server).

    policykg serve --store var/store --port 5000 --query-timeout 30
    policykg serve --store var/store --port 0 --setting MAX_ROWS 500

With ``--port 0`` the system picks a free port; the first line printed names the URL.
"""

from __future__ import annotations

import signal
import time
from collections import Counter
from pathlib import Path
from typing import Any

import waitress
from waitress.channel import HTTPChannel

from . import create_app, db
from .pool import limit_malloc_arenas


def serve(
    store_path: str | Path,
    host: str = "127.0.0.1",
    port: int = 5000,
    query_timeout: float = 30.0,
    *,
    workers: int | None = None,
    config: dict[str, Any] | None = None,
) -> None:
    """Serve the store at ``store_path`` until interrupted (Ctrl-C or SIGTERM).

    ``config`` sets any other setting of ``settings.SETTINGS``.

    :raises StoreUnavailable: if ``store_path`` holds no store.
    """
    limit_malloc_arenas()  # before any thread starts
    values = {**(config or {}), "STORE_PATH": str(store_path), "QUERY_TIMEOUT": query_timeout}
    if workers:
        values["WORKERS"] = workers
    app = create_app(values)
    db.start(app)  # the query workers are warm before the first request
    server = waitress.create_server(
        app,
        host=host,
        port=port,
        threads=app.config["THREADS"],
        # waitress buffers a body before the app sees it; the app answers 413 below twice this
        max_request_body_size=2 * app.config["MAX_BODY_BYTES"],
        ident="policykg",
        clear_untrusted_proxy_headers=True,
        connection_limit=app.config["MAX_CONNECTIONS"],
    )
    server.channel_class = guarded_channel(  # type: ignore[union-attr]
        app.config["MAX_CONNECTIONS_PER_CLIENT"], app.config["HEADER_TIMEOUT"]
    )
    signal.signal(signal.SIGTERM, _stop)
    url = f"http://{host}:{server.effective_port}/sparql"  # type: ignore[union-attr]
    print(f"PolicyKG SPARQL endpoint at {url}", flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        db.close(app)


def guarded_channel(per_client: int, header_timeout: float) -> type[HTTPChannel]:
    """Waitress' connection class, made to resist slowloris: a client holds at most
    ``per_client`` connections, and must send each request's headers within ``header_timeout``
    seconds (waitress alone only closes connections that go fully silent)."""
    open_by_client: Counter[str] = Counter()

    class GuardedChannel(HTTPChannel):
        def __init__(self, server, sock, addr, adj, map=None):
            super().__init__(server, sock, addr, adj, map)
            self.client = addr[0] if isinstance(addr, tuple) else str(addr)
            self.counted = True
            self.request_started = 0.0
            open_by_client[self.client] += 1
            if open_by_client[self.client] > per_client:
                self.will_close = True  # closed before anything is read

        def received(self, data: bytes) -> bool:
            if self.request is None:
                self.request_started = time.monotonic()
            result = super().received(data)
            pending = self.request is not None and not self.request.headers_finished
            if pending and time.monotonic() - self.request_started > header_timeout:
                self.will_close = True
            return result

        def handle_close(self) -> None:
            if self.counted:
                self.counted = False
                open_by_client[self.client] -= 1
                if open_by_client[self.client] <= 0:
                    del open_by_client[self.client]
            super().handle_close()

    return GuardedChannel


def _stop(signum, frame) -> None:
    raise KeyboardInterrupt
