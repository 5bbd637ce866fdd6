"""A start of the service: it answers from its first query worker, and a start of a store
version it has served before reads back what the pages need instead of making it again.

Embedded only, but for the test that names Virtuoso: the pool's worker processes and what is
kept beside a store directory and dropped when it is rebuilt belong to the embedded store.
"""

from __future__ import annotations

import shutil
import time

import pytest
import requests

from policykg.service import create_app, db, search
from policykg.service.pool import Job, PoolClosed, QueryPool, WorkerLost
from policykg.service.testing import LiveServer, warmed_app

# labels and assertions are read per page (answers.LabelIndex, evidence.assertions_of)
PAGE_INDEXES = {"terms", "fulltext", "compare", "corpus"}


@pytest.fixture
def store(tmp_path, seed_store_dir):
    shutil.copytree(seed_store_dir, tmp_path / "store")
    return tmp_path / "store"


def started(store):
    return warmed_app({"STORE_PATH": str(store)})


def kept(store) -> set[str]:
    return {p.stem for p in (store / "cache" / "service").glob("*/*.pickle")}


def never(_store):
    raise AssertionError("made again, though an earlier start kept it")


def test_a_start_reads_back_what_an_earlier_start_of_the_same_version_kept(store):
    with started(store).app_context():
        first = search.term_index().search("四主链")
    assert kept(store) >= PAGE_INDEXES
    with started(store).app_context():
        backend = db.get_backend()
        assert backend.memo("terms", never).search("四主链") == first != []
        for name in PAGE_INDEXES:
            backend.memo(name, never)


def probe(store, value: str) -> str:
    with started(store).app_context():
        return db.get_backend().memo("probe", lambda _store: value)


def test_a_rebuilt_store_keeps_nothing_of_the_old_version(store):
    assert probe(store, "old") == "old"
    assert probe(store, "new") == "old"  # the same version: read back
    (store / "build.json").write_text((store / "build.json").read_text() + " ")  # a new version
    assert probe(store, "new") == "new"


def test_a_store_where_nothing_can_be_kept_is_served_all_the_same(store):
    shutil.rmtree(store / "cache" / "service", ignore_errors=True)  # the seed store was served
    (store / "cache" / "service").write_text("not a directory")  # as a read-only disk would
    with started(store).app_context():
        assert search.term_index().search("四主链")
    assert kept(store) == set()


def test_the_pool_answers_from_its_first_worker_and_starts_the_others(store):
    pool = QueryPool(store, 3)
    try:
        assert pool.status()["alive"] >= 1
        answer = pool.run(Job("ASK {}", "text/csv", None, 100), timeout=30)
        assert answer.body.split() == [b"_askResult", b"true"]
        deadline = time.monotonic() + 60
        while pool.status()["alive"] < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert pool.status()["alive"] == 3
    finally:
        pool.close()


def test_a_pool_closed_while_answering_ends_its_queries_at_once(store):
    """When a new store version is served, the old one's pool closes while its warm-up or a
    request may still be answering or waiting: they end at once, not at their timeout."""
    pool = QueryPool(store, 1)
    cross = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    running = pool.start(Job(cross, "text/csv", None, 100), timeout=60)
    pool.close()
    started = time.monotonic()
    with pytest.raises(WorkerLost):
        pool.finish(running)
    with pytest.raises(PoolClosed):
        pool.run(Job("ASK {}", "text/csv", None, 100), timeout=60)
    assert time.monotonic() - started < 5


def test_healthz_says_when_the_pages_indexes_are_made(store):
    with LiveServer(store) as live:
        while not requests.get(live.url + "/healthz").json()["warm"]:
            time.sleep(0.1)
        assert kept(store) >= PAGE_INDEXES


def test_a_server_loaded_by_build_keeps_what_the_pages_need_beside_the_local_build(
    tmp_path, seed_virtuoso_url
):
    """Over a server the version is the load's identifier: a restart reads back what the first
    start made (beside the build whose dumps are served) instead of reading the server again."""
    config = {"STORE_PATH": seed_virtuoso_url, "DUMPS_DIR": str(tmp_path / "dumps")}
    app = warmed_app(config)
    with app.app_context():
        first = search.term_index().search("四主链")
    db.close(app)
    # one directory for the version, one for the indexes that outlive it (the full-text index)
    homes = {p.name.endswith("-indexes"): p for p in (tmp_path / "cache" / "service").iterdir()}
    assert len(homes) == 2 and list(homes[True].glob("fulltext-*.sqlite"))
    kept_dirs = [homes[False]]
    assert {p.stem for p in kept_dirs[0].glob("*.pickle")} >= PAGE_INDEXES
    app = create_app(config)
    with app.app_context():
        assert db.get_backend().memo("terms", never).search("四主链") == first != []
    db.close(app)


def test_the_warm_up_says_what_each_step_cost_and_a_failed_step_stops_no_other(store, monkeypatch):
    from policykg.kg.store import StoreTimeout

    def stopped(_store, *_where):
        raise StoreTimeout("the server stopped the query at its own limit")

    shutil.rmtree(store / "cache" / "service", ignore_errors=True)  # nothing kept to read back
    monkeypatch.setattr(search.TermIndex, "from_store", stopped)
    app = started(store)
    steps = {step["step"]: step for step in app.extensions["policykg.warm_steps"]}
    assert steps["search.term_index"]["error"].startswith("StoreTimeout")
    made = [step for name, step in steps.items() if name != "search.term_index"]
    assert {"fulltext.fulltext_index", "compare.warm", "corpus.corpus"} <= steps.keys()
    assert all(not step["error"] and step["seconds"] >= 0 and step["rss_mb"] > 0 for step in made)
    assert kept(store) >= PAGE_INDEXES - {"terms"}
