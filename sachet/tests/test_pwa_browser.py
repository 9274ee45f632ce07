"""Chromium's own installability checks on the manifest and the service worker (DevTools protocol:
Page.getInstallabilityErrors and Page.getAppManifest), in a profile on disk (an incognito-like context is never
installable), with no console error on the way."""

from __future__ import annotations

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS, LOCAL_TILES, playwright_driver, watch_problems  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_chromium_finds_the_site_installable(playwright_driver, live_server, settings, tmp_path):
    settings.MAP_TILE_URL = LOCAL_TILES
    context = playwright_driver.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        page = context.new_page()
        problems = watch_problems(page)
        page.goto(f"{live_server.url}/")
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
        devtools = context.new_cdp_session(page)

        manifest = devtools.send("Page.getAppManifest")
        installability = devtools.send("Page.getInstallabilityErrors")

        assert manifest["url"] == f"{live_server.url}/manifest.webmanifest"
        assert manifest["errors"] == []
        assert installability["installabilityErrors"] == []
        assert problems == []
    finally:
        context.close()
