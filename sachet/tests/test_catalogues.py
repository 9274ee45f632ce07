"""The Hindi, Bengali and Marathi catalogues are complete, consistent with the English, and compiled.

A new string marked for translation in a template or a script, and not yet in the catalogues, fails here; so does
a translation that is missing, fuzzy, or has placeholders or markup that do not match the English.
"""

from __future__ import annotations

import gettext
import os
import re
import shutil
from collections import Counter
from pathlib import Path

import django
import polib
import pytest
from django.core.management import call_command

from scripts.compilemessages import compile_catalogues

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "locale"
LANGUAGES = ["hi", "bn", "mr"]
DOMAINS = ["django", "djangojs"]
# Where makemessages looks for marked strings that must be in the catalogues: each domain's source folders (every
# app folder, so a string marked anywhere in Python must be translated too).
SOURCES = {"django": ["templates", "sachet", "cases", "media", "notifications", "geocoding", "analytics"],
           "djangojs": ["static/js"]}

PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]|\{\w*\}")
MARKUP = re.compile(r"</?[a-zA-Z][^>]*>")


def catalogue(language: str, domain: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / f"{domain}.po"))


def translations(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def describe(entry: polib.POEntry) -> str:
    return f"{entry.msgctxt + ' | ' if entry.msgctxt else ''}{entry.msgid!r}"


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language, domain):
    po = catalogue(language, domain)

    untranslated = [describe(e) for e in po if not e.obsolete and not all(t.strip() for t in translations(e))]
    fuzzy = [describe(e) for e in po if not e.obsolete and "fuzzy" in e.flags]

    assert len(po) > 0
    assert untranslated == []
    assert fuzzy == []
    assert not po.metadata_is_fuzzy


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders_and_markup_of_the_english(language, domain):
    mismatched = []
    for entry in catalogue(language, domain):
        english = [entry.msgid, entry.msgid_plural] if entry.msgid_plural else [entry.msgid]
        expected_placeholders = Counter(PLACEHOLDER.findall(english[-1]))
        expected_markup = Counter(MARKUP.findall(english[-1]))
        for text in translations(entry):
            if Counter(PLACEHOLDER.findall(text)) != expected_placeholders or \
                    Counter(MARKUP.findall(text)) != expected_markup:
                mismatched.append(f"{describe(entry)} -> {text!r}")

    assert mismatched == []


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_header_names_the_language_and_its_plural_rule(language, domain):
    metadata = catalogue(language, domain).metadata

    assert metadata["Language"] == language
    assert metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"  # the rule Django's own catalogues use
    assert metadata["Content-Type"] == "text/plain; charset=UTF-8"


def test_placeholder_check_catches_a_dropped_or_renamed_placeholder():
    assert Counter(PLACEHOLDER.findall("Missing: %(name)s, %(age)s")) != Counter(PLACEHOLDER.findall("लापता: %(नाम)s"))
    assert Counter(MARKUP.findall('call <a href="tel:112">112</a>')) != Counter(MARKUP.findall("112 पर कॉल करें"))


def extracted_messages(tmp_path, monkeypatch, settings, domain: str) -> set[tuple[str | None, str]]:
    """What makemessages finds in SOURCES[domain] today, run into a scratch folder (never into locale/)."""
    if not shutil.which("xgettext"):
        message = "GNU gettext (xgettext) is not installed: scripts/install.sh --test installs it"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    for source in SOURCES[domain]:
        link = tmp_path / source
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(ROOT / source, target_is_directory=True)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", locale=["hi"], domain=domain, symlinks=True, verbosity=0,
                 ignore_patterns=["static/vendor/*", "tests"])
    po = polib.pofile(str(tmp_path / "locale" / "hi" / "LC_MESSAGES" / f"{domain}.po"))
    return {(entry.msgctxt, entry.msgid) for entry in po}


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_string_marked_in_the_code_is_in_every_catalogue(tmp_path, monkeypatch, settings, domain):
    marked = extracted_messages(tmp_path, monkeypatch, settings, domain)

    assert len(marked) > 20
    for language in LANGUAGES:
        known = {(entry.msgctxt, entry.msgid) for entry in catalogue(language, domain) if not entry.obsolete}
        missing = sorted(f"{ctx + ' | ' if ctx else ''}{msgid!r}" for ctx, msgid in marked - known)
        assert missing == [], f"not in locale/{language}/LC_MESSAGES/{domain}.po: run scripts/makemessages.sh"


def test_django_messages_listed_for_translation_are_djangos_own_words():
    """sachet/form_messages.py must copy Django's texts exactly, or its translations would never be used."""
    django_po = polib.pofile(str(Path(django.__file__).parent / "conf" / "locale" / "hi" / "LC_MESSAGES" / "django.po"))
    django_ids = {entry.msgid for entry in django_po}
    ours = [entry.msgid for entry in catalogue("hi", "django") if "sachet/form_messages.py" in
            " ".join(path for path, _line in entry.occurrences)]

    assert len(ours) >= 10
    assert [msgid for msgid in ours if msgid not in django_ids] == []


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogues_are_up_to_date(language, domain):
    po_path = LOCALE / language / "LC_MESSAGES" / f"{domain}.po"
    mo_path = po_path.with_suffix(".mo")

    assert mo_path.exists(), f"{mo_path} is missing: run scripts/compilemessages.py (scripts/install.sh does)"
    assert mo_path.stat().st_mtime >= po_path.stat().st_mtime, f"{mo_path} is older than its .po: recompile"


def test_compiler_writes_what_gettext_reads_and_leaves_out_fuzzy_entries(tmp_path):
    folder = tmp_path / "hi" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Plural-Forms": "nplurals=2; plural=(n != 1);"}
    po.append(polib.POEntry(msgid="Missing children", msgstr="लापता बच्चे"))
    po.append(polib.POEntry(msgctxt="case status banner", msgid="MISSING", msgstr="लापता"))
    po.append(polib.POEntry(msgid="%(counter)s sighting", msgid_plural="%(counter)s sightings",
                            msgstr_plural={0: "%(counter)s बार देखा गया", 1: "%(counter)s बार देखा गया"}))
    po.append(polib.POEntry(msgid="Not checked yet", msgstr="अभी जाँचा नहीं", flags=["fuzzy"]))
    po.save(str(folder / "django.po"))

    written = compile_catalogues(tmp_path)
    again = compile_catalogues(tmp_path)

    assert written == [folder / "django.mo"]
    assert again == []  # up to date: nothing rewritten
    with open(folder / "django.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    assert compiled.gettext("Missing children") == "लापता बच्चे"
    assert compiled.pgettext("case status banner", "MISSING") == "लापता"
    assert compiled.ngettext("%(counter)s sighting", "%(counter)s sightings", 3) == "%(counter)s बार देखा गया"
    assert compiled.gettext("Not checked yet") == "Not checked yet"  # fuzzy: left out, as msgfmt leaves it out
