"""Free text from the public, made safe to publish: phone numbers, e-mail addresses and links masked.

A published sighting is read by everyone who opens the case page. "Pay 50000 to +91 90000 12345 or visit
<a link>" must not reach them as written: a scammer's number or link on a missing child's page is the abuse this
guards against. Phone numbers keep the mask staff know ("+91 ******45").
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from notifications.channels.formatting import redact_phones

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# http(s)://..., www...., and bare domains with a path or a common top-level domain ("pay.example.com/x", "bit.ly/x").
_LINK = re.compile(
    r"(?:https?://|www\.)\S*[^\s.,;:!?)\]'\"]"
    r"|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:com|net|org|in|co|io|ly|me|info|biz|xyz|app|link|site|online|top"
    r"|gl|to|tk|ml|ga|cf|gq)\b(?:/\S*[^\s.,;:!?)\]'\"])?",
    re.IGNORECASE,
)


def mask_contact_details(text: str) -> str:
    """The text with e-mail addresses, links and phone numbers replaced by a mask."""
    text = _EMAIL.sub(_("[e-mail hidden]"), text or "")
    text = _LINK.sub(_("[link hidden]"), text)
    return redact_phones(text)
