"""Every row of docs/public-states.md: what the case page, the poster, the sighting form and the alerts do for a case
that is unverified, verified and missing, found, closed (within and after PUBLIC_PHOTO_DAYS_AFTER_FOUND), rejected or
erased."""

from __future__ import annotations

import io
from datetime import timedelta

import pypdfium2
import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from cases import public, retention, services
from cases.models import Case, Sighting
from notifications.models import Delivery
from tests.factories import form_datetime, jpeg_bytes

pytestmark = pytest.mark.django_db

CONTACT = "+919822000101"


def make_in_state(make_case, make_sighting, state: str) -> Case:
    now = timezone.now()
    values = {
        "unverified": {"verification": "unverified"},
        "missing": {},
        "found": {"status": "found", "resolved_at": now - timedelta(days=1)},
        "found_withdrawn": {"status": "found", "resolved_at": now - timedelta(days=8)},
        "closed": {"status": "closed", "resolved_at": now - timedelta(days=1)},
        "closed_withdrawn": {"status": "closed", "resolved_at": now - timedelta(days=8)},
        "rejected": {"verification": "rejected"},
        "erased": {"status": "found", "resolved_at": now - timedelta(days=100)},
    }[state]
    case = make_case(name="Kavya Reddy", contact_phone=CONTACT, **values)
    case.photo.save("kavya.jpg", ContentFile(jpeg_bytes()), save=True)
    make_sighting(case, place="MG Road metro, Bengaluru", published_at=now)
    if state == "erased":
        retention.erase_personal_data(case=case, by=None)
        case.refresh_from_db()
    return case


# state: (page status, name and photo shown, appeal shown: phone, sighting button, sightings, map; share buttons,
#         poster status, sighting form accepts)
TABLE = {
    "unverified": (200, True, True, False, 200, True),
    "missing": (200, True, True, True, 200, True),
    "found": (200, True, False, False, 200, False),
    "found_withdrawn": (200, False, False, False, 410, False),
    "closed": (200, True, False, False, 410, False),
    "closed_withdrawn": (200, False, False, False, 410, False),
    "rejected": (410, False, False, False, 410, False),
    "erased": (200, False, False, False, 410, False),
}


@pytest.mark.parametrize("state", list(TABLE))
def test_each_state_has_its_public_state(make_case, make_sighting, state):
    case = make_in_state(make_case, make_sighting, state)

    assert public.public_state(case) == state


@pytest.mark.parametrize("state", list(TABLE))
def test_the_case_page_in_each_state(client, make_case, make_sighting, state):
    status, named, appeal, share, _poster, _form = TABLE[state]
    case = make_in_state(make_case, make_sighting, state)
    photo_url = Case.objects.filter(pk=case.pk).values_list("photo", flat=True).get()

    response = client.get(f"/case/{case.reference}")
    page = response.content.decode()

    assert response.status_code == status
    assert ("Kavya Reddy" in page) is named
    assert (bool(photo_url) and photo_url in page) is named
    assert case.reference in page or state == "rejected"
    assert ("tel:+919822000101" in page) is appeal
    assert (f"/found/{case.reference}" in page) is appeal
    assert ('id="sightings-heading"' in page) is appeal
    assert ("MG Road metro" in page) is appeal
    assert ("data-case-map" in page) is appeal
    assert ("wa.me" in page) is share
    assert ('name="robots" content="noindex"' in page) is (state != "missing")
    assert response["Cache-Control"] == "no-cache"


@pytest.mark.parametrize(("state", "title"), [
    ("missing", "Missing: Kavya Reddy, 7"),
    ("unverified", "Missing: Kavya Reddy, 7"),
    ("found", "Found safe: Kavya Reddy"),
    ("closed", "Case closed: Kavya Reddy"),
])
def test_the_share_title_says_the_state(client, make_case, make_sighting, state, title):
    case = make_in_state(make_case, make_sighting, state)

    page = client.get(f"/case/{case.reference}").content.decode()

    assert f'<meta property="og:title" content="{title}">' in page
    assert f"<title>{title} – Sachet</title>" in page
    assert ('property="og:image"' in page) is (state == "missing")


def test_after_the_photo_period_the_title_has_only_the_reference(client, make_case, make_sighting):
    case = make_in_state(make_case, make_sighting, "found_withdrawn")

    page = client.get(f"/case/{case.reference}").content.decode()

    assert f'<meta property="og:title" content="Found safe: case {case.reference}">' in page
    assert "The child in this case has been found safe. Thank you for your help." in page


