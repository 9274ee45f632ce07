"""The migration to every face: a print made before it keeps its one face as the first of its lists."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("media", "0001_initial")]
AFTER = [("media", "0002_every_face")]


@pytest.fixture
def migrated_back(transactional_db):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    yield MigrationExecutor(connection).loader.project_state(BEFORE).apps
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_one_face_prints_become_lists_and_faceless_ones_stay_empty(migrated_back):
    FacePrint = migrated_back.get_model("media", "FacePrint")
    encoding = bytes(range(256)) * 2
    FacePrint.objects.create(photo_name="cases/photos/a.jpg", group="case", status="several_faces", face_count=2,
                             box=[10, 60, 70, 5], width=100, height=120, encoding=encoding)
    FacePrint.objects.create(photo_name="sightings/photos/b.jpg", group="sighting", status="no_face", face_count=0)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)

    from media.models import FacePrint as Current

    rows = {row.photo_name: row for row in Current.objects.all()}
    with_face, without = rows["cases/photos/a.jpg"], rows["sightings/photos/b.jpg"]
    assert (with_face.boxes, bytes(with_face.encodings), with_face.face_count, with_face.chosen_face) == (
        [[10, 60, 70, 5]], encoding, 2, None)
    assert with_face.matched_faces == [0]
    assert (without.boxes, without.encodings) == (None, None)
