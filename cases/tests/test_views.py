import io
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from cases.models import Case, Sighting
from tests.factories import form_datetime as local, jpeg_bytes

pytestmark = pytest.mark.django_db


def report_post(**overrides):
    data = {
        "name": "Ishita Das", "age": "5", "gender": "female",
        "description": "Yellow frock with white flowers, curly hair.", "last_seen_place": "Howrah Station, Kolkata",
        "last_seen_specific": "platform 9", "last_seen_at": local(timezone.now() - timedelta(hours=1)),
        "contact_name": "Sujata Das", "contact_phone": "+919831000404", "reporter_name": "Neighbour Ravi",
        "reporter_phone": "+919831777777", "consent": "on", "latitude": "22.583900", "longitude": "88.342600",
        "photo": SimpleUploadedFile("ishita.jpg", jpeg_bytes(), content_type="image/jpeg"),
    }
    data.update(overrides)
    return data


def test_home_lists_active_cases_only(client, make_case):
    make_case(name="Aarav Sharma")
    make_case(name="Meera Joshi", status="found")
    response = client.get("/")
    assert response.status_code == 200
    assert "cases/home.html" in [t.name for t in response.templates]
    assert "Aarav Sharma" in response.content.decode()
    assert "Meera Joshi" not in response.content.decode()


@pytest.mark.parametrize("query", ["aarav", "koregaon", "PUNE"])
def test_home_search_by_name_or_place(client, make_case, query):
    make_case(name="Aarav Sharma", last_seen_place="Koregaon Park, Pune")
    make_case(name="Sana Khan", last_seen_place="Hazratganj, Lucknow")
    page = client.get("/", {"q": query}).content.decode()
    assert "Aarav Sharma" in page
    assert "Sana Khan" not in page


def test_home_is_paginated(client, make_case, settings):
    settings.CASES_PER_PAGE = 2
    for i in range(5):
        make_case(name=f"Child Number{i}")
    first = client.get("/")
    third = client.get("/", {"page": 3})
    assert len(first.context["page"].object_list) == 2
    assert [c.name for c in third.context["page"].object_list] == ["Child Number0"]


@pytest.mark.parametrize("count", [3, 30])
def test_home_query_count_does_not_grow_with_cases(client, make_case, make_sighting, django_assert_max_num_queries,
                                                   count):
    for _ in range(count):
        make_sighting(make_case())
    with django_assert_max_num_queries(3):
        assert client.get("/").status_code == 200


@pytest.mark.parametrize("sightings", [1, 25])
def test_case_page_query_count_does_not_grow_with_sightings(client, make_case, make_sighting,
                                                            django_assert_max_num_queries, sightings):
    case = make_case()
    for _ in range(sightings):
        make_sighting(case)
    with django_assert_max_num_queries(3):
        assert client.get(case.get_absolute_url()).status_code == 200


def test_case_page_shows_details_contact_and_published_sightings(client, make_case, make_sighting):
    case = make_case()
    make_sighting(case, place="Kalyani Nagar, Pune", published_at=timezone.now())
    response = client.get(case.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert "cases/case_detail.html" in [t.name for t in response.templates]
    for text in ("Aarav Sharma", "Koregaon Park, Pune", "+919822000101", "Priya Sharma", case.reference,
                 "Kalyani Nagar, Pune", f"/found/{case.reference}", f"/poster/{case.reference}",
                 f"http://localhost:8000/case/{case.reference}"):
        assert text in page
    assert {"lat": 18.5362, "lng": 73.8939, "kind": "last_seen", "label": "Last seen: Koregaon Park, Pune"} in \
        response.context["map_points"]


def test_public_pages_never_show_reporter_phones_or_staff_notes(client, make_case, make_sighting):
    case = make_case(reporter_phone="+919822000999", reporter_name="Secret Reporter")
    make_sighting(case, reporter_phone="+919900012345")
    pages = [client.get(url).content.decode() for url in ("/", case.get_absolute_url(), f"/found/{case.reference}")]
    for page in pages:
        for private in ("9822000999", "9900012345", "Secret Reporter", "night shifts"):
            assert private not in page


def test_unknown_reference_is_a_friendly_404(client):
    response = client.get("/case/MC20260101ABCDEF12")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


@pytest.mark.parametrize("url", ["/case/12345", "/case/mc20260101abcdef12", "/found/MC2026", "/no-such-page"])
def test_malformed_paths_are_404(client, url):
    assert client.get(url).status_code == 404


def test_report_form_renders_with_csrf(client):
    response = client.get("/report")
    assert response.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()


def test_report_creates_the_case_and_says_alerts_are_queued(client):
    response = client.post("/report", report_post(), follow=True)
    case = Case.objects.get()
    assert response.redirect_chain == [(case.get_absolute_url(), 302)]
    page = response.content.decode()
    assert "queued" in page
    assert "sent" not in page.split("queued")[0].rsplit("<p", 1)[-1]
    assert (case.name, case.age, case.reporter_phone) == ("Ishita Das", 5, "+919831777777")
    assert str(case.latitude) == "22.583900"


def test_report_photo_is_stored_without_gps(client):
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (22.0, 35.0, 2.0), 3: "E", 4: (88.0, 20.0, 33.0)})
    photo = SimpleUploadedFile("g.jpg", jpeg_bytes(exif=exif), content_type="image/jpeg")
    client.post("/report", report_post(photo=photo))
    case = Case.objects.get()
    with case.photo.open("rb") as stored:
        assert dict(Image.open(io.BytesIO(stored.read())).getexif()) == {}


