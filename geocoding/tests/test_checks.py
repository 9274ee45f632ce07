"""System checks for geocoding settings that break Nominatim's policy or keep people waiting on the map."""

from __future__ import annotations

from geocoding.checks import check_api_wait, check_nominatim_policy


def public_nominatim(settings) -> None:
    settings.NOMINATIM_ENABLED = True
    settings.NOMINATIM_DOMAIN = "nominatim.openstreetmap.org"
    settings.NOMINATIM_USER_AGENT = "Sachet missing-child alerts (ops@example.org)"
    settings.NOMINATIM_MIN_INTERVAL = 1.0
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"


def ids(problems) -> list[str]:
    return [problem.id for problem in problems]


def test_well_configured_public_nominatim_passes(settings):
    public_nominatim(settings)

    assert check_nominatim_policy() == []


def test_placeholder_user_agent_is_a_warning(settings):
    public_nominatim(settings)
    settings.NOMINATIM_USER_AGENT = "Sachet missing-child alerts (set NOMINATIM_USER_AGENT to your contact)"

    assert ids(check_nominatim_policy()) == ["geocoding.W001"]


def test_faster_than_one_per_second_on_the_public_server_is_an_error(settings):
    public_nominatim(settings)
    settings.NOMINATIM_MIN_INTERVAL = 0.5

    assert ids(check_nominatim_policy()) == ["geocoding.E001"]


def test_public_nominatim_without_redis_in_production_is_a_warning(settings):
    public_nominatim(settings)
    settings.REDIS_URL = ""
    settings.DEBUG = False

    assert ids(check_nominatim_policy()) == ["geocoding.W002"]


def test_own_nominatim_server_may_be_asked_faster(settings):
    public_nominatim(settings)
    settings.NOMINATIM_DOMAIN = "nominatim.internal.example.org"
    settings.NOMINATIM_MIN_INTERVAL = 0.1

    assert check_nominatim_policy() == []


def test_disabled_nominatim_is_not_checked(settings):
    settings.NOMINATIM_ENABLED = False
    settings.NOMINATIM_MIN_INTERVAL = 0.1

    assert check_nominatim_policy() == []


def test_long_api_wait_is_a_warning(settings):
    settings.GEOCODE_API_MAX_WAIT = 30
    settings.GEOCODE_API_TIMEOUT = 3

    assert ids(check_api_wait()) == ["geocoding.W003"]


def test_default_api_wait_passes(settings):
    settings.GEOCODE_API_MAX_WAIT = 2
    settings.GEOCODE_API_TIMEOUT = 3

    assert check_api_wait() == []
