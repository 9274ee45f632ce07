"""Face matching for the other apps: analyse a stored photo, say what was found, compare two photos, search a group
for the nearest faces, and forget photos. This is media's public matching API: callers know photos by their
storage name and a group they choose ("case", "sighting", "found"), and never see encodings or FacePrint rows.

Every usable face of a photo is kept. Two photos are compared by their nearest pair of faces, and every answer
names the faces it used (`Face`: which one and where), so a page can frame them. A photo may be about one face
(`analyse(..., face=i)` or `choose_face`): then only that face is compared and searched.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import JSONField, OuterRef, Subquery

from . import faces, services
from .models import FacePrint
from .services import PhotoMissing

__all__ = [
    "LIKELY", "NO_FACE", "POSSIBLE", "UNLIKELY", "Face", "FaceSummary", "Match", "PhotoMissing", "analyse",
    "choose_face", "compare", "face_box_annotations", "face_status_annotations", "face_summaries", "face_summary",
    "forget", "main_face", "search", "status_label",
]

LIKELY, POSSIBLE, UNLIKELY, NO_FACE = faces.LIKELY, faces.POSSIBLE, faces.UNLIKELY, faces.NO_FACE

Box = tuple[int, int, int, int]  # (top, right, bottom, left) in the photo's pixels, as analysed


@dataclass(frozen=True)
class Face:
    """One face in a photo: `index` 0 is the largest, 1 the next, ...; `box` is where it is."""

    index: int
    box: Box

    def percent(self, width: int | None, height: int | None) -> dict[str, float] | None:
        """The box as left/top/width/height in % of a photo of this size, to draw it over a scaled copy."""
        if not width or not height:
            return None
        top, right, bottom, left = self.box
        return {
            "left": round(100 * left / width, 2),
            "top": round(100 * top / height, 2),
            "width": round(100 * (right - left) / width, 2),
            "height": round(100 * (bottom - top) / height, 2),
        }


@dataclass(frozen=True)
class FaceSummary:
    """What analysis found in one stored photo, for staff pages."""

    photo_name: str
    status: str  # one_face, several_faces, no_face or unreadable
    label: str  # the status in words ("Several faces (each is compared)")
    face_count: int
    faces: tuple[Face, ...]  # every face kept, largest first
    chosen: int | None  # the face the photo is about, when the caller said so; None: every face is compared
    width: int | None  # the photo's pixels as analysed (after its EXIF orientation)
    height: int | None
    analysed_at: datetime

    @property
    def face(self) -> Face | None:
        """The photo's main face: the chosen one, else the largest. None when there is none."""
        return main_face(self.faces, self.chosen)

    @property
    def matched_faces(self) -> tuple[Face, ...]:
        """The faces compared and searched: the chosen one, or all."""
        return (self.face,) if self.chosen is not None and self.face else self.faces

    @property
    def has_face(self) -> bool:
        return bool(self.faces)

    @property
    def box(self) -> Box | None:
        return self.face.box if self.face else None

    @property
    def box_percent(self) -> dict[str, float] | None:
        """The main face's box in % of the photo, to draw it over a scaled copy."""
        return self.face.percent(self.width, self.height) if self.face else None


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


# --- Analysing, choosing and forgetting ----------------------------------------------------------------------


def analyse(*, name: str, group: str, refresh: bool = False, face: int | None = None) -> FaceSummary:
    """The analysis of a stored photo: the one kept, or a new one when there is none (or `refresh` asks for it).

    `face`: the index of the one face the photo is about (0 the largest); only it is compared and searched. A face
    the photo does not have falls back to the largest. None keeps what was said before (every face, unless a face
    was chosen). Safe to run twice. Raises PhotoMissing when the file is gone, media.storage.StorageUnavailable when
    it cannot be read now (retry later).
    """
    if refresh:
        row = services.analyse_stored_photo(name=name, group=group, chosen_face=face)
    else:
        row = services.analysed_photo(name=name, group=group, chosen_face=face)
    return _summary(row)


def choose_face(name: str, face: int | None) -> FaceSummary | None:
    """Compare and search this photo on one face only (None: on every face again). The new summary, or None when
    the photo has not been analysed. Raises ValueError when the photo has no such face."""
    row = services.choose_face(name=name, face=face)
    return _summary(row) if row is not None else None


def forget(names: Iterable[str]) -> int:
    """Delete what is known of these photos' faces (a found child's face is not kept); how many were known."""
    return services.forget_photos(names)


# --- Reading for pages -----------------------------------------------------------------------------------------


def face_summaries(names: Iterable[str]) -> dict[str, FaceSummary]:
    """The summaries of these photos by name, in one query; photos not analysed (yet, or any more) are absent."""
    names = [name for name in names if name]
    if not names:
        return {}
    return {row.photo_name: _summary(row) for row in FacePrint.objects.filter(photo_name__in=names).defer("encodings")}


def face_summary(name: str) -> FaceSummary | None:
    """One photo's summary; None when it has not been analysed (or has no name)."""
    return face_summaries([name]).get(name) if name else None


