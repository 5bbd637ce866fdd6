"""A manifest: what a cataloguer knows about each report, overriding what the text says.

``policykg build --manifest manifest.csv`` reads a CSV with a header and the columns of
``kg/sources/manifest.csv``::

    file,place,admin_code,year,delivered,title,kind,source
    hailaer-district_2013_gov-work-report.txt,海拉尔区,150702,2013,2013-02-28,2013年海拉尔区政府工作报告,政府工作报告,…

A row applies to the report whose file name is ``file``. Empty cells override nothing: the
text's own reading stands. Only ``file`` is required; unknown columns are ignored.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from policykg.errors import UserError

COLUMNS = ("file", "place", "admin_code", "year", "delivered", "title", "kind", "source")


class ManifestError(UserError, ValueError):
    """A manifest that cannot be read; the message names the file and the line."""


@dataclass(frozen=True)
class ReportMetadata:
    """One row of a manifest: the facts about one report a cataloguer vouches for."""

    file: str
    place: str | None = None
    admin_code: str | None = None
    year: int | None = None
    delivered: dt.date | None = None
    title: str | None = None
    kind: str | None = None
    source: str | None = None


def load_manifest(path: str | Path) -> dict[str, ReportMetadata]:
    """The rows of the manifest at ``path``, by file name.

    :raises ManifestError: unreadable file, no ``file`` column, or a malformed cell (the
        message names the line).
    """
    path = Path(path)
    try:
        text = path.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise ManifestError(f"{path}: cannot be read as a UTF-8 CSV manifest ({e})") from e
    reader = csv.DictReader(text.splitlines())
    if not reader.fieldnames or "file" not in reader.fieldnames:
        raise ManifestError(f"{path}: a manifest needs a header with a 'file' column")
    rows: dict[str, ReportMetadata] = {}
    for line, row in enumerate(reader, start=2):
        try:
            meta = read_row(row)
        except ValueError as e:
            raise ManifestError(f"{path}, line {line}: {e}") from None
        rows[meta.file] = meta
    return rows


def read_row(row: dict[str, str | None]) -> ReportMetadata:
    """One CSV row as :class:`ReportMetadata`; empty cells become None.

    >>> read_row({"file": "a.txt", "year": "2013", "delivered": "2013-02-28", "place": ""})
    ReportMetadata(file='a.txt', place=None, admin_code=None, year=2013, delivered=datetime.date(2013, 2, 28), title=None, kind=None, source=None)
    """
    cells = {k: (v or "").strip() or None for k, v in row.items() if k in COLUMNS}
    if not cells.get("file"):
        raise ValueError("the 'file' cell is empty")
    code = cells.get("admin_code")
    if code is not None and not re.fullmatch(r"\d{6}", code):
        raise ValueError(f"admin_code {code!r} is not a six-digit GB/T 2260 code")
    year = cells.get("year")
    if year is not None and not re.fullmatch(r"\d{4}", year):
        raise ValueError(f"year {year!r} is not a four-digit year")
    delivered = cells.get("delivered")
    try:
        date = dt.date.fromisoformat(delivered) if delivered else None
    except ValueError:
        raise ValueError(f"delivered {delivered!r} is not a date (YYYY-MM-DD)") from None
    return ReportMetadata(
        file=Path(cells["file"] or "").name,
        place=cells.get("place"),
        admin_code=code,
        year=int(year) if year else None,
        delivered=date,
        title=cells.get("title"),
        kind=cells.get("kind"),
        source=cells.get("source"),
    )
