"""Posters end to end with in-process tasks: made when a case is reported or changes status, stored, served at
/poster/<ref> from storage when fresh, asked of the worker otherwise (never made in the request), on the local disk and on Cloudinary."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pypdfium2 as pdfium
import pytest
import zxingcpp
from django.core.files.base import ContentFile
from django.utils import timezone

from cases import events, posters, services, tasks
from cases.models import Case
from media.tests.fixtures import cached_face_analysis, cloudinary  # noqa: F401 - fixtures
from tests.factories import jpeg_bytes
from tests.fakes.server import Response
from tests.worker import celery_broker_down  # noqa: F401 - fixture

SITE = "https://sachet.example.org"

# Reported cases have their photo analysed too: once per distinct photo in the session is enough.

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cached_face_analysis")]


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def report(django_capture_on_commit_callbacks):
    def report(name: str = "Aarav Sharma") -> Case:
        with django_capture_on_commit_callbacks(execute=True):
            case = services.report_case(
                name=name, age=7, gender="male", description="Red T-shirt, blue shorts.",
                last_seen_place="Koregaon Park, Pune", last_seen_specific="Near the German Bakery",
                last_seen_at=datetime.datetime(2026, 3, 10, 9, 30, tzinfo=datetime.UTC),
                contact_name="Priya Sharma", contact_phone="+919822000101",
                latitude=Decimal("18.536200"), longitude=Decimal("73.893900"),
                photo=ContentFile(jpeg_bytes(300, 400), name="photo.jpg"),
            )
        case.refresh_from_db()
        return case

    return report


@pytest.fixture
def set_status(django_capture_on_commit_callbacks):
    def set_status(case: Case, to: str) -> Case:
        with django_capture_on_commit_callbacks(execute=True):
            services.change_status(case=case, to=to, note="Status changed in a test.")
        case.refresh_from_db()
        return case

    return set_status


def page_text(pdf: bytes) -> str:
    return pdfium.PdfDocument(pdf)[0].get_textpage().get_text_range()


def stored(case: Case) -> bytes:
    with case.poster.storage.open(case.poster.name) as file:
        return file.read()


def stored_posters(settings) -> list[str]:
    folder = settings.MEDIA_ROOT / "posters"
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def test_reported_case_gets_a_stored_missing_poster(report):
    case = report()

    text = page_text(stored(case))
    assert case.poster_of == case.updated_at
    for expected in ("MISSING", "Aarav Sharma", "7 years", "Boy", "Near the German Bakery, Koregaon Park, Pune",
                     "10 Mar 2026, 3:00 PM IST", "Priya Sharma, +919822000101", case.reference):
        assert expected in text


def test_poster_qr_code_opens_the_case_page(report):
    case = report()

    page_image = pdfium.PdfDocument(stored(case))[0].render(scale=2).to_pil()

    assert [code.text for code in zxingcpp.read_barcodes(page_image)] == [f"{SITE}/case/{case.reference}"]


def test_found_case_gets_a_found_poster_in_place_of_the_missing_one(report, set_status, settings):
    case = report()
    missing_poster = case.poster.name

    case = set_status(case, Case.Status.FOUND)

    text = page_text(stored(case))
    assert "FOUND" in text and "MISSING" not in text
    assert case.poster_of == case.updated_at
    assert stored_posters(settings) == [case.poster.name.split("/")[-1]]
    assert case.poster.name != missing_poster


def test_closed_case_poster_is_deleted_and_the_page_says_it_is_withdrawn(report, set_status, client, settings):
    case = set_status(report(), Case.Status.CLOSED)

    response = client.get(f"/poster/{case.reference}")

    assert response.status_code == 410
    page = response.content.decode()
    assert "This appeal has ended and the case is closed." in page
    assert "This poster has been withdrawn. Please take down any printed copies." in page
    assert case.name not in page
    assert (case.poster.name, stored_posters(settings)) == ("", [])


def test_poster_page_serves_the_stored_pdf_when_it_is_fresh(report, client):
    case = report()

    response = client.get(f"/poster/{case.reference}")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="sachet-{case.reference}.pdf"'
    assert b"".join(response.streaming_content) == stored(case)
    assert Case.objects.get(pk=case.pk).poster.name == case.poster.name


def test_poster_page_makes_and_stores_a_poster_when_none_is_stored(make_case, client, settings):
    case = make_case()  # written straight to the table: no poster yet

    response = client.get(f"/poster/{case.reference}/")

    case.refresh_from_db()
    body = b"".join(response.streaming_content)
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert "MISSING" in page_text(body)
    assert body == stored(case)
    assert case.poster_of == case.updated_at


def test_poster_page_makes_a_new_poster_when_the_case_changed_since(report, client, settings):
    case = report()
    old_poster = case.poster.name
    case.name = "Aarav S. Sharma"
    case.save()  # a staff edit: updated_at moves on, the stored poster is stale

    response = client.get(f"/poster/{case.reference}")

    case.refresh_from_db()
    assert "Aarav S. Sharma" in page_text(b"".join(response.streaming_content))
    assert case.poster.name != old_poster
    assert stored_posters(settings) == [case.poster.name.split("/")[-1]]


def test_poster_page_remakes_a_poster_whose_file_is_gone(report, client):
    case = report()
    case.poster.storage.delete(case.poster.name)

    response = client.get(f"/poster/{case.reference}")

    assert response.status_code == 200
    assert "MISSING" in page_text(b"".join(response.streaming_content))
    assert Case.objects.get(pk=case.pk).poster.storage.exists(Case.objects.get(pk=case.pk).poster.name)


def test_poster_page_for_an_unknown_reference_is_not_found(client):
    assert client.get("/poster/MC20260310ABCDEF12").status_code == 404
    assert client.get("/poster/not-a-reference").status_code == 404


def test_poster_task_run_twice_keeps_one_poster(report, settings):
    case = report()

    tasks.generate_poster.delay(case.pk)
    tasks.generate_poster.delay(case.pk)

    assert stored_posters(settings) == [case.poster.name.split("/")[-1]]
    assert Case.objects.get(pk=case.pk).poster.name == case.poster.name


def test_forced_poster_replaces_the_stored_file(report, settings, django_capture_on_commit_callbacks):
    case = report()

    with django_capture_on_commit_callbacks(execute=True):
        events.schedule_poster(case, force=True)

    new_name = Case.objects.get(pk=case.pk).poster.name
    assert new_name != case.poster.name
    assert stored_posters(settings) == [new_name.split("/")[-1]]


def test_poster_made_for_an_older_version_of_the_case_is_dropped(report, settings):
    case = report()
    Case.objects.filter(pk=case.pk).update(name="Changed meanwhile", updated_at=timezone.now())

    posters.store_poster(case, b"%PDF-1.4 poster of the old version")

    assert Case.objects.get(pk=case.pk).poster.name == case.poster.name
    assert stored_posters(settings) == [case.poster.name.split("/")[-1]]


def test_deleting_a_case_deletes_its_photo_sighting_photo_and_poster(
    report, settings, django_capture_on_commit_callbacks
):
    case = report()
    with django_capture_on_commit_callbacks(execute=True):
        services.record_sighting(case=case, place="Pune station", seen_at=timezone.now(), description="Near gate 2",
                                 latitude=Decimal("18.528900"), longitude=Decimal("73.874300"),
                                 photo=ContentFile(jpeg_bytes(200, 200), name="s.jpg"))

    with django_capture_on_commit_callbacks(execute=True):
        services.delete_case(case=case)

    assert [path for path in settings.MEDIA_ROOT.rglob("*") if path.is_file()] == []


def test_poster_is_stored_on_cloudinary_and_served_from_there(report, client, cloudinary):
    case = report()

    response = client.get(f"/poster/{case.reference}")

    assert [key for key in cloudinary.files if cloudinary.files[key][1].endswith(".pdf")] == [
        (case.poster.storage.RESOURCE_TYPE, case.poster.name)]
    assert b"".join(response.streaming_content) == cloudinary.files[(case.poster.storage.RESOURCE_TYPE,
                                                                     case.poster.name)][0]


def test_deleting_a_case_on_cloudinary_deletes_its_files_there(report, cloudinary, django_capture_on_commit_callbacks):
    case = report()
    assert len(cloudinary.files) == 2  # photo and poster

    with django_capture_on_commit_callbacks(execute=True):
        services.delete_case(case=case)

    assert cloudinary.files == {}


def test_poster_that_cloudinary_refuses_to_serve_is_not_made_in_the_request(report, client, cloudinary):
    case = report()
    cloudinary.script(Response(401, b"", headers={"x-cld-error": "PDF delivery is not allowed"}))

    response = client.get(f"/poster/{case.reference}")

    assert (response.status_code, response["Retry-After"]) == (503, "15")
    assert "The poster is being prepared" in response.content.decode()
    assert Case.objects.get(pk=case.pk).poster.name == case.poster.name
    assert len(cloudinary.files) == 2  # the photo and the poster stored with the report, nothing uploaded again


def test_poster_page_never_renders_a_poster_itself(make_case, client, settings, celery_broker_down):  # noqa: F811
    case = make_case()  # no poster yet, and no worker can be asked for one

    response = client.get(f"/poster/{case.reference}")
    again = client.get(f"/poster/{case.reference}")

    assert (response.status_code, response["Retry-After"], response["Cache-Control"]) == (503, "15", "no-store")
    assert "The poster is being prepared" in response.content.decode()
    assert again.status_code == 503
    assert Case.objects.get(pk=case.pk).poster.name == ""
    assert stored_posters(settings) == []
