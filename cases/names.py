"""Names across scripts and spellings: "Aarav Sharma", "Arav Sharma" and "आरव शर्मा" are one name.

`name_key(text)` is a Latin, lower-case key, one token per word, for exact matching and search; `name_similarity(a,
b)` (0..1) says how alike two names are when their keys differ. Used by duplicate detection and the home search.

How a key is made, word by word:

1. Unicode NFC; nuktas dropped (ज़ -> ज, ਸ਼ -> ਸ, য় -> য: the folds below make z/j and f/ph one sound anyway).
2. Indic words are transliterated to ITRANS with indic-transliteration: Devanagari (Hindi, Marathi), Bengali,
   Gujarati, Gurmukhi, Oriya, Telugu, Kannada, Malayalam, and Tamil (its "TAMIL_SUB" scheme; the plain one turns
   சீதா into "jhIdhA"). Before that, in Devanagari, Bengali, Gujarati and Gurmukhi, the inherent "a" that people
   do not say is deleted, as Hindi does (आरव is "Aarav", not "Arava"): the word-final one after a single consonant,
   and a medial one between a vowel + consonant and a consonant + vowel (गुरमीत -> "gurmit", but मोहम्मद keeps
   "moham-mad", चंद्र keeps its final "a" after the cluster "dr"). Other scripts keep every vowel, as they are
   said. Letters the library leaves alone (Tamil ன, Malayalam chillus, Devanagari candra o) are mapped first.
3. Spellings are folded, the same way for typed Latin and for transliterated text: accents dropped; long vowels
   and doubled letters made single (aa -> a, ee -> i, oo -> u, "mm" -> "m"); aspirates dropped (kh gh jh th dh
   bh -> k g j t d b; chh -> ch); sh/ṣ -> s, x -> ks (Laxmi = Lakshmi), q -> k, z -> j, ph -> f, w/b -> v (Bengali
   writes Ravi as Rabi), ou -> au, anusvara -> n (m before p/b/f too), a final "ngh" -> "nh" (Singh = सिंह);
   "Md"/"Mohd" -> Mohammad.

So Aarav/Arav/आरव -> "arav"; Seetha/Sita/सीता -> "sita"; Lakshmi/Laxmi/लक्ष्मी -> "laksmi"; Ishita/ইশিতা ->
"isita"; Mohammad/मोहम्मद -> "mohamad". Different names stay different: Ravi "ravi" / Rani "rani", Sita / Gita.

`name_similarity` compares keys word by word with an edit distance in which a vowel for a vowel costs 0.4, a
missing vowel 0.5 and any consonant change 1, divided by the longer word (Mohammed/Muhammad 0.89, Ravi/Rani 0.75);
words are paired best first in any order, weighted by length, and a word without a partner counts 0 ("Aarav" vs
"Aarav Sharma" 0.62). At SAME_NAME (0.85) or above, two names are most likely one name spelt two ways.
Names in scripts other than Latin and the Indic ones above are kept as written (lower case), so they match only
themselves.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from indic_transliteration import sanscript

SAME_NAME = 0.85

_SCHEMES = {
    "DEVANAGARI": sanscript.DEVANAGARI,
    "BENGALI": sanscript.BENGALI,
    "GUJARATI": sanscript.GUJARATI,
    "GURMUKHI": sanscript.GURMUKHI,
    "ORIYA": sanscript.ORIYA,
    "TAMIL": sanscript.TAMIL_SUB,
    "TELUGU": sanscript.TELUGU,
    "KANNADA": sanscript.KANNADA,
    "MALAYALAM": sanscript.MALAYALAM,
}
# Scripts of languages that do not say every inherent "a" (Hindi, Marathi, Bengali, Gujarati, Punjabi).
_SCHWA_DELETING = {"DEVANAGARI", "BENGALI", "GUJARATI", "GURMUKHI"}
# Letters indic-transliteration leaves as they are: mapped to ones it knows.
_PREMAP = str.maketrans({
    "ऑ": "ओ", "ॉ": "ो", "ऍ": "ए", "ॅ": "े",  # Devanagari candra o / candra e (English loans)
    "ன": "ந", "ற": "ர",  # Tamil alveolar n and r
    "ൻ": "ന്", "ർ": "ര്", "ൽ": "ല്", "ൾ": "ള്", "ൺ": "ണ്", "ൿ": "ക്",  # Malayalam chillu letters
})
_ITRANS = [("RRi", "ri"), ("RRI", "ri"), ("R^i", "ri"), ("LLi", "li"), ("LLI", "li"), ("j~n", "gy"), ("~N", "n"),
           ("~n", "n"), (".N", "n"), (".n", "n"), ("M", "n"), ("H", ""), (".a", "")]
_FOLDS = [
    (r"x", "ks"), (r"q", "k"), (r"z", "j"), (r"ph", "f"), (r"[wb]", "v"),
    (r"ngh$", "nh"), (r"chh", "ch"), (r"([kgjtdv])h", r"\1"), (r"sh", "s"),
    (r"ee", "i"), (r"oo", "u"), (r"ou", "au"), (r"m(?=[pvf])", "n"),
    (r"(.)\1+", r"\1"),
]
_FOLDS = [(re.compile(pattern), replacement) for pattern, replacement in _FOLDS]
_ALIASES = {"md": "mohammad", "mohd": "mohammad"}
_VOWELS = frozenset("aeiou")
_CODAS = ("SIGN ANUSVARA", "SIGN CANDRABINDU", "SIGN VISARGA", "SIGN TIPPI", "SIGN BINDI", "SIGN ADDAK")


@functools.lru_cache(maxsize=8192)
def name_key(text: str) -> str:
    """Latin, lower case, one normalised token per word; "" when there is no letter at all."""
    tokens = []
    for word in _words(text):
        latin = "".join(_to_latin(run, script) for run, script in _script_runs(word))
        token = _fold(latin)
        if token:
            tokens.append(token)
    return " ".join(tokens)


def name_similarity(a: str, b: str) -> float:
    """How alike two names are, 0..1 (1.0 for the same key), whatever their scripts and spellings."""
    first, second = name_key(a).split(), name_key(b).split()
    if not first or not second:
        return 0.0
    if first == second:
        return 1.0
    pairs = sorted(
        ((word_similarity(x, y), i, j) for i, x in enumerate(first) for j, y in enumerate(second)), reverse=True
    )
    used_first, used_second, matched = set(), set(), 0.0
    for score, i, j in pairs:
        if i in used_first or j in used_second:
            continue
        used_first.add(i)
        used_second.add(j)
        matched += score * (len(first[i]) + len(second[j]))
    total = sum(map(len, first)) + sum(map(len, second))
    return round(matched / total, 3)


def word_similarity(a: str, b: str) -> float:
    """1 - (weighted edit distance / longer length) between two folded words."""
    if a == b:
        return 1.0
    previous = [0.0]
    for char in b:
        previous.append(previous[-1] + _indel(char))
    for char_a in a:
        current = [previous[0] + _indel(char_a)]
        for index, char_b in enumerate(b, start=1):
            current.append(min(
                previous[index] + _indel(char_a),
                current[index - 1] + _indel(char_b),
                previous[index - 1] + _substitution(char_a, char_b),
            ))
        previous = current
    return max(0.0, 1.0 - previous[-1] / max(len(a), len(b)))


def _indel(char: str) -> float:
    return 0.5 if char in _VOWELS else 1.0


def _substitution(a: str, b: str) -> float:
    if a == b:
        return 0.0
    return 0.4 if a in _VOWELS and b in _VOWELS else 1.0


# --- From text to Latin words ---------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    """Words of letters and their marks, nuktas dropped; anything else separates words."""
    decomposed = unicodedata.normalize("NFD", text or "")
    kept = "".join(char for char in decomposed if not unicodedata.name(char, "").endswith("SIGN NUKTA"))
    words, current = [], []
    for char in unicodedata.normalize("NFC", kept):
        if unicodedata.category(char)[0] in "LM":
            current.append(char)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return words


def _script(char: str) -> str | None:
    script = unicodedata.name(char, "").split(" ", 1)[0]
    return script if script in _SCHEMES else None


def _script_runs(word: str) -> list[tuple[str, str | None]]:
    """The word cut where its script changes (marks go with the letter before them)."""
    runs: list[tuple[str, str | None]] = []
    for char in word:
        script = _script(char)
        if runs and (script == runs[-1][1] or unicodedata.category(char)[0] == "M"):
            runs[-1] = (runs[-1][0] + char, runs[-1][1])
        else:
            runs.append((char, script))
    return runs


def _to_latin(run: str, script: str | None) -> str:
    if script is None:
        return run
    run = run.translate(_PREMAP)
    if script in _SCHWA_DELETING:
        run = _delete_unspoken_schwas(run, script)
    latin = sanscript.transliterate(run, _SCHEMES[script], sanscript.ITRANS)
    for old, new in _ITRANS:
        latin = latin.replace(old, new)
    if script == "TAMIL" and latin.startswith("ch"):
        latin = "s" + latin[2:]  # a word-initial ச is said "s" (Selvi, Saravanan, Seetha)
    return latin


# --- Inherent vowels nobody says ------------------------------------------------------------------------------


def _kind(char: str) -> str:
    name = unicodedata.name(char, "")
    if name.endswith("SIGN VIRAMA"):
        return "virama"
    if "VOWEL SIGN" in name:
        return "vowel_sign"
    if name.endswith(_CODAS):
        return "coda"
    letter = re.search(r" LETTER ([A-Z]+)$", name)
    if letter:
        return "consonant" if letter[1].endswith("A") and letter[1] not in {"A", "AA"} else "vowel"
    return "other"


def _delete_unspoken_schwas(word: str, script: str) -> str:
    """Add a virama where Hindi-like languages drop the inherent "a" (Ohala's rule, applied right to left):
    word-finally after a single consonant, and in a syllable of one consonant between a syllable that ends in a
    vowel and one that starts with a single consonant and keeps its vowel. Never in the first syllable."""
    virama = unicodedata.lookup(f"{script} SIGN VIRAMA")
    kinds = [_kind(char) for char in word]
    syllables = []  # [text, vowel kind, consonants in the onset, has a coda]
    index = 0
    while index < len(word):
        start, kind = index, kinds[index]
        onset, vowel = 0, kind
        if kind == "consonant":
            onset, index = 1, index + 1
            while index + 1 < len(word) and kinds[index] == "virama" and kinds[index + 1] == "consonant":
                onset, index = onset + 1, index + 2
            if index < len(word) and kinds[index] in ("virama", "vowel_sign"):
                vowel = "none" if kinds[index] == "virama" else "sign"
                index += 1
            else:
                vowel = "inherent"
        else:
            index += 1
        coda = False
        while index < len(word) and kinds[index] == "coda":
            coda, index = True, index + 1
        syllables.append([word[start:index], vowel, onset, coda])
    if len(syllables) < 2:
        return word

    deleted = [False] * len(syllables)
    last = syllables[-1]
    if last[1] == "inherent" and last[2] == 1 and not last[3]:
        deleted[-1] = True
    for position in range(len(syllables) - 2, 0, -1):
        text, vowel, onset, coda = syllables[position]
        before, after = syllables[position - 1], syllables[position + 1]
        if (vowel == "inherent" and onset == 1 and not coda and before[1] in ("inherent", "sign", "vowel")
                and not before[3] and after[2] == 1 and not deleted[position + 1] and after[1] != "none"):
            deleted[position] = True
    return "".join(
        syllable[0] + virama if gone else syllable[0] for syllable, gone in zip(syllables, deleted)
    )


# --- Spelling folds -------------------------------------------------------------------------------------------


def _fold(latin: str) -> str:
    plain = "".join(
        char for char in unicodedata.normalize("NFKD", latin) if unicodedata.category(char)[0] != "M"
    ).casefold()
    plain = "".join(char for char in plain if char.isalpha())
    plain = _ALIASES.get(plain, plain)
    for pattern, replacement in _FOLDS:
        plain = pattern.sub(replacement, plain)
    return plain
