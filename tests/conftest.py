"""Shared fixtures: real stores built by the real pipeline from the bundled reports."""

from __future__ import annotations

from pathlib import Path

import pytest

SOURCES = Path(__file__).resolve().parent.parent / "kg" / "sources"
SEED = SOURCES / "zhanhe-district_2023_plan-report.txt"
REPORTS = sorted(SOURCES.glob("*.txt"))


@pytest.fixture(scope="session")
def seed_store_dir(tmp_path_factory) -> Path:
    """A store directory built from the founding report alone (``DIR/oxigraph``, ``DIR/dumps``)."""
    from policykg.kg.build import build

    store_dir = tmp_path_factory.mktemp("seed") / "store"
    build([SEED], store_dir)
    return store_dir


@pytest.fixture(scope="session")
def seed_store(seed_store_dir):
    """The founding report's store, opened read-only."""
    from policykg.kg.store import open_store

    store = open_store(seed_store_dir)
    yield store
    store.close()


@pytest.fixture(scope="session")
def corpus_build(tmp_path_factory):
    """The build of all 34 bundled reports (in parallel, without dumps): its ``BuildResult``."""
    from policykg.kg.build import build

    store_dir = tmp_path_factory.mktemp("corpus") / "store"
    return build(REPORTS, store_dir, dumps=False)


@pytest.fixture(scope="session")
def corpus_store_dir(corpus_build) -> Path:
    """A store directory built from all 34 bundled reports."""
    return Path(corpus_build.store_dir)
