"""Fixtures of the browser test: the explorer served on a free localhost port, and a page in
headless Debian Chromium driven by Playwright (never a browser download).

Everything is skipped, with the reason, when the browser, Playwright, the `viz` extra or
Solara's offline assets are missing; the rest of the suite runs either way.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from sim.explorer.server import CHROMIUM, CHROMIUM_ARGS

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
TEST_N_ORGS = 1000


def _skip_reason() -> str | None:
    """Why the browser test cannot run here, or None when it can."""
    if not CHROMIUM.is_file():
        return (f"{CHROMIUM} not found: install Debian's chromium "
                "(apt-get install --no-install-recommends chromium)")
    for module, extra in (("playwright", "playwright"), ("solara", "mesa[viz]")):
        if importlib.util.find_spec(module) is None:
            return f"{module} not installed: pip install -e '.[viz]' (needs {extra})"
    from sim.explorer.assets import missing_assets

    missing = missing_assets()
    if missing:
        return ("Solara's browser assets are not cached for offline use "
                f"({', '.join(f'{n}@{v}' for n, v in missing)}): "
                "run python -m sim.explorer.assets")
    return None


@pytest.fixture
def artifacts() -> Path:
    """Folder for the test's screenshots and the server log (gitignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def explorer_n_orgs() -> int:
    """Organisations the served explorer starts with (small, so the test is quick)."""
    return TEST_N_ORGS


@pytest.fixture(scope="session")
def explorer_url() -> Iterator[str]:
    """Base URL of the explorer, served by a subprocess that is always stopped afterwards."""
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    from sim.explorer.server import running_server

    with running_server(TEST_N_ORGS, ARTIFACTS / f"server-{os.getpid()}.log") as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium under Playwright (`executable_path`: nothing is downloaded)."""
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=list(CHROMIUM_ARGS))
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    """A fresh page (its own Solara session, so its own model) at a desktop size."""
    context = browser.new_context(viewport={"width": 1500, "height": 1100})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        yield page
    finally:
        context.close()