def test_invalid_report_keeps_what_was_typed_and_saves_nothing(client):
    response = client.post("/report", report_post(age="19"))
    page = response.content.decode()
    assert response.status_code == 400
    assert Case.objects.count() == 0
    assert "Sachet is for children" in page
    assert 'value="Ishita Das"' in page
    assert "Yellow frock with white flowers" in page


def test_bad_photo_gets_a_form_error_and_keeps_the_rest(client):
    bad = SimpleUploadedFile("photo.jpg", b"not an image at all" * 10, content_type="image/jpeg")
    response = client.post("/report", report_post(photo=bad))
    assert response.status_code == 400
    assert "This file is not a photo we can read" in response.content.decode()
    assert 'value="Howrah Station, Kolkata"' in response.content.decode()
    assert Case.objects.count() == 0


def test_report_without_csrf_token_is_refused(make_case):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/report", report_post())
    assert response.status_code == 403
    assert Case.objects.count() == 0


def test_sighting_form_and_submission(client, make_case):
    case = make_case()
    assert client.get(f"/found/{case.reference}").status_code == 200
    response = client.post(f"/found/{case.reference}", {
        "place": "Kalyani Nagar, Pune", "seen_at": local(timezone.now() - timedelta(minutes=15)),
        "description": "Boy in a red T-shirt near the bridge.", "reporter_phone": "98765 43210",
        "latitude": "", "longitude": "",
        "photo": SimpleUploadedFile("s.jpg", jpeg_bytes(), content_type="image/jpeg"),
    })
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    sighting = Sighting.objects.get(case=case)
    assert sighting.reporter_phone == "+919876543210"
    assert sighting.photo.name.startswith("sightings/photos/")
    page = client.get(case.get_absolute_url()).content.decode()
    assert "9876543210" not in page and "98765 43210" not in page


def test_invalid_sighting_is_a_400_and_saves_nothing(client, make_case):
    case = make_case()
    response = client.post(f"/found/{case.reference}", {"place": "", "seen_at": "", "description": ""})
    assert response.status_code == 400
    assert Sighting.objects.count() == 0


def test_sighting_for_unknown_case_is_404(client):
    assert client.post("/found/MC20260101ABCDEF12", {"place": "x"}).status_code == 404
    assert Sighting.objects.count() == 0


def test_found_case_page_says_found_and_offers_no_sighting_form(client, make_case):
    case = make_case(status="found")
    page = client.get(case.get_absolute_url()).content.decode()
    assert "FOUND SAFE" in page
    assert f"/found/{case.reference}" not in page


def test_uploaded_case_photo_is_served_locally(client, make_case):
    case = make_case()
    case.photo.save("x.jpg", ContentFile(jpeg_bytes()), save=True)
    response = client.get(case.photo.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


def test_home_page_is_light(client, make_case):
    for _ in range(12):
        make_case()
    response = client.get("/")
    from django.contrib.staticfiles import finders

    css = finders.find("css/site.css")
    total = len(response.content) + len(open(css, "rb").read())
    assert total < 100_000
