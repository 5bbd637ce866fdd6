"""Every setting and limit of the service, declared once with its default and its help text.

``create_app(config)`` starts from :func:`defaults` and overrides with ``config``; a name that is
not declared here is an error, so a typo never silently falls back to a default::

    >>> defaults()["QUERY_TIMEOUT"]
    30.0
    >>> coerce("MAX_ROWS", "500")
    500
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Setting:
    """One setting: its name, default value and a sentence a user can act on."""

    name: str
    default: Any
    help: str
    type: type = str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "STORE_PATH",
        None,
        "The store to serve: a directory built by `policykg build` (opened read-only), or the "
        "SPARQL query URL of a server (http:// or https://, queried without credentials).",
    ),
    Setting(
        "DUMPS_DIR",
        None,
        "Directory of the dumps written by `policykg build` (default: STORE_PATH/dumps), "
        "served at /dumps/ and described at /.well-known/void.",
    ),
    Setting(
        "BASE_IRI",
        None,
        "Base of the graph's resource IRIs; IRIs under it link to this server's /id/ pages "
        "(default: the base the store was built with, from its build.json, or over a server "
        "the build.json beside DUMPS_DIR or the server's description of its load, else "
        "https://w3id.org/policykg/id/).",
    ),
    Setting(
        "QUERY_TIMEOUT",
        30.0,
        "Seconds a SPARQL query may run (waiting for a worker included) before it is cut with 503.",
        float,
    ),
    Setting(
        "MAX_ROWS",
        1_000_000,
        "Most rows (SELECT) or triples (CONSTRUCT, DESCRIBE) in one answer. A longer answer is "
        "refused whole with 400 (never sent short: clients cannot tell); only the HTML query "
        "page shows the first rows, and says so. Large enough for a client that reads the "
        "whole store in one query (rdflib's SPARQLStore iterating the graph).",
        int,
    ),
    Setting(
        "MAX_BODY_BYTES",
        1_000_000,
        "Largest request body accepted; a larger one gets 413.",
        int,
    ),
    Setting(
        "MAX_RESPONSE_BYTES",
        256_000_000,
        "Largest SPARQL answer in bytes; a query whose answer would be larger is refused with "
        "413 and a message, never sent cut short.",
        int,
    ),
    Setting(
        "MAX_QUERY_BYTES",
        100_000,
        "Longest query text in bytes (UTF-8); a longer one gets 413.",
        int,
    ),
    Setting(
        "MAX_QUERY_OPERATORS",
        500,
        "Most graph patterns and operators (groups, UNION, OPTIONAL, MINUS, FILTER, BIND, "
        "VALUES, EXISTS, SERVICE, GRAPH) in one query; more get 400, since the engine recurses "
        "once per operator and a very long UNION chain crashes it.",
        int,
    ),
    Setting(
        "WORKER_MEMORY_MB",
        1024,
        "Memory (resident MiB) one query worker may use; a worker past it is killed and "
        "replaced, and its client gets 503 saying why.",
        int,
    ),
    Setting(
        "MAX_CONCURRENT_QUERIES",
        32,
        "SPARQL queries admitted at once (running or waiting for a worker); more get 429.",
        int,
    ),
    Setting(
        "MAX_QUERIES_PER_CLIENT",
        0,
        "SPARQL queries one client address may have running at once (0: half the workers, at "
        "least 1); another waits up to 2 s for one of them to end, then gets 429, so that one "
        "client cannot take every worker.",
        int,
    ),
    Setting(
        "WORKERS",
        0,
        "Query worker processes kept warm (0: three per CPU core, at least 4, so that a worker "
        "never idles while the web threads hand over answers). A worker whose query times out "
        "is killed and replaced.",
        int,
    ),
    Setting(
        "THREADS",
        0,
        "Waitress threads answering requests (0: MAX_CONCURRENT_QUERIES + 4, so that pages and "
        "429 answers never wait behind queries).",
        int,
    ),
    Setting(
        "MAX_CONNECTIONS",
        500,
        "Open client connections the server holds at once; past it, new ones wait to be accepted.",
        int,
    ),
    Setting(
        "MAX_CONNECTIONS_PER_CLIENT",
        40,
        "Open connections one client address may hold; more are closed at once, so that one "
        "client cannot take every connection (slowloris).",
        int,
    ),
    Setting(
        "HEADER_TIMEOUT",
        10.0,
        "Seconds a client may take to send a request's headers; a slower one is disconnected.",
        float,
    ),
    Setting(
        "STORE_CHECK_INTERVAL",
        1.0,
        "Seconds between looks for a new store version (a rebuild swaps the store directory); "
        "a new version is opened whole and then served in place of the old one.",
        float,
    ),
    Setting(
        "RESULT_CACHE_BYTES",
        64_000_000,
        "Bytes of answers kept in the result cache, keyed on the query, its parameters, the "
        "answer's format and the store version; entity pages and catalogue answers are kept "
        "there whole, keyed on their URL and Accept (0: no cache).",
        int,
    ),
    Setting(
        "RESULT_CACHE_ENTRIES",
        5_000,
        "Answers kept in the result cache at most; the least recently used are dropped first.",
        int,
    ),
    Setting(
        "MAX_QUERY_DEPTH",
        64,
        "Deepest nesting of brackets and braces accepted in a query; deeper queries get 400.",
        int,
    ),
    Setting(
        "RETRY_AFTER",
        5,
        "Seconds sent in the Retry-After header of 429 and 503 answers.",
        int,
    ),
    Setting(
        "CORS_ORIGIN",
        "*",
        "Value of Access-Control-Allow-Origin for browser clients; empty to send no CORS headers.",
    ),
)

BY_NAME = {s.name: s for s in SETTINGS}


def defaults() -> dict[str, Any]:
    """Every setting at its default value."""
    return {s.name: s.default for s in SETTINGS}


def coerce(name: str, value: Any) -> Any:
    """``value`` converted to the declared type of setting ``name`` (strings come from the CLI).

    :raises KeyError: if no setting is called ``name``.
    :raises ValueError: if ``value`` cannot be read as the setting's type.
    """
    setting = BY_NAME[name]
    if value is None or isinstance(value, setting.type):
        return value
    if setting.type is str and isinstance(value, os.PathLike):
        return os.fspath(value)
    try:
        return setting.type(value)
    except (TypeError, ValueError):
        raise ValueError(f"setting {name} needs a {setting.type.__name__}, not {value!r}") from None


def built_base(store_path: str | None, dumps_dir: str | None = None) -> str:
    """The IRI base the store at ``store_path`` was built with (``policykg build --base``, kept
    in its ``build.json``); the default base without one.

    A server (``store_path`` a URL) keeps no ``build.json``: the build that loaded it does,
    beside the dumps it wrote and that are served (``--dumps var/build/dumps`` → the base in
    ``var/build/build.json``), as a store directory's beside its ``dumps/``; without those, the
    server's description of the load says it (VoID's ``uriSpace``, written by the load).
    """
    from ..kg.iri import DEFAULT_BASE
    from ..kg.store import is_remote, read_base

    if store_path and is_remote(store_path):
        built = read_base(Path(dumps_dir).parent) if dumps_dir else None
        return built or _server_base(store_path) or DEFAULT_BASE
    return (read_base(store_path) if store_path else None) or DEFAULT_BASE


def _server_base(url: str) -> str | None:
    """The base a server's data was minted under, as its load described it; None when the
    server says none, or cannot be reached when the service starts."""
    from ..kg.remote import RemoteStore, read_dataset
    from ..kg.store import StoreError

    try:
        described = read_dataset(RemoteStore(url, timeout=10), named=False)
    except StoreError:
        return None
    return described.uri_space if described is not None else None


def resolve(
    config: dict[str, Any] | None, passthrough: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """Defaults overridden by ``config``, each value coerced, derived defaults filled in.

    Names in ``passthrough`` (Flask's own keys such as ``TESTING``) are kept as given.

    :raises ValueError: if ``config`` names a setting that does not exist.
    """
    values = defaults()
    for name, value in (config or {}).items():
        if name in passthrough:
            values[name] = value
        elif name in BY_NAME:
            values[name] = coerce(name, value)
        else:
            raise ValueError(f"unknown setting {name}; known: {', '.join(BY_NAME)}")
    if not values["WORKERS"]:
        values["WORKERS"] = max(4, 3 * (os.cpu_count() or 1))
    if not values["MAX_QUERIES_PER_CLIENT"]:
        values["MAX_QUERIES_PER_CLIENT"] = max(1, values["WORKERS"] // 2)
    if not values["THREADS"]:
        values["THREADS"] = values["MAX_CONCURRENT_QUERIES"] + 4
    if not values["BASE_IRI"]:
        values["BASE_IRI"] = built_base(values["STORE_PATH"], values["DUMPS_DIR"])
    if not values["BASE_IRI"].endswith(("/", "#")):
        raise ValueError(f"BASE_IRI must end with / or #, not {values['BASE_IRI']!r}")
    return values
