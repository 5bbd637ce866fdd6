"""A small hand-written store (tests/fixtures/mini.trig) for the catalogue's own logic."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from policykg.kg.attainment import attainment
from policykg.kg.iri import Minter
from policykg.kg.store import OxigraphStore
from policykg.kg.summary import summarise

MINI = Path(__file__).resolve().parent.parent / "fixtures" / "mini.trig"


@pytest.fixture(scope="session")
def mini_store() -> OxigraphStore:
    """An in-memory store loaded from ``mini.trig`` (facts and offsets from the founding report),
    with the targets' attainments and the lookup keys a build writes (kg/attainment.py,
    kg/summary.py)."""
    store = ox.Store()
    store.load(path=str(MINI), format=ox.RdfFormat.TRIG)
    attainment(store, Minter())
    summarise(store, Minter())
    return OxigraphStore(store)
