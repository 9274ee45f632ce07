"""Place-name normalisation shared by the gazetteer and its build script.

People type the same place many ways ("Bombay", "Andheri (W)", "Indiranagar", "Velacheri"); the gazetteer indexes
and looks up names through the same two keys so that those forms meet: `normalize` (words, old city names mapped to
current ones, common abbreviations spelt out) and `skeleton` (no spaces, transliteration differences folded away).
"""

from __future__ import annotations

import functools
import re
import unicodedata

# Former or English names of cities, mapped to the name India uses today (and GeoNames lists first).
CITY_SYNONYMS = {
    "bombay": "mumbai",
    "bangalore": "bengaluru",
    "calcutta": "kolkata",
    "poona": "pune",
    "gurgaon": "gurugram",
    "madras": "chennai",
    "baroda": "vadodara",
    "trivandrum": "thiruvananthapuram",
    "allahabad": "prayagraj",
    "benares": "varanasi",
    "banaras": "varanasi",
    "mysore": "mysuru",
    "mangalore": "mangaluru",
    "cochin": "kochi",
    "pondicherry": "puducherry",
    "orissa": "odisha",
    "calicut": "kozhikode",
    "simla": "shimla",
    "vizag": "visakhapatnam",
    "belgaum": "belagavi",
    "hubli": "hubballi",
    "gauhati": "guwahati",
    "cawnpore": "kanpur",
}

# Abbreviations found in addresses and in India Post office names.
ABBREVIATIONS = {
    "ngr": "nagar",
    "rd": "road",
    "w": "west",
    "e": "east",
    "n": "north",
    "s": "south",
    "sec": "sector",
    "sect": "sector",
    "mkt": "market",
    "extn": "extension",
    "ext": "extension",
    "clny": "colony",
    "col": "colony",
    "ph": "phase",
    "stn": "station",
    "rly": "railway",
    "blk": "block",
    "bk": "block",
    "cantt": "cantonment",
    "cant": "cantonment",
    "bazaar": "bazar",
    "nr": "near",
}
WORD_MAP = {**ABBREVIATIONS, **CITY_SYNONYMS}
DIRECTIONS = frozenset({"west", "east", "north", "south"})

_NON_WORD = re.compile(r"[^a-z0-9]+")
_DOUBLE = re.compile(r"(.)\1+")
_ASPIRATE = re.compile(r"([bcdgjkpt])h")


def fold_accents(text: str) -> str:
    """'Aurangābād' -> 'Aurangabad': GeoNames keeps diacritics that nobody types."""
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@functools.lru_cache(maxsize=65536)  # state, district and city names recur in every candidate check
def normalize(text: str) -> str:
    """Lower-case words without punctuation, abbreviations spelt out, old city names replaced."""
    words = _NON_WORD.sub(" ", fold_accents(text).lower()).split()
    return " ".join(WORD_MAP.get(word, word) for word in words)


def skeleton(key: str) -> str:
    """A looser key for transliteration variants: 'velachery'/'velacheri', 'indira nagar'/'indiranagar'."""
    text = key.replace(" ", "")
    text = text.replace("w", "v").replace("y", "i").replace("ee", "i").replace("oo", "u").replace("ph", "f")
    text = _ASPIRATE.sub(r"\1", text)  # th/dh/bh/kh...: written with or without the h
    return _DOUBLE.sub(r"\1", text)


def without_directions(key: str) -> str:
    """'andheri west' -> 'andheri': the part of a locality when the data set lacks its west/east halves."""
    return " ".join(word for word in key.split() if word not in DIRECTIONS)
