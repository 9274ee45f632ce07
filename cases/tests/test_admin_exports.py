"""Staff exports of the case list and sightings as CSV and XLSX: what the list's filters select, phones in full only
for Police, every export in the admin's log."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.conf import settings as django_settings
from django.contrib.admin.models import LogEntry

from .trust_fixtures import ngo, police  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def export(client, model: str, file_format: int, query: str = "") -> bytes:
    url = f"/{django_settings.ADMIN_URL}cases/{model}/export/{query}"
    response = client.post(url, {"format": str(file_format), "resource": "0"})
    assert response.status_code == 200, response.content[:500]
    return response.content


def test_police_export_the_filtered_case_list_as_csv_with_phone_numbers(client, make_case, police):
    make_case()
    make_case(name="Diya Patil", status="found")
    client.force_login(police)
    rows = list(csv.DictReader(io.StringIO(export(client, "case", 0, "?status__exact=missing").decode("utf-8-sig"))))
    assert [r["name"] for r in rows] == ["Aarav Sharma"]
    assert rows[0]["contact_phone"] == "+919822000101" and rows[0]["reporter_phone"] == "+919822000999"
    entry = LogEntry.objects.get(user=police)
    assert entry.change_message == "Exported 1 cases as csv (phone numbers in full)"


def test_ngo_export_has_masked_phones_and_no_staff_notes(client, make_case, make_sighting, ngo):
    case = make_case(note="Father works night shifts")
    make_sighting(case)
    client.force_login(ngo)
    book = openpyxl.load_workbook(io.BytesIO(export(client, "case", 1)))
    header, *rows = [list(r) for r in book.active.iter_rows(values_only=True)]
    values = dict(zip(header, rows[0]))
    assert values["contact_phone"] == "+91 ******01" and values["reporter_phone"] == "+91 ******99"
    assert "Father works night shifts" not in str(rows)
    sightings = list(csv.DictReader(io.StringIO(export(client, "sighting", 0).decode("utf-8-sig"))))
    assert sightings[0]["reporter_phone"] == "+91 ******45" and sightings[0]["case"] == case.reference
    assert LogEntry.objects.filter(user=ngo, change_message__contains="masked").count() == 2


def test_the_case_and_sighting_lists_offer_the_export_with_the_filters_kept(client, make_case, police):
    make_case()
    client.force_login(police)
    cases = client.get(f"/{django_settings.ADMIN_URL}cases/case/?status__exact=missing").content.decode()
    sightings = client.get(f"/{django_settings.ADMIN_URL}cases/sighting/").content.decode()
    assert 'href="/{}cases/case/export/?status__exact=missing" class="export_link"'.format(
        django_settings.ADMIN_URL) in cases
    assert "Enter a report" in cases  # the case list's own object tools stay
    assert f'href="/{django_settings.ADMIN_URL}cases/sighting/export/?" class="export_link"' in sightings
