"""Fixtures for the real-browser tests: one JupyterLab server and one Chromium per session.

Without Chromium these tests skip with a reason; in CI (CI=true) a missing Chromium is an error,
so the suite can never pass there by skipping silently.
"""

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from labdriver import CHROMIUM, LabServer, chromium_available, launch_chromium  # noqa: E402

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "browser"


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def chromium():
    if not chromium_available():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if _in_ci():
            pytest.fail(f"{message}: the browser tests must run in CI")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def lab(chromium):
    with LabServer() as server:
        yield server


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 800})  # a laptop screen
    page = context.new_page()
    page.set_default_timeout(120_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
