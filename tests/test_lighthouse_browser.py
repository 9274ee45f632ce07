"""Lighthouse 12 (tests/lighthouse, from the npm registry) scores 100 in accessibility and best practices on the
public pages, in the machine's Chromium, against the test server (map tiles from the site itself). A page Lighthouse
cannot measure (the 404 page: it refuses error statuses) is checked by axe (test_accessibility_browser.py).
Performance and SEO, which depend on the server and on robots rules for pages deliberately kept out of search
engines, are printed by bench/lighthouse.py."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.browser import CHROMIUM, LOCAL_TILES
from tests.test_accessibility_browser import page_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOOL = Path(__file__).resolve().parent / "lighthouse"
# One page per template (a search, the withdrawn states and the "sent" page share theirs: bench/lighthouse.py has
# them all), so the test stays under two minutes.
PAGES = ["home", "report", "confirm", "sighting_form", "found_child_form", "appeal", "subscribe", "offline",
         "case_unverified", "case_missing", "case_found"]


def lighthouse(categories: list[str], urls: list[str]) -> list[dict]:
    """Scores and failing audits of each page (tests/lighthouse/run.mjs)."""
    if not (TOOL / "node_modules" / "lighthouse").is_dir():
        pytest.fail("Lighthouse is not installed: run scripts/install.sh --test (npm ci in tests/lighthouse)")
    answer = subprocess.run([shutil.which("node") or "node", str(TOOL / "run.mjs"), ",".join(categories), *urls],
                            capture_output=True, text=True, timeout=600,
                            env={**os.environ, "CHROME_PATH": CHROMIUM})
    assert answer.returncode == 0, answer.stderr[-3000:]
    return [json.loads(line) for line in answer.stdout.splitlines() if line.startswith("{")]


def test_public_pages_score_full_marks_in_accessibility_and_best_practices(live_server, settings, make_case,
                                                                          make_sighting):
    settings.MAP_TILE_URL = LOCAL_TILES
    urls = {live_server.url + page_path(name, make_case, make_sighting, settings)[1]: name for name in PAGES}

    results = lighthouse(["accessibility", "best-practices"], list(urls))

    scores = {urls[result["url"]]: result["scores"] for result in results}
    failing = {urls[result["url"]]: result["failing"] for result in results if result["failing"]}
    assert scores == {name: {"accessibility": 100, "best-practices": 100} for name in PAGES}, failing
    assert failing == {}
