"""The review queue's rows: each pair of records that may be the same child is recorded once, with its evidence.

Faces are searched in both directions: a case photo against the faces of open found-child records and of sightings
filed on other cases; a sighting photo against open cases; a found child's photos against open cases and other
found children. Names, phones, places and dates add their evidence (cases.duplicates). Every face within the
"possible" line becomes a candidate. A decided pair (confirmed or rejected) is never changed or suggested again;
a pending one is updated with the newest evidence. A likely face queues one staff alert per candidate.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from media import matching

from . import alerts, duplicates, evidence
from .models import Case, FoundChild, FoundChildPhoto, MatchCandidate, Sighting, Verdict

logger = logging.getLogger(__name__)

# media's groups: case photos, sighting photos, found children's photos.
CASE_GROUP = "case"
SIGHTING_GROUP = "sighting"
FOUND_GROUP = "found"

Kind = MatchCandidate.Kind


def pair_key(kind: str, first: int, second: int) -> str:
    """The pair's name: kind and ids (case first; for two cases or two found children, the smaller id first)."""
    if kind in (Kind.CASE_CASE, Kind.FOUND_FOUND):
        first, second = sorted((first, second))
    return f"{kind}:{first}:{second}"


# --- Recording -----------------------------------------------------------------------------------------------


