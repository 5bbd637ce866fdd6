"""Real headless Chromium (Playwright) against the real server over a store with the founding
report's terms: the embedded store, and the same build loaded into Virtuoso."""

from __future__ import annotations

from pathlib import Path

import pytest

from policykg.service.testing import LiveServer

from ..conftest import SOURCES, STORE_KINDS

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def site(seed_server) -> str:
    """The running server's root URL, serving the founding report's store: embedded, or in
    Virtuoso (every browser test runs over both)."""
    return seed_server.url


@pytest.fixture(scope="session")
def hailar_store(tmp_path_factory) -> Path:
    """The development series of targets and results: the eight 海拉尔区 reports, 2012–2019,
    each year's targets joined to the next report's results."""
    from policykg.kg.build import build

    store_dir = tmp_path_factory.mktemp("hailar") / "store"
    build(sorted(SOURCES.glob("hailaer-district_*.txt")), store_dir, dumps=False)
    return store_dir


@pytest.fixture(scope="session", params=STORE_KINDS)
def hailar_site(request, hailar_store) -> str:
    """The running server over :func:`hailar_store`, embedded or in Virtuoso."""
    from policykg.kg.store import open_store

    location = str(hailar_store)
    if request.param == "virtuoso":
        with open_store(hailar_store) as store:
            location = request.getfixturevalue("virtuoso_factory")("hailar", store).url
    with LiveServer(location, WORKERS=1) as live:
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
