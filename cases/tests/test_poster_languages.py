"""A poster speaks English, Hindi and the language of the state where the child was last seen (Bengali in West
Bengal, Marathi in Maharashtra), or the language staff chose; Bengali is set in Noto Sans Bengali with its conjuncts
shaped. Checked on the rendered page (pypdfium2) and on the text extracted from the PDF."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from django.core.checks import run_checks
from django.utils import translation

from cases.posters import poster_languages, render_case_poster
from media import posters

pytestmark = pytest.mark.django_db

KOLKATA = dict(name="Ishita Das", gender="female", last_seen_place="Park Street, Kolkata",
               latitude=Decimal("22.552000"), longitude=Decimal("88.353920"))
PUNE = dict(last_seen_place="Koregaon Park, Pune", latitude=Decimal("18.536200"), longitude=Decimal("73.893900"))
DELHI = dict(last_seen_place="Connaught Place, New Delhi", latitude=Decimal("28.631500"),
             longitude=Decimal("77.216700"))
# The Bengali line: "MISSING – Seen this child? Please call the number below." "অনুগ্রহ" holds the conjunct
# গ্র (ga, virama, ra), "নিখোঁজ" a vowel sign and a candrabindu.
BENGALI = "নিখোঁজ – এই শিশুটিকে দেখেছেন? অনুগ্রহ করে নিচের নম্বরে ফোন করুন।"
HINDI = "लापता – इस बच्चे को देखा है? कृपया नीचे दिए नंबर पर कॉल करें।"
MARATHI = "हरवले आहे – हे मूल पाहिले आहे का? कृपया खालील क्रमांकावर फोन करा."


def page_text(pdf: bytes) -> str:
    return pdfium.PdfDocument(pdf)[0].get_textpage().get_text_range()


def page_image(pdf: bytes):
    return pdfium.PdfDocument(pdf)[0].render(scale=2).to_pil().convert("RGB")


@pytest.fixture
def kolkata_poster(make_case, tmp_path) -> bytes:
    case = make_case(**KOLKATA)
    pdf = render_case_poster(case, None)
    # Kept for a person to look at (pytest's tmp folder): the three banner lines and the conjuncts.
    page_image(pdf).save(Path(tmp_path) / "kolkata-poster.png")
    return pdf


def test_a_kolkata_poster_reads_english_hindi_and_bengali(kolkata_poster):
    text = page_text(kolkata_poster)

    assert "MISSING" in text
    assert HINDI in text
    assert BENGALI in text
    assert "\u0997\u09cd\u09b0" in text  # গ্র: the conjunct comes back whole, not as separate letters
    assert "Ishita Das" in text and "Park Street, Kolkata" in text
    assert MARATHI not in text


def test_the_bengali_line_is_set_in_noto_sans_bengali_and_embedded(kolkata_poster):
    assert b"NotoSansBengali" in kolkata_poster or b"SachetNotoSansBengali" in kolkata_poster
    assert b"/FontFile2" in kolkata_poster


def test_a_kolkata_poster_shows_three_lines_of_white_text_on_the_red_banner(kolkata_poster):
    image = page_image(kolkata_poster)  # 2x: the banner spans y 72..(72 + 2 * 142)
    width = image.width

    def white_in_band(top: int, bottom: int) -> int:
        return sum(1 for y in range(top, bottom, 2) for x in range(80, width - 80, 2)
                   if min(image.getpixel((x, y))) > 230)

    english, hindi, bengali = white_in_band(80, 240), white_in_band(244, 290), white_in_band(296, 342)
    assert english > 500 and hindi > 100 and bengali > 100
    assert image.getpixel((80, 350)) == (198, 40, 40)  # still the red banner below the Bengali line


def test_a_pune_poster_adds_marathi_and_a_delhi_poster_hindi_only(make_case):
    pune, delhi = make_case(**PUNE), make_case(**DELHI)

    pune_text, delhi_text = page_text(render_case_poster(pune, None)), page_text(render_case_poster(delhi, None))

    assert HINDI in pune_text and MARATHI in pune_text and BENGALI not in pune_text
    assert HINDI in delhi_text and MARATHI not in delhi_text and BENGALI not in delhi_text


def test_without_a_point_the_place_name_gives_the_state(make_case):
    case = make_case(last_seen_place="Park Street, Kolkata", latitude=None, longitude=None)

    assert poster_languages(case) == ("hi", "bn")


@pytest.mark.parametrize(("chosen", "place", "expected"), [
    ("", KOLKATA, ("hi", "bn")),
    ("hi", KOLKATA, ("hi",)),
    ("mr", KOLKATA, ("hi", "mr")),
    ("bn", DELHI, ("hi", "bn")),
    ("", DELHI, ("hi",)),
])
def test_staff_can_choose_the_poster_language(make_case, chosen, place, expected):
    case = make_case(**place, poster_language=chosen)

    assert poster_languages(case) == expected


def test_the_poster_details_stay_english_when_asked_for_from_a_hindi_page(make_case):
    case = make_case(**KOLKATA)

    with translation.override("hi"):
        text = page_text(render_case_poster(case, None))

    assert "Girl" in text
    assert "लड़की" not in text
    assert BENGALI in text


def test_without_the_bengali_font_the_poster_leaves_its_bengali_line_out_and_a_check_warns(make_case, monkeypatch):
    monkeypatch.setattr(posters, "FONT_DIRS", ())
    monkeypatch.setattr(posters, "_bengali_font", posters._bengali_font.__wrapped__)
    case = make_case(**KOLKATA)

    text = page_text(render_case_poster(case, None))

    assert HINDI in text and "MISSING" in text
    assert "নিখোঁজ" not in text
    assert [m.id for m in run_checks() if m.id == "media.W001"] == ["media.W001"]


def test_with_the_bengali_font_installed_no_check_warns():
    assert posters.bengali_font_path() is not None
    assert [m.id for m in run_checks() if m.id == "media.W001"] == []


def test_every_character_of_the_bengali_lines_is_in_the_bengali_font():
    from reportlab.pdfbase.ttfonts import TTFontFile

    glyphs = TTFontFile(str(posters.bengali_font_path())).charToGlyph
    lines = [posters._banner_line(status, "bn") for status in (posters.MISSING, posters.FOUND, posters.APPEAL)]

    assert [char for line in lines for char in line if ord(char) not in glyphs] == []  # no empty boxes
