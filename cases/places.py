"""Places as people write them ("Platform 9, Howrah Station, Kolkata"): the city, and the kind of place.

The analytics count cases per kind of place (analytics.demographics imports these), and an erased case keeps only
its kind of place and city ("railway station, Kolkata"), which this classifier reads back as the same kind.
"""

from __future__ import annotations

import re

PLACE_KINDS = ("railway station", "bus stand", "market", "school", "park", "religious place", "hospital", "mall",
               "residential", "other")

# Checked in this order, first match wins: "bus station" is a bus stand before "station" makes it a railway station,
# and "police station" is nothing of the kind. Keywords are whole words (or word sequences) of the place text. Each
# kind's own name is one of its keywords, so an erased case's stub ("religious place, Pune") keeps its kind.
_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("other", ("police station", "police chowki", "thana", "fire station", "petrol pump")),
    ("bus stand", ("bus stand", "bus stop", "bus station", "bus depot", "bus adda", "bus terminal", "isbt",
                   "st stand", "बस अड्डा", "बस स्टैंड", "बस स्टॉप")),
    ("railway station", ("railway", "station", "junction", "jn", "rly", "terminus", "platform", "metro",
                         "स्टेशन", "रेलवे", "जंक्शन")),
    ("hospital", ("hospital", "clinic", "dispensary", "aiims", "nursing home", "health centre", "health center",
                  "aspatal", "अस्पताल", "दवाखाना")),
    ("mall", ("mall", "multiplex", "shopping centre", "shopping center", "मॉल")),
    ("market", ("market", "bazaar", "bazar", "mandi", "haat", "chowk", "marketplace", "बाज़ार", "बाजार", "मंडी",
                "चौक")),
    ("school", ("school", "college", "vidyalaya", "vidyalay", "vidyalayam", "pathshala", "madrasa", "madrassa",
                "academy", "university", "स्कूल", "विद्यालय", "पाठशाला", "मदरसा")),
    ("religious place", ("temple", "mandir", "masjid", "mosque", "dargah", "gurudwara", "gurdwara", "church",
                         "idgah", "ghat", "ashram", "religious place", "मंदिर", "मस्जिद", "दरगाह", "गुरुद्वारा", "चर्च", "घाट")),
    ("park", ("park", "garden", "gardens", "udyan", "bagh", "maidan", "ground", "playground", "पार्क", "उद्यान",
              "बाग", "मैदान")),
    ("residential", ("nagar", "colony", "society", "apartment", "apartments", "flats", "sector", "enclave", "vihar",
                     "puram", "layout", "chawl", "basti", "mohalla", "housing", "residency", "home", "house", "residential",
                     "नगर", "कॉलोनी", "मोहल्ला", "बस्ती")),
)
# Locality names often glue these on as one word: Shivajinagar, Rajendrapuram.
_RESIDENTIAL_SUFFIXES = ("nagar", "vihar", "puram", "नगर")
# Separators between words; not \W, which splits Devanagari words at their vowel signs.
_SEPARATORS = re.compile(r"[\s,.;:/\\()\[\]{}'\"!?&#*+|<>=_\-–—।]+")


def place_kind(text: str) -> str:
    """Classify free place text ("Pune Jn platform 3", "Hanuman mandir") into one of PLACE_KINDS."""
    words = [w for w in _SEPARATORS.split((text or "").casefold()) if w]
    padded = " " + " ".join(words) + " "
    for kind, keywords in _KEYWORDS:
        if any(f" {keyword} " in padded for keyword in keywords):
            return kind
    if any(len(w) > len(s) and w.endswith(s) for w in words for s in _RESIDENTIAL_SUFFIXES):
        return "residential"
    return "other"


def city_of(place: str) -> str:
    """The city is the last part of "locality, city" as people write it."""
    return (place or "").rsplit(",", 1)[-1].strip()
