"""Files kept in the user's cache directory (``$XDG_CACHE_HOME/policykg``, else
``~/.cache/policykg``): what a process would otherwise compute again at every start, named by
what it was made from, so that a changed input gives a new name, never a stale file."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def path(name: str) -> Path:
    """Where the kept file ``name`` is (whether or not it exists)."""
    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return home / "policykg" / name


def keep(name: str, data: bytes) -> None:
    """Write ``data`` as the kept file ``name``, whole or not at all (renamed into place, so a
    process reading it never sees half); a cache that cannot be written is no error."""
    target = path(name)
    with contextlib.suppress(OSError):
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{name}.{os.getpid()}")
        partial.write_bytes(data)
        partial.replace(target)
