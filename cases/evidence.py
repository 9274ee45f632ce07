"""What two records have in common, besides their faces: how alike the names are (across scripts and spellings), the
same phone number, how far apart the places and the dates are, the ages. Each pair of records the review queue
knows gets an `Evidence`, and its `strength` (0-100) orders the queue. docs/face-matching.md explains the points."""

from __future__ import annotations

from dataclasses import dataclass, replace

from geocoding.distance import haversine_km
from media import matching

from .names import SAME_NAME, name_key, name_similarity, word_similarity


@dataclass(frozen=True)
class Evidence:
    """Evidence that two records are one child. `face` is oriented: its `face` is on the first record's photo
    (`photo`), its `other_face` on the second's (`other_photo`)."""

    face: matching.Match | None = None
    photo: str = ""
    other_photo: str = ""
    name_similarity: float | None = None
    same_phone: bool | None = None
    distance_km: float | None = None
    days_apart: float | None = None
    age_gap: int | None = None
    # How alike the first words of the names are (not stored): siblings share a surname and often a phone.
    given_name_similarity: float | None = None

    @property
    def verdict(self) -> str:
        return self.face.verdict if self.face else ""

    @property
    def face_score(self) -> int | None:
        return self.face.score if self.face and self.face.score is not None else None

    @property
    def strength(self) -> int:
        """0-100: the face score, plus points for the other evidence (same phone 40, same name 30 or similar 15,
        within 10 km 10 or 50 km 5, within a week 10 or two months 5, ages within a year 5)."""
        points = self.face_score or 0
        if self.same_phone:
            points += 40
        if self.name_similarity is not None:
            points += 30 if self.name_similarity >= SAME_NAME else 15 if self.name_similarity >= 0.7 else 0
        if self.distance_km is not None:
            points += 10 if self.distance_km <= 10 else 5 if self.distance_km <= 50 else 0
        if self.days_apart is not None:
            points += 10 if self.days_apart <= 7 else 5 if self.days_apart <= 60 else 0
        if self.age_gap is not None and self.age_gap <= 1:
            points += 5
        return min(100, points)


def turned(match: matching.Match, *, searched_from: str) -> matching.Match:
    """A search's answer seen from the photo found: its faces swapped, `photo_name` the photo searched from."""
    return replace(match, photo_name=searched_from, face=match.other_face, other_face=match.face)


def names(first: str, second: str) -> float | None:
    """How alike two names are (0..1), None when either is not given."""
    if not (first or "").strip() or not (second or "").strip():
        return None
    return name_similarity(first, second)


# A child often gives only a first name: "Aarav" against a case's "Aarav Sharma" is compared on the first word and
# counted as this share of a full match ("similar", not "the same name").
PARTIAL_NAME = 0.8


def stated_name(case_name: str, said: str) -> float | None:
    """How alike the name a found child gives is to a case's name; a shorter name is compared with as many
    leading words of the case's and counts PARTIAL_NAME of a full match."""
    if not (case_name or "").strip() or not (said or "").strip():
        return None
    full, given = name_key(case_name).split(), name_key(said).split()
    if given and len(given) < len(full):
        return round(PARTIAL_NAME * name_similarity(" ".join(full[:len(given)]), " ".join(given)), 3)
    return name_similarity(case_name, said)


def given_names(first: str, second: str) -> float | None:
    """How alike the first words of two names are, 0..1; None when either is not given."""
    a, b = name_key(first).split(), name_key(second).split()
    return word_similarity(a[0], b[0]) if a and b else None


def km(first, second) -> float | None:
    """Distance in km between two records with `latitude`/`longitude`; None when either has no coordinates."""
    if first.latitude is None or second.latitude is None:
        return None
    return round(haversine_km(float(first.latitude), float(first.longitude), float(second.latitude),
                              float(second.longitude)), 1)


def days(first, second) -> float | None:
    if first is None or second is None:
        return None
    return round(abs((first - second).total_seconds()) / 86400, 1)


def age_gap(first: int | None, second: int | None) -> int | None:
    return None if first is None or second is None else abs(first - second)


def phones(*numbers: str) -> set[str]:
    return {number for number in numbers if number}


def case_and_case(case, other, face: matching.Match | None = None) -> Evidence:
    """`case` the earlier report, `other` the later; `face` from case's photo to other's."""
    shared = phones(case.contact_phone, case.reporter_phone) & phones(other.contact_phone, other.reporter_phone)
    return Evidence(
        face=face, photo=case.photo.name if face else "", other_photo=other.photo.name if face else "",
        name_similarity=names(case.name, other.name), same_phone=bool(shared), distance_km=km(case, other),
        days_apart=days(case.last_seen_at, other.last_seen_at), age_gap=age_gap(case.age, other.age),
        given_name_similarity=given_names(case.name, other.name),
    )


def case_and_found(case, found, face: matching.Match | None = None, *, found_photo: str = "") -> Evidence:
    """`face` from the case photo to one of the found child's photos (`found_photo`)."""
    return Evidence(
        face=face, photo=case.photo.name if face else "", other_photo=found_photo if face else "",
        name_similarity=stated_name(case.name, found.stated_name), distance_km=km(case, found),
        days_apart=days(case.last_seen_at, found.found_at), age_gap=age_gap(case.age, found.apparent_age),
    )


def case_and_sighting(case, sighting, face: matching.Match | None = None) -> Evidence:
    """`face` from the case photo to the sighting's photo."""
    return Evidence(
        face=face, photo=case.photo.name if face else "", other_photo=sighting.photo.name if face else "",
        distance_km=km(case, sighting), days_apart=days(case.last_seen_at, sighting.seen_at),
    )


def found_and_found(found, other, face: matching.Match | None = None, *, photo: str = "",
                    other_photo: str = "") -> Evidence:
    """`found` the earlier record; `face` from `photo` (one of found's) to `other_photo` (one of other's)."""
    return Evidence(
        face=face, photo=photo if face else "", other_photo=other_photo if face else "",
        name_similarity=names(found.stated_name, other.stated_name), distance_km=km(found, other),
        days_apart=days(found.found_at, other.found_at), age_gap=age_gap(found.apparent_age, other.apparent_age),
    )
