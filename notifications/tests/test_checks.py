"""System checks that make alert misconfiguration visible at start-up."""

from __future__ import annotations

from notifications.checks import check_alert_channels, check_alert_lease, check_alert_links


def ids(warnings) -> list[str]:
    return [warning.id for warning in warnings]


def test_half_configured_sms_is_a_warning(settings):
    settings.TWILIO_ACCOUNT_SID = "AC" + "f" * 32

    [warning] = check_alert_channels()

    assert warning.id == "notifications.W001"
    assert warning.msg == "SMS is half configured: TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER missing."


def test_no_channel_configured_is_no_warning():
    assert check_alert_channels() == []


def test_local_site_url_with_a_real_channel_is_a_warning(fake_telegram, settings):
    settings.SITE_URL = "http://localhost:8000"

    [warning] = check_alert_links()

    assert warning.id == "notifications.W002"
    assert warning.msg.startswith("SITE_URL is 'http://localhost:8000', but alerts go out over telegram:")


def test_local_site_url_with_alerts_only_logged_is_fine(settings):
    settings.SITE_URL = "http://localhost:8000"

    assert check_alert_links() == []


def test_public_site_url_with_a_real_channel_is_fine(fake_telegram, settings):
    settings.SITE_URL = "https://sachet.example.org"

    assert check_alert_links() == []


def test_lease_shorter_than_a_slow_send_is_a_warning(settings):
    settings.ALERT_HTTP_TIMEOUT = 10.0
    settings.ALERT_LEASE_SECONDS = 60

    assert ids(check_alert_lease()) == ["notifications.W003"]


def test_default_lease_covers_the_default_time_out(settings):
    settings.ALERT_HTTP_TIMEOUT = 10.0
    settings.ALERT_LEASE_SECONDS = 120

    assert check_alert_lease() == []