def test_a_found_page_thanks_and_asks_to_stop_sharing(client, make_case, make_sighting):
    case = make_in_state(make_case, make_sighting, "found")

    page = client.get(f"/case/{case.reference}").content.decode()

    assert "Kavya Reddy has been found safe. Thank you to everyone who shared the appeal and looked." in page
    assert "Please stop sharing the appeal and take down any posters." in page
    assert "I have seen this child" not in page and "Download poster" not in page


def test_a_closed_page_says_the_appeal_has_ended(client, make_case, make_sighting):
    case = make_in_state(make_case, make_sighting, "closed")

    page = client.get(f"/case/{case.reference}").content.decode()

    assert "This appeal has ended and the case is closed." in page
    assert "found safe" not in page  # a closed case is not said to be found


@pytest.mark.parametrize("state", list(TABLE))
def test_the_poster_in_each_state(client, make_case, make_sighting, state):
    _status, _named, _appeal, _share, poster_status, _form = TABLE[state]
    case = make_in_state(make_case, make_sighting, state)

    response = client.get(f"/poster/{case.reference}")

    assert response.status_code == poster_status
    if poster_status == 410:
        page = response.content.decode()
        assert "Kavya Reddy" not in page
        assert "Please take down any printed copies." in page


def pdf_text(data: bytes) -> str:
    document = pypdfium2.PdfDocument(io.BytesIO(data))
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def test_a_found_poster_says_found_without_the_familys_phone(client, make_case, make_sighting):
    case = make_in_state(make_case, make_sighting, "found")

    text = pdf_text(b"".join(client.get(f"/poster/{case.reference}").streaming_content))

    assert "FOUND" in text and "Kavya Reddy" in text
    assert "9822000101" not in text.replace(" ", "")


@pytest.mark.parametrize("state", list(TABLE))
def test_the_sighting_form_in_each_state(client, make_case, make_sighting, settings, state,
                                         django_capture_on_commit_callbacks):
    *_, accepts = TABLE[state]
    case = make_in_state(make_case, make_sighting, state)
    before = Sighting.objects.count()
    deliveries = Delivery.objects.count()
    files = set((settings.MEDIA_ROOT / "sightings").rglob("*")) if (settings.MEDIA_ROOT / "sightings").exists() \
        else set()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/found/{case.reference}", {
            "place": "Indiranagar, Bengaluru", "seen_at": form_datetime(timezone.now() - timedelta(hours=1)),
            "description": "A girl in a purple jacket near the bus stop.",
            "photo": ContentFile(jpeg_bytes(), name="seen.jpg"),
        })

    if accepts:
        assert response.status_code == 302
        assert Sighting.objects.count() == before + 1
    else:
        assert response.status_code == 410
        page = response.content.decode()
        assert ("has been found safe" in page) is (case.status == "found" and state != "rejected")
        assert Sighting.objects.count() == before  # no row
        assert Delivery.objects.count() == deliveries  # no message
        after = set((settings.MEDIA_ROOT / "sightings").rglob("*")) if (settings.MEDIA_ROOT / "sightings").exists() \
            else set()
        assert after == files  # no file


@pytest.mark.parametrize(("state", "public_alert"), [("missing", True), ("unverified", False), ("rejected", False)])
def test_status_alerts_go_public_only_for_a_case_the_public_was_told_about(make_case, make_sighting, state,
                                                                           public_alert,
                                                                           django_capture_on_commit_callbacks):
    case = make_in_state(make_case, make_sighting, state)

    with django_capture_on_commit_callbacks(execute=True):
        change = services.change_status(case=case, to="found", note="Home safe.")

    rows = Delivery.objects.filter(event_key=f"case:{case.reference}:status:{change.pk}")
    assert rows.exists() is public_alert


def test_the_public_lists_show_verified_missing_cases_only(client, make_case, make_sighting):
    shown = make_in_state(make_case, make_sighting, "missing")
    hidden = [make_in_state(make_case, make_sighting, state) for state in TABLE if state != "missing"]

    for query in ("", "Kavya", "Pune"):
        page = client.get("/", {"q": query} if query else {}).content.decode()
        assert f"/case/{shown.reference}" in page
        for case in hidden:
            assert f"/case/{case.reference}" not in page
