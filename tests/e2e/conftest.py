"""The production-like stack (tests/e2e/stack.py) shared by the smoke run and the browser journey, and a headless
Chromium that may reach 127.0.0.1 only, records what goes wrong on a page, and leaves a screenshot when a test fails.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest

from .stack import ROOT, Stack

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SCREENSHOTS = ROOT / "test-results"
_REPORTS = pytest.StashKey[dict]()


def require_stack_services() -> None:
    """Skip (or, under CI, fail) unless the suite runs on the PostgreSQL and Redis of scripts/test.sh."""
    from django.conf import settings

    missing = []
    if not settings.REDIS_URL:
        missing.append("REDIS_URL is not set")
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        missing.append("DATABASE_URL is not a PostgreSQL database")
    if missing:
        reason = ("the production-like stack (gunicorn, a Celery worker) needs the PostgreSQL and Redis that "
                  "scripts/test.sh starts: " + "; ".join(missing))
        if os.environ.get("CI"):
            pytest.fail(reason + " (CI is set: these tests must run)")
        pytest.skip(reason)


@pytest.fixture(scope="package")
def stack(django_db_blocker, tmp_path_factory):
    """gunicorn + Celery worker + fakes on a fresh database; package-scoped so that its database alias is gone
    before any later test sets up pytest-django's test databases."""
    require_stack_services()
    from django.conf import settings

    started = Stack(database=settings.DATABASES["default"], redis_url=settings.REDIS_URL,
                    time_zone=settings.TIME_ZONE, workdir=tmp_path_factory.mktemp("e2e-stack"),
                    blocker=django_db_blocker).start()
    yield started
    started.stop()


# --- The browser ---------------------------------------------------------------------------------------------------


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


def failed(item) -> bool:
    return any(report.failed for report in item.stash.get(_REPORTS, {}).values())


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium through Playwright's sync API, one per module: a session-long Playwright would leave its
    event loop running under every later test. Django refuses database calls while a loop runs in the thread unless
    told it is safe (scripts/test.sh says so too)."""
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                                 args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@dataclass
class Visitor:
    """A person at the site in a browser window of their own (cookies, session), and what went wrong on the way:
    console errors (Content-Security-Policy violations among them), uncaught script errors, and requests to any
    host but 127.0.0.1, which are blocked."""

    stack: Stack
    context: object
    page: object
    problems: list[str] = field(default_factory=list)

    def goto(self, path: str):
        return self.page.goto(self.stack.url + path)

    def sign_in(self, username: str, password: str):
        """Fill in the staff sign-in form; the response to it."""
        self.page.goto(self.stack.admin_url + "login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        with self.page.expect_navigation() as navigation:
            self.page.click("input[type=submit]")
        return navigation.value


def _watch(visitor: Visitor, page) -> None:
    def on_console(message):
        if message.type == "error":
            visitor.problems.append(f"console error on {page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: visitor.problems.append(f"script error on {page.url}: {error}"))


@pytest.fixture
def new_visitor(chromium, stack, request):
    """Open a browser window as a new person: `new_visitor()`; each has its own cookies."""
    visitors: list[Visitor] = []

    def open_window() -> Visitor:
        context = chromium.new_context(locale="en-IN", timezone_id="Asia/Kolkata")
        context.set_default_timeout(15_000)
        visitor = Visitor(stack=stack, context=context, page=None)

        def only_loopback(route):
            if urlsplit(route.request.url).hostname == "127.0.0.1":
                route.continue_()
            else:
                visitor.problems.append(f"request to another host blocked: {route.request.url}")
                route.abort()

        context.route("**/*", only_loopback)
        context.on("page", lambda page: _watch(visitor, page))
        visitor.page = context.new_page()
        visitors.append(visitor)
        return visitor

    yield open_window
    if failed(request.node):
        from playwright.sync_api import Error as PlaywrightError

        SCREENSHOTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("::", 1)[-1])
        for number, visitor in enumerate(visitors):
            for index, page in enumerate(visitor.context.pages):
                try:
                    page.screenshot(path=SCREENSHOTS / f"{name}-{number}-{index}.png", full_page=True)
                except PlaywrightError as error:  # a crashed page: the test's own failure says more
                    print(f"no screenshot of {page.url}: {error}")
    for visitor in visitors:
        visitor.context.close()


@pytest.fixture
def visitor(new_visitor) -> Visitor:
    return new_visitor()
