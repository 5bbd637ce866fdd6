"""Real headless Chromium (Playwright) against the real server over a store with the founding
report's terms."""

from __future__ import annotations

from pathlib import Path

import pytest

from policykg.service.testing import LiveServer

from ..conftest import SOURCES

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def site(seed_embedded_server) -> str:
    """The running server's root URL, serving the founding report's store."""
    return seed_embedded_server.url


@pytest.fixture(scope="session")
def hailar_site(tmp_path_factory) -> str:
    """The running server over the development series of targets and results: the eight
    海拉尔区 reports, 2012–2019, each year's targets joined to the next report's results."""
    from policykg.kg.build import build

    store_dir = tmp_path_factory.mktemp("hailar") / "store"
    build(sorted(SOURCES.glob("hailaer-district_*.txt")), store_dir, dumps=False)
    with LiveServer(store_dir, WORKERS=1) as live:
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
