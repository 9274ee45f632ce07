"""Headless Chromium for the browser tests of the installable site and of accessibility: the machine's
/usr/bin/chromium (never a downloaded build), no network beyond the loopback, and map tiles from the site itself
(the plain tile in static/img), so a page asks nothing of the internet."""

from __future__ import annotations

import os
from contextlib import contextmanager

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
LOCAL_TILES = "/static/img/tile-offline.png?{z}/{x}/{y}"


@contextmanager
def async_unsafe_allowed():
    """live_server and Playwright's sync API share the test's thread, which Django takes for an event loop."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def playwright_driver():
    with async_unsafe_allowed(), sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="module")
def chromium(playwright_driver):
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def watch_problems(page) -> list[str]:
    """Script errors and console errors of a page, collected as they happen."""
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("console", lambda message: problems.append(f"console {message.type}: {message.text}")
            if message.type == "error" else None)
    return problems
