"""Load a build into a SPARQL server, one named graph at a time.

``policykg build … --store http://host/sparql`` builds into a local directory as usual
(``--local``, where unchanged reports are reused and the dumps written), then makes the server
hold the same named graphs: each graph whose content changed since the last load into that
server is replaced whole by one Graph Store Protocol ``PUT`` (readers see a report's old graph
or its new one, never half of it), and graphs the build no longer has are deleted. What was
loaded where is remembered in ``DIR/published.json`` (graph → SHA-256 of its N-Triples), so a
second load of an unchanged build sends nothing.

Then the merge of the named graphs (the embedded store's default graph, a set) replaces
:data:`~kg.remote.MERGE_GRAPH` whole, and last the description of the load
(:data:`~kg.remote.DATASET_GRAPH`: the named graphs, the merge, an identifier) replaces its
own: :class:`~kg.remote.RemoteStore` reads the merge as the default graph of every query
without FROM (a server's own union, Virtuoso's, would count a triple once per graph that states
it), its graphs from the description (no scan of the server), and the identifier as the store
version.

    >>> publish(open_store("var/store"), RemoteStore(url, credentials=c), Path("var/store"))  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .remote import DATASET_GRAPH, MERGE_GRAPH, describe_dataset
from .store import Store

PUBLISHED_FILE = "published.json"


@dataclass
class Published:
    """What one load did: graphs replaced, deleted and left alone, and how long it took."""

    replaced: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: int = 0
    triples: int = 0  # sent
    seconds: float = 0.0


def read_published(local_dir: Path, server: str) -> dict[str, str]:
    """Graph → hash of what the last load into ``server`` sent (empty when none is known)."""
    path = Path(local_dir) / PUBLISHED_FILE
    try:
        return json.loads(path.read_text("utf-8")).get(server, {})
    except (OSError, ValueError):
        return {}


def publish(
    local: Store,
    server: Store,
    known: dict[str, str],
    progress: Callable[[str], None] = lambda message: None,
    base: str | None = None,
) -> tuple[Published, dict[str, str]]:
    """Make ``server`` hold ``local``'s named graphs, minted under ``base``; ``known`` is what
    it held after the last load (:func:`read_published`). Returns what was done and the new
    ``known``.

    :raises StoreUnavailable: if the server cannot be written (what was sent before stays).
    """
    started = time.perf_counter()
    done = Published()
    now: dict[str, str] = {}
    graphs = local.graphs()
    for i, graph in enumerate(graphs, 1):
        data = local.graph_triples(graph)
        digest = hashlib.sha256(data).hexdigest()
        now[graph] = digest
        if known.get(graph) == digest:
            done.unchanged += 1
            continue
        server.replace_graph(graph, data)
        done.replaced.append(graph)
        done.triples += data.count(b"\n")
        if len(done.replaced) % 20 == 0:
            progress(f"loaded {i}/{len(graphs)} graphs into {server.location}")
    identifier = load_identifier(now)
    if known.get(DATASET_GRAPH) != identifier:
        progress(f"loading the merge of {len(graphs)} graphs into {server.location}")
        server.replace_graph(MERGE_GRAPH, local.graph_triples(None))
        modified = datetime.now(UTC).isoformat(timespec="seconds")
        server.replace_graph(DATASET_GRAPH, describe_dataset(graphs, identifier, modified, base))
    now[MERGE_GRAPH] = now[DATASET_GRAPH] = identifier
    for graph in sorted(set(known) - set(now)):
        server.drop_graph(graph)
        done.deleted.append(graph)
    done.seconds = round(time.perf_counter() - started, 2)
    return done, now


def load_identifier(digests: dict[str, str]) -> str:
    """The identifier of a load: a hash of every named graph's name and content hash."""
    text = "".join(f"{graph} {digests[graph]}\n" for graph in sorted(digests))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def write_published(local_dir: Path, server: str, graphs: dict[str, str]) -> None:
    """Remember what ``server`` now holds (beside the build it came from)."""
    path = Path(local_dir) / PUBLISHED_FILE
    try:
        record = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        record = {}
    record[server] = graphs
    path.write_text(json.dumps(record, indent=1), encoding="utf-8")
