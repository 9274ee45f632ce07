"""The data migration that turns stored phone numbers into E.164, run on rows written before it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("cases", "0003_file_storages")]
AFTER = [("cases", "0004_phone_numbers_e164")]


@pytest.fixture
def migrated_back(transactional_db):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    yield MigrationExecutor(connection).loader.project_state(BEFORE).apps
    # Forward to the latest again, for the tests that follow.
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def migrate_forward() -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)


def test_stored_numbers_become_e164_and_unparsable_ones_stay_as_they_were(migrated_back):
    Case = migrated_back.get_model("cases", "Case")
    Sighting = migrated_back.get_model("cases", "Sighting")
    now = timezone.now()
    common = dict(age=7, gender="male", description="Red T-shirt", last_seen_place="Pune",
                  last_seen_at=now - timedelta(hours=2), contact_name="Priya", created_at=now, updated_at=now)
    typed = Case.objects.create(reference="MC20260310AAAAAAAA", name="Aarav", contact_phone="9822012345",
                                reporter_phone="098220 12345", **common)
    broken = Case.objects.create(reference="MC20260310BBBBBBBB", name="Ishita", contact_phone="12345",
                                 reporter_phone="", **common)
    already = Case.objects.create(reference="MC20260310CCCCCCCC", name="Sita", contact_phone="+14155552671",
                                  reporter_phone="call me", **common)
    sighting = Sighting.objects.create(case=typed, place="Pune", seen_at=now, description="Seen",
                                       reporter_phone="+91 99000 12345", created_at=now)
    unknown = Sighting.objects.create(case=typed, place="Pune", seen_at=now, description="Seen",
                                      reporter_phone="", created_at=now)

    migrate_forward()

    rows = {row.reference: (row.contact_phone, row.reporter_phone) for row in Case.objects.all()}
    assert rows == {
        typed.reference: ("+919822012345", "+919822012345"),
        broken.reference: ("12345", ""),
        already.reference: ("+14155552671", "call me"),
    }
    phones = dict(Sighting.objects.values_list("pk", "reporter_phone"))
    assert phones == {sighting.pk: "+919900012345", unknown.pk: ""}