def face_status_annotations(photo_field: str) -> dict[str, Subquery]:
    """`face_status` and `face_count` of the photo named by `photo_field`, for `queryset.annotate(**...)`: a list
    shows them at a fixed number of queries (None when the photo has not been analysed)."""
    prints = FacePrint.objects.filter(photo_name=OuterRef(photo_field))
    return {"face_status": Subquery(prints.values("status")[:1]),
            "face_count": Subquery(prints.values("face_count")[:1])}


def face_box_annotations(photo_field: str) -> dict[str, Subquery]:
    """`face_boxes`, `face_chosen`, `face_width` and `face_height` of the photo named by `photo_field`, for a list
    whose thumbnails are cropped around the main face (`main_face(boxes, chosen)`), at a fixed number of queries."""
    prints = FacePrint.objects.filter(photo_name=OuterRef(photo_field))
    return {"face_boxes": Subquery(prints.values("boxes")[:1], output_field=JSONField()),
            "face_chosen": Subquery(prints.values("chosen_face")[:1]),
            "face_width": Subquery(prints.values("width")[:1]),
            "face_height": Subquery(prints.values("height")[:1])}


def main_face(faces_or_boxes, chosen: int | None) -> Face | None:
    """The chosen face, else the largest, from a summary's faces or annotated boxes; None when there is none."""
    found = [item if isinstance(item, Face) else Face(index=i, box=tuple(item))
             for i, item in enumerate(faces_or_boxes or ())]
    if not found:
        return None
    return found[chosen] if chosen is not None and chosen < len(found) else found[0]


def status_label(status: str) -> str:
    """A face status (as annotated or summarised) in words."""
    return dict(FacePrint.Status.choices).get(status, status)


# --- Comparing and searching -----------------------------------------------------------------------------------


def compare(name: str, other_name: str) -> Match:
    """How alike two analysed photos are, by their nearest pair of (matched) faces. NO_FACE, without a score, when
    either photo has no face or has not been analysed."""
    rows = {row.photo_name: row for row in FacePrint.objects.filter(photo_name__in=[name, other_name])}
    first, second = rows.get(name), rows.get(other_name)
    if first is None or second is None or not first.has_face or not second.has_face:
        return Match(photo_name=other_name, verdict=NO_FACE, score=None, distance=None)
    mine, theirs = first.matched_faces, second.matched_faces
    i, j, distance = faces.nearest_pair(_encodings(first)[mine], _encodings(second)[theirs])
    score = faces.score_distance(distance)
    return Match(photo_name=other_name, verdict=score.verdict, score=score.score, distance=distance,
                 face=_face(first, mine[i]), other_face=_face(second, theirs[j]))


def search(name: str, *, group: str, limit: int | None = None, exclude: Iterable[str] = ()) -> list[Match]:
    """The photos of `group` with a face within the "possible" line of a face of this analysed photo, nearest
    first, each with its nearest pair of faces; at most `limit` photos, the photo itself and `exclude` left out.
    [] when it has no face or has not been analysed."""
    row = FacePrint.objects.filter(photo_name=name).first()
    if row is None or not row.has_face:
        return []
    left_out = {name, *exclude}
    _, possible, _ = faces.match_thresholds()
    encodings = _encodings(row)
    # Enough faces per search that a few left-out photos, or photos found on several faces, cannot crowd out one
    # that belongs in the answer.
    per_face = None if limit is None else 4 * limit + len(left_out) + 10
    best: dict[str, tuple[float, int, int]] = {}
    for index in row.matched_faces:
        for (photo_name, other_index), distance in services.search_group(
            encodings[index], group, max_distance=possible, limit=per_face
        ):
            if photo_name in left_out:
                continue
            if photo_name not in best or distance < best[photo_name][0]:
                best[photo_name] = (distance, index, other_index)
    found = sorted(best.items(), key=lambda item: (item[1][0], item[0]))[:limit]
    boxes = dict(FacePrint.objects.filter(photo_name__in=[photo_name for photo_name, _ in found])
                 .values_list("photo_name", "boxes"))
    matches = []
    for photo_name, (distance, index, other_index) in found:
        score = faces.score_distance(distance)
        other_boxes = boxes.get(photo_name) or ()
        other = Face(index=other_index, box=tuple(other_boxes[other_index])) if other_index < len(other_boxes) else None
        matches.append(Match(photo_name=photo_name, verdict=score.verdict, score=score.score, distance=distance,
                             face=_face(row, index), other_face=other))
    return matches


# --- Rows to answers -------------------------------------------------------------------------------------------


def _face(row: FacePrint, index: int) -> Face:
    return Face(index=index, box=tuple(row.boxes[index]))


def _encodings(row: FacePrint):
    return faces.encodings_from_bytes(bytes(row.encodings))


def _summary(row: FacePrint) -> FaceSummary:
    kept = tuple(Face(index=i, box=tuple(box)) for i, box in enumerate(row.boxes or ()))
    chosen = row.chosen_face if row.chosen_face is not None and row.chosen_face < len(kept) else None
    return FaceSummary(photo_name=row.photo_name, status=row.status, label=row.get_status_display(),
                       face_count=row.face_count, faces=kept, chosen=chosen, width=row.width, height=row.height,
                       analysed_at=row.analysed_at)
