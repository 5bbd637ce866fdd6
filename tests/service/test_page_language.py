"""Pages speak Chinese first (issue 9, item 3): no internal class names, search-mode words,
half-English phrases or Markdown on entity and term pages; error pages in Chinese."""

from __future__ import annotations

import re

import pytest
import requests

BROWSER = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"
# Words of the code, not of readers: class names, search modes, English fillers, Markdown.
LEAKS = re.compile(
    r"\bpol:|skos:|PolicyDocument|GovernmentBody|\bSlogan\b|\bsubstring\b|\bprefix\b|\bexact\b"
    r"|\bentries\b|原文 text|nothing found|\bno parts\b|`"
)


@pytest.fixture(scope="module")
def url(seed_server) -> str:
    """The service over the founding report's store: embedded, or in Virtuoso."""
    return seed_server.url


def visible(page: str) -> str:
    """What a reader sees in the page's main part."""
    main = page[page.index("<main>") : page.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


@pytest.mark.parametrize(
    "path",
    [
        "/terms",
        "/terms?q=主链",
        "/terms?q=szl",
        "/terms/slogan/si-zhu-lian-0c35204a/zhanhe-district-2023-plan-report",
        "/terms/enterprise/410000/ping-gao-22369446",
        "/id/slogan/si-zhu-lian-0c35204a/zhanhe-district-2023-plan-report",
        "/id/enterprise/410000/ping-gao-22369446",
        "/id/industry/zhuang-bei-zhi-zao",
    ],
)
def test_term_and_entity_pages_show_no_internal_words(url, path):
    answer = requests.get(url + path, headers={"Accept": BROWSER})
    assert answer.status_code == 200
    text = visible(answer.text)
    assert not LEAKS.search(text), LEAKS.search(text)[0]


def test_search_matches_are_named_in_chinese(url):
    text = visible(requests.get(url + "/terms?q=主链", headers={"Accept": BROWSER}).text)
    assert "四主链" in text and ("包含查询词" in text or "开头匹配" in text)


def test_a_glossary_list_counts_entries_in_chinese(url):
    text = visible(requests.get(url + "/terms", headers={"Accept": BROWSER}).text)
    assert re.search(r"\d+ 条名词解释 · 报告原文", text)


@pytest.mark.parametrize("path", ["/id/enterprise/nobody", "/terms/slogan/nothing", "/nowhere"])
def test_not_found_pages_are_chinese(url, path):
    answer = requests.get(url + path, headers={"Accept": BROWSER})
    assert answer.status_code == 404
    text = visible(answer.text)
    assert "404 未找到" in text and "回到首页" in text
    assert "nothing is known" not in text and "no term" not in text
