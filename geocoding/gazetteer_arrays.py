"""The gazetteer as prebuilt numpy arrays, memory-mapped by every process that uses it.

Parsing `data/gazetteer_in.tsv.gz` (145,000 rows) and indexing it in Python objects took 1.5-5 s and over 100 MB in
each process. Here it is turned once into `.npy` files (columns, string tables and sorted name indexes) that
`np.load(mmap_mode="r")` opens in milliseconds; the operating system shares their pages between processes and reads
only the pages a look-up touches. The files are derived data: `scripts/install.sh`, the Dockerfile and Heroku's
`bin/post_compile` make them (`python -m geocoding.gazetteer_arrays`), and a process that finds them missing or made
from another .tsv.gz makes them itself. Each index is a sorted array of UTF-8 keys with, per key, its entries'
numbers (`Index`), so that a look-up is a binary search.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import logging
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from geocoding.normalize import normalize, skeleton

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
SOURCE = DATA_DIR / "gazetteer_in.tsv.gz"
ARRAYS = DATA_DIR / "gazetteer_in"  # derived, not in git
COLUMNS = (
    "kind", "name", "key", "skeleton", "alt", "city", "district", "state", "pincode", "lat", "lng", "population", "rank"
)
KINDS = ("city", "office")
INDEXES = ("names", "alternates", "skeletons", "cities", "city_skeletons", "pincodes")
FORMAT = "2"  # bump when the files change shape


class Index:
    """Key -> entry numbers (ascending), over a sorted key array and CSR-style offsets."""

    def __init__(self, keys: np.ndarray, offsets: np.ndarray, entries: np.ndarray) -> None:
        self._keys, self._offsets, self._entries = keys, offsets, entries

    def get(self, key: str, default=None) -> list[int] | None:
        encoded = key.encode()
        at = int(np.searchsorted(self._keys, encoded))
        if at < len(self._keys) and self._keys[at] == encoded:
            return self._entries[self._offsets[at] : self._offsets[at + 1]].tolist()
        return default

    def __getitem__(self, key: str) -> list[int]:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __contains__(self, key: str) -> bool:
        return self.get(key) is not None

    def __len__(self) -> int:
        return len(self._keys)


def source_digest(source: Path = SOURCE) -> str:
    return hashlib.sha256(source.read_bytes()).hexdigest()


def _strings(values: list[str]) -> np.ndarray:
    encoded = [value.encode() for value in values]
    return np.array(encoded, dtype=f"S{max((len(v) for v in encoded), default=1) or 1}")


def _categories(values: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Repeated strings (city, district, state) as a table and an int32 code per entry."""
    table = sorted(set(values))
    code = {value: i for i, value in enumerate(table)}
    return _strings(table), np.array([code[v] for v in values], dtype=np.int32)


