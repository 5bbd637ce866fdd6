"""Full-text search over every report of the corpus, through the real pipeline's store."""

from __future__ import annotations

import hashlib
import pickle
import re
import shutil
from pathlib import Path

import pytest

from policykg.kg.store import open_store
from policykg.service.fulltext import FullText

from ..conftest import REPORTS, SEED, SOURCES


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


def test_the_search_page_lists_the_filters_with_the_most_hits(corpus_store_dir, monkeypatch):
    """A word every report uses: the reports (and places) with the most hits are offered as
    filters, with how many there are; a chosen one is offered even when it has fewer."""
    from policykg.service import create_app, db, home

    monkeypatch.setattr(home, "FACET_VALUES", 3)
    app = create_app({"STORE_PATH": str(corpus_store_dir), "RESULT_CACHE_BYTES": 0})
    client = app.test_client()
    try:
        page = client.get("/search?q=发展").get_data(as_text=True)
        hits = FullText.from_store(open_store(corpus_store_dir)).search("发展").per_report
        fewest = min(hits, key=hits.get)
        chosen = client.get("/search", query_string={"q": "发展", "report": fewest})
    finally:
        db.close(app)

    def report_filters(html: str) -> str:
        return re.search(r"按报告筛选.*?</details>", html, re.S).group()

    assert len(re.findall(r"report=http", report_filters(page))) == 3
    assert "共 34 份报告，列出其中 3 个" in report_filters(page)
    offered = report_filters(chosen.get_data(as_text=True))
    assert len(re.findall(r"report=http", offered)) == 4 and 'class="on"' in offered


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
    from policykg.service.fulltext import made_once

    first = made_once(seed_store, tmp_path, "v1")

    def never(*_args):
        raise AssertionError("indexed again, though another process wrote the index")

    monkeypatch.setattr(FullText, "from_store", never)
    again = made_once(seed_store, tmp_path, "v1")
    assert again.search("高质量发展") == first.search("高质量发展")
    assert again.search("高质量发展").total > 0


# ---------------------------------------------------------------- indexed per report

# three short reports of one place: a store of two, one added, one of the first two removed
SMALL = [SOURCES / f"hailaer-district_{year}_gov-work-report.txt" for year in (2013, 2014, 2015)]


def only_in(path: Path, others: list[Path]) -> str:
    """A line of ``path``'s text (eight characters or more, up to its first sentence end)
    found in none of ``others``."""
    elsewhere = "".join(p.read_text(encoding="utf-8") for p in others)
    for line in path.read_text(encoding="utf-8").splitlines():
        piece = re.split(r"[。！？；]", line.strip())[0]
        if len(piece) >= 8 and piece not in elsewhere:
            return piece
    raise AssertionError(f"{path.name} has no line of its own")


@pytest.fixture(scope="module")
def versions(tmp_path_factory) -> list[Path]:
    """One store directory rebuilt three times (as ``policykg build`` does), each version
    copied aside: the first two reports, the third added, the first removed."""
    from policykg.kg.build import build

    root = tmp_path_factory.mktemp("versions")
    store_dir, out = root / "store", []
    for i, paths in enumerate([SMALL[:2], SMALL, SMALL[1:]]):
        build(paths, store_dir, dumps=False)
        shutil.copytree(store_dir, root / f"v{i}")
        out.append(root / f"v{i}")
    return out


def report_iris(store) -> set[str]:
    rows = store.select("PREFIX pol: <https://w3id.org/policykg/ontology#> "
                        "SELECT ?r WHERE { ?r a pol:Report }")  # fmt: skip
    return {row["r"].value for row in rows}


@pytest.fixture(scope="module", params=["embedded", "virtuoso"])
def served(request, versions):
    """The three versions as the service reads them: the store directories, or one Virtuoso
    loaded with each in turn as ``policykg build --store URL`` loads it (only the graphs that
    changed); yields a function opening version ``i``."""
    from policykg.kg.publish import publish
    from policykg.kg.remote import Credentials, RemoteStore

    if request.param == "embedded":
        yield lambda i: open_store(versions[i])
        return
    with open_store(versions[0]) as first:
        server = request.getfixturevalue("virtuoso_factory")("fulltext-versions", first)
    credentials = Credentials(server.USER, server.PASSWORD)
    remote = RemoteStore(server.url, graph_store=server.graph_store, credentials=credentials)
    with open_store(versions[0]) as first:
        known = {g: hashlib.sha256(first.graph_triples(g)).hexdigest() for g in first.graphs()}
    loaded = [0]

    def open_version(i: int):
        nonlocal known
        if loaded[0] != i:
            with open_store(versions[i]) as local:
                _, known = publish(local, remote, known)
            loaded[0] = i
        return RemoteStore(server.url)

    yield open_version


def test_a_new_version_indexes_only_the_reports_that_changed(served, tmp_path):
    """The index of a store with one report more is the previous index with that one report
    indexed; one report fewer, its sentences are no longer found, the others' still are."""
    first = FullText.from_store(served(0), tmp_path / "v0.sqlite")
    assert len(first.indexed) == 2 and first.removed == ()
    lone = only_in(SMALL[2], SMALL[:2])
    assert first.search(lone).total == 0

    store = served(1)
    second = FullText.from_store(store, tmp_path / "v1.sqlite", seed=tmp_path / "v0.sqlite")
    added = report_iris(store) - set(first.indexed)
    assert len(added) == 1 and second.indexed == tuple(added) and second.removed == ()
    assert {h.report for h in second.search(lone).hits} == added
    assert first.search(lone).total == 0  # the earlier version's file is left as it was

    store = served(2)
    third = FullText.from_store(store, tmp_path / "v2.sqlite", seed=tmp_path / "v1.sqlite")
    assert third.indexed == () and len(third.removed) == 1
    assert third.removed[0] not in report_iris(store)
    gone = only_in(SMALL[0], SMALL[1:])
    assert second.search(gone).total >= 1 and third.search(gone).total == 0
    assert {h.report for h in third.search(lone).hits} == added
    whole = FullText.from_store(store)  # the same as an index made whole
    for word in ("高质量发展", "海拉尔", "GDP", lone):
        assert third.search(word, limit=500) == whole.search(word, limit=500)


def test_each_version_is_made_from_the_one_before_and_older_ones_dropped(versions, tmp_path):
    """In the store's index home a version's index is made from the newest one there; only
    those two are kept."""
    from policykg.service.fulltext import made_once

    made = [made_once(open_store(v), tmp_path, f"v{i}") for i, v in enumerate(versions)]
    assert [len(m.indexed) for m in made] == [2, 1, 0]
    assert [len(m.removed) for m in made] == [0, 0, 1]
    assert sorted(p.name.split("-")[-1] for p in tmp_path.glob("fulltext-*.sqlite")) == [
        "v1.sqlite",
        "v2.sqlite",
    ]