def record(
    kind: str,
    found: evidence.Evidence,
    *,
    case: Case | None = None,
    other_case: Case | None = None,
    sighting: Sighting | None = None,
    found_child: FoundChild | None = None,
    other_found_child: FoundChild | None = None,
) -> MatchCandidate:
    """The candidate for this pair, created or (while pending) updated with `found`; a decided one is returned as
    it is. In case_case and found_found the earlier record goes first (the evidence is turned to match)."""
    if kind == Kind.CASE_CASE and (other_case.created_at, other_case.pk) < (case.created_at, case.pk):
        case, other_case, found = other_case, case, _turned(found)
    if kind == Kind.FOUND_FOUND and (other_found_child.created_at, other_found_child.pk) < (
        found_child.created_at, found_child.pk
    ):
        found_child, other_found_child, found = other_found_child, found_child, _turned(found)
    first = case if case is not None else found_child
    second = {Kind.CASE_SIGHTING: sighting, Kind.CASE_FOUND: found_child, Kind.CASE_CASE: other_case,
              Kind.FOUND_FOUND: other_found_child}[kind]
    key = pair_key(kind, first.pk, second.pk)
    values = {"kind": kind, "case": case, "other_case": other_case, "sighting": sighting, "found_child": found_child,
              "other_found_child": other_found_child, **_evidence_values(found)}
    with transaction.atomic():
        candidate = MatchCandidate.objects.select_for_update().filter(pair_key=key).first()
        if candidate is not None and candidate.is_decided:
            return candidate
        if candidate is None:
            try:
                with transaction.atomic():
                    candidate = MatchCandidate.objects.create(pair_key=key, **values)
            except IntegrityError:  # recorded meanwhile by another worker: update that one
                candidate = MatchCandidate.objects.select_for_update().get(pair_key=key)
                if candidate.is_decided:
                    return candidate
        if candidate.pk and any(getattr(candidate, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(candidate, name, value)
            candidate.save()
        if candidate.verdict == Verdict.LIKELY:
            # In the same transaction as the row; queueing again for the same candidate adds nothing.
            alerts.match_to_review(candidate)
    return candidate


def prune(pending: QuerySet[MatchCandidate], keep: set[str]) -> int:
    """Delete the pending candidates of `pending` that a new search did not find again (the photo changed, a face
    was chosen); decided ones stay. How many."""
    deleted, _ = pending.filter(status=MatchCandidate.Status.PENDING).exclude(pair_key__in=keep).delete()
    return deleted


def drop_pending(*, case: Case | None = None, found_child: FoundChild | None = None) -> int:
    """A case found or closed, or a found child reunited: its pending candidates leave the queue (decided ones
    stay as the record of what staff decided)."""
    if case is not None:
        rows = MatchCandidate.objects.filter(Q(case=case) | Q(other_case=case) | Q(sighting__case=case))
    else:
        rows = MatchCandidate.objects.filter(Q(found_child=found_child) | Q(other_found_child=found_child))
    deleted, _ = rows.filter(status=MatchCandidate.Status.PENDING).delete()
    return deleted


def _turned(found: evidence.Evidence) -> evidence.Evidence:
    face = evidence.turned(found.face, searched_from=found.photo) if found.face else None
    return replace(found, face=face, photo=found.other_photo, other_photo=found.photo)


def _evidence_values(found: evidence.Evidence) -> dict:
    face = found.face
    faces = {}
    if face and face.face and face.other_face:
        summaries = matching.face_summaries([found.photo, found.other_photo])
        sizes = {name: [summary.width, summary.height] for name, summary in summaries.items()}
        faces = {"photo": found.photo, "face": face.face.index, "box": list(face.face.box),
                 "size": sizes.get(found.photo), "other_photo": found.other_photo, "other_face": face.other_face.index,
                 "other_box": list(face.other_face.box), "other_size": sizes.get(found.other_photo)}
    return {
        "distance": face.distance if face else None,
        "score": face.score if face else None,
        "verdict": face.verdict if face else "",
        "faces": faces,
        "name_similarity": found.name_similarity,
        "same_phone": found.same_phone,
        "distance_km": found.distance_km,
        "days_apart": found.days_apart,
        "age_gap": found.age_gap,
        "strength": found.strength,
    }


# --- Searching, from each kind of record --------------------------------------------------------------------


def _limit() -> int:
    return settings.FACE_MATCH_CANDIDATES


def open_cases() -> QuerySet[Case]:
    return Case.objects.filter(status=Case.Status.MISSING, merged_into__isnull=True)


def open_found_children() -> QuerySet[FoundChild]:
    return FoundChild.objects.exclude(status=FoundChild.Status.REUNITED).filter(duplicate_of__isnull=True)


def for_case(case: Case) -> list[MatchCandidate]:
    """A missing case (its photo analysed, on its chosen face) against the faces of open found children, of other
    cases' sightings and of other open cases, and against their names and phones. Pending candidates of the case
    that are not found again are dropped."""
    if case.status != Case.Status.MISSING or case.merged_into_id:
        return []
    photo = case.photo.name if case.photo else ""
    recorded = []
    if photo:
        own_sightings = list(Sighting.objects.filter(case=case).exclude(photo="").values_list("photo", flat=True))
        found = matching.search(photo, group=SIGHTING_GROUP, limit=_limit(), exclude=own_sightings)
        sightings = {s.photo.name: s for s in Sighting.objects.select_related("case").filter(
            photo__in=[m.photo_name for m in found], case__status=Case.Status.MISSING).exclude(case=case)}
        for match in found:
            sighting = sightings.get(match.photo_name)
            if sighting is not None:
                recorded.append(record(Kind.CASE_SIGHTING, evidence.case_and_sighting(case, sighting, match),
                                       case=case, sighting=sighting))
    # Found children, on their nearest photo, and by name.
    child_faces = _nearest(_search(photo, FOUND_GROUP, 3 * _limit()), _found_children_by_photo)
    children = {child.pk: child for child in duplicates.similar_names(
        open_found_children(), case.name_key, age=case.age, age_field="apparent_age")}
    children.update({child.pk: child for child, _ in child_faces.values()})
    for child in children.values():
        pair = _pair_of(child_faces, child)
        found = evidence.case_and_found(case, child, pair and pair.match, found_photo=pair.other_photo if pair else "")
        if duplicates.worth_review(found):
            recorded.append(record(Kind.CASE_FOUND, found, case=case, found_child=child))
    # Other cases, by face, phone and name.
    case_faces = _nearest(_search(photo, CASE_GROUP, _limit()), _cases_by_photo)
    rows = open_cases().exclude(pk=case.pk)
    others = {other.pk: other for other in duplicates.similar_names(rows, case.name_key, age=case.age,
                                                                      age_field="age")}
    others.update({other.pk: other for other in duplicates.same_phone(
        rows, evidence.phones(case.contact_phone, case.reporter_phone))})
    others.update({other.pk: other for other, _ in case_faces.values() if other.pk != case.pk})
    for other in others.values():
        pair = _pair_of(case_faces, other)
        found = evidence.case_and_case(case, other, pair and pair.match)
        if duplicates.worth_review(found):
            recorded.append(record(Kind.CASE_CASE, found, case=case, other_case=other))
    anchored = MatchCandidate.objects.filter(Q(case=case, kind__in=[Kind.CASE_SIGHTING, Kind.CASE_FOUND])
                                             | (Q(kind=Kind.CASE_CASE) & (Q(case=case) | Q(other_case=case))))
    prune(anchored, {candidate.pair_key for candidate in recorded})
    return recorded


def for_sighting(sighting: Sighting) -> list[MatchCandidate]:
    """A sighting photo (analysed) against the photos of other open cases. Pending candidates of the sighting that
    are not found again are dropped."""
    limit = _limit()
    # One more than needed: the sighting's own case is usually the nearest and is left out below.
    found = matching.search(sighting.photo.name, group=CASE_GROUP, limit=limit + 1) if sighting.photo else []
    cases = {case.photo.name: case for case in open_cases().filter(photo__in=[m.photo_name for m in found])
             .exclude(pk=sighting.case_id)}
    recorded = []
    for match in found:
        case = cases.get(match.photo_name)
        if case is None or len(recorded) >= limit:
            continue
        face = evidence.turned(match, searched_from=sighting.photo.name)
        recorded.append(record(Kind.CASE_SIGHTING, evidence.case_and_sighting(case, sighting, face), case=case,
                               sighting=sighting))
    prune(MatchCandidate.objects.filter(sighting=sighting), {candidate.pair_key for candidate in recorded})
    return recorded


def for_found_child(child: FoundChild) -> list[MatchCandidate]:
    """An open found child's photos (analysed) against open cases and other open found children, and its stated
    name against theirs; each record once, on its nearest pair of photos. Pending candidates of the child that are
    not found again are dropped."""
    if not child.is_open:
        return []
    photos = [p.photo.name for p in child.photos.all() if p.photo]
    case_pairs, found_pairs = [], []
    for photo in photos:
        case_pairs += _search(photo, CASE_GROUP, _limit())
        found_pairs += _search(photo, FOUND_GROUP, 3 * _limit(), exclude=photos)
    recorded = []
    case_faces = _nearest(case_pairs, _cases_by_photo)
    cases = {case.pk: case for case in duplicates.similar_names(open_cases(), child.name_key,
                                                                age=child.apparent_age, age_field="age")}
    cases.update({case.pk: case for case, _ in case_faces.values()})
    for case in cases.values():
        pair = _pair_of(case_faces, case)
        # Seen from the case: its photo first.
        face = evidence.turned(pair.match, searched_from=pair.photo) if pair else None
        found = evidence.case_and_found(case, child, face, found_photo=pair.photo if pair else "")
        if duplicates.worth_review(found):
            recorded.append(record(Kind.CASE_FOUND, found, case=case, found_child=child))
    found_faces = _nearest(found_pairs, _found_children_by_photo)
    others = {other.pk: other for other in duplicates.similar_names(
        open_found_children().exclude(pk=child.pk), child.name_key, age=child.apparent_age,
        age_field="apparent_age")}
    others.update({other.pk: other for other, _ in found_faces.values() if other.pk != child.pk})
    for other in others.values():
        pair = _pair_of(found_faces, other)
        found = evidence.found_and_found(child, other, pair and pair.match, photo=pair.photo if pair else "",
                                         other_photo=pair.other_photo if pair else "")
        if duplicates.worth_review(found):
            recorded.append(record(Kind.FOUND_FOUND, found, found_child=child, other_found_child=other))
    anchored = MatchCandidate.objects.filter(Q(found_child=child) | Q(other_found_child=child))
    prune(anchored, {candidate.pair_key for candidate in recorded})
    return recorded


@dataclass(frozen=True)
class _Pair:
    """One search answer: `match` as media gave it for a search from `photo`, which found `other_photo`."""

    match: matching.Match
    photo: str
    other_photo: str


def _search(photo: str, group: str, limit: int, exclude=()) -> list[_Pair]:
    if not photo:
        return []
    return [_Pair(match, photo, match.photo_name)
            for match in matching.search(photo, group=group, limit=limit, exclude=exclude)]


def _nearest(pairs: list[_Pair], records_by_photo) -> dict:
    """{record pk: (record, pair)} on each record's nearest pair; `records_by_photo` maps the photos found to open
    records (photos of other records are left out)."""
    pairs = sorted(pairs, key=lambda pair: pair.match.distance)
    records = records_by_photo([pair.other_photo for pair in pairs])
    nearest: dict = {}
    for pair in pairs:
        found = records.get(pair.other_photo)
        if found is not None and found.pk not in nearest:
            nearest[found.pk] = (found, pair)
    return nearest


def _pair_of(nearest: dict, found) -> _Pair | None:
    entry = nearest.get(found.pk)
    return entry[1] if entry else None


def _found_children_by_photo(names: list[str]) -> dict[str, FoundChild]:
    rows = FoundChildPhoto.objects.filter(photo__in=names, found_child__in=open_found_children()).select_related(
        "found_child")
    return {row.photo.name: row.found_child for row in rows}


def _cases_by_photo(names: list[str]) -> dict[str, Case]:
    return {case.photo.name: case for case in open_cases().filter(photo__in=names)}