def _index(pairs: dict[str, set[int]]) -> dict[str, np.ndarray]:
    keys = sorted(pairs, key=str.encode)
    lengths = [len(pairs[k]) for k in keys]
    offsets = np.zeros(len(keys) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    entries = np.fromiter((i for k in keys for i in sorted(pairs[k])), dtype=np.int32, count=int(offsets[-1]))
    return {"keys": _strings(keys), "offsets": offsets, "entries": entries}


def build(source: Path = SOURCE) -> dict[str, np.ndarray]:
    """Every array of the gazetteer, from the .tsv.gz written by scripts/build_gazetteer.py."""
    rows = []
    with gzip.open(source, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t")
        if tuple(next(reader)) != COLUMNS:
            raise ValueError(f"{source} does not have the columns {COLUMNS}; rebuild it with scripts/build_gazetteer.py")
        rows = list(reader)
    indexes: dict[str, dict[str, set[int]]] = {name: {} for name in INDEXES}
    memo: dict[str, str] = {}  # districts and states repeat thousands of times

    def norm(text: str) -> str:
        if text not in memo:
            memo[text] = normalize(text)
        return memo[text]

    districts, states = set(), {}
    for i, (kind, _name, key, name_skeleton, alt, _city, district, state, pincode, *_rest) in enumerate(rows):
        alt_keys = [normalize(a) for a in alt.split("|")] if alt else []
        indexes["names"].setdefault(key, set()).add(i)
        for k in alt_keys:
            indexes["alternates"].setdefault(k, set()).add(i)
        skeletons = {name_skeleton, *(skeleton(a) for a in alt_keys)}
        for k in skeletons:
            indexes["skeletons"].setdefault(k, set()).add(i)
        if kind == "city":
            for k in (key, *alt_keys):
                indexes["cities"].setdefault(k, set()).add(i)
            for k in skeletons:
                indexes["city_skeletons"].setdefault(k, set()).add(i)
        else:
            indexes["pincodes"].setdefault(pincode, set()).add(i)
            districts.add(norm(district))
        states.setdefault(norm(state), state)

    arrays: dict[str, np.ndarray] = {
        "kind": np.array([KINDS.index(r[0]) for r in rows], dtype=np.int8),
        "name": _strings([r[1] for r in rows]),
        "key": _strings([r[2] for r in rows]),
        "pincode": _strings([r[8] for r in rows]),
        "lat": np.array([float(r[9]) for r in rows]),
        "lng": np.array([float(r[10]) for r in rows]),
        "population": np.array([int(r[11]) for r in rows], dtype=np.int64),
        "rank": np.array([int(r[12]) for r in rows], dtype=np.int8),
        "districts": _strings(sorted(districts)),
        "state_keys": _strings(list(states)),
        "state_names": _strings(list(states.values())),
    }
    for column, at in (("city", 5), ("district", 6), ("state", 7)):
        arrays[f"{column}_table"], arrays[f"{column}_code"] = _categories([r[at] for r in rows])
    for name, pairs in indexes.items():
        for part, array in _index(pairs).items():
            arrays[f"{name}_{part}"] = array
    return arrays


def write(arrays: dict[str, np.ndarray], target: Path, digest: str) -> None:
    """Write the arrays into `target` as a whole: into a new folder first, then renamed into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        staging.chmod(0o755)  # made by root at install, read by the site's own user
        for name, array in arrays.items():
            np.save(staging / f"{name}.npy", array, allow_pickle=False)
        (staging / "SOURCE").write_text(f"{FORMAT} {digest}\n")
        stamp = target / "SOURCE"
        if stamp.is_file() and stamp.read_text().split() == [FORMAT, digest]:
            shutil.rmtree(staging)  # another process (a worker starting beside the web server) was quicker
            return
        if target.exists():
            old = target.with_name(f".{target.name}-old-{os.getpid()}")
            target.rename(old)
            shutil.rmtree(old, ignore_errors=True)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def is_current(target: Path = ARRAYS, source: Path = SOURCE) -> bool:
    stamp = target / "SOURCE"
    return stamp.is_file() and stamp.read_text().split() == [FORMAT, source_digest(source)]


def load(target: Path = ARRAYS, source: Path = SOURCE) -> dict[str, np.ndarray]:
    """The arrays, memory-mapped from `target`; made first when they are missing or stale. Where `target` cannot be
    written, they are made in memory (slower to start, same answers)."""
    if not is_current(target, source):
        arrays = build(source)
        try:
            write(arrays, target, source_digest(source))
        except OSError as error:
            logger.warning("gazetteer arrays could not be written to %s (%s); using them from memory", target, error)
            return arrays
    return {path.stem: np.load(path, mmap_mode="r", allow_pickle=False) for path in target.glob("*.npy")}


def main() -> None:
    if is_current():
        print(f"{ARRAYS} is up to date")
        return
    write(build(), ARRAYS, source_digest())
    size = sum(path.stat().st_size for path in ARRAYS.glob("*.npy"))
    print(f"wrote {ARRAYS} ({size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
