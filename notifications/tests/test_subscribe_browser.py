"""/subscribe in headless Chromium, for browser notifications: the permission is asked only when the person presses
Subscribe, the site's service worker (/sw.js) shows the notifications, and the subscription reaches the server, which then
pushes to it; the page then offers to stop, and stopping removes it.

Headless Chromium here has no push service to subscribe with (no network, no Google push service), so
`PushManager.subscribe` is the one thing replaced: by a subscription of the local fake push service, made with the
page's own VAPID key. Everything else is the real browser: the permission, the service worker, the form post."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from django.db import transaction

from notifications.area import notify_area
from notifications.models import Subscription
from tests.browser import chromium, playwright_driver  # noqa: F401 - fixtures

from .subscribers import KALYANI_NAGAR, PUNE, hours_ago, wording

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Counts the permission requests, and stands in for the browser's push service with the fake's subscription.
INIT = """
// Kept in sessionStorage: the counts must survive the form's submission.
const askPermission = Notification.requestPermission.bind(Notification);
Notification.requestPermission = function () {
  sessionStorage.setItem("asks", String(Number(sessionStorage.getItem("asks") || 0) + 1));
  return askPermission();
};
const fake = %s;
let current = null;
PushManager.prototype.subscribe = function (options) {
  sessionStorage.setItem("serverKeyBytes", String(options.applicationServerKey.byteLength));
  current = {endpoint: fake.endpoint, toJSON: () => fake, unsubscribe: () => { current = null; return Promise.resolve(true); }};
  return Promise.resolve(current);
};
PushManager.prototype.getSubscription = function () {
  return Promise.resolve(sessionStorage.getItem("subscribed") ? {endpoint: fake.endpoint, toJSON: () => fake,
    unsubscribe: () => { sessionStorage.removeItem("subscribed"); return Promise.resolve(true); }} : null);
};
"""


def test_push_subscription_from_the_button_to_a_notification_and_back(chromium, live_server, push_service, settings,
                                                                      django_capture_on_commit_callbacks):
    settings.MAP_TILE_URL = "/static/no-tiles/{z}/{x}/{y}.png"
    browser_subscription = push_service.subscribe(application_server_key=settings.VAPID_PUBLIC_KEY)
    context = chromium.new_context()
    context.grant_permissions(["notifications"], origin=live_server.url)
    context.add_init_script(INIT % json.dumps(browser_subscription))
    page = context.new_page()
    page.route("**/*", lambda route: route.continue_() if urlsplit(route.request.url).hostname in {
        "127.0.0.1", "localhost"} else route.abort())
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(f"{live_server.url}/subscribe")

    assert page.evaluate("sessionStorage.getItem('asks')") is None  # nothing asked on arrival
    page.evaluate(f"""() => {{ document.querySelector('input[name=latitude]').value = '{KALYANI_NAGAR[0]}';
                              document.querySelector('input[name=longitude]').value = '{KALYANI_NAGAR[1]}'; }}""")
    page.check("input[value=webpush]")
    assert page.locator("[data-channel-part=webpush]").is_visible()
    assert page.locator("[data-channel-part=sms_subscriber]").is_hidden()
    page.check("#id_consent")
    page.click("[data-subscribe-form] button[type=submit]")
    try:
        page.wait_for_url(f"{live_server.url}/subscribe/done", timeout=15000)
    except Exception:
        state = page.evaluate("""() => [sessionStorage.getItem('asks'),
            (document.querySelector('input[name=channel]:checked') || {}).value,
            (document.querySelector('input[name=push_endpoint]') || {}).value,
            document.querySelector('[data-push-status]').outerHTML]""")
        raise AssertionError(f"{page.url} {state} {errors}")

    assert page.evaluate("sessionStorage.getItem('asks')") == "1"  # asked once, after Subscribe was pressed
    assert page.evaluate("sessionStorage.getItem('serverKeyBytes')") == "65"  # the page's VAPID key, decoded
    worker = page.evaluate("navigator.serviceWorker.getRegistration('/').then(r => r && r.active.scriptURL)")
    assert worker == f"{live_server.url}/sw.js"
    subscription = Subscription.objects.get()
    assert (subscription.channel, subscription.status) == ("webpush", "active")
    assert subscription.push_endpoint == browser_subscription["endpoint"]

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notify_area(event_key="case:X:area:new", topic="case:X:area:", kind="new", messages=wording(),
                    latitude=PUNE[0], longitude=PUNE[1], started_at=hours_ago(1))
    assert [payload["title"] for payload in push_service.received] == ["Missing near you: Aarav Sharma, age 7"]

    page.evaluate("sessionStorage.setItem('subscribed', '1')")
    page.goto(f"{live_server.url}/subscribe")
    page.locator("[data-push-current]").wait_for(state="visible", timeout=10000)
    page.click("[data-push-stop]")
    page.locator("[data-push-stop-status]").filter(has_text="Stopped").wait_for(timeout=10000)
    assert Subscription.objects.count() == 0
    assert errors == []
    context.close()


@pytest.mark.parametrize("path", ["/sw.js", "/sw-push.js"])
def test_the_push_worker_is_the_sites_worker_served_from_the_root(client, path):
    response = client.get(path)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert b'addEventListener("push"' in response.content
