"""Template filters for public pages."""

from django import template

from ..text import mask_contact_details

register = template.Library()


@register.filter
def mask_contact(text: str) -> str:
    """Free text from the public with phone numbers, e-mail addresses and links masked (cases.text)."""
    return mask_contact_details(str(text or ""))
