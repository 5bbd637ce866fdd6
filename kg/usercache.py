"""Files kept in the user's cache directory (``$XDG_CACHE_HOME/policykg``, else
``~/.cache/policykg``): what a process would otherwise compute again at every start, named by
what it was made from, so that a changed input gives a new name, never a stale file."""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path


def path(name: str) -> Path:
    """Where the kept file ``name`` is (whether or not it exists)."""
    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return home / "policykg" / name


def keep(name: str, data: bytes) -> None:
    """Write ``data`` as the kept file ``name`` (see :func:`write_whole`); a cache that cannot
    be written is no error."""
    with contextlib.suppress(OSError):
        write_whole(path(name), data)


def write_whole(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` whole or not at all: into a file beside it, named by this
    process and thread, then renamed into place, so a reader never sees half of it.

    :raises OSError: if the file cannot be written.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}")
    partial.write_bytes(data)
    partial.replace(target)
