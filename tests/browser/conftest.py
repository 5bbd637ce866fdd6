"""Real headless Chromium (Playwright) against the real server over a store with the founding
report's terms."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from policykg.kg.dumps import write_dumps
from policykg.service.testing import LiveServer

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "terms_mini.trig"
BASE = "https://w3id.org/policykg/id/"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def browser_store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("browser") / "store"
    (path / "oxigraph").mkdir(parents=True)
    store = ox.Store(str(path / "oxigraph"))
    store.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    write_dumps(store, path / "dumps", BASE)
    store.flush()
    del store
    return path


@pytest.fixture(scope="session")
def site(browser_store) -> str:
    """The running server's root URL."""
    with LiveServer(browser_store, WORKERS=1) as live:
        yield live.url


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def page_without_js(browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    yield page
    context.close()
