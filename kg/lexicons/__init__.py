"""The hand-written lexicons the extractors read, and the one way each format is read.

Every file here notes its source in its header comment. Three formats:

- ``.txt`` / ``.tsv``: one entry a line; blank lines and ``#`` comment lines are skipped
  (:func:`lines`, :func:`rows`);
- ``.txt`` with ``[section]`` headers (``place_names.txt``): :func:`sections`;
- ``.toml``: :func:`toml`.

Results are cached: callers must not change them.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent


@cache
def lines(name: str) -> tuple[str, ...]:
    """The entries of ``name``, stripped, without blank and ``#`` comment lines.

    >>> lines("report_words.txt")[:3]
    ('报告', '工作', '发展')
    """
    text = (HERE / name).read_text("utf-8")
    return tuple(s for s in map(str.strip, text.splitlines()) if s and not s.startswith("#"))


def rows(name: str) -> list[list[str]]:
    """The tab-separated cells of each entry of ``name``.

    >>> rows("units.tsv")[0]
    ['万', '10000', 'prefix']
    """
    return [line.split("\t") for line in lines(name)]


@cache
def sections(name: str) -> dict[str, tuple[str, ...]]:
    """``{section: entries}`` of a file split by ``[section]`` lines; ``#`` starts a comment."""
    found: dict[str, list[str]] = {}
    current = ""
    for line in (HERE / name).read_text("utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("["):
            current = line.strip("[]")
        elif line:
            found.setdefault(current, []).append(line)
    return {section: tuple(entries) for section, entries in found.items()}


@cache
def toml(name: str) -> dict[str, Any]:
    """The tables of a ``.toml`` lexicon.

    >>> toml("numerals.toml")["values"]["四"]
    4
    """
    with open(HERE / name, "rb") as f:
        return tomllib.load(f)
