"""Files kept in the user's cache directory (``$XDG_CACHE_HOME/policykg``, else
``~/.cache/policykg``): what a process would otherwise compute again at every start, named by
what it was made from, so that a changed input gives a new name, never a stale file."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterable
from pathlib import Path


def path(name: str) -> Path:
    """Where the kept file ``name`` is (whether or not it exists)."""
    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return home / "policykg" / name


# Files of one kind kept (the newest), a kind being a name up to its last "-" (jieba-KEY): a
# changed input (another jieba, one more virtualenv) names a new file and the old one is never
# read again (30 of jieba's, 460 MB, after a few weeks of test runs)
KEPT_OF_A_KIND = 3


def keep(name: str, data: bytes) -> None:
    """Write ``data`` as the kept file ``name`` (see :func:`write_whole`), and remove the
    oldest files of its kind past :data:`KEPT_OF_A_KIND`; a cache that cannot be written is no
    error.

    >>> for key in "abcd":
    ...     keep(f"doctest-{key}.bin", b"x")
    >>> sorted(p.name for p in path("").glob("doctest-*"))
    ['doctest-b.bin', 'doctest-c.bin', 'doctest-d.bin']
    """
    with contextlib.suppress(OSError):
        write_whole(path(name), data)
        kind = name.rsplit("-", 1)[0] + "-"
        kept = sorted(
            path(name).parent.glob(kind + "*"), key=lambda p: (p.stat().st_mtime_ns, p.name)
        )
        for old in kept[:-KEPT_OF_A_KIND]:
            old.unlink(missing_ok=True)


def write_whole(target: Path, data: bytes | Iterable[bytes]) -> None:
    """Write ``data`` (or its pieces, as they come) to ``target`` whole or not at all: into a
    file beside it, named by this process and thread, then renamed into place, so a reader
    never sees half of it; a piece that fails leaves no file.

    :raises OSError: if the file cannot be written.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}")
    try:
        with partial.open("wb") as f:
            f.writelines([data] if isinstance(data, bytes) else data)
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
