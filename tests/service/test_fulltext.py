"""Full-text search over every report of the corpus, through the real pipeline's store."""

from __future__ import annotations

import pickle

import pytest

from policykg.kg.store import open_store
from policykg.service.fulltext import FullText

from ..conftest import REPORTS, SEED


@pytest.fixture(scope="module")
def index(corpus_store_dir) -> FullText:
    return FullText.from_store(open_store(corpus_store_dir))


def occurrences(word: str) -> int:
    return sum(p.read_text(encoding="utf-8").count(word) for p in REPORTS)


@pytest.mark.parametrize("word", ["高质量发展", "地区生产总值", "GDP", "链长"])
def test_every_occurrence_in_the_reports_is_found(index, word):
    hits = index.search(word, limit=10_000).hits
    assert sum(len(h.spans) for h in hits) == occurrences(word) > 0
    assert all(h.sentence[a:b].lower() == word.lower() for h in hits for a, b in h.spans)


def test_filters_and_counts_per_report(index):
    everything = index.search("高质量发展")
    one = next(iter(everything.per_report))
    only = index.search("高质量发展", reports=[one], limit=1000)
    assert only.total == everything.per_report[one] == len(only.hits)
    assert {h.report for h in only.hits} == {one}


def test_query_syntax_is_only_text(index):
    assert index.search('"AND OR NEAR(').total == 0


@pytest.fixture(scope="module")
def seed_index(seed_location) -> FullText:
    """The index built, as the service builds it at startup, from the founding report's store
    or from a Virtuoso holding it (the report texts are read through the store interface)."""
    with open_store(seed_location) as store:
        return FullText.from_store(store)


@pytest.mark.parametrize("word", ["高质量发展", "平高集团", "链长"])
def test_the_index_from_either_store_finds_every_occurrence(seed_index, word):
    hits = seed_index.search(word, limit=1000).hits
    assert sum(len(h.spans) for h in hits) == SEED.read_text(encoding="utf-8").count(word) > 0
    assert all(h.sentence[a:b] == word for h in hits for a, b in h.spans)


def test_the_index_kept_on_disk_finds_what_it_found(corpus_store_dir, index, tmp_path):
    """A start reads back the index an earlier start of the same store version kept: the
    database file itself, not a copy of it in the memo."""
    path = tmp_path / "fulltext.sqlite"
    kept = FullText.from_store(open_store(corpus_store_dir), path)
    memo = pickle.dumps(kept)
    assert path.stat().st_size > 1_000_000 > len(memo)
    again = pickle.loads(memo)
    for word in ("高质量发展", "GDP", "链长"):
        assert again.search(word, limit=50) == index.search(word, limit=50)
    path.unlink()  # gone since: the memo cannot be read back, and is made again
    with pytest.raises(FileNotFoundError):
        pickle.loads(memo)


def test_an_index_in_a_temporary_file_leaves_nothing_and_is_not_kept(index):
    assert index.path is None
    with pytest.raises(TypeError):
        pickle.dumps(index)


def test_an_index_another_web_process_wrote_is_opened_not_made_again(
    seed_store, tmp_path, monkeypatch
):
    """Web processes of one store version write the index once (a lock file beside it): the
    one that comes after opens the file the first wrote."""
    from policykg.service.fulltext import _made_once

    path = tmp_path / "fulltext.sqlite"
    first = _made_once(seed_store, path)

    def never(*_args):
        raise AssertionError("indexed again, though another process wrote the index")

    monkeypatch.setattr(FullText, "from_store", never)
    again = _made_once(seed_store, path)
    assert again.search("高质量发展") == first.search("高质量发展")
    assert again.search("高质量发展").total > 0
