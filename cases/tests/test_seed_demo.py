import pytest
from django.core.management import call_command

from cases.models import Case, Sighting, StatusChange


@pytest.mark.django_db
def test_seed_demo_creates_cases_in_indian_cities_and_is_idempotent(capsys):
    call_command("seed_demo")
    first = capsys.readouterr().out
    call_command("seed_demo")
    second = capsys.readouterr().out

    assert "10 new cases, 4 new sightings" in first
    assert "0 new cases, 0 new sightings (10 cases in total)" in second
    assert Case.objects.count() == 10
    assert Sighting.objects.count() == 4
    assert Case.objects.filter(status="missing").count() == 8
    assert StatusChange.objects.filter(to_status="found").count() == 1
    places = set(Case.objects.values_list("last_seen_place", flat=True))
    assert {"Koregaon Park, Pune", "Andheri West, Mumbai", "Howrah Station, Kolkata"} <= places
    assert all(case.photo and case.photo.storage.exists(case.photo.name) for case in Case.objects.all())
    assert all(case.has_location for case in Case.objects.all())
