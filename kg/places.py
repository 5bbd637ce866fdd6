"""Places named in a report's running text, resolved to GB/T 2260 divisions.

The divisions are those the ``cpca`` package ships (provinces, cities, counties). A name counts
when it is written in full (平顶山市, 河南省, 新华区), or as the well-known short form of a
province or a prefecture-level city (河南, 北京, 青岛), and when it stands as words of its own
in the sentence (jieba's segmentation): 沿海城市 names no 海城市, 长治久安 no 长治市. Names
that are also common words (城区, 老城区, 大同) are listed in ``lexicons/place_names.txt``.
A name that several divisions share (新华区) is told apart by the report's own place and by
the parents the text names; when nothing tells them apart the name is left out. A prefecture or
county of another province, written in short form, needs stronger evidence: its full name in the
report, or a mention that stands as a place (赴北京、青岛等地, 重庆至武汉, 在酒泉); so the
road 南京西路, the market 临沂商城 and 活力湛江 (a typo for 湛河) name no place. Names inside
other names (广东 of the company 广东来裕) are left out by the caller's ``inside`` spans.

    >>> [(p.place.name, p.place.code) for p in find_places("区领导先后赴北京、青岛等地招商。")]
    [('北京市', '110000'), ('青岛市', '370200')]
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from . import lexicons
from .document import Span
from .gazetteer import Place, divisions
from .jiebaload import jieba
from .phrases import Phrases

JOINERS = "、和与及"
CLAUSE = re.compile(r"[，。；：、！？,;:!?\n\t“”《》（）()]")


@dataclass
class PlaceRecord:
    """A division and where the report names it (offsets into the normalised text)."""

    place: Place
    mentions: list[Span] = field(default_factory=list)
    forms: set[str] = field(default_factory=set)


@cache
def _lexicon() -> dict[str, frozenset[str] | tuple[str, ...]]:
    sections = lexicons.sections("place_names.txt")
    return {
        "not_names": frozenset(sections["not_names"]),
        "not_short_forms": frozenset(sections["not_short_forms"]),
        "province_suffixes": tuple(sorted(sections["province_suffixes"], key=len, reverse=True)),
        "relation_before": tuple(sections["relation_before"]),
        "relation_after": tuple(sections["relation_after"]),
    }


def short_form(place: Place) -> str | None:
    """河南省 → 河南, 内蒙古自治区 → 内蒙古, 青岛市 → 青岛; counties have none.

    >>> from policykg.kg.gazetteer import Place
    >>> short_form(Place("广西壮族自治区", "450000")), short_form(Place("平顶山市", "410400"))
    ('广西', '平顶山')
    """
    if place.level == 0:
        suffix = next((s for s in _lexicon()["province_suffixes"] if place.name.endswith(s)), "")
        short = place.name[: len(place.name) - len(suffix)]
    elif place.level == 1 and place.name.endswith("市"):
        short = place.name[:-1]
    else:
        return None
    return short if len(short) >= 2 and short not in _lexicon()["not_short_forms"] else None


@cache
def qualifiers() -> frozenset[str]:
    """中国, 河南, 河南省, 平顶山市: a place or the country, as written before a name
    (中国平煤神马, 河南平高电气), in full or short form (``lexicons/entity_qualifiers.txt``)."""
    names, by_code = divisions()
    shorts = {short_form(p) for p in by_code.values()}
    return (
        frozenset(names)
        | {s for s in shorts if s}
        | frozenset(lexicons.sections("entity_qualifiers.txt")[""])
    )


@cache
def _forms() -> tuple[dict[str, list[Place]], Phrases]:
    """Every written form → the divisions it may name (full names before short forms)."""
    by_name, by_code = divisions()
    forms: dict[str, list[Place]] = {
        name: places
        for name, places in by_name.items()
        if len(name) >= 3 and name not in _lexicon()["not_names"]
    }
    for place in sorted(by_code.values(), key=lambda p: p.level):
        short = short_form(place)
        if short and short not in by_name and not forms.get(short):
            forms[short] = [place]  # a province's short form wins over a city's (吉林)
    return forms, Phrases(forms)


def find_places(
    text: str, home: Place | None = None, inside: Iterable[Span] = ()
) -> list[PlaceRecord]:
    """The divisions named in ``text``, each with its mentions; ``home`` is the report's own
    place, which tells apart names that several divisions share; names within an ``inside``
    span (an enterprise's name) are not mentions of a place."""
    forms, phrases = _forms()
    taken = sorted(inside)
    found: dict[str, PlaceRecord] = {}
    for start, end, form in phrases.finditer(text):
        if any(s <= start and end <= e for s, e in taken):
            continue
        if not _stands_alone(text, start, end):
            continue
        place = _choose(forms[form], text, home)
        if place is None:
            continue
        record = found.setdefault(place.code, PlaceRecord(place))
        record.mentions.append((start, end))
        record.forms.add(form)
    kept = [r for r in found.values() if not _distant(r, home) or _placed(text, r, found)]
    return sorted(kept, key=lambda r: r.mentions[0])


def _distant(record: PlaceRecord, home: Place | None) -> bool:
    """A prefecture or county outside the report's province, only ever written in short form."""
    near = home is not None and record.place.code[:2] == home.code[:2]
    return record.place.level > 0 and not near and record.place.name not in record.forms


def _placed(text: str, record: PlaceRecord, found: dict[str, PlaceRecord]) -> bool:
    """Whether one mention of ``record`` stands as a place: after 赴/在/至, before 至/等地, or
    joined by 、/和/与 to another place the text names (北京、青岛)."""
    before = tuple(_lexicon()["relation_before"])
    after = tuple(_lexicon()["relation_after"])
    others = [m for r in found.values() if r is not record for m in r.mentions]
    ends = {e for _, e in others}
    starts = {s for s, _ in others}
    for s, e in record.mentions:
        if text.endswith(before, 0, s) or text.startswith(after, e):
            return True
        if (s - 1 in ends and text[s - 1] in JOINERS) or (e + 1 in starts and text[e] in JOINERS):
            return True
    return False


def _stands_alone(text: str, start: int, end: int) -> bool:
    """Whether jieba cuts the clause at both ends of ``text[start:end]``."""
    breaks = [m.start() for m in CLAUSE.finditer(text, max(0, start - 30), start)]
    begin = breaks[-1] + 1 if breaks else max(0, start - 30)
    after = CLAUSE.search(text, end, end + 30)
    stop = after.start() if after else min(len(text), end + 30)
    cuts = {begin}
    for _word, _s, e in _tokenize(text[begin:stop]):
        cuts.add(begin + e)
    return start in cuts and end in cuts


def _tokenize(clause: str):
    jieba.setLogLevel(logging.WARNING)
    return jieba.tokenize(clause)


def _choose(options: list[Place], text: str, home: Place | None) -> Place | None:
    """The one division a name means: the only one, else the one nearest the report's own
    place, else the one whose parents the text names most; a tie is no answer."""
    if len(options) == 1:
        return options[0]
    by_code = divisions()[1]

    def support(place: Place) -> tuple[int, int]:
        near = 0
        if home is not None:
            near = 2 if place.code[:4] == home.code[:4] else int(place.code[:2] == home.code[:2])
        named = sum(text.count(by_code[c].name) for c in place.parent_codes if c in by_code)
        return near, named

    ranked = sorted(options, key=support, reverse=True)
    return ranked[0] if support(ranked[0]) > support(ranked[1]) else None


def ancestors(place: Place) -> list[Place]:
    """The chain of parents: 湛河区 → [平顶山市, 河南省].

    >>> [p.name for p in ancestors(Place("湛河区", "410411"))]
    ['平顶山市', '河南省']
    """
    chain = []
    parent = place.parent()
    while parent is not None:
        chain.append(parent)
        parent = parent.parent()
    return chain
