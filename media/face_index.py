"""1:N face search: every known face encoding in one in-memory float32 matrix.

No vector extension is available for the database, and 100,000 encodings take 51 MB, so a process keeps the matrix
and answers a search with one matrix-vector product. Keys are opaque (the caller's case or photo ids).
The index is not locked: build it, then change and search it from one thread at a time.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import numpy as np

ENCODING_SIZE = 128

# Distances come from |m|^2 - 2 m.q + |q|^2 in float32, which can be off by ~1e-6 in squared distance; candidates
# within this margin are re-measured exactly, so the answer's filter and order are those of exact distances.
_SQUARED_MARGIN = 1e-4


class FaceIndex:
    """(key, encoding) pairs searchable by Euclidean distance; adding a key that exists replaces its encoding."""

    def __init__(self, items: Iterable[tuple[Hashable, np.ndarray]] = ()):
        self._keys: list[Hashable] = []
        self._rows: dict[Hashable, int] = {}
        encodings: list[np.ndarray] = []
        for key, encoding in items:
            if key in self._rows:
                encodings[self._rows[key]] = encoding
            else:
                self._rows[key] = len(self._keys)
                self._keys.append(key)
                encodings.append(encoding)
        count = len(self._keys)
        self._matrix = np.empty((max(count, 16), ENCODING_SIZE), dtype=np.float32)
        self._norms = np.empty(max(count, 16), dtype=np.float32)
        if count:
            # One conversion for the whole batch: 100,000 encodings load in well under a second.
            self._matrix[:count] = _checked(np.asarray(encodings, dtype=np.float32), (count, ENCODING_SIZE))
            self._norms[:count] = np.einsum("ij,ij->i", self._matrix[:count], self._matrix[:count])

    @classmethod
    def from_matrix(cls, keys: list[Hashable], matrix: np.ndarray, *, headroom: float = 0.05) -> FaceIndex:
        """An index over `matrix` (n x 128 float32, one row per key, keys unique), copied once into room for a
        few more rows: 100,000 faces take 51 MB, not twice that while loading."""
        count = len(keys)
        _checked(matrix, (count, ENCODING_SIZE))
        index = cls()
        capacity = max(16, count + int(count * headroom))
        index._matrix = np.empty((capacity, ENCODING_SIZE), dtype=np.float32)
        index._matrix[:count] = matrix
        index._norms = np.empty(capacity, dtype=np.float32)
        index._norms[:count] = np.einsum("ij,ij->i", index._matrix[:count], index._matrix[:count])
        index._keys = list(keys)
        index._rows = {key: row for row, key in enumerate(index._keys)}
        if len(index._rows) != count:
            raise ValueError("the keys of a face index must be unique")
        return index

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._rows

    def add(self, key: Hashable, encoding: np.ndarray) -> None:
        """Add a face, or replace the encoding stored under key."""
        vector = _as_vector(encoding)
        row = self._rows.get(key)
        if row is None:
            row = len(self._keys)
            if row == len(self._matrix):
                self._grow()
            self._keys.append(key)
            self._rows[key] = row
        self._matrix[row] = vector
        self._norms[row] = vector @ vector

    def remove(self, key: Hashable) -> None:
        """Forget a face; raises KeyError when key is not in the index. The last row moves into the gap."""
        row = self._rows.pop(key)
        last = len(self._keys) - 1
        if row != last:
            moved = self._keys[last]
            self._keys[row] = moved
            self._rows[moved] = row
            self._matrix[row] = self._matrix[last]
            self._norms[row] = self._norms[last]
        self._keys.pop()

    def search(
        self, encoding: np.ndarray, max_distance: float | None = None, limit: int | None = 10
    ) -> list[tuple[Hashable, float]]:
        """The nearest faces as (key, distance), nearest first: at most `limit` of them (None: no limit),
        and only those at most `max_distance` away (None: any distance)."""
        if limit is not None and limit < 0:
            raise ValueError(f"limit must be >= 0 or None, got {limit}")
        count = len(self._keys)
        if count == 0 or limit == 0:
            return []
        query = _as_vector(encoding)
        matrix = self._matrix[:count]
        # einsum rather than `matrix @ query`: BLAS spreads the product over threads, which on a busy web host
        # turned a 0.2 ms search of 10,000 faces into 5-10 ms; einsum stays on one core at the same 100k speed.
        approximate = self._norms[:count] - 2 * np.einsum("ij,j->i", matrix, query) + query @ query
        if max_distance is None:
            candidates = np.arange(count)
        else:
            candidates = np.flatnonzero(approximate <= max_distance * max_distance + _SQUARED_MARGIN)
        if limit is not None and len(candidates) > limit:
            kth = np.partition(approximate[candidates], limit - 1)[limit - 1]
            candidates = candidates[approximate[candidates] <= kth + _SQUARED_MARGIN]
        differences = matrix[candidates].astype(np.float64) - query.astype(np.float64)
        distances = np.sqrt(np.einsum("ij,ij->i", differences, differences))
        if max_distance is not None:
            keep = distances <= max_distance
            candidates, distances = candidates[keep], distances[keep]
        order = np.argsort(distances, kind="stable")[:limit]
        return [(self._keys[row], float(distance)) for row, distance in zip(candidates[order], distances[order])]

    def _grow(self) -> None:
        # A quarter more, not double: a worker's index of 100,000 faces must not jump by 51 MB for one new face.
        capacity = max(16, len(self._matrix) + len(self._matrix) // 4)
        matrix = np.empty((capacity, ENCODING_SIZE), dtype=np.float32)
        norms = np.empty(capacity, dtype=np.float32)
        matrix[: len(self._keys)] = self._matrix[: len(self._keys)]
        norms[: len(self._keys)] = self._norms[: len(self._keys)]
        self._matrix, self._norms = matrix, norms


def _as_vector(encoding: np.ndarray) -> np.ndarray:
    return _checked(np.asarray(encoding, dtype=np.float32), (ENCODING_SIZE,))


def _checked(array: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    if array.shape != shape:
        raise ValueError(f"face encodings must have shape {shape}, got {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError("a face encoding must hold only finite numbers")
    return array
