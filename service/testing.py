"""Helpers for tests and benchmarks: a small on-disk store and the real server in a subprocess.

>>> build_protocol_store(tmp / "store", Path("tests/w3c"))        # doctest: +SKIP
>>> with LiveServer(tmp / "store", query_timeout=3) as server:     # doctest: +SKIP
...     requests.get(server.url + "/sparql", params={"query": "ASK {}"})
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import requests

from ..kg.vocab import ID_BASE, POL, RDF, RDFS

W3C_GRAPH = "http://kasei.us/2009/09/sparql/data/data{n}.rdf"
BASE = ID_BASE
TEST_GRAPH = BASE + "graph/test"
RDFS_LABEL = RDFS.label
RDF_TYPE = RDF.type
SLOGAN = POL.Slogan
JSON = "application/sparql-results+json"
# A four-way cross product: over a store of build_protocol_store() it never ends on its own.
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def build_protocol_store(path: Path, w3c_dir: Path, filler: int = 1500) -> Path:
    """An Oxigraph store at ``path``: the W3C protocol data as named graphs
    ``<http://kasei.us/2009/09/sparql/data/dataN.rdf>``, plus a test graph holding one slogan
    (``id:slogan/si-zhu-lian-0c35204a`` 四主链) and ``filler`` labelled things (so that a four-way cross
    product never ends)."""
    store = ox.Store(str(path))
    for data in sorted(w3c_dir.glob("data*.nt")):
        n = data.stem.removeprefix("data")
        store.bulk_load(
            path=str(data),
            format=ox.RdfFormat.N_TRIPLES,
            to_graph=ox.NamedNode(W3C_GRAPH.format(n=n)),
        )
    graph = ox.NamedNode(TEST_GRAPH)
    slogan = ox.NamedNode(BASE + "slogan/si-zhu-lian-0c35204a")
    quads = [
        ox.Quad(slogan, RDF_TYPE, SLOGAN, graph),
        ox.Quad(slogan, RDFS_LABEL, ox.Literal("四主链", language="zh"), graph),
    ]
    quads += [
        ox.Quad(ox.NamedNode(f"{BASE}thing/{i}"), RDFS_LABEL, ox.Literal(f"事物{i}"), graph)
        for i in range(filler)
    ]
    store.extend(quads)
    store.flush()
    del store
    return path


def warmed_app(config: dict[str, Any]):
    """``create_app(config)`` once its warm-up is done, as ``policykg serve`` waits for it
    before its first user: nothing the warm-up makes meanwhile (indexes, downloads) mixes
    with what a test reads or changes."""
    from . import create_app

    app = create_app(config)
    app.extensions["policykg.warming"].join()
    return app


class LiveServer:
    """``policykg serve`` on a free loopback port, stopped on exit.

    Entered once every query worker is up and the warm-up done (with ``every_worker``; ours
    answers from its first worker on).
    ``command`` runs another server instead; it must print a line ending ``at URL/sparql``.
    """

    def __init__(
        self,
        store: Path,
        query_timeout: float = 30,
        command: list[str] | None = None,
        every_worker: bool = True,
        **settings: Any,
    ):
        self.every_worker = every_worker and command is None
        self.command = command or [
            sys.executable,
            "-m",
            "policykg.cli",
            "serve",
            "--store",
            str(store),
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--query-timeout",
            str(query_timeout),
        ]
        for name, value in settings.items() if command is None else ():
            self.command += ["--setting", name, str(value)]
        self.process: subprocess.Popen | None = None
        self.url = ""
        self.output: list[str] = []

    def __enter__(self) -> LiveServer:
        self.process = subprocess.Popen(
            self.command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            if match := re.search(r" at (http://\S+)/sparql$", line.strip()):
                self.url = match.group(1)
                break
        if not self.url:
            self.process.wait(10)
            raise RuntimeError("the server did not start:\n" + "".join(self.output))
        # keep draining the output so the server never blocks on a full pipe
        threading.Thread(target=self._drain, daemon=True).start()
        if self.every_worker:
            self._wait_until_ready()
        return self

    def _wait_until_ready(self, seconds: float = 120) -> None:
        """Tests start from a full pool and a finished warm-up: ours answers once its first
        query worker is up and starts the others after it, and makes what pages read (and the
        downloads, whose queries count in the cache's statistics) meanwhile (``/healthz`` says
        ``ok`` and ``warm`` when all is done)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with contextlib.suppress(requests.RequestException, ValueError):  # 503: none yet
                health = requests.get(self.url + "/healthz", timeout=5).json()
                if health["status"] == "ok" and health["warm"]:
                    return
            time.sleep(0.1)
        raise RuntimeError("the server did not get ready:\n" + "".join(self.output))

    def _drain(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)

    def __exit__(self, *exc) -> None:
        assert self.process is not None
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


def select_json(endpoint: str, query: str, **params: Any) -> dict:
    """The SPARQL JSON answer of ``query`` (GET), asserting it succeeded."""
    response = requests.get(endpoint, params={"query": query, **params}, headers={"Accept": JSON})
    assert response.status_code == 200, response.text
    return response.json()


def select_count(endpoint: str, query: str, **params: Any) -> int:
    """The ``?n`` of a one-row SELECT such as ``SELECT (COUNT(*) AS ?n) ...``."""
    bindings = select_json(endpoint, query, **params)["results"]["bindings"]
    return int(bindings[0]["n"]["value"])


