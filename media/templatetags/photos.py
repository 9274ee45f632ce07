"""Photos at the size a page shows them: {{ case.photo|thumbnail:"square240" }}, {{ case.photo|srcset:"square" }}."""

from django import template

from media import thumbnails

register = template.Library()


@register.filter
def thumbnail(file, spec: str) -> str:
    return thumbnails.url(file, spec)


@register.filter
def srcset(file, kind: str) -> str:
    return thumbnails.srcset(file, kind)
