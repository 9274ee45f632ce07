"""Renderers: hostile text stays literal, limits hold, the link always survives."""

from __future__ import annotations

from notifications.channels.formatting import (
    TELEGRAM_CAPTION_LIMIT,
    discord_payload,
    escape_discord,
    fit,
    gsm_septets,
    is_gsm,
    mask_phone,
    redact_phones,
    sms_text,
    telegram_html,
    utf16_len,
)
from sachet.phones import mask
from tests.fakes.telegram import parse_html

from .conftest import make_message

LINK = "https://sachet.example/cases/SCH-0042/"

# --- Telegram -------------------------------------------------------------------------------------------------


def test_telegram_html_escapes_tags_and_ampersands_in_title_and_body():
    message = make_message(title="<b>Asha</b> & Ravi", body="<a href='x'>click</a> &amp;")

    assert telegram_html(message) == (
        "<b>&lt;b&gt;Asha&lt;/b&gt; &amp; Ravi</b>\n\n"
        "&lt;a href='x'&gt;click&lt;/a&gt; &amp;amp;\n\n"
        f'<a href="{LINK}">{LINK}</a>'
    )


def test_telegram_html_escapes_quotes_in_the_link_attribute():
    message = make_message(link='https://sachet.example/cases/?q="x"&y=1')

    assert telegram_html(message).endswith(
        '<a href="https://sachet.example/cases/?q=&quot;x&quot;&amp;y=1">'
        'https://sachet.example/cases/?q="x"&amp;y=1</a>'
    )


def test_telegram_html_reads_back_as_the_original_text():
    message = make_message(title="Ravi <3 & <i>Asha</i>", body="a < b > c & d \" ' done")

    text, links, error = parse_html(telegram_html(message))

    assert error is None
    assert text == f"Ravi <3 & <i>Asha</i>\n\na < b > c & d \" ' done\n\n{LINK}"
    assert links == [LINK]


def test_telegram_html_without_body_has_title_and_link_only():
    assert telegram_html(make_message(body="")) == f'<b>Missing: Asha Verma, 7</b>\n\n<a href="{LINK}">{LINK}</a>'


def test_telegram_caption_counts_escaped_markup_against_the_limit():
    message = make_message(body="<&>" * 1000)

    caption = telegram_html(message, limit=TELEGRAM_CAPTION_LIMIT)

    assert utf16_len(caption) <= TELEGRAM_CAPTION_LIMIT
    assert caption.endswith(f'…\n\n<a href="{LINK}">{LINK}</a>')
    assert parse_html(caption)[2] is None  # no entity was cut in half


def test_telegram_message_is_cut_to_4096_counting_emoji_as_two():
    message = make_message(body="🚨" * 3000)

    text = telegram_html(message)

    assert utf16_len(text) == 4095  # one more two-unit emoji would exceed 4096
    assert text.endswith(f'🚨…\n\n<a href="{LINK}">{LINK}</a>')


# --- Discord --------------------------------------------------------------------------------------------------


def test_escape_discord_neutralises_inline_markdown():
    assert escape_discord(r"*b* _i_ ~~s~~ ||sp|| `code` [x](https://evil.example) \ ") == (
        r"\*b\* \_i\_ \~\~s\~\~ \|\|sp\|\| \`code\` \[x\](https://evil.example) \\ "
    )


def test_escape_discord_neutralises_line_start_markdown():
    assert escape_discord("# Heading\n> quote\n- item\n1. first") == "\\# Heading\n\\> quote\n\\- item\n\\1. first"


def test_discord_payload_never_allows_mentions():
    payload = discord_payload(make_message(body="@everyone @here <@123456>"))

    assert payload["allowed_mentions"] == {"parse": []}


def test_discord_payload_has_no_image_without_photo():
    payload = discord_payload(make_message())

    assert "image" not in payload["embeds"][0]


def test_discord_payload_colour_follows_the_kind():
    colours = [discord_payload(make_message(kind=kind))["embeds"][0]["color"] for kind in ("sighting", "other")]

    assert colours == [0xF29900, 0x5F6368]


def test_discord_description_is_cut_to_4096_and_keeps_the_link():
    embed = discord_payload(make_message(body="seen near the gate " * 400))["embeds"][0]

    assert utf16_len(embed["description"]) <= 4096
    assert embed["description"].endswith(f"…\n\n{LINK}")


def test_discord_title_is_cut_to_256():
    embed = discord_payload(make_message(title="Asha " * 100))["embeds"][0]

    assert len(embed["title"]) <= 256
    assert embed["title"].endswith("Asha…")


# --- SMS ------------------------------------------------------------------------------------------------------


def test_sms_long_english_text_fits_160_septets_with_the_link():
    body = "Last seen near Sarojini Nagar market at 4 pm on Tuesday, wearing a red frock, white shoes and a blue band."

    text = sms_text(make_message(body=body))

    assert gsm_septets(text) == 159
    assert text == (
        "Missing: Asha Verma, 7: Last seen near Sarojini Nagar market at 4 pm on Tuesday, wearing a red frock, "
        "white shoes and... https://sachet.example/cases/SCH-0042/"
    )


def test_sms_extension_characters_count_twice():
    assert gsm_septets("[a]{b}€") == 12


def test_sms_with_devanagari_fits_70_ucs2_units_with_the_link():
    text = sms_text(make_message(title="लापता: आशा वर्मा", body="सरोजिनी नगर बाज़ार के पास शाम 4 बजे देखी गई।"))

    assert not is_gsm(text)
    assert utf16_len(text) == 69
    assert text == f"लापता: आशा वर्मा: सरोजिनी नगर… {LINK}"


def test_sms_typographic_quotes_and_dashes_keep_the_text_gsm():
    text = sms_text(make_message(title="Missing: ‘Chotu’", body="Seen 4–5 pm — “near the well”"))

    assert text == f"Missing: 'Chotu': Seen 4-5 pm - \"near the well\" {LINK}"
    assert is_gsm(text)


def test_sms_joins_lines_into_one():
    assert sms_text(make_message(title="Found", body="Safe\n\nwith family")) == f"Found: Safe with family {LINK}"


def test_sms_keeps_the_link_even_when_nothing_else_fits():
    long_link = "https://sachet.example/cases/" + "x" * 150 + "/"

    assert sms_text(make_message(link=long_link)) == long_link


# --- Fitting and redaction ------------------------------------------------------------------------------------


def test_fit_cuts_at_a_word_when_one_is_near():
    assert fit("the quick brown fox jumps", lambda text: len(text) <= 14) == "the quick…"


def test_fit_leaves_text_that_fits_alone():
    assert fit("short", lambda text: len(text) <= 14) == "short"


def test_mask_phone_is_the_one_phone_mask():
    assert mask_phone("+919876543210") == mask("+919876543210") == "+91 ******10"


def test_redact_phones_masks_numbers_but_not_dates_or_case_references():
    text = "Call 98765 43210 about SCH-2024-000123, seen 12-05-2024 at 16:30."

    assert redact_phones(text) == "Call +91 ******10 about SCH-2024-000123, seen 12-05-2024 at 16:30."


def test_redact_phones_masks_a_number_as_the_phone_mask_shows_it_however_it_is_written():
    text = "Ring 098765 43210, +91-98765-43210 or 011 2345 6789."

    assert redact_phones(text) == "Ring +91 ******10, +91 ******10 or +91 ******89."


def test_redact_phones_masks_digit_runs_that_are_no_valid_number_too():
    assert redact_phones("Pay to 1234567 now") == "Pay to ******67 now"
