"""Read a report file into a :class:`~policykg.kg.document.Document`. About 440 lines because
decoding, traditional → simplified, normalisation, web residue and page breaks are the steps of
one pass over the lines, each keeping the map from text offsets to raw offsets that every quote
depends on.

Reports arrive as UTF-8 (with or without BOM) or GB18030 text, copied from PDFs or web pages.
:func:`read_report` decodes the file, refuses what is not a report, and normalises the text so
that extractors see one shape of Chinese text:

- full-width letters, digits and ``%`` ``.`` and the ideographic space become half-width
  (``Ｐ２．５`` → ``P2.5``); ASCII ``, ; : ( ) ! ?`` next to Chinese become ``，；：（）！？``;
  spaces between Chinese characters go (``指 标 名 称`` → ``指标名称``), tabs stay;
- a report in traditional characters (報告, 發展) is read as simplified (OpenCC t2s, one
  character for one), while quotes stay in the source's characters;
- web-page residue (toolbars, bylines, footers; ``lexicons/web_residue.txt``) is dropped;
- lines cut by a PDF page break are joined (``全区经济社会呈`` + ``现总体稳定`` →
  ``全区经济社会呈现总体稳定``), blank lines go: one paragraph, heading or table row a line.

Every step deletes characters or replaces them in place, so ``Document.origin`` maps each
character of ``Document.text`` back to the raw text exactly.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from policykg.errors import UserError

from . import lexicons
from .document import Document
from .manifest import ReportMetadata
from .structure import DATELINE, HEADING, dateline_complete

MIN_CHINESE = 200  # fewer Chinese characters than a short paragraph: not a report
MIN_REPORT_WORDS = 4  # distinct words of lexicons/report_words.txt a report must use
FOOTER_TAIL = 0.2  # a footer marker only counts in the last fifth of the text
TRADITIONAL_SHARE = 0.05  # this share of traditional-only characters makes a text traditional

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Chinese characters and the punctuation that goes with them (full-width forms, 、。《》“”—…)
CJK_TEXT = CJK + r"\u3000-\u303f\uff00-\uffef\u2014\u2018\u2019\u201c\u201d\u2026"
FULL_WIDTH_KEPT = "，；：（）！？"  # Chinese punctuation proper stays full-width
TO_FULL_WIDTH = {",": "，", ";": "；", ":": "：", "(": "（", ")": "）", "!": "！", "?": "？"}
TERMINAL = "。！？；：…!?;:"
CLOSERS = "”’」』）》】)\"'"
RUNNING_PUNCTUATION = re.compile(r"[，、；：“”‘’（）《》。]")
LIST_ITEM = re.compile(r"^(?:[▲△■□●○◆◇★☆•·\-*]|——|[①-⑳]|（\d{1,2}）)")
RUNNING_LENGTH = 25  # a line this long is running text even without punctuation


class ReportError(UserError, ValueError):
    """A file that cannot be read as a report. The message names the file and the problem.

    >>> str(ReportError(Path("a.txt"), "is empty"))
    'a.txt: is empty'
    """

    def __init__(self, path: Path, problem: str):
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


def read_report(path: str | Path, metadata: ReportMetadata | None = None) -> Document:
    """Read, decode and normalise one report; ``metadata`` (a manifest row) travels with it.

    :raises ReportError: the file cannot be read, is empty, binary, in an unknown encoding,
        or not a report (too little Chinese, none of the words reports are made of).
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ReportError(path, f"cannot be read ({e.strerror or e})") from e
    raw = decode(path, data)
    # a traditional-character report is read in simplified characters, one for one, so that
    # offsets into the simplified text are offsets into the raw text and quotes stay exact
    readable = to_simplified(raw) if is_traditional(raw) else raw
    check_is_report(path, readable)
    text, origin = normalise(readable)
    return Document(path, raw, text, origin, metadata)


