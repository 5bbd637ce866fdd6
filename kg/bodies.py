"""Government and Party bodies: who a report names (湛河区发展和改革委员会, 国务院办公厅) and how
their names are written in full.

    >>> [b.label for b in find_government_bodies("经湛河区发展和改革委员会审核，报国务院办公厅备案。")]
    ['湛河区发展和改革委员会', '国务院办公厅']
    >>> body_label("河南省政府")
    '河南省人民政府'

A body is a central one of ``lexicons/government_bodies.txt`` [names] or a place followed by a
body ending ([suffixes]); the words that sign a report (``lexicons/report_signatures.txt``) and
the relative names a report uses for its own government (省政府 in a report about 四川省) are
read here too, for the front matter (:mod:`kg.structure`) and the graph.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from . import lexicons
from .document import Span
from .segmenter import Segmenter, Token, clauses, ending_pattern, occurrences, segmenter, words

if TYPE_CHECKING:
    from .structure import Structure


@dataclass
class BodyRecord:
    """A government or Party body (湛河区发展和改革委员会, 国务院办公厅): ``label`` its name in
    full (海拉尔区人民政府), ``names`` every form the report writes (海拉尔区政府,
    呼伦贝尔市海拉尔区人民政府), ``mentions`` the offsets of each."""

    label: str
    mentions: list[Span] = field(default_factory=list)
    names: list[str] = field(default_factory=list)


def _levels() -> tuple[str, ...]:
    """The levels a body's place ends with: 省, 市, 区, 县…"""
    return lexicons.sections("government_bodies.txt")["places"]


def _body_names() -> frozenset[str]:
    return words("government_bodies.txt", "names")


@cache
def _body_pattern() -> re.Pattern[str]:
    places = "|".join(sorted(_levels(), key=len, reverse=True))
    suffixes = ending_pattern(lexicons.sections("government_bodies.txt")["suffixes"]).pattern
    # place (2+ characters before its level: 湛河区, 河南省), a department, a body ending
    return re.compile(
        rf"(?P<place>(?:[\u4e00-\u9fff]{{2,8}}?(?:{places}))+?)"
        rf"(?P<dept>[\u4e00-\u9fff]{{0,12}}?)(?P<suffix>{suffixes})"
    )


def find_government_bodies(text: str) -> list[BodyRecord]:
    """Government and Party bodies named in ``text``, in order of first mention.

    A body is a central body of ``government_bodies.txt`` [names] (国务院办公厅, 司法部) or a
    place followed by a body ending (湛河区发展和改革委员会, 河南省委). Bodies named relative to
    the report's own place (区政府, 市委) are left out: their place is the reader's inference.
    One body, one record: 河南省政府 is 河南省人民政府 (:func:`body_label`), and
    呼伦贝尔市海拉尔区人民政府 is 海拉尔区人民政府 when the report also names that alone.
    """
    seg = segmenter()
    names = set(words("government_bodies.txt", "names"))
    for begin, end in clauses(text):
        names.update(_bodies_in_clause(text, begin, end, seg))
    found = occurrences(text, names)
    groups: dict[str, list[str]] = {}
    for name in found:
        groups.setdefault(body_label(name), []).append(name)
    merged: dict[str, list[str]] = {}
    for label, forms in groups.items():
        merged.setdefault(_local_body(label, groups), []).extend(forms)
    records = [
        BodyRecord(
            label,
            sorted(s for f in forms for s in found[f]),
            sorted({label, *forms}, key=lambda f: (len(f), f)),
        )
        for label, forms in merged.items()
    ]
    return sorted(records, key=lambda r: r.mentions[0])


def body_label(name: str) -> str:
    """A body's name in full: "X政府" is the everyday short form of "X人民政府" (the name the
    Organic Law of Local People's Congresses and Governments gives every local government).

    >>> body_label("河南省政府"), body_label("四川省政府办公厅"), body_label("香港特别行政区政府")
    ('河南省人民政府', '四川省人民政府办公厅', '香港特别行政区政府')
    """
    m = re.fullmatch(r"(.{2,}?)政府(办公厅|办公室)?", name)
    levels = tuple(_levels())
    if m is None or m.group(1).endswith(("人民", "特别行政区")) or not m.group(1).endswith(levels):
        return name
    return f"{m.group(1)}人民政府{m.group(2) or ''}"


