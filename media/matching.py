"""Face matching for the other apps: analyse a stored photo, say what was found, compare two photos, search a group
for the nearest faces, and forget photos. This is media's public matching API: callers know photos by their
storage name and a group they choose ("case", "sighting"), and never see encodings or FacePrint rows.

Every answer names the face it used (`Face`: which one and where), so that matching every face of a photo can come
later without changing callers. Today the face used is always the largest one, index 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import OuterRef, Subquery

from . import faces, services
from .models import FacePrint
from .services import PhotoMissing

__all__ = [
    "LIKELY", "NO_FACE", "POSSIBLE", "UNLIKELY", "Face", "FaceSummary", "Match", "PhotoMissing", "analyse", "compare",
    "face_status_annotations", "face_summaries", "face_summary", "forget", "search", "status_label",
]

LIKELY, POSSIBLE, UNLIKELY, NO_FACE = faces.LIKELY, faces.POSSIBLE, faces.UNLIKELY, faces.NO_FACE

Box = tuple[int, int, int, int]  # (top, right, bottom, left) in the photo's pixels, as analysed


@dataclass(frozen=True)
class Face:
    """One face in a photo: `index` 0 is the largest (the only one matched today), `box` is where it is."""

    index: int
    box: Box


@dataclass(frozen=True)
class FaceSummary:
    """What analysis found in one stored photo, for staff pages."""

    photo_name: str
    status: str  # one_face, several_faces, no_face or unreadable
    label: str  # the status in words ("Several faces (the largest is used)")
    face_count: int
    face: Face | None  # the face used for matching; None when there is none
    width: int | None  # the photo's pixels as analysed (after its EXIF orientation)
    height: int | None
    analysed_at: datetime

    @property
    def has_face(self) -> bool:
        return self.face is not None

    @property
    def box(self) -> Box | None:
        return self.face.box if self.face else None

    @property
    def box_percent(self) -> dict[str, float] | None:
        """The box as left/top/width/height in % of the photo, to draw it over a scaled copy."""
        if not self.face or not self.width or not self.height:
            return None
        top, right, bottom, left = self.face.box
        return {
            "left": round(100 * left / self.width, 2),
            "top": round(100 * top / self.height, 2),
            "width": round(100 * (right - left) / self.width, 2),
            "height": round(100 * (bottom - top) / self.height, 2),
        }


@dataclass(frozen=True)
class Match:
    """How alike a face of one photo is to a face of another: a 0-100 score and a verdict for people to read, the
    distance for audit. A pointer for a person to compare the photos, never a decision."""

    photo_name: str  # the other photo: the one compared with, or the one found
    verdict: str  # LIKELY, POSSIBLE, UNLIKELY, or NO_FACE when either photo has no usable face
    score: int | None  # None with NO_FACE
    distance: float | None
    face: Face | None = None  # the face used in the photo that was compared or searched with
    other_face: Face | None = None  # the face used in `photo_name`


# --- Analysing and forgetting --------------------------------------------------------------------------------


def analyse(*, name: str, group: str, refresh: bool = False) -> FaceSummary:
    """The analysis of a stored photo: the one kept, or a new one when there is none (or `refresh` asks for it).

    Safe to run twice. Raises PhotoMissing when the file is gone, media.storage.StorageUnavailable when it cannot
    be read now (retry later).
    """
    if refresh:
        row = services.analyse_stored_photo(name=name, group=group)
    else:
        row = services.analysed_photo(name=name, group=group)
    return _summary(row)


def forget(names: Iterable[str]) -> int:
    """Delete what is known of these photos' faces (a found child's face is not kept); how many were known."""
    return services.forget_photos(names)


# --- Reading for pages -----------------------------------------------------------------------------------------


def face_summaries(names: Iterable[str]) -> dict[str, FaceSummary]:
    """The summaries of these photos by name, in one query; photos not analysed (yet, or any more) are absent."""
    names = [name for name in names if name]
    if not names:
        return {}
    return {row.photo_name: _summary(row) for row in FacePrint.objects.filter(photo_name__in=names).defer("encoding")}


def face_summary(name: str) -> FaceSummary | None:
    """One photo's summary; None when it has not been analysed (or has no name)."""
    return face_summaries([name]).get(name) if name else None


def face_status_annotations(photo_field: str) -> dict[str, Subquery]:
    """`face_status` and `face_count` of the photo named by `photo_field`, for `queryset.annotate(**...)`: a list
    shows them at a fixed number of queries (None when the photo has not been analysed)."""
    prints = FacePrint.objects.filter(photo_name=OuterRef(photo_field))
    return {"face_status": Subquery(prints.values("status")[:1]),
            "face_count": Subquery(prints.values("face_count")[:1])}


def status_label(status: str) -> str:
    """A face status (as annotated or summarised) in words."""
    return dict(FacePrint.Status.choices).get(status, status)


# --- Comparing and searching -----------------------------------------------------------------------------------


def compare(name: str, other_name: str) -> Match:
    """How alike the faces of two analysed photos are (analyse them first). NO_FACE, without a score, when either
    photo has no face or has not been analysed."""
    rows = {row.photo_name: row for row in FacePrint.objects.filter(photo_name__in=[name, other_name])}
    first, second = rows.get(name), rows.get(other_name)
    if first is None or second is None or not first.has_face or not second.has_face:
        return Match(photo_name=other_name, verdict=NO_FACE, score=None, distance=None)
    score = faces.score_distance(faces.face_distance(_encoding(first), _encoding(second)))
    return Match(photo_name=other_name, verdict=score.verdict, score=score.score, distance=score.distance,
                 face=_face(first), other_face=_face(second))


def search(name: str, *, group: str, limit: int | None = None) -> list[Match]:
    """The photos of `group` whose face is within the "possible" line of this analysed photo's face, nearest first,
    at most `limit` of them, the photo itself left out. [] when it has no face or has not been analysed."""
    row = FacePrint.objects.filter(photo_name=name).first()
    if row is None or not row.has_face:
        return []
    _, possible, _ = faces.match_thresholds()
    found = services.search_group(_encoding(row), group, max_distance=possible,
                                  limit=None if limit is None else limit + 1)
    found = [(photo_name, distance) for photo_name, distance in found if photo_name != name][:limit]
    boxes = dict(FacePrint.objects.filter(photo_name__in=[photo_name for photo_name, _ in found])
                 .values_list("photo_name", "box"))
    matches = []
    for photo_name, distance in found:
        score = faces.score_distance(distance)
        other = Face(index=0, box=tuple(boxes[photo_name])) if boxes.get(photo_name) else None
        matches.append(Match(photo_name=photo_name, verdict=score.verdict, score=score.score, distance=distance,
                             face=_face(row), other_face=other))
    return matches


# --- Rows to answers -------------------------------------------------------------------------------------------


def _face(row: FacePrint) -> Face | None:
    return Face(index=0, box=tuple(row.box)) if row.has_face and row.box else None


def _encoding(row: FacePrint):
    return faces.encoding_from_bytes(bytes(row.encoding))


def _summary(row: FacePrint) -> FaceSummary:
    return FaceSummary(photo_name=row.photo_name, status=row.status, label=row.get_status_display(),
                       face_count=row.face_count, face=_face(row), width=row.width, height=row.height,
                       analysed_at=row.analysed_at)
