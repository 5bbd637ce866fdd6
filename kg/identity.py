"""What makes two mentions, in one report or in two, the same thing (ontology/README.md, Identity).

Reports are read one at a time and in parallel, so every key here comes from one report's own
text and metadata, never from what other reports say; two reports' graphs meet in the store
because their keys agree::

    >>> enterprise_key("中国平煤神马集团"), enterprise_key("平煤神马")
    ('平煤神马', '平煤神马')
    >>> enterprise_key("河南平高电气股份有限公司"), enterprise_key("平高集团")
    ('平高电气', '平高')
    >>> province_scope("410411"), province_scope(None)
    ('410000', None)
"""

from __future__ import annotations

from functools import cache

from . import lexicons
from .gazetteer import Place
from .places import qualifiers

# The national level is a place too: the reports of 国务院 are about 全国. GB/T 2260 gives the
# country no code; 100000 is the code the Ministry of Civil Affairs' division tables and the
# 统计用区划代码 use for 中华人民共和国 (the provinces' common 6-digit parent).
NATIONAL = Place("全国", "100000")
NATIONAL_NAMES = frozenset({"全国", "中国", "中华人民共和国", "国务院"})

# Organisational forms that say what kind of company, not which: 平高集团 and 平高 are one.
# Trade words (药业, 电气) stay: 平高电气 is a subsidiary of 平高集团, another company.
_GROUP_FORMS = ("集团公司", "集团", "公司")


def national_place(name: str | None) -> Place | None:
    """全国 for a report or a mention about the country as a whole (全国, 国务院)."""
    return NATIONAL if name in NATIONAL_NAMES else None


def parent_place(place: Place) -> Place | None:
    """The division above ``place``; above a province, the country."""
    if place.code == NATIONAL.code:
        return None
    return place.parent() or (NATIONAL if place.level == 0 else None)


def province_scope(code: str | None) -> str | None:
    """The province (or the country) whose enterprises a report names: 410411 → 410000."""
    if not code:
        return None
    return code if code == NATIONAL.code else code[:2] + "0000"


@cache
def _suffixes() -> tuple[str, ...]:
    forms = (*lexicons.sections("enterprise_suffixes.txt")["full"], *_GROUP_FORMS)
    return tuple(sorted(forms, key=len, reverse=True))


@cache
def _qualifiers() -> tuple[str, ...]:
    """中国, 河南, 河南省, 平顶山市: words that may lead a name without making it another one."""
    return tuple(sorted(qualifiers(), key=len, reverse=True))


def enterprise_key(name: str) -> str:
    """The trade name (字号) that identifies an enterprise within a province: the name without
    its organisational form and without one leading place or country, so that 平高集团, 平高 and
    平高集团有限公司 are one. One qualifier only (中国河南国际 keeps 河南国际: a bare 国际 names
    no one), and a key shorter than two characters keeps the name as written.

    >>> enterprise_key("中国河南国际"), enterprise_key("姚电公司")
    ('河南国际', '姚电')
    """
    key = name
    while True:
        suffix = next((s for s in _suffixes() if key.endswith(s) and len(key) > len(s) + 1), "")
        if not suffix:
            break
        key = key[: -len(suffix)]
    qualifier = next((q for q in _qualifiers() if key.startswith(q) and len(key) > len(q) + 1), "")
    return key[len(qualifier) :]


__all__ = [
    "NATIONAL",
    "enterprise_key",
    "national_place",
    "parent_place",
    "province_scope",
]