def _local_body(label: str, labels: Iterable[str]) -> str:
    """The body ``label`` names after its parent places (呼伦贝尔市|海拉尔区人民政府), when the
    report also names it so; ``label`` itself otherwise. A short name alone could be another
    place's (新华区 is in three cities), so it is taken only from the report's own usage."""
    levels = "|".join(_levels())
    parents = re.compile(rf"(?:[\u4e00-\u9fff]{{2,8}}?(?:{levels}))+")
    local = [
        other
        for other in labels
        if other != label and label.endswith(other) and parents.fullmatch(label[: -len(other)])
    ]
    return min(local, key=len, default=label)


def _bodies_in_clause(text: str, begin: int, end: int, seg: Segmenter) -> list[str]:
    out: list[str] = []
    if not _body_pattern().search(text, begin, end):
        return out
    tokens = seg.tokens(text, begin, end)
    starts, ends = {t.start for t in tokens}, {t.end for t in tokens}
    for m in _body_pattern().finditer(text, begin, end):
        suffix_start = m.start("suffix")
        # the body is one word (河南省委/nt), or starts at its place (代表|海拉尔区|人民政府)
        whole = next((t for t in tokens if t.start < suffix_start < t.end == m.end()), None)
        if whole is not None and whole.tag in ("nt", "ns"):
            place: Token | None = whole
        elif m.end() not in ends or (len(m.group("suffix")) == 1 and not _own_ending(m, starts)):
            continue  # 格局: 局 inside a longer word is not an ending of its own
        else:
            place = next(
                (t for t in tokens if m.start() <= t.start < suffix_start and _is_place(t, seg)),
                None,
            )
        body = _body_pattern().fullmatch(text, place.start, m.end()) if place else None
        if body and not re.search(r"第.+[届次]", body.group("dept")):
            out.append(body.group())
    return out


def _own_ending(m: re.Match[str], starts: set[int]) -> bool:
    """A one-character ending (委, 局) starts a word, or closes a 省委/市委/区委-like word."""
    levels = _levels()
    return m.start("suffix") in starts or (
        m.start("suffix") - 1 in starts and m.string[m.start("suffix") - 1] in levels
    )


def _is_place(token: Token, seg: Segmenter) -> bool:
    """A named place, 湛河区 or 河南省 (not 全区, 辖区, 自治区: those depend on the reader)."""
    levels = tuple(_levels())
    if len(token.word) < 2 or token.word in seg.generic or token.word[0] in "全我本该各":
        return False
    return token.tag == "ns" or (not seg.known(token.word) and token.word.endswith(levels))


def is_government_body(name: str) -> bool:
    """Whether ``name`` as a whole names a government body (国务院办公厅, 湛河区人民政府)."""
    return name in _body_names() or bool(_body_pattern().fullmatch(name))


# --- the front matter's bodies: signatures and a report's own government ----------


@cache
def body_lexicon() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Suffixes of body names and titles of office-holders (lexicons/report_signatures.txt)."""
    suffixes: list[str] = []
    roles: list[str] = []
    for entry in lexicons.lines("report_signatures.txt"):
        kind, word = entry.split()
        (suffixes if kind == "suffix" else roles).append(word)
    return tuple(sorted(suffixes, key=len, reverse=True)), tuple(
        sorted(roles, key=len, reverse=True)
    )


def qualify_body(body: str, structure: Structure) -> str:
    """A body named relative to the report's place gets the place's name: 我代表省人民政府 →
    四川省人民政府, 省政府办公厅 → 四川省政府办公厅 (in a report about 四川省); a bare 省政府
    is the 省人民政府.

    >>> from policykg.kg.structure import Structure
    >>> qualify_body("自治区政府", Structure(place="广西壮族自治区"))
    '广西壮族自治区人民政府'
    """
    lex = lexicons.toml("front_matter.toml")["body"]
    for level in sorted(lex["relative"], key=len, reverse=True):
        if body.startswith(level) and structure.place and structure.place.endswith(level):
            rest = body[len(level) :]
            return structure.place + lex["short"].get(rest, rest)
    return body
