"""Import from the old Sachet: an old-schema database (SQLAlchemy, on SQLite or on the PostgreSQL server the suite
runs on) with messy rows, imported twice."""

from __future__ import annotations

import io
import uuid
from datetime import datetime

import psycopg
import pytest
import sqlalchemy as sa
from django.core.management import call_command
from django.db import connection
from PIL import Image

from cases.models import Case, CaseNote, Sighting
from notifications.models import Delivery
from tests.factories import jpeg_bytes
from tests.fakes.cloudinary import FakeCloudinary

pytestmark = pytest.mark.django_db

metadata = sa.MetaData()
missing_child = sa.Table(
    "missing_child", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("report_id", sa.String(50)), sa.Column("name", sa.String(100)),
    sa.Column("age", sa.String(10)),  # the old form's age, as typed (the app did not check it)
    sa.Column("gender", sa.String(10)), sa.Column("last_seen_location", sa.String(200)),
    sa.Column("location_subcategory", sa.String(100)), sa.Column("last_seen_lat", sa.Float),
    sa.Column("last_seen_lng", sa.Float), sa.Column("description", sa.Text), sa.Column("photo_filename", sa.String(300)),
    sa.Column("audio_filename", sa.String(300)), sa.Column("emergency_contact", sa.String(30)),
    sa.Column("date_reported", sa.DateTime), sa.Column("status", sa.String(20)),
)
sighting = sa.Table(
    "sighting", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("report_id", sa.String(50)), sa.Column("location", sa.String(200)), sa.Column("latitude", sa.Float),
    sa.Column("longitude", sa.Float), sa.Column("description", sa.Text), sa.Column("reporter_phone", sa.String(30)),
    sa.Column("photo_filename", sa.String(300)), sa.Column("face_match_score", sa.Float),
    sa.Column("sighting_time", sa.DateTime),
)


def photo_with_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "OldPhoneMaker"  # Make
    return jpeg_bytes(exif=exif)


@pytest.fixture
def old_database_url(tmp_path):
    """An empty database for the old schema: a SQLite file, or a new database on the suite's PostgreSQL server."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'old-sachet.db'}"
        return
    params = connection.get_connection_params()
    name = f"old_sachet_{uuid.uuid4().hex[:8]}"
    admin = dict(host=params.get("host"), port=params.get("port"), user=params.get("user"),
                 password=params.get("password"), dbname="postgres")
    with psycopg.connect(**{k: v for k, v in admin.items() if v}, autocommit=True) as server:
        server.execute(f'CREATE DATABASE "{name}"')
    user = params.get("user") or "postgres"
    password = f":{params['password']}" if params.get("password") else ""
    yield f"postgresql://{user}{password}@{params.get('host') or 'localhost'}:{params.get('port') or 5432}/{name}"
    with psycopg.connect(**{k: v for k, v in admin.items() if v}, autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def old_sachet(old_database_url, tmp_path):
    """The old app's database with messy rows, its uploads folder, and a fake Cloudinary serving one photo."""
    uploads = tmp_path / "uploads"
    (uploads / "photos").mkdir(parents=True)
    (uploads / "photos" / "ravi.jpg").write_bytes(photo_with_exif())
    (uploads / "photos" / "broken.jpg").write_bytes(b"this is not an image")
    with FakeCloudinary() as fake:
        fake.files[("image", "sachet/old/meena.jpg")] = (jpeg_bytes(), "meena.jpg")
        cloud_url = f"{fake.url}/{fake.cloud}/image/upload/v1700000000/sachet/old/meena.jpg"
        engine = sa.create_engine(old_database_url.replace("postgresql://", "postgresql+psycopg://"))
        metadata.create_all(engine)
        with engine.begin() as db:
            rows = [
                dict(report_id="MC20240101A1B2C3D4", name="Ravi Kumar", age="8", gender="Male",
                     last_seen_location="Shivaji Nagar, Pune", location_subcategory="near the bus stand",
                     last_seen_lat=18.5308, last_seen_lng=73.8475,
                     description="<b>Blue</b> shirt &amp; shorts<script>alert(1)</script>", photo_filename="ravi.jpg",
                     emergency_contact="98220 12345", date_reported=datetime(2024, 1, 1, 10, 0), status="active"),
                dict(report_id="MC20240102B1B2C3D4", name="Sita", age="abc", gender="female",
                     last_seen_location="Howrah Station, Kolkata", last_seen_lat=0.0, last_seen_lng=0.0,
                     description="Green frock", photo_filename="missing.jpg", emergency_contact="12345",
                     date_reported=datetime(2024, 1, 2, 9, 0), status="found"),
                dict(report_id="MC20240101A1B2C3D4", name="Ravi Kumar (again)", age="8", gender="male",
                     last_seen_location="Pune", description="duplicate", date_reported=datetime(2024, 1, 3, 9, 0),
                     status="active"),
                dict(report_id="MC20240104C1B2C3D4", name="Meena", age="25", gender="F",
                     last_seen_location="Dadar, Mumbai", description="Red dupatta", photo_filename=cloud_url,
                     emergency_contact="+91 98200 11111", date_reported=datetime(2024, 1, 4, 9, 0), status="active"),
                dict(report_id="12345", name="Bad Reference", age="5", gender="male", last_seen_location="Delhi",
                     description="x", date_reported=datetime(2024, 1, 5, 9, 0), status="active"),
                dict(report_id="MC20240106D1B2C3D4", name="Arjun", age="6", gender="male",
                     last_seen_location="Kota", description="Broken photo", photo_filename="broken.jpg",
                     emergency_contact="9822012399", date_reported=datetime(2024, 1, 6, 9, 0), status="weird"),
            ]
            for row in rows:  # one by one: the rows have different columns (the rest are NULL)
                db.execute(missing_child.insert().values(**row))
            for row in [
                dict(report_id="MC20240101A1B2C3D4", location="Swargate, Pune", latitude=0.0, longitude=0.0,
                     description="Seen with a <i>woman</i>", reporter_phone="9900012345", face_match_score=0.82,
                     sighting_time=datetime(2024, 1, 1, 15, 0)),
                dict(report_id="MC20990101FFFFFFFF", location="Nowhere", description="no such case",
                     sighting_time=datetime(2024, 1, 1, 15, 0)),
            ]:
                db.execute(sighting.insert().values(**row))
        engine.dispose()
        yield old_database_url, uploads, f"127.0.0.1:{fake.port}"


