"""kg.phrases finds what a regular expression of the phrases finds (it replaced one)."""

import random
import re

from policykg.kg.phrases import Phrases, find_all


def _regex_matches(phrases: list[str], text: str) -> list[tuple[int, int, str]]:
    pattern = re.compile("|".join(map(re.escape, sorted(phrases, key=len, reverse=True))))
    return [(m.start(), m.end(), m.group()) for m in pattern.finditer(text)]


def test_phrases_find_the_leftmost_longest_matches_an_alternation_finds():
    # pyahocorasick's own longest-match iterator failed ~1 case in 200 of these
    rng = random.Random(1)
    for _ in range(3000):
        alphabet = "北京市海淀区"[: rng.randint(2, 6)]
        count = rng.randint(1, 8)
        phrases = list({"".join(rng.choices(alphabet, k=rng.randint(1, 5))) for _ in range(count)})
        text = "".join(rng.choices(alphabet, k=rng.randint(0, 50)))
        assert list(Phrases(phrases).finditer(text)) == _regex_matches(phrases, text)


def test_no_phrases_find_nothing():
    assert list(Phrases([]).finditer("北京市")) == []


def test_find_all_finds_what_an_escaped_pattern_finds():
    rng = random.Random(11)
    for _ in range(500):
        text = "".join(rng.choices("四保(.)", k=30))
        phrase = "".join(rng.choices("四保(.)", k=rng.randint(1, 3)))
        expected = [m.span() for m in re.finditer(re.escape(phrase), text)]
        assert list(find_all(text, phrase)) == expected
