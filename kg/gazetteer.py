"""The GB/T 2260 administrative divisions (provinces, prefectures, counties) as the ``cpca``
package ships them: names, codes, parents, and the place a piece of text names.

    >>> place = resolve_place("呼伦贝尔市海拉尔区", "")
    >>> place, place.level, place.parent().name
    (Place(name='海拉尔区', code='150702'), 2, '呼伦贝尔市')

Read by the front matter (:mod:`kg.structure`), places in running text (:mod:`kg.places`),
identity keys and the finders of names.
"""

from __future__ import annotations

import csv
import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path


@dataclass(frozen=True)
class Place:
    """A division of GB/T 2260: 湛河区 410411 (level 2: county), 平顶山市 410400, 河南省 410000."""

    name: str
    code: str

    @property
    def level(self) -> int:
        """0 for a province, 1 for a prefecture-level city, 2 for a county or district."""
        return 0 if self.code.endswith("0000") else 1 if self.code.endswith("00") else 2

    @property
    def parent_codes(self) -> tuple[str, ...]:
        """The codes above this one, nearest first: 410411 → 410400, 410000 (cpca may lack some)."""
        above = dict.fromkeys((self.code[:4] + "00", self.code[:2] + "0000"))
        return tuple(code for code in above if code != self.code)

    def parent(self) -> Place | None:
        """The city of a county, the province of a city (skipping codes cpca does not list)."""
        codes = divisions()[1]
        return next((codes[c] for c in self.parent_codes if c in codes), None)


@cache
def divisions() -> tuple[dict[str, list[Place]], dict[str, Place]]:
    """The GB/T 2260 divisions as the cpca package ships them: by name and by code."""
    by_name: dict[str, list[Place]] = {}
    by_code: dict[str, Place] = {}
    for adcode, name in _cpca_table().items():
        place = Place(name, adcode[:6])
        by_code[place.code] = place
        by_name.setdefault(place.name, []).append(place)
    return by_name, by_code


def _cpca_table() -> dict[str, str]:
    """cpca's table of divisions, name by 12-digit code, as cpca reads it (a later row of a
    code replaces an earlier one), read from its file: importing cpca builds its address
    matcher and imports pkg_resources, 0.3 s for a table of 3,600 rows."""
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("cpca")
    table = Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"
    with open(table, encoding="utf-8", newline="") as f:
        return {row["adcode"]: row["name"] for row in csv.DictReader(f)}


def resolve_place(candidate: str, context: str) -> Place | None:
    """The most specific division named in ``candidate``; a name two divisions share is told
    apart by the parent named in ``candidate`` or, failing that, most often in ``context``.

    >>> resolve_place("呼伦贝尔市海拉尔区", "")
    Place(name='海拉尔区', code='150702')
    """
    by_name, by_code = divisions()
    names = [n for n in by_name if n in candidate]
    names = [n for n in names if not any(n != o and n in o for o in names)]
    options = [p for n in names for p in by_name[n]]
    if not options:
        return None
    deepest = max(p.level for p in options)
    options = [p for p in options if p.level == deepest]
    if len(options) == 1:
        return options[0]

    def support(place: Place) -> tuple[int, int]:
        ancestors = [by_code[c].name for c in place.parent_codes if c in by_code]
        return (sum(a in candidate for a in ancestors), sum(context.count(a) for a in ancestors))

    ranked = sorted(options, key=support, reverse=True)
    return ranked[0] if support(ranked[0]) > support(ranked[1]) else None
