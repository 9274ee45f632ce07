"""Fixtures for tests that store photos and posters; import them into a test module to use them.

- cached_face_analysis: face analysis memoised by photo content. Each distinct photo is analysed once per test
  session by the real media.faces.analyse_photo (~0.3 s each); later analyses of the same bytes return that result.
- fresh_face_indexes: the 1:N search indexes of this process start empty (rows of earlier tests were rolled back).
- cloudinary: Cloudinary switched on, against a fake Cloudinary on 127.0.0.1 (tests/fakes/cloudinary.py).
"""

from __future__ import annotations

import hashlib

import pytest

from media import faces, services
from tests.fakes.cloudinary import FakeCloudinary

_analyses: dict[bytes, faces.FaceAnalysis] = {}


@pytest.fixture
def cached_face_analysis(monkeypatch):
    real = faces.analyse_photo

    def analyse_photo(data):
        key = hashlib.sha256(bytes(data)).digest()
        if key not in _analyses:
            _analyses[key] = real(data)
        return _analyses[key]

    monkeypatch.setattr(faces, "analyse_photo", analyse_photo)
    return _analyses


@pytest.fixture
def cloudinary(monkeypatch, settings):
    """django-cloudinary-storage checks at import that credentials exist in its settings or the environment: the
    environment variable satisfies it. Photos go to the default storage, posters and voice notes to theirs."""
    with FakeCloudinary() as fake:
        monkeypatch.setenv("CLOUDINARY_URL", fake.cloudinary_url)
        settings.CLOUDINARY_URL = fake.cloudinary_url
        settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "media.storage.cloudinary_image_storage"}}
        settings.MEDIA_STORAGE_TIMEOUT = 2.0
        yield fake


@pytest.fixture
def fresh_face_indexes():
    services.reset_face_indexes()
    yield
    services.reset_face_indexes()
