"""A report's text as HTML, every extracted span marked and linked to what it names."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from html import escape

from markupsafe import Markup

from .links import Link, link, row_value


def report_text(text: str, rows: Iterable[dict], highlight: tuple[int, int] | None) -> Markup:
    """The report's text as HTML, every extracted span (``rows``: ``start``, ``end``, and the
    ``thing`` read from it with its ``label``) marked and linked to what it names.

    ``highlight`` (from ``?hl=start-end``) is marked as the target; anchors ``span-S-E`` sit at
    each span's start so ``#span-S-E`` scrolls to it.
    """
    spans: dict[tuple[int, int], list[Link]] = defaultdict(list)
    # in one order whatever the store's: a span naming several things lists them alike
    rows = sorted(rows, key=lambda r: (row_value(r, "thing") or "", row_value(r, "label") or ""))
    for row in rows:
        key = (int(row["start"].value), int(row["end"].value))
        if "thing" in row:
            spans[key].append(link(row["thing"].value, row_value(row, "label")))
        else:
            spans.setdefault(key, [])
    if highlight:
        spans.setdefault(highlight, [])
    return Markup(_mark(text, spans, highlight))


def _mark(text: str, spans: dict[tuple[int, int], list[Link]], target) -> str:
    cuts = sorted({0, len(text), *(p for s in spans for p in s if 0 <= p <= len(text))})
    starts: dict[int, list[tuple[int, int]]] = defaultdict(list)
    ends: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for s in spans:
        starts[s[0]].append(s)
        ends[s[1]].append(s)
    active: set[tuple[int, int]] = set()
    out: list[str] = []
    for a, b in zip(cuts, cuts[1:], strict=False):  # a sweep: spans open at their start
        active.difference_update(ends[a])
        active.update(s for s in starts[a] if s[1] > s[0])
        out.extend(f'<span class="anchor" id="span-{s}-{e}"></span>' for s, e in sorted(starts[a]))
        piece = escape(text[a:b])
        if not active:
            out.append(piece)
            continue
        things = list(dict.fromkeys(t for s in sorted(active) for t in spans[s]))
        title = escape(" · ".join(t.label for t in things), quote=True)
        cls = "mention target" if target and target[0] <= a and b <= target[1] else "mention"
        out.append(f'<mark class="{cls}" title="{title}">{piece}</mark>')
    return "".join(out)


def parse_highlight(value: str | None) -> tuple[int, int] | None:
    try:
        start, end = (int(x) for x in (value or "").split("-", 1))
    except ValueError:
        return None
    return (start, end) if 0 <= start <= end else None
