"""Per-channel renderings of a `Message`: escaped for the channel's markup and cut to its length limits.

Only free text is ever cut (title first to a sane length, then the body); the case link is always kept whole,
because it is the one thing a reader must be able to act on.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from sachet.phones import mask

from .base import Message

TELEGRAM_MESSAGE_LIMIT = 4096
TELEGRAM_CAPTION_LIMIT = 1024
DISCORD_TITLE_LIMIT = 256
DISCORD_DESCRIPTION_LIMIT = 4096
SMS_GSM_LIMIT = 160  # septets in one GSM-7 segment
SMS_UCS2_LIMIT = 70  # UTF-16 code units in one UCS-2 segment (Devanagari, emoji, ...)
TITLE_LIMIT = 256

# Discord embed colours by kind; unknown kinds get grey.
DISCORD_COLOURS = {"new_case": 0xD93025, "sighting": 0xF29900, "status": 0x1E8E3E, "face_match": 0x1A73E8}
DISCORD_DEFAULT_COLOUR = 0x5F6368

# GSM 03.38: the basic set costs one septet, the extension table two (escape + character).
GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = set("^{}\\[~]|€\f")
# Typographic characters that people paste from word processors; their plain forms keep an SMS in GSM-7.
GSM_SUBSTITUTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})


def utf16_len(text: str) -> int:
    """Length as Telegram and Discord count it (UTF-16 code units: an emoji counts two)."""
    return len(text.encode("utf-16-le")) // 2


def fit(text: str, fits: Callable[[str], bool], ellipsis: str = "…") -> str:
    """The longest start of `text` (cut at a word when one is near, ellipsis added) for which `fits` holds.

    `fits` must be monotonic: if a text fits, every shorter start of it fits too. Returns "" when nothing does.
    """
    if fits(text):
        return text
    low, high = 0, len(text)  # invariant: a prefix of length `low` fits, one of `high` does not
    while high - low > 1:
        middle = (low + high) // 2
        if fits(text[:middle].rstrip() + ellipsis):
            low = middle
        else:
            high = middle
    if low == 0 and not fits(ellipsis):
        return ""
    prefix = text[:low]
    space = prefix.rfind(" ", max(0, low - 20))
    if space > 0:
        prefix = prefix[:space]
    return prefix.rstrip() + ellipsis


def _title(message: Message) -> str:
    return fit(" ".join(message.title.split()), lambda t: len(t) <= TITLE_LIMIT)


# --- Telegram (HTML parse mode) -------------------------------------------------------------------------------


def telegram_html(message: Message, *, limit: int = TELEGRAM_MESSAGE_LIMIT) -> str:
    """HTML for sendMessage (limit 4096) or for a sendPhoto caption (pass `limit=TELEGRAM_CAPTION_LIMIT`).

    The limit is checked on the HTML itself, which is never shorter than the text Telegram counts, so the
    result is always accepted.
    """
    title = html.escape(_title(message), quote=False)
    link = f'<a href="{html.escape(message.link, quote=True)}">{html.escape(message.link, quote=False)}</a>'

    def render(body: str) -> str:
        parts = [f"<b>{title}</b>"]
        if body:
            parts.append(html.escape(body, quote=False))
        parts.append(link)
        return "\n\n".join(parts)

    body = fit(message.body.strip(), lambda b: utf16_len(render(b)) <= limit)
    return render(body)


# --- Discord (webhook JSON with one embed) ---------------------------------------------------------------------

_DISCORD_INLINE = re.compile(r"([\\*_~|`\[\]])")
_DISCORD_LINE_START = re.compile(r"^(\s*)([>#-]|\d+\.)", re.MULTILINE)


def escape_discord(text: str) -> str:
    """Make free text show literally: no bold/italic/strike/spoiler/code, no masked links, headings, quotes, lists."""
    text = _DISCORD_INLINE.sub(r"\\\1", text)
    return _DISCORD_LINE_START.sub(r"\1\\\2", text)


def discord_payload(message: Message) -> dict:
    """The JSON body for an `execute webhook` call. `allowed_mentions` is empty so `@everyone` never pings."""
    title = fit(escape_discord(_title(message)), lambda t: utf16_len(t) <= DISCORD_TITLE_LIMIT)
    suffix = f"\n\n{message.link}"

    def render(body: str) -> str:
        return (escape_discord(body) + suffix) if body else message.link

    body = fit(message.body.strip(), lambda b: utf16_len(render(b)) <= DISCORD_DESCRIPTION_LIMIT)
    embed: dict = {
        "title": title,
        "description": render(body),
        "url": message.link,
        "color": DISCORD_COLOURS.get(message.kind, DISCORD_DEFAULT_COLOUR),
    }
    if message.photo_url:
        embed["image"] = {"url": message.photo_url}
    return {"embeds": [embed], "allowed_mentions": {"parse": []}}


# --- SMS (one segment where possible) --------------------------------------------------------------------------


def is_gsm(text: str) -> bool:
    """Whether the text can go as GSM-7 (160 per segment) rather than UCS-2 (70 per segment)."""
    return all(char in GSM_BASIC or char in GSM_EXTENSION for char in text)


def gsm_septets(text: str) -> int:
    return sum(2 if char in GSM_EXTENSION else 1 for char in text)


def sms_segment_cost(text: str) -> tuple[int, int]:
    """(cost, single-segment limit) for the text in the encoding a phone network would use for it."""
    if is_gsm(text):
        return gsm_septets(text), SMS_GSM_LIMIT
    return utf16_len(text), SMS_UCS2_LIMIT


def sms_text(message: Message, *, ucs2_segments: int = 1) -> str:
    """"Title: body link" on one line, shortened to a single segment; the link is always kept whole.

    Text that needs UCS-2 (Hindi, Bengali, Marathi: 70 characters a segment, where GSM-7 has 160) may take up to
    `ucs2_segments` segments, so that an alert in those languages says as much as an English one."""
    head = " ".join(f"{message.title.strip()}: {message.body.strip()}".split()).translate(GSM_SUBSTITUTES)
    gsm = is_gsm(head + message.link)
    if gsm:
        fits = lambda h: gsm_septets(f"{h} {message.link}") <= SMS_GSM_LIMIT  # noqa: E731
    else:
        fits = lambda h: sms_segments(f"{h} {message.link}") <= max(1, ucs2_segments)  # noqa: E731
    head = fit(head, fits, ellipsis="..." if gsm else "…")
    return f"{head} {message.link}" if head else message.link


# --- Redaction for logs and stored reasons ---------------------------------------------------------------------

# 7 to 15 digits with common separators, not part of a word or reference (e.g. "SCH-2024-000123").
_PHONE = re.compile(r"(?<![\w-])\+?\d(?:[\s().-]{0,2}\d){6,14}(?![\w])")
_DATE = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}")

# The one mask for phone numbers (sachet.phones.mask); this name stays for existing callers.
mask_phone = mask


def redact_phones(text: str) -> str:
    """Mask every phone-number-like run of digits in free text (dates are left alone), the way `mask` shows a
    number: "call 98220 12345" -> "call +91 ******45"."""
    return _PHONE.sub(lambda m: m.group() if _DATE.fullmatch(m.group()) else mask(m.group()), text)


# --- SMS over several segments (area subscribers) --------------------------------------------------------------

SMS_GSM_PART = 153  # septets per segment of a concatenated GSM-7 message (7 go to the header)
SMS_UCS2_PART = 67  # UTF-16 code units per segment of a concatenated UCS-2 message


def sms_segments(text: str) -> int:
    """How many segments a phone network bills for the text (GSM-7 where possible, else UCS-2).

    One segment holds 160 septets or 70 UTF-16 units; a longer text goes in parts of 153 or 67, and a character is
    never split between two parts (a GSM-7 extension character takes two septets, a character outside the BMP,
    such as an emoji, two UTF-16 units), so a part may hold one less."""
    gsm = is_gsm(text)
    cost, single = sms_segment_cost(text)
    if cost <= single:
        return 1
    part = SMS_GSM_PART if gsm else SMS_UCS2_PART
    parts, used = 1, 0
    for char in text:
        size = (2 if char in GSM_EXTENSION else 1) if gsm else utf16_len(char)
        if used + size > part:
            parts, used = parts + 1, 0
        used += size
    return parts


def sms_with_footer(head: str, link: str, footer: str, *, max_segments: int) -> str:
    """"head link footer" on as few lines as the text needs, the head shortened so that the whole fits in
    `max_segments`; the link and the footer (how to stop) are always kept whole."""
    head = " ".join(head.split()).translate(GSM_SUBSTITUTES)
    footer = " ".join(footer.split()).translate(GSM_SUBSTITUTES)

    def render(text: str) -> str:
        return "\n".join(part for part in (text, link, footer) if part)

    ellipsis = "..." if is_gsm(render(head)) else "…"
    return render(fit(head, lambda h: sms_segments(render(h)) <= max_segments, ellipsis=ellipsis))
