"""Face analysis for case and sighting photos: find the face, encode it, and say how alike two faces are.

Encodings are dlib's 128-float face descriptors (through face_recognition), compared by Euclidean distance.
The distance-to-score mapping and its calibration are explained in docs/face-matching.md.
"""

from __future__ import annotations

import io
import math
import os
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

ONE_FACE = "one_face"
NO_FACE = "no_face"
SEVERAL_FACES = "several_faces"

LIKELY = "likely"
POSSIBLE = "possible"
UNLIKELY = "unlikely"

# Scores at the two distance thresholds; the score is floored so that "likely" is exactly score >= 80
# and "possible" exactly 50 <= score < 80.
LIKELY_SCORE = 80
POSSIBLE_SCORE = 50

ENCODING_SIZE = 128
_ENCODING_DTYPE = np.dtype("<f4")


class UnreadablePhoto(ValueError):
    """The bytes or file are not an image that Pillow can decode."""


@dataclass(frozen=True, eq=False)
class FaceAnalysis:
    """What one photo holds: how many faces, and the box and encoding of the largest one."""

    status: str  # ONE_FACE, NO_FACE or SEVERAL_FACES
    face_count: int
    box: tuple[int, int, int, int] | None  # (top, right, bottom, left) in the photo's pixels
    encoding: np.ndarray | None  # 128 float64 values, None when no face was found
    boxes: tuple[tuple[int, int, int, int], ...] = ()  # every face found, largest first


@dataclass(frozen=True)
class MatchScore:
    """A 0-100 score and a verdict for people to read; distance is kept for audit and re-scoring."""

    score: int
    verdict: str  # LIKELY, POSSIBLE, UNLIKELY or NO_FACE
    distance: float | None = None


def analyse_photo(data: bytes | str | os.PathLike) -> FaceAnalysis:
    """Detect faces with the HOG detector and encode the largest one.

    Detection runs on a copy no longer than FACE_DETECT_MAX_SIDE (its cost grows with pixels, while
    encoding needs only the face's box); the box is scaled back and the face encoded from the full photo.
    Raises UnreadablePhoto when the data is not an image.
    """
    image = _open_rgb(data)
    boxes = _detect(image, settings.FACE_DETECT_MAX_SIDE)
    if not boxes:
        return FaceAnalysis(status=NO_FACE, face_count=0, box=None, encoding=None)
    boxes.sort(key=box_area, reverse=True)  # stable: equal sizes keep the detector's order
    box = boxes[0]
    encoding = _face_recognition().face_encodings(np.asarray(image), known_face_locations=[box])[0]
    status = ONE_FACE if len(boxes) == 1 else SEVERAL_FACES
    return FaceAnalysis(status=status, face_count=len(boxes), box=box, encoding=encoding, boxes=tuple(boxes))


def box_area(box: tuple[int, int, int, int]) -> int:
    """Pixels inside a (top, right, bottom, left) box."""
    top, right, bottom, left = box
    return (bottom - top) * (right - left)


def face_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Euclidean distance between two encodings: 0 for the same photo, about 0.3 for the same adult."""
    return float(np.linalg.norm(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)))


def score_distance(distance: float) -> MatchScore:
    """Map a distance to a score: 100 at 0, LIKELY_SCORE at the likely line, POSSIBLE_SCORE at the possible
    line, 0 from FACE_MATCH_ZERO_DISTANCE on; linear in between, so never increasing with distance."""
    if not distance >= 0:  # also rejects NaN
        raise ValueError(f"face distance must be a number >= 0, got {distance!r}")
    likely, possible, zero = match_thresholds()
    raw = float(np.interp(distance, [0.0, likely, possible, zero], [100, LIKELY_SCORE, POSSIBLE_SCORE, 0]))
    if distance <= likely:
        verdict = LIKELY
    elif distance <= possible:
        verdict = POSSIBLE
    else:
        verdict = UNLIKELY
    # The epsilon keeps float noise (65.00000000000001 or 64.99999999999999) from moving a score across a line.
    return MatchScore(score=math.floor(raw + 1e-9), verdict=verdict, distance=distance)


def compare_analyses(a: FaceAnalysis, b: FaceAnalysis) -> MatchScore:
    """Score two analysed photos; a photo without a face gives the NO_FACE verdict with score 0."""
    if a.encoding is None or b.encoding is None:
        return MatchScore(score=0, verdict=NO_FACE, distance=None)
    return score_distance(face_distance(a.encoding, b.encoding))


def match_thresholds() -> tuple[float, float, float]:
    """The (likely, possible, zero) distances from settings, checked to be in increasing order."""
    likely = float(settings.FACE_MATCH_LIKELY_DISTANCE)
    possible = float(settings.FACE_MATCH_POSSIBLE_DISTANCE)
    zero = float(settings.FACE_MATCH_ZERO_DISTANCE)
    if not 0 < likely < possible < zero <= 1:
        raise ImproperlyConfigured(
            "Face match distances must satisfy 0 < FACE_MATCH_LIKELY_DISTANCE < FACE_MATCH_POSSIBLE_DISTANCE"
            f" < FACE_MATCH_ZERO_DISTANCE <= 1; got {likely}, {possible}, {zero}"
        )
    return likely, possible, zero


def encoding_to_bytes(encoding: np.ndarray) -> bytes:
    """512 bytes (128 little-endian float32) for a BinaryField; float32 changes distances by under 1e-6."""
    array = np.asarray(encoding)
    if array.shape != (ENCODING_SIZE,):
        raise ValueError(f"a face encoding has shape ({ENCODING_SIZE},), got {array.shape}")
    return array.astype(_ENCODING_DTYPE).tobytes()


def encoding_from_bytes(data: bytes) -> np.ndarray:
    """The inverse of encoding_to_bytes, as float64 like the encodings analyse_photo returns."""
    if len(data) != ENCODING_SIZE * _ENCODING_DTYPE.itemsize:
        raise ValueError(f"a stored face encoding is {ENCODING_SIZE * _ENCODING_DTYPE.itemsize} bytes, got {len(data)}")
    return np.frombuffer(data, dtype=_ENCODING_DTYPE).astype(np.float64)


def _open_rgb(data: bytes | str | os.PathLike) -> Image.Image:
    source = io.BytesIO(data) if isinstance(data, (bytes, bytearray, memoryview)) else data
    try:
        with Image.open(source) as image:
            image = ImageOps.exif_transpose(image)
            return image.convert("RGB")
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as exc:
        raise UnreadablePhoto(f"cannot read the photo as an image: {exc}") from exc


def _detect(image: Image.Image, max_side: int) -> list[tuple[int, int, int, int]]:
    width, height = image.size
    scale = min(1.0, max_side / max(width, height))
    small = image if scale == 1.0 else image.resize((round(width * scale), round(height * scale)), Image.BILINEAR)
    boxes = _face_recognition().face_locations(np.asarray(small), number_of_times_to_upsample=1, model="hog")
    return [
        (
            max(0, round(top / scale)),
            min(width, round(right / scale)),
            min(height, round(bottom / scale)),
            max(0, round(left / scale)),
        )
        for top, right, bottom, left in boxes
    ]


def _face_recognition():
    # Imported on first use: it loads ~100 MB of dlib models, which web processes that only score never need.
    previous = ImageFile.LOAD_TRUNCATED_IMAGES
    import face_recognition

    # Its import sets Pillow to accept truncated images process-wide, which would let damaged uploads through
    # the photo checks: put the setting back.
    ImageFile.LOAD_TRUNCATED_IMAGES = previous
    return face_recognition