VIRTUOSO = "virtuoso-t"  # Debian's virtuoso-opensource (see .ci/system-deps)
VIRTUOSO_INI = """\
[Database]
DatabaseFile       = {dir}/virtuoso.db
ErrorLogFile       = {dir}/virtuoso.log
LockFile           = {dir}/virtuoso.lck
TransactionFile    = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
[TempDatabase]
DatabaseFile       = {dir}/virtuoso-temp.db
TransactionFile    = {dir}/virtuoso-temp.trx
[Parameters]
ServerPort         = 127.0.0.1:{sql_port}
DisableUnixSocket  = 1
NumberOfBuffers    = {buffers}
MaxDirtyBuffers    = {dirty}
DirsAllowed        = ., {dir}
CheckpointInterval = 0
# a page deep in a long sorted answer (LIMIT/OFFSET past 10,000 rows, SR353 otherwise)
MaxSortedTopRows   = 10000000
[HTTPServer]
ServerPort         = 127.0.0.1:{http_port}
ServerRoot         = {dir}
ServerThreads      = 10
[SPARQL]
ResultSetMaxRows       = 10000000
MaxQueryExecutionTime  = {max_query_seconds}
MaxQueryCostEstimationTime = 0
"""


# What an operator does once for a public endpoint (README, "Your own SPARQL server"): Virtuoso's
# own graphs become private, unseen by the anonymous SPARQL user, who reads every other graph.
VIRTUOSO_PRIVATE_SYSTEM_GRAPHS = """\
DB.DBA.RDF_GRAPH_GROUP_CREATE ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs', 1);
DB.DBA.RDF_GRAPH_GROUP_INS ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs', 'http://www.openlinksw.com/schemas/virtrdf#');
DB.DBA.RDF_GRAPH_GROUP_INS ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs', 'http://www.w3.org/ns/ldp#');
DB.DBA.RDF_GRAPH_GROUP_INS ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs', 'http://localuriqaserver/sparql');
DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 1, 0);
DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 0, 1);
"""


def free_port() -> int:
    """A TCP port nothing listens on now, on the loopback interface."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Virtuoso:
    """Virtuoso Open Source (``virtuoso-t``) on free loopback ports with its own database in
    ``directory``, never the system service; stopped (and its database left there) on exit.

    ``url`` is the SPARQL query endpoint; ``graph_store`` the Graph Store Protocol endpoint that
    takes Digest authentication as ``dba``/``dba`` (a fresh database's administrator).

    >>> with Virtuoso(tmp / "virtuoso") as v:                   # doctest: +SKIP
    ...     RemoteStore(v.url).query("ASK {}")
    True
    """

    USER = "dba"
    PASSWORD = "dba"

    def __init__(
        self,
        directory: Path,
        memory_mb: int = 400,
        start_timeout: float = 180,
        max_query_seconds: int = 120,
    ):
        self.directory = Path(directory)
        self.max_query_seconds = max_query_seconds  # the server's own limit on every query
        self.http_port = free_port()
        self.sql_port = free_port()
        self.memory_mb = memory_mb
        self.start_timeout = start_timeout
        self.url = f"http://127.0.0.1:{self.http_port}/sparql"
        self.graph_store = f"http://127.0.0.1:{self.http_port}/sparql-graph-crud-auth"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Virtuoso:
        import shutil
        import time

        binary = shutil.which(VIRTUOSO)
        if binary is None:
            raise FileNotFoundError(
                f"{VIRTUOSO} not found: run .ci/system-deps (virtuoso-opensource)"
            )
        self.directory.mkdir(parents=True, exist_ok=True)
        buffers = self.memory_mb * 1024 // 8 * 2 // 3  # Virtuoso's rule: 8 KiB pages, 2/3 of RAM
        ini = self.directory / "virtuoso.ini"
        ini.write_text(
            VIRTUOSO_INI.format(
                dir=self.directory,
                sql_port=self.sql_port,
                http_port=self.http_port,
                buffers=buffers,
                dirty=buffers * 3 // 4,
                max_query_seconds=self.max_query_seconds,
            )
        )
        self.process = subprocess.Popen(
            [binary, "+foreground", "+configfile", str(ini)],
            cwd=self.directory,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = (self.directory / "virtuoso.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"virtuoso-t exited ({self.process.returncode}):\n{log}")
            try:
                if requests.get(self.url, params={"query": "ASK {}"}, timeout=2).ok:
                    self.sql(VIRTUOSO_PRIVATE_SYSTEM_GRAPHS)
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.5)
        self.__exit__()
        raise RuntimeError(f"virtuoso-t did not answer within {self.start_timeout:g} s")

    def sql(self, statements: str, timeout: float = 120) -> str:
        """Run SQL statements as ``dba`` with ``isql-vt`` (within ``timeout`` seconds); its
        output.

        :raises RuntimeError: if a statement fails.
        """
        script = self.directory / "statements.sql"
        script.write_text(statements)
        done = subprocess.run(
            ["isql-vt", f"127.0.0.1:{self.sql_port}", self.USER, self.PASSWORD, str(script)],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise RuntimeError(f"isql-vt failed: {done.stdout[-1000:]}{done.stderr[-1000:]}")
        return done.stdout

    def __exit__(self, *exc) -> None:
        if self.process is None:
            return
        self.process.terminate()  # Virtuoso checkpoints and stops on SIGTERM
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        self.process = None
