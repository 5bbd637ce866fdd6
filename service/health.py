"""``GET /healthz``: can this server answer SPARQL, from which store version, and isolated how?

    {"status": "ok", "workers": {"alive": 6, "size": 6}, "network_isolated": true,
     "store": {"version": "3f2a…", "built": "2025-01-01T10:00:00+00:00"},
     "cache": {"entries": 12, "bytes": 40960, "hits": 30, "misses": 12}, "warm": true}

``status`` is ``ok`` with every worker alive, ``degraded`` with some (200 either way: queries
are answered), and ``down`` with none or no store (503), so that a load balancer's health check
sees what users see. ``network_isolated`` false means the workers could not be cut off from the
network: SERVICE and LOAD are still refused by the query screen, and the server logged it.
``warm`` false means the pages' indexes are still being made after a start (pages wait for them).
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from .db import EXTENSION, get_backend

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """The server's health as JSON: 200 while queries can be answered, else 503."""
    if current_app.extensions.get(EXTENSION) is None:
        return jsonify(status="down", error="this server has no store"), 503
    backend = get_backend()
    pool = backend.pool.status()
    status = "ok" if pool["alive"] == pool["size"] else "degraded" if pool["alive"] else "down"
    version = backend.version
    warming = current_app.extensions.get("policykg.warming")
    body = {
        "status": status,
        "workers": {"alive": pool["alive"], "size": pool["size"]},
        "network_isolated": pool["network_isolated"],
        "store": {"version": version.id, "built": version.built} if version else None,
        "cache": backend.cache.stats(),
        "warm": warming is None or not warming.is_alive(),
    }
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, 503 if status == "down" else 200
