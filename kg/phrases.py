"""Finding any of thousands of fixed phrases in text (place names, industry names) at once.

A regular expression of the phrases joined by ``|``, longest first, finds them left to right,
the longest at each place, without overlap; Python's ``re`` tries every phrase at every
character, which took 1.3 s over the 34 bundled reports for the 3,342 place names alone. An
Aho–Corasick automaton (pyahocorasick, which cpca already brings) finds the same matches in a
fifth of the time::

    >>> [text for _, _, text in Phrases(["新能源", "新能源汽车", "汽车"]).finditer("新能源汽车和汽车")]
    ['新能源汽车', '汽车']
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import ahocorasick


class Phrases:
    """A fixed set of phrases, found as ``re.finditer`` finds their alternation (longest first)."""

    def __init__(self, phrases: Iterable[str]):
        self._automaton = ahocorasick.Automaton()
        for phrase in phrases:
            if phrase:
                self._automaton.add_word(phrase, phrase)
        self._automaton.make_automaton()

    def finditer(self, text: str) -> Iterator[tuple[int, int, str]]:
        """``(start, end, phrase)`` of each match: leftmost first, the longest phrase starting
        there, the next match after its end."""
        if len(self._automaton) == 0:
            return
        # every match, overlapping, then the longest of each start from left to right
        # (pyahocorasick's own iter_long skips some: a shorter match met while a longer
        # one was being followed)
        longest: dict[int, str] = {}
        for last, phrase in self._automaton.iter(text):
            start = last + 1 - len(phrase)
            if len(phrase) > len(longest.get(start, "")):
                longest[start] = phrase
        end = 0
        for start in sorted(longest):
            if start >= end:
                end = start + len(longest[start])
                yield start, end, longest[start]


def find_all(text: str, phrase: str) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each occurrence of ``phrase`` in ``text``, left to right, without
    overlap: what ``re.finditer(re.escape(phrase), text)`` finds, without compiling a pattern
    per phrase (thousands a report, which pushed the fixed patterns out of ``re``'s cache).

    >>> list(find_all("四保四保", "四保"))
    [(0, 2), (2, 4)]
    """
    if not phrase:
        return
    at = text.find(phrase)
    while at >= 0:
        yield at, at + len(phrase)
        at = text.find(phrase, at + len(phrase))
