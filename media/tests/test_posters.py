"""Posters: one A4 page, the case's text extractable (Hindi included), a QR code that scans to the case URL."""

import io

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
import zxingcpp
from PIL import Image

from media.posters import PosterError, render_poster

CASE_URL = "https://sachet.example.org/cases/SCH-2025-00042/"


def photo_bytes(width: int = 600, height: int = 300) -> bytes:
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    output = io.BytesIO()
    image.save(output, "JPEG", quality=85)
    return output.getvalue()


def poster_fields(**changes) -> dict:
    fields = dict(
        status="missing",
        name="आरव शर्मा",
        age=8,
        gender="Boy",
        last_seen_place="कोरेगांव पार्क, पुणे",
        last_seen_at_text="12 March 2025, around 4:30 pm",
        description="Blue school shirt, grey shorts, red schoolbag. Speaks Hindi and Marathi.",
        contact="+91 98765 43210",
        reference="SCH-2025-00042",
        case_url=CASE_URL,
        photo=photo_bytes(),
    )
    fields.update(changes)
    return fields


def page_text(pdf: bytes) -> str:
    return pdfium.PdfDocument(pdf)[0].get_textpage().get_text_range()


@pytest.fixture(scope="module")
def missing_poster() -> bytes:
    return render_poster(**poster_fields())


def test_poster_is_one_a4_page(missing_poster):
    document = pdfium.PdfDocument(missing_poster)

    assert len(document) == 1
    assert [round(side) for side in document[0].get_size()] == [595, 842]


def test_poster_text_has_banner_name_details_contact_and_reference(missing_poster):
    text = page_text(missing_poster)

    for expected in ("MISSING", "8 years", "Boy", "12 March 2025, around 4:30 pm", "+91 98765 43210", "SCH-2025-00042"):
        assert expected in text


def test_devanagari_name_and_place_are_in_the_extracted_text(missing_poster):
    text = page_text(missing_poster)

    assert "आरव शर्मा" in text
    assert "कोरेगांव पार्क, पुणे" in text


def test_qr_code_on_the_page_opens_the_case_url(missing_poster):
    page_image = pdfium.PdfDocument(missing_poster)[0].render(scale=2).to_pil()

    assert [barcode.text for barcode in zxingcpp.read_barcodes(page_image)] == [CASE_URL]


def test_font_is_embedded_and_no_standard_font_is_used(missing_poster):
    assert b"/FontFile2" in missing_poster
    assert b"/Helvetica" not in missing_poster


def test_missing_banner_is_red(missing_poster):
    page_image = pdfium.PdfDocument(missing_poster)[0].render(scale=1).to_pil()

    assert page_image.getpixel((45, 45)) == (198, 40, 40)


def test_found_poster_has_a_green_found_banner_and_no_missing_banner():
    pdf = render_poster(**poster_fields(status="found"))

    text = page_text(pdf)
    assert "FOUND" in text
    assert "MISSING" not in text
    assert pdfium.PdfDocument(pdf)[0].render(scale=1).to_pil().getpixel((45, 45)) == (46, 125, 50)


def test_photo_keeps_its_proportions_and_is_embedded_without_re_encoding(missing_poster):
    page = pdfium.PdfDocument(missing_poster)[0]
    images = [obj for obj in page.get_objects() if obj.type == pdfium_raw.FPDF_PAGEOBJ_IMAGE]

    assert len(images) == 1
    left, bottom, right, top = images[0].get_bounds()
    assert images[0].get_px_size() == (600, 300)
    assert round((right - left) / (top - bottom), 3) == 2.0
    assert images[0].get_filters() == ["DCTDecode"]


def test_very_long_description_is_cut_with_an_ellipsis_on_one_page():
    description = " ".join(f"word{number}" for number in range(3000))

    pdf = render_poster(**poster_fields(description=description))

    text = page_text(pdf)
    assert len(pdfium.PdfDocument(pdf)) == 1
    assert "word0 word1 word2" in text
    assert "…" in text
    assert "word2999" not in text


def test_very_long_hindi_name_is_cut_without_leaving_the_page():
    pdf = render_poster(**poster_fields(name="आरव शर्मा " * 40))

    text = page_text(pdf)
    assert len(pdfium.PdfDocument(pdf)) == 1
    assert "आरव शर्मा आरव शर्मा" in text
    assert text.count("आरव शर्मा") < 40


def test_poster_without_photo_says_so_and_has_no_image():
    pdf = render_poster(**poster_fields(photo=None))

    page = pdfium.PdfDocument(pdf)[0]
    assert "No photo" in page.get_textpage().get_text_range()
    assert [obj for obj in page.get_objects() if obj.type == pdfium_raw.FPDF_PAGEOBJ_IMAGE] == []


def test_unknown_age_and_blank_fields_read_not_known():
    text = page_text(render_poster(**poster_fields(age=None, gender="")))

    assert text.count("Not known") == 2


def test_markup_characters_in_text_are_printed_as_they_are():
    text = page_text(render_poster(**poster_fields(description="Shirt <blue> & shorts")))

    assert "Shirt <blue> & shorts" in text


def test_unknown_status_is_refused():
    with pytest.raises(PosterError):
        render_poster(**poster_fields(status="closed"))


def test_unreadable_photo_is_refused():
    with pytest.raises(PosterError):
        render_poster(**poster_fields(photo=b"not a photo"))


def test_case_url_is_required_for_the_qr_code():
    with pytest.raises(PosterError):
        render_poster(**poster_fields(case_url=""))
