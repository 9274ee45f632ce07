"""Face analysis for photos: find every face, encode each one, and say how alike two faces are.

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


Box = tuple[int, int, int, int]  # (top, right, bottom, left) in the photo's pixels


@dataclass(frozen=True, eq=False)
class FaceAnalysis:
    """What one photo holds: every usable face (largest first), each with its box and encoding."""

    status: str  # ONE_FACE, NO_FACE or SEVERAL_FACES
    face_count: int  # usable faces found; at most FACE_MAX_FACES of them are kept in `boxes` and `encodings`
    boxes: tuple[Box, ...] = ()  # the faces kept, largest first
    encodings: tuple[np.ndarray, ...] = ()  # 128 float64 values per face in `boxes`, in the same order

    @property
    def box(self) -> Box | None:
        """The largest face's box."""
        return self.boxes[0] if self.boxes else None

    @property
    def encoding(self) -> np.ndarray | None:
        """The largest face's encoding."""
        return self.encodings[0] if self.encodings else None


@dataclass(frozen=True)
class MatchScore:
    """A 0-100 score and a verdict for people to read; distance is kept for audit and re-scoring."""

    score: int
    verdict: str  # LIKELY, POSSIBLE, UNLIKELY or NO_FACE
    distance: float | None = None


def analyse_photo(data: bytes | str | os.PathLike) -> FaceAnalysis:
    """Detect faces once with the HOG detector and encode every usable one (at least FACE_MIN_SIZE pixels
    across; the FACE_MAX_FACES largest), largest first.

    Detection runs on a copy no longer than FACE_DETECT_MAX_SIDE (its cost grows with pixels, while
    encoding needs only the face's box); the boxes are scaled back and the faces encoded from the full photo,
    all in one call. Raises UnreadablePhoto when the data is not an image.
    """
    image = _open_rgb(data)
    minimum = settings.FACE_MIN_SIZE
    boxes = [box for box in _detect(image, settings.FACE_DETECT_MAX_SIDE) if min(box_size(box)) >= minimum]
    if not boxes:
        return FaceAnalysis(status=NO_FACE, face_count=0)
    boxes.sort(key=box_area, reverse=True)  # stable: equal sizes keep the detector's order
    kept = boxes[: settings.FACE_MAX_FACES]
    encodings = _face_recognition().face_encodings(np.asarray(image), known_face_locations=kept)
    status = ONE_FACE if len(boxes) == 1 else SEVERAL_FACES
    return FaceAnalysis(status=status, face_count=len(boxes), boxes=tuple(kept), encodings=tuple(encodings))


def box_size(box: Box) -> tuple[int, int]:
    """(width, height) of a (top, right, bottom, left) box."""
    top, right, bottom, left = box
    return right - left, bottom - top


def box_area(box: Box) -> int:
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
    """Score two analysed photos by their nearest pair of faces; a photo without a face gives the NO_FACE verdict
    with score 0."""
    if not a.encodings or not b.encodings:
        return MatchScore(score=0, verdict=NO_FACE, distance=None)
    _, _, distance = nearest_pair(a.encodings, b.encodings)
    return score_distance(distance)


def nearest_pair(first, second) -> tuple[int, int, float]:
    """(index in first, index in second, distance) of the nearest pair of encodings; both must be non-empty.
    Ties go to the lower indexes, i.e. the larger faces."""
    a = np.asarray(first, dtype=np.float64).reshape(-1, ENCODING_SIZE)
    b = np.asarray(second, dtype=np.float64).reshape(-1, ENCODING_SIZE)
    differences = a[:, None, :] - b[None, :, :]
    distances = np.sqrt(np.einsum("ijk,ijk->ij", differences, differences))
    i, j = np.unravel_index(int(np.argmin(distances)), distances.shape)
    return int(i), int(j), float(distances[i, j])


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


def encodings_to_bytes(encodings) -> bytes:
    """Several encodings one after the other (512 bytes each), for one BinaryField."""
    return b"".join(encoding_to_bytes(encoding) for encoding in encodings)


def encodings_from_bytes(data: bytes) -> np.ndarray:
    """The inverse of encodings_to_bytes: an (n, 128) float64 array."""
    size = ENCODING_SIZE * _ENCODING_DTYPE.itemsize
    if not data or len(data) % size:
        raise ValueError(f"stored face encodings are a non-zero multiple of {size} bytes, got {len(data)}")
    return np.frombuffer(data, dtype=_ENCODING_DTYPE).reshape(-1, ENCODING_SIZE).astype(np.float64)


def _open_rgb(data: bytes | str | os.PathLike) -> Image.Image:
    source = io.BytesIO(data) if isinstance(data, (bytes, bytearray, memoryview)) else data
    try:
        with Image.open(source) as image:
            image = ImageOps.exif_transpose(image)
            return image.convert("RGB")
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as exc:
        raise UnreadablePhoto(f"cannot read the photo as an image: {exc}") from exc


def _detect(image: Image.Image, max_side: int) -> list[Box]:
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