def run(url, uploads, host) -> str:
    out = io.StringIO()
    call_command("import_sachet_v1", "--database-url", url, "--media-dir", str(uploads), "--photo-host", host,
                 stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_old_sachet_import_keeps_references_cleans_rows_and_reports_the_rest(old_sachet):
    url, uploads, host = old_sachet
    output = run(url, uploads, host)
    assert output.splitlines()[0] == ("Cases: 4 imported, 0 updated, 0 unchanged. Sightings: 1 imported, 0 unchanged. "
                                      "Skipped: 3. Files not imported: 2. Flagged for staff: 3.")
    assert "MC20240101A1B2C3D4: a second row with this report_id" in output
    assert "report_id '12345' is not a Sachet reference" in output
    assert "sighting of MC20990101FFFFFFFF: no case with this report_id" in output

    ravi = Case.objects.get(reference="MC20240101A1B2C3D4")
    assert (ravi.name, ravi.age, ravi.gender, ravi.contact_phone) == ("Ravi Kumar", 8, "male", "+919822012345")
    assert ravi.description == "Blue shirt & shorts" and ravi.last_seen_specific == "near the bus stand"
    assert ravi.verification == "verified" and ravi.verification_method == "import" and ravi.status == "missing"
    assert ravi.created_at.year == 2024 and ravi.source_domain == "sachet-v1"
    with ravi.photo.open("rb") as photo:
        assert b"OldPhoneMaker" not in photo.read()  # metadata stripped like an upload's

    sita = Case.objects.get(reference="MC20240102B1B2C3D4")
    assert sita.age is None and sita.status == "found" and sita.latitude is None and sita.geocoding == "pending"
    assert "'abc'" in CaseNote.objects.get(case=sita).text and not sita.photo
    assert "photo 'missing.jpg' not imported" in output

    meena = Case.objects.get(reference="MC20240104C1B2C3D4")
    assert meena.age is None and meena.photo and meena.gender == "female"
    arjun = Case.objects.get(reference="MC20240106D1B2C3D4")
    assert not arjun.photo and arjun.status == "missing" and "'weird'" in CaseNote.objects.get(case=arjun).text

    seen = Sighting.objects.get(case=ravi)
    assert seen.latitude is None and seen.face_match_score == 82 and seen.description == "Seen with a woman"
    assert seen.published_at is None
    assert not Delivery.objects.exists()  # no alert is sent again


def test_imported_case_with_unknown_age_has_its_page_and_poster(old_sachet, client):
    url, uploads, host = old_sachet
    run(url, uploads, host)
    page = client.get("/case/MC20240104C1B2C3D4")
    assert page.status_code == 200 and "Missing: Meena, ?" in page.content.decode()
    poster = client.get("/poster/MC20240104C1B2C3D4")
    assert poster.status_code == 200 and poster["Content-Type"] == "application/pdf"


def test_old_sachet_import_twice_changes_nothing(old_sachet):
    url, uploads, host = old_sachet
    run(url, uploads, host)
    before = list(Case.objects.order_by("reference").values())
    output = run(url, uploads, host)
    assert output.splitlines()[0] == ("Cases: 0 imported, 0 updated, 4 unchanged. Sightings: 0 imported, 1 unchanged. "
                                      "Skipped: 3. Files not imported: 2. Flagged for staff: 0.")
    assert list(Case.objects.order_by("reference").values()) == before and Sighting.objects.count() == 1


def test_old_database_that_cannot_be_read_is_a_clear_error(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No SQLite database"):
        call_command("import_sachet_v1", "--database-url", f"sqlite:///{tmp_path / 'none.db'}")
    assert not Case.objects.exists()
