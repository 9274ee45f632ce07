"""The migration to the review queue: candidates recorded before it become pending case/sighting pairs, with their
face score as their strength; cases get their name key."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("cases", "0007_trust_constraints_and_roles")]
AFTER = [("cases", "0008_reunite_found_children_and_review")]


@pytest.fixture
def migrated_back(transactional_db):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    yield MigrationExecutor(connection).loader.project_state(BEFORE).apps
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_existing_candidates_join_the_queue_and_cases_get_their_name_key(migrated_back):
    Case = migrated_back.get_model("cases", "Case")
    Sighting = migrated_back.get_model("cases", "Sighting")
    MatchCandidate = migrated_back.get_model("cases", "MatchCandidate")
    now = timezone.now()
    common = dict(age=7, gender="male", description="Red T-shirt", last_seen_place="Pune",
                  last_seen_at=now - timedelta(hours=2), contact_name="Priya", contact_phone="+919822012345",
                  created_at=now, updated_at=now)
    child = Case.objects.create(reference="MC20260310AAAAAAAA", name="आरव शर्मा", **common)
    other = Case.objects.create(reference="MC20260310BBBBBBBB", name="Kabir Das", **common)
    sighting = Sighting.objects.create(case=other, place="Pune", seen_at=now, description="A boy")
    MatchCandidate.objects.create(sighting=sighting, case=child, distance=0.41, score=81, verdict="likely",
                                  created_at=now)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)

    from cases.models import Case as CurrentCase
    from cases.models import MatchCandidate as Current

    row = Current.objects.get()
    assert (row.kind, row.status, row.strength, row.pair_key) == (
        "case_sighting", "pending", 81, f"case_sighting:{child.pk}:{sighting.pk}")
    assert (row.case_id, row.sighting_id, row.verdict, row.score) == (child.pk, sighting.pk, "likely", 81)
    assert dict(CurrentCase.objects.values_list("reference", "name_key")) == {
        "MC20260310AAAAAAAA": "arav sarma", "MC20260310BBBBBBBB": "kavir das"}
