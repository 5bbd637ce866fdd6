"""Named projects (双鹤华利药业BFS生产线, 姚电公司独立储能示范项目), who undertakes them and the
industries their names hold.

    >>> from policykg.kg.enterprises import find_enterprises
    >>> text = "加快推进双鹤华利药业BFS生产线、姚电公司独立储能示范等项目。"
    >>> [(p.label, p.owner) for p in find_projects(text, find_enterprises(text))]
    [('双鹤华利药业BFS生产线', '双鹤华利药业'), ('姚电公司独立储能示范', '姚电公司')]

A name is an item of a list closed by 等…项目, or a name ending in 项目 outside a list. Kinds of
projects (重点项目, 房地产项目) are not names: a project's name starts with a name. The
candidates (:func:`listed_projects`, :func:`single_projects`) are read by
:mod:`kg.enterprises` too: an enterprise may be named only as the undertaker opening a project.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import lexicons
from .bodies import is_government_body
from .document import Span
from .industries import IndustryTaxonomy, load_industries
from .places import qualifiers
from .segmenter import (
    CJK_OR_LATIN,
    CLAUSE_BREAK,
    PROPER_TAGS,
    Segmenter,
    list_items,
    list_pattern,
    segmenter,
)

if TYPE_CHECKING:
    from .enterprises import EnterpriseRecord


@dataclass
class ProjectRecord:
    """A named project. ``owner`` is the label of the enterprise whose name starts the project's
    (双鹤华利药业BFS生产线 → 双鹤华利药业); ``industries`` the taxonomy IRIs its name holds."""

    label: str
    names: list[str]
    mentions: list[Span] = field(default_factory=list)
    owner: str | None = None
    industries: list[str] = field(default_factory=list)


PROJECT_WORD = "项目"
_PAREN = str.maketrans("()", "（）")


def find_projects(
    text: str,
    enterprises: Sequence[EnterpriseRecord] = (),
    taxonomy: IndustryTaxonomy | None = None,
    extra_terms: Iterable[str] = (),
) -> list[ProjectRecord]:
    """Named projects, in order of first mention, with their owner and industries.

    Two ways a report names projects: a list closed by 等…项目 (双鹤华利药业BFS生产线、
    姚电绿能智慧新能源综合利用、中骏世界城商业综合体等重大项目) and a name ending in 项目
    (姚电公司独立储能示范项目). "…综合利用" and "…综合利用项目" are one project. Kinds of
    projects (重点项目, 房地产项目, 城乡供水一体化项目) are not names and are left out.
    """
    seg = segmenter(extra_terms)
    taxonomy = taxonomy or load_industries()
    names = [
        text[_whole_place(text, s, seg) : e]
        for s, e in listed_projects(text, seg) + single_projects(text, seg, enterprises)
    ]
    shared = _shared_head_projects(text, seg)
    names = [n for n in names if _is_project_name(n, enterprises, seg)] + list(shared)
    groups: dict[str, set[str]] = {}
    for name in names:
        groups.setdefault(project_key(name), set()).add(name)
    records = [
        _project_record(text, forms, enterprises, taxonomy, shared, seg)
        for forms in groups.values()
    ]
    return sorted((r for r in records if r.mentions), key=lambda r: r.mentions[0])


LIST_BREAK = re.compile(CLAUSE_BREAK.pattern.replace("、", ""))


def _shared_head_projects(text: str, seg: Segmenter) -> dict[str, list[Span]]:
    """Places of one kind listed before the head they share name one project each:
    "推进姚孟村、后城村棚改项目" → 姚孟村棚改项目, 后城村棚改项目, each with the span of the
    whole phrase (the words that name it)."""
    endings = tuple(
        sorted(lexicons.sections("entity_place_endings.txt")[""], key=len, reverse=True)
    )
    out: dict[str, list[Span]] = {}
    breaks = [b.end() for b in LIST_BREAK.finditer(text)]  # one character each
    for m in re.finditer(PROJECT_WORD, text):
        before = bisect.bisect_right(breaks, m.start())
        begin = breaks[before - 1] if before else 0
        parts = [(begin, begin)]
        for sep in re.finditer("、", text[begin : m.start()]):
            parts[-1] = (parts[-1][0], begin + sep.start())
            parts.append((begin + sep.end(), begin + sep.end()))
        parts[-1] = (parts[-1][0], m.start())
        if len(parts) < 2:
            continue
        lead = seg.name_start(seg.tokens(text, *parts[0]))
        last_start, last_end = parts[-1]
        ending = next((e for e in endings if text.find(e, last_start + 2, last_end) > 0), None)
        if lead is None or ending is None:
            continue
        head = text.index(ending, last_start + 2, last_end) + len(ending)
        items = [(lead, parts[0][1]), *parts[1:-1], (last_start, head)]
        if all(_is_place_item(text[s:e], ending, seg) for s, e in items):
            for s, e in items:
                name = text[s:e] + text[head : m.end()]
                out.setdefault(name, []).append((s if e == head else items[0][0], m.end()))
    return out


def _is_place_item(item: str, ending: str, seg: Segmenter) -> bool:
    """姚孟村, 后城村: a named village (not 农村, 行政村, 城中村: words of the dictionary)."""
    return (
        item.endswith(ending)
        and 2 <= len(item) - len(ending) <= 4
        and not seg.known(item)
        and not re.search(r"\d", item)
        and seg.has_name_word(item)
    )


def listed_projects(text: str, seg: Segmenter) -> list[Span]:
    return [
        item
        for m in list_pattern(PROJECT_WORD).finditer(text)
        for item in list_items(text, m.start(1), m.end(1), seg)
    ]


def single_projects(
    text: str, seg: Segmenter, enterprises: Sequence[EnterpriseRecord]
) -> list[Span]:
    """ "X项目" outside a list and a title: X runs back to the clause start, after its lead-in."""
    out = []
    for m in re.finditer(PROJECT_WORD, text):
        begin = max(
            (c.end() for c in CLAUSE_BREAK.finditer(text, max(0, m.start() - 40), m.start())),
            default=0,
        )
        before = text[begin : m.start()]
        if "等" in before or text[m.start() - 1 : m.start()] in "（(" or _in_title(text, m.start()):
            continue  # a list (_listed_projects reads it), 企业（项目）, 《…项目…办法》
        tokens = [t for t in seg.tokens(text, begin, m.end()) if t.end <= m.start()]
        start = seg.name_start(tokens) if tokens else None
        if start is not None and not re.search(r"\d", text[start : m.start()]):
            first = next(t for t in tokens if t.end > start)
            # alone, a project needs a proper name first: 姚电公司…, 湛河区…, not 用能设备更新
            owned = any(text.startswith(n, start) for e in enterprises for n in e.names)
            if owned or (first.tag in PROPER_TAGS and seg.is_name_word(first.word, first.tag)):
                out.append((start, m.end()))
    return out


def _in_title(text: str, offset: int) -> bool:
    return text.rfind("《", 0, offset) > text.rfind("》", 0, offset)


PLACE_LEVELS = "镇乡村县旗区市"


def _whole_place(text: str, start: int, seg: Segmenter) -> int:
    """Where a name cut after its place's first word starts: 实施奋斗|镇1万亩节水灌溉 → 奋斗镇…
    (奋斗 is a verb too, so the name's lead-in took it)."""
    if start == 0 or text[start] not in PLACE_LEVELS or not CJK_OR_LATIN.match(text[start - 1]):
        return start
    tokens = seg.tokens(text, max(0, start - 6), start)
    return tokens[-1].start if tokens and len(tokens[-1].word) >= 2 else start


def _is_project_name(name: str, enterprises: Sequence[EnterpriseRecord], seg: Segmenter) -> bool:
    """A project name starts with a name (平高集团…, 湛河区…, 中骏世界城…), not a kind nor a
    quantity (2台热水锅炉, 5条主干道路)."""
    core = project_key(name)
    if (
        len(core) < 4
        or core[0].isdigit()
        or core.endswith(("企业", "产业", "行业"))
        or core.count("（") != core.count("）")
    ):
        return False
    if any(core.startswith(n) for e in enterprises for n in e.names):
        return True
    return seg.starts_with_name_word(core) and not is_government_body(core)


def project_key(name: str) -> str:
    name = name.translate(_PAREN)
    return name[: -len(PROJECT_WORD)] if name.endswith(PROJECT_WORD) else name


def _name_ends(key: str, stem: str, seg: Segmenter) -> bool:
    """After a stem, the project goes on with a word of the dictionary or a number (金川|镍钴…,
    大唐|700万吨), not more of a name (姚电|绿能: 姚电绿能 is another firm than 姚电公司)."""
    rest = key[key.find(stem) + len(stem) :]
    tokens = seg.tokens(rest) if rest else []
    return bool(tokens) and (seg.known(tokens[0].word) or tokens[0].tag == "m")


def _opens(key: str, name: str) -> bool:
    """``key`` opens with ``name``, maybe after a place: 株洲中车IGBT opens with 中车."""
    if key.startswith(name):
        return True
    at = key.find(name)
    return at > 0 and key[:at] in qualifiers()


def _project_record(
    text: str,
    forms: set[str],
    enterprises: Sequence[EnterpriseRecord],
    taxonomy: IndustryTaxonomy,
    shared: dict[str, list[Span]],
    seg: Segmenter,
) -> ProjectRecord:
    """``shared`` names projects never written whole (姚孟村棚改项目 of 姚孟村、后城村棚改项目),
    with the span of the phrase that names them."""
    key = project_key(next(iter(forms)))
    pattern = re.escape(key).replace("（", "[（(]").replace("）", "[）)]")
    spans = [m.span() for m in re.finditer(rf"{pattern}(?:{PROJECT_WORD})?", text)]
    written = Counter(text[s:e] for s, e in spans)
    unwritten = sorted(forms & shared.keys())
    if spans:
        label = min(written, key=lambda w: (-written[w], spans[list(written).index(w)]))
    elif unwritten:
        label, spans, written = unwritten[0], shared[unwritten[0]], Counter(unwritten[:1])
    else:
        label = key
    owners = [
        (len(n), e.label)
        for e in enterprises
        for n in e.owner_forms()
        if _opens(key, n) and (n in e.names or _name_ends(key, n, seg))
    ]
    industries = list(dict.fromkeys(iri for iri, _, _ in taxonomy.find_mentions(key)))
    return ProjectRecord(
        label, sorted(written), spans, max(owners)[1] if owners else None, industries
    )
