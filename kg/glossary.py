"""A report's own glossary: the 名词解释 appendix that explains its slogans and terms.

Pure functions on normalised report text; every offset is into that text. Layouts read:

- a heading line under a 附件 / 部分名词和专用术语解释 title, then the definition in the
  paragraphs below (the founding report)::

      7. 四纵四横一管网
      湛河新区谋划实施的基础设施建设项目。“四纵”指嵩山路…

- an inline heading before a colon under 名词解释 (``1.“两重”：是指…``), also with ①,
  （1）, ``1、`` or 【】 markers, and 【两重】 headings without numbers.

Entries must be numbered 1, 2, 3… without gaps after a glossary title, so a numbered table
or list elsewhere in the report is never mistaken for a glossary.

    >>> text = "名词解释\\n1.“两重”：是指国家重大战略实施和重点领域安全能力建设。\\n2.“两新”：是指大规模设备更新和消费品以旧换新。"
    >>> [(e.number, e.heading, e.terms) for e in find_glossary(text)]
    [(1, '“两重”', ['两重']), (2, '“两新”', ['两新'])]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from . import lexicons

QUOTES = {"“": "”", "「": "」", "『": "』"}
MARKER = re.compile(
    r"\s*(?:(?P<arabic>\d{1,3})\s*[.．、](?!\d)|[（(](?P<paren>\d{1,3})[）)]|"
    r"(?P<circled>[①-⑳])|【(?P<bracket>\d{1,3})】|\[(?P<square>\d{1,3})\])\s*"
)
BRACKET_HEADING = re.compile(r"【(?P<heading>[^】\n]{1,40})】\s*[：:]?\s*")
QUOTED_LEAD = re.compile(
    r"(?P<heading>“[^”\n]{1,20}”[^，。；“”\s]{0,10}?)[，,]?(?=就是指|是指|指|即)"
)


@dataclass
class GlossaryEntry:
    """One numbered entry: its heading as printed, its definition, and the terms it defines.

    ``text[start:end]`` is the whole entry (marker to end of definition);
    ``text[heading_start:heading_end] == heading``;
    ``text[definition_start:definition_end] == definition``.
    """

    number: int
    heading: str
    start: int
    end: int
    heading_start: int
    heading_end: int
    definition: str
    definition_start: int
    definition_end: int
    terms: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Line:
    start: int
    end: int
    text: str


def layout() -> dict:
    """The glossary layout lexicon (``lexicons/glossary_layout.toml``)."""
    return lexicons.toml("glossary_layout.toml")


@cache
def header_patterns() -> tuple[re.Pattern[str], ...]:
    """Glossary titles (名词解释, 附件：部分名词和专用术语解释, 有关内容名词注释, 注释…),
    composed from the parts listed in the layout lexicon's ``[heading]``.

    >>> [bool(is_glossary_title(t)) for t in ("有关内容名词注释", "【名词解释】", "附件2：部分名词和术语解释", "工作说明")]
    [True, True, True, False]
    """
    h = layout()["heading"]

    def any_of(words: list[str]) -> str:
        return "(?:" + "|".join(map(re.escape, sorted(words, key=len, reverse=True))) + ")"

    subject = any_of(h["subjects"])
    qualifiers = any_of(h["qualifiers"]) + "{0,3}"
    composed = (
        f"(?:{h['attachment']})?{qualifiers}{subject}"
        f"(?:{any_of(h['joiners'])}{qualifiers}{subject})?{any_of(h['explanations'])}"
    )
    return (re.compile(composed), re.compile(f"(?:{h['attachment']})?{any_of(h['bare'])}"))


def is_glossary_title(line: str) -> bool:
    """Is this line (stripped, brackets and a final colon aside) a glossary title?"""
    line = line.strip().rstrip("：:").strip().strip("【】[]（）()〔〕 ")
    return len(line) <= layout()["heading"]["longest"] and any(
        p.fullmatch(line) for p in header_patterns()
    )


def bare_number_chars() -> str:
    """Characters of a bare number ("21", "八五"), from ``lexicons/numerals.toml``."""
    return lexicons.toml("numerals.toml")["chars"]["bare"]


def find_glossary(text: str) -> list[GlossaryEntry]:
    """The glossary entries of a report, in order; ``[]`` when it has none.

    The first glossary title (名词解释, 部分名词和专用术语解释, 注释…) followed within two lines
    by an entry numbered 1 opens the glossary; entries then run 1, 2, 3… and the last one
    ends with its last complete paragraph (web residue such as 责任编辑 stops it).
    """
    lines = _lines(text)
    for i, line in enumerate(lines):
        if is_glossary_title(line.text):
            entries = _entries(text, lines[i + 1 :])
            if entries:
                return entries
    return []


def _lines(text: str) -> list[_Line]:
    out = []
    for m in re.finditer(r"[^\n]+", text):
        stripped = m.group().strip()
        if stripped:
            start = m.start() + len(m.group()) - len(m.group().lstrip())
            out.append(_Line(start, start + len(stripped), stripped))
    return out


def _marker(line: _Line, expected: int, unnumbered: bool) -> int | None:
    """The offset where the entry's heading starts, if ``line`` opens entry ``expected``.

    ``unnumbered``: the glossary's entries are 【heading】 lines without numbers.
    """
    if unnumbered:
        return line.start if BRACKET_HEADING.match(line.text) else None
    m = MARKER.match(line.text)
    if m is None:
        return None
    number = next(g for g in m.groupdict().values() if g is not None)
    value = ord(number) - ord("①") + 1 if m.group("circled") else int(number)
    return line.start + m.end() if value == expected and m.end() < len(line.text) else None


def _entries(text: str, lines: list[_Line]) -> list[GlossaryEntry]:
    opens: list[tuple[int, int]] = []  # (line index, heading start)
    unnumbered = bool(lines) and not MARKER.match(lines[0].text)
    unnumbered = unnumbered and bool(BRACKET_HEADING.match(lines[0].text))
    for i, line in enumerate(lines):
        at = _marker(line, len(opens) + 1, unnumbered)
        if at is not None:
            opens.append((i, at))
        elif not opens and i >= 2:
            return []
    entries = []
    for k, (i, at) in enumerate(opens):
        last = opens[k + 1][0] if k + 1 < len(opens) else _last_line(lines, i)
        entry = _entry(text, k + 1, at, lines[i], lines[i + 1 : last])
        if entry is not None:
            entries.append(entry)
    return entries


def _last_line(lines: list[_Line], first: int) -> int:
    """One past the last line of the final entry: it runs on while mid-sentence."""
    ends = layout()["sentence_end"]
    j = first + 1
    while j < len(lines):
        mid_sentence = lines[j - 1].text[-1] not in ends
        complete = lines[j].text[-1] in ends and len(lines[j].text) > 8
        if not (mid_sentence or complete) or MARKER.match(lines[j].text):
            break
        j += 1
    return j


def _entry(text: str, number: int, at: int, head: _Line, body: list[_Line]) -> GlossaryEntry | None:
    heading_start, heading_end, def_start = _split_head(text, at, head)
    def_end = body[-1].end if body else head.end
    if def_start >= head.end and body:
        def_start = body[0].start
    def_start = min(def_start, def_end)
    heading = text[heading_start:heading_end]
    if not heading:
        return None
    marker_start = head.start
    return GlossaryEntry(
        number=number,
        heading=heading,
        start=marker_start,
        end=max(def_end, heading_end),
        heading_start=heading_start,
        heading_end=heading_end,
        definition=text[def_start:def_end],
        definition_start=def_start,
        definition_end=def_end,
        terms=glossary_terms(heading),
    )


def _split_head(text: str, at: int, head: _Line) -> tuple[int, int, int]:
    """(heading start, heading end, definition start) for an entry whose heading starts at ``at``."""
    rest = text[at : head.end]
    m = BRACKET_HEADING.match(rest)
    if m:
        return at + m.start("heading"), at + m.end("heading"), at + m.end()
    sep = _inline_separator(rest)
    if sep is not None:
        pos, width = sep
        after = at + pos + width
        return (
            at,
            at + pos,
            after + len(text[after : head.end]) - len(text[after : head.end].lstrip()),
        )
    if len(rest) > layout()["max_heading"] or rest[-1] == "。":
        m = QUOTED_LEAD.match(rest)
        if m:
            return at, at + m.end("heading"), at + m.end()
    return at, head.end, head.end


def _inline_separator(rest: str) -> tuple[int, int] | None:
    """Position and width of the colon (or dash) closing an inline heading, if there is one."""
    limit = layout()["max_heading"]
    depth = 0
    for i, c in enumerate(rest[:limit]):
        if c in QUOTES:
            depth += 1
        elif c in QUOTES.values():
            depth -= 1
        elif c in "，。；,;":
            return None
        elif depth == 0 and i > 0:
            for s in layout()["inline_separators"]:
                if rest.startswith(s, i):
                    return i, len(s)
    return None


def glossary_terms(heading: str) -> list[str]:
    """The terms a heading defines, without quotes.

    Quoted parts are the terms when present; otherwise the heading split on 、. A quoted bare
    number qualifies the word after it, so the term is the whole part without quotes.

    >>> glossary_terms("两个确保、十大战略")
    ['两个确保', '十大战略']
    >>> glossary_terms("“四主链”+“三副链”招商体系")
    ['四主链', '三副链']
    >>> glossary_terms("消防安全专项整治“五清”行动")
    ['五清']
    >>> glossary_terms("“八五”普法"), glossary_terms("稳增长“21”条")
    (['八五普法'], ['稳增长21条'])
    >>> glossary_terms("科技英才领航工程和“双千”计划")
    ['科技英才领航工程', '双千']
    """
    terms: list[str] = []
    for part in _top_split(heading, ("、",)):
        for piece in _conjoined(part):
            for term in _piece_terms(piece):
                if term and term not in terms:
                    terms.append(term)
    return terms


def _piece_terms(piece: str) -> list[str]:
    quoted = re.findall(r"[“「『]([^”」』]+)[”」』]", piece)
    if not quoted:
        return [piece.strip()]
    bare = bare_number_chars()
    if any(all(c in bare for c in q) for q in quoted):
        return [re.sub(r"[“”「」『』\s]", "", piece)]
    return [q.strip() for q in quoted]


def _conjoined(part: str) -> list[str]:
    """Split ``A和“B”…`` into its two terms, but only when one side is quoted and one is not."""
    pieces = _top_split(part, ("和",))
    if len(pieces) == 2 and sum("“" in p for p in pieces) == 1:
        return pieces
    return [part]


def _top_split(s: str, seps: tuple[str, ...]) -> list[str]:
    """``s`` split on ``seps`` outside quotes."""
    out, depth, start = [], 0, 0
    for i, c in enumerate(s):
        if c in QUOTES:
            depth += 1
        elif c in QUOTES.values():
            depth = max(0, depth - 1)
        elif depth == 0 and c in seps:
            out.append(s[start:i])
            start = i + 1
    out.append(s[start:])
    return [p.strip() for p in out if p.strip()]
