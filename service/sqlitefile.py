"""An index the service keeps in an SQLite file: read-only, shared by threads, one per store
version, kept by ``Backend.memo`` as its path (the term index, the full-text index)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path


def writable(directory: Path | None) -> Path | None:
    """``directory``, made if need be, when the service can write there; else None (a
    read-only place: an index goes into a temporary file instead, a download is not kept).
    Asked when what goes there is made, not each time a page reads it."""
    if directory is None:
        return None
    with contextlib.suppress(OSError):
        directory.mkdir(parents=True, exist_ok=True)
    return directory if os.access(directory, os.W_OK) else None


class SqliteFile:
    """Written whole or not at all (under a name of this process and thread, then renamed over
    ``path``, so every process reading it sees the old file or the new one), or without a path
    into a temporary file, gone once closed."""

    path: Path | None  # the database's file, None for a temporary one

    def _made(self, path: Path | None, write: Callable[[Path], None], prefix: str) -> None:
        """Write the database with ``write`` and open it."""
        if path is None:
            with tempfile.NamedTemporaryFile(prefix=prefix, delete=False) as f:
                temporary = Path(f.name)
            write(temporary)
            self._open(temporary)
            temporary.unlink()  # the open connection keeps it readable; nothing is left behind
            self.path = None
        else:
            partial = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.partial")
            write(partial)
            os.replace(partial, path)
            self._open(path)

    def _open(self, path: Path) -> None:
        self.path = path
        self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self._lock = threading.Lock()

    def _rows(self, sql: str, params: Iterable = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, tuple(params)).fetchall()

    def __getstate__(self) -> dict:  # kept by Backend.memo: where the database is
        if self.path is None:
            raise TypeError("an index in a temporary file is not kept")
        return {"path": str(self.path)}

    def __setstate__(self, state: dict) -> None:
        path = Path(state["path"])
        if not path.is_file():  # removed since: Backend.memo makes the index again
            raise FileNotFoundError(path)
        self._open(path)