def decode(path: Path, data: bytes) -> str:
    """UTF-8 (a BOM is dropped) if the bytes are valid UTF-8, else GB18030.

    :raises ReportError: empty, binary (NUL bytes, control characters) or neither encoding.
    """
    if not data.strip():
        raise ReportError(path, "is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReportError(path, "is UTF-16 text: save it as UTF-8 (or GB18030) and try again")
    if b"\x00" in data:
        raise ReportError(path, "is a binary file (it holds NUL bytes), not a text report")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            raw = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ReportError(path, "is neither UTF-8 nor GB18030 text")
    controls = sum(1 for ch in raw if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f")
    if controls > len(raw) / 100:
        raise ReportError(path, "is a binary file (control characters), not a text report")
    if not raw.strip():
        raise ReportError(path, "is empty")
    return raw


def check_is_report(path: Path, raw: str) -> None:
    """Refuse texts that are not Chinese government reports.

    :raises ReportError: fewer than ``MIN_CHINESE`` Chinese characters, or fewer than
        ``MIN_REPORT_WORDS`` of the words reports are made of (报告, 工作, 发展, 计划…).
    """
    chinese = len(re.findall(f"[{CJK}]", raw))
    if chinese < MIN_CHINESE:
        raise ReportError(
            path, f"is not a report: only {chinese} Chinese characters (a report has thousands)"
        )
    found = [w for w in report_words() if w in raw]
    if len(found) < MIN_REPORT_WORDS:
        raise ReportError(
            path,
            "is not a report: it hardly uses the words reports are made of "
            f"({'、'.join(report_words())}; found {'、'.join(found) or 'none'})",
        )


def report_words() -> tuple[str, ...]:
    """报告, 工作, 发展, 计划…: words every government report uses (lexicons/report_words.txt)."""
    return lexicons.lines("report_words.txt")


# --- traditional characters -------------------------------------------------------------------


@cache
def traditional_characters() -> frozenset[str]:
    """Characters OpenCC converts from traditional to simplified (its TSCharacters table)."""
    table = resources.files("opencc") / "dictionary" / "TSCharacters.txt"
    chars = set()
    for line in table.read_text("utf-8").splitlines():
        key, _, values = line.partition("\t")
        if key and values.split()[:1] != [key]:
            chars.add(key)
    return frozenset(chars)


def is_traditional(raw: str) -> bool:
    """Is this text written in traditional characters (報告, 發展)? A simplified report holds
    almost none of them (乾, 濛 in names), a traditional one a third of its characters.

    >>> is_traditional("關於國民經濟和社會發展計劃執行情況的報告"), is_traditional("关于计划执行情况的报告")
    (True, False)
    """
    chinese = len(re.findall(f"[{CJK}]", raw))
    table = traditional_characters()
    return chinese > 0 and sum(ch in table for ch in raw) >= TRADITIONAL_SHARE * chinese


def to_simplified(raw: str) -> str:
    """``raw`` in simplified characters, character for character (OpenCC t2s).

    OpenCC converts phrase by phrase; a line whose conversion changes its length is converted
    one character at a time instead, so the result always has the length of ``raw``.

    >>> to_simplified("發展規劃綱要\\n報告")
    '发展规划纲要\\n报告'
    """
    converter = _t2s()
    out = []
    for line in raw.split("\n"):
        converted = converter.convert(line)
        if len(converted) != len(line):
            converted = "".join(
                c if len(c) == 1 else ch for ch in line for c in [converter.convert(ch)]
            )
        out.append(converted)
    return "\n".join(out)


@cache
def _t2s():
    from opencc import OpenCC

    return OpenCC("t2s")


# --- normalisation ----------------------------------------------------------------------------


@dataclass
class Line:
    """One line of text being normalised: ``origin[i]`` is the raw offset of ``text[i]``;
    ``end`` is the raw offset just after the line's last character (its newline, if any)."""

    text: str
    origin: list[int]
    end: int

    def sub(
        self, pattern: str | re.Pattern[str], repl: str | Callable[[re.Match[str]], str]
    ) -> Line:
        """``re.sub`` that keeps the offset map: a replacement's i-th character maps to the
        matched text's i-th character (its last one for longer replacements); an empty
        replacement deletes."""
        text: list[str] = []
        origin: list[int] = []
        last = 0
        for m in re.finditer(pattern, self.text):
            text.append(self.text[last : m.start()])
            origin.extend(self.origin[last : m.start()])
            new = repl if isinstance(repl, str) else repl(m)
            text.append(new)
            if m.end() > m.start():
                origin.extend(
                    self.origin[m.start() + min(i, len(m[0]) - 1)] for i in range(len(new))
                )
            else:  # an insertion stands for the character it precedes
                at = self.origin[m.start()] if m.start() < len(self.origin) else self.end
                origin.extend([at] * len(new))
            last = m.end()
        text.append(self.text[last:])
        origin.extend(self.origin[last:])
        return Line("".join(text), origin, self.end)

    def __add__(self, other: Line) -> Line:
        return Line(self.text + other.text, self.origin + other.origin, other.end)


def normalise(raw: str) -> tuple[str, list[int]]:
    """The normalised text of ``raw`` and its offset map (``origin``, one extra final entry).

    >>> text, origin = normalise("落实政策，加大\\n\\n就业帮扶（ＰＭ２．５）, 指 标\\n")
    >>> text
    '落实政策，加大就业帮扶（PM2.5），指标'
    >>> origin[6:8], len(origin) == len(text) + 1  # 加大 at 5 6, 就 after "\\n\\n" at 9
    ([6, 9], True)
    """
    lines = [clean_line(line) for line in split_lines(raw)]
    lines = drop_residue(lines)
    lines = join_broken_lines(lines)
    text: list[str] = []
    origin: list[int] = []
    for i, line in enumerate(lines):
        if i:
            text.append("\n")
            origin.append(lines[i - 1].end)
        text.append(line.text)
        origin.extend(line.origin)
    origin.append(len(raw))
    return "".join(text), origin


def split_lines(raw: str) -> list[Line]:
    """Raw lines (without their newline), characters mapped to full/half width as they go."""
    lines = []
    start = 0
    for m in re.finditer(r"\n|\Z", raw):
        chars: list[str] = []
        origin: list[int] = []
        for i in range(start, m.start()):
            for ch in _CHAR_MAP.get(raw[i], raw[i]):
                chars.append(ch)
                origin.append(i)
        lines.append(Line("".join(chars), origin, m.start()))
        start = m.end()
        if m.end() == len(raw):
            break
    return lines


def _char_map() -> dict[str, str]:
    """Characters normalised one by one: full-width ASCII (except Chinese punctuation proper)
    to half-width, odd spaces to a space, Kangxi radicals and compatibility ideographs (which
    PDF extraction produces) to the ordinary ideograph, invisible characters to nothing."""
    table: dict[str, str] = {}
    for cp in range(0xFF01, 0xFF5F):
        if chr(cp) not in FULL_WIDTH_KEPT:
            table[chr(cp)] = chr(cp - 0xFEE0)
    for cp in [0x3000, 0x00A0, *range(0x2000, 0x200B), 0x202F, 0x205F]:
        table[chr(cp)] = " "
    for cp in [*range(0x2F00, 0x2FD6), *range(0xF900, 0xFB00)]:
        table[chr(cp)] = unicodedata.normalize("NFKC", chr(cp))
    for ch in "\r\u200b\u200c\u200d\u2060\ufeff\u00ad":
        table[ch] = ""
    for cp in range(0x20):
        if chr(cp) not in "\t\n":
            table[chr(cp)] = ""
    return table


_CHAR_MAP = _char_map()
_ASCII_PUNCT = "".join(re.escape(p) for p in TO_FULL_WIDTH)
_NEAR_CHINESE = re.compile(f"(?<=[{CJK_TEXT}])[{_ASCII_PUNCT}]|[{_ASCII_PUNCT}](?= *[{CJK_TEXT}])")


def clean_line(line: Line) -> Line:
    """Trim spaces, make punctuation next to Chinese full-width, drop spaces inside Chinese.

    ``(二) 聚焦项目建设`` and ``（二）聚焦项目建设`` come out the same.
    """
    line = line.sub(r"^ +| +$", "")
    line = line.sub(_NEAR_CHINESE, lambda m: TO_FULL_WIDTH[m[0]])
    # a bracket pair half converted: （PM2.5) → （PM2.5）
    line = line.sub(r"(?<=（)[^()（）\n]*\)", lambda m: m[0][:-1] + "）")
    line = line.sub(r"\((?=[^()（）\n]*）)", "（")
    # "1. 第一产业" → "1.第一产业": the heading pattern wants no space after the dot
    line = line.sub(f"^(\\d{{1,2}}\\.) +(?=[{CJK_TEXT}])", lambda m: m[1])
    return line.sub(f"(?<=[{CJK_TEXT}]) +(?=[{CJK_TEXT}])", "")


# --- web-page residue -------------------------------------------------------------------------


@dataclass(frozen=True)
class ResidueRule:
    """A line of lexicons/web_residue.txt: what the pattern matches and how much it drops."""

    kind: str  # line | label | block | footer | end
    pattern: re.Pattern[str]


@cache
def residue_rules() -> tuple[ResidueRule, ...]:
    """The rules of lexicons/web_residue.txt, in file order."""
    rules = []
    for entry in lexicons.lines("web_residue.txt"):
        kind, pattern = entry.split(maxsplit=1)
        rules.append(ResidueRule(kind, re.compile(pattern.strip())))
    return tuple(rules)


def drop_residue(lines: list[Line]) -> list[Line]:
    """The lines that are not web-page furniture (see lexicons/web_residue.txt)."""
    total = sum(len(line.text) for line in lines)
    kept: list[Line] = []
    skip_until = -1
    for i, line in enumerate(lines):
        if i <= skip_until:
            continue
        text = line.text.strip()
        rule = next((r for r in residue_rules() if r.pattern.fullmatch(text)), None)
        if rule is None or not text:
            kept.append(line)
        elif rule.kind == "end":
            if sum(len(rest.text) for rest in lines[i:]) <= total / 2:
                break  # a notice ends the page; one above the report is only a line
        elif rule.kind == "footer":
            after = sum(len(rest.text) for rest in lines[i + 1 :])
            if after <= FOOTER_TAIL * total:
                break
            kept.append(line)
        elif rule.kind == "label":
            m = rule.pattern.fullmatch(text)
            if m and not (m.lastindex and m[m.lastindex]):
                skip_until = _label_value(lines, i)
        elif rule.kind == "block":
            skip_until = _block_end(lines, i)
    return kept


def _next_content(lines: list[Line], i: int) -> int | None:
    return next((j for j in range(i + 1, len(lines)) if lines[j].text.strip()), None)


def _label_value(lines: list[Line], i: int) -> int:
    """The index of a label's value on the next line ("来源：" / "四川日报"), else ``i``."""
    j = _next_content(lines, i)
    if j is not None and len(lines[j].text.strip()) <= 20 and "。" not in lines[j].text:
        return j
    return i


def _block_end(lines: list[Line], i: int) -> int:
    """The line closing a "【字体：" 大 中 小 "】" switcher of short lines, else ``i``."""
    for j in range(i, min(i + 10, len(lines))):
        if "】" in lines[j].text:
            return j
        if j > i and len(lines[j].text.strip()) > 4:
            break
    return i


# --- page breaks ------------------------------------------------------------------------------


def join_broken_lines(lines: list[Line]) -> list[Line]:
    """Join the lines a page break cut mid-sentence; drop blank lines.

    A line is continued by the next non-blank line when it is running text that does not end
    a sentence or clause (。！？；：…) and the next line is not a heading, table row, list
    item or date line. Headings (一、 （一） 1.), short title lines and table rows are never
    continued. A date line ("——2023年10月17日在…人民代表大会") is continued until it ends
    with 上 ("…第三次会议上").
    """
    out: list[Line] = []
    for line in lines:
        if not line.text.strip():
            continue
        if out and is_open(out[-1].text) and continues(line.text):
            out[-1] = out[-1] + line
        else:
            out.append(line)
    return out


def is_open(text: str) -> bool:
    """Does this line stop mid-sentence, so that the next line may carry on?"""
    if "\t" in text:
        return False
    if DATELINE.match(text):
        return not dateline_complete(text)
    if _heading_only(text):
        return False
    if text.count("“") > text.count("”"):
        return True
    if text.rstrip(CLOSERS)[-1:] in TERMINAL or not text.rstrip(CLOSERS):
        return False
    return bool(RUNNING_PUNCTUATION.search(text)) or len(text) >= RUNNING_LENGTH


def continues(text: str) -> bool:
    """Can this line be the rest of the previous line's sentence?"""
    return not (
        "\t" in text or HEADING.match(text) or LIST_ITEM.match(text) or DATELINE.match(text)
    )


def _heading_only(text: str) -> bool:
    """A numbered heading alone on its line: ``（一）加快转型升级，高质量发展提档换速``."""
    return bool(HEADING.match(text)) and not re.search(r"[。！？；：]", text)
