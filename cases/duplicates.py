"""Records that may be the same child by what they say rather than by face: the same name across scripts and
spellings ("Aarav Sharma", "Arav Sharma", "आरव शर्मा" share the key "arav sarma"; Mohammed/Muhammad are close),
the same phone number in E.164, a close age. Used with the face searches by cases.candidates.

Names are looked up by their stored key (`Case.name_key`, `FoundChild.name_key`): the same key, or the same first
or last word, then scored with `names.name_similarity`; a case's phones by the two indexed phone columns.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .evidence import Evidence
from .names import SAME_NAME

# Ages given by two families, or a family and the apparent age of a found child, differ by this much at most for a
# same-name pair to be worth a look.
AGE_TOLERANCE = 3
# A phone number shared by two reports may be a family reporting two children (who share a surname): a candidate
# only if the first names are at least this alike (Aarav/Arav 1.0, Ravi/Rani 0.75, Aarav/Meera 0.2), or the faces.
SAME_PHONE_GIVEN_NAME = 0.75
# Similar names (a first name only, a spelling further off) count when the places or the dates are this near.
SIMILAR_NAME = 0.7
NEAR_KM = 50
NEAR_DAYS = 30
# At most this many records are read for a name; a common name needs a face, a phone or a place to stand out.
NAME_ROWS = 200


def similar_names(rows: QuerySet, key: str, *, age: int | None, age_field: str) -> QuerySet:
    """Rows whose name key is this key or shares its first or last word, of a close age (or none given)."""
    words = key.split()
    if not words:
        return rows.none()
    by_name = Q(name_key=key) | Q(name_key=words[0]) | Q(name_key__startswith=words[0] + " ")
    if len(words) > 1:
        by_name |= Q(name_key__endswith=" " + words[-1])
    rows = rows.filter(by_name)
    if age is not None:
        rows = rows.filter(Q(**{f"{age_field}__isnull": True})
                           | Q(**{f"{age_field}__gte": age - AGE_TOLERANCE, f"{age_field}__lte": age + AGE_TOLERANCE}))
    return rows[:NAME_ROWS]


def same_phone(rows: QuerySet, phones: set[str]) -> QuerySet:
    """Cases with one of these numbers as their contact's or reporter's phone."""
    if not phones:
        return rows.none()
    return rows.filter(Q(contact_phone__in=phones) | Q(reporter_phone__in=phones))


def worth_review(found: Evidence) -> bool:
    """A pair goes to the queue when the faces may match; when the same phone comes with a similar first name and
    a close age; when the names are the same and the ages close; or when the names and first names are similar
    (a child giving a first name only), the ages close and the places or the dates near (NEAR_KM, NEAR_DAYS)."""
    if found.verdict in ("likely", "possible"):
        return True
    similarity = found.name_similarity or 0.0
    close_age = found.age_gap is None or found.age_gap <= AGE_TOLERANCE
    given = found.given_name_similarity if found.given_name_similarity is not None else similarity
    if found.same_phone and given >= SAME_PHONE_GIVEN_NAME and close_age:
        return True
    if similarity >= SAME_NAME and close_age:
        return True
    near = (found.distance_km is not None and found.distance_km <= NEAR_KM) or (
        found.days_apart is not None and found.days_apart <= NEAR_DAYS)
    return similarity >= SIMILAR_NAME and given >= SIMILAR_NAME and close_age and near
