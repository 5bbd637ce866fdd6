"""A report as read: the raw text, its normalised form, and the map between their offsets.

Every extractor works on ``Document.text`` (normalised) and reports evidence with
``Document.evidence(start, end)``, which maps back to code-point offsets into ``Document.raw``,
the text exactly as read from the file. Quotes are always ``raw[start:end]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .manifest import ReportMetadata


# A span of ``Document.text`` (the normalised text), ``text[start:end]``: what every extractor
# returns. ``Document.evidence`` turns it into :class:`Evidence`, offsets into the raw text.
Span = tuple[int, int]


@dataclass(frozen=True)
class Evidence:
    """What a graph keeps of a span (a ``pol:TextSpan``): ``quote == raw[start:end]`` of the
    report as read (code points)."""

    start: int
    end: int
    quote: str


@dataclass
class Document:
    """A decoded report. ``origin[i]`` is the raw offset of ``text[i]``; one extra entry at the end.

    ``metadata`` is what a manifest says about the report; it overrides the text's own
    front matter (see ``kg.structure``).
    """

    path: Path
    raw: str
    text: str
    origin: list[int]
    metadata: ReportMetadata | None = None

    def evidence(self, start: int, end: int) -> Evidence:
        """The raw-text evidence for the span ``text[start:end]``.

        >>> doc = Document(Path("x.txt"), "四\\n\\n区", "四区", [0, 3, 4])
        >>> doc.evidence(0, 2)
        Evidence(start=0, end=4, quote='四\\n\\n区')
        """
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"span {start}-{end} outside text of length {len(self.text)}")
        raw_start = self.origin[start]
        raw_end = self.origin[end - 1] + 1 if end > start else raw_start
        return Evidence(raw_start, raw_end, self.raw[raw_start:raw_end])

    @property
    def name(self) -> str:
        return self.path.stem
