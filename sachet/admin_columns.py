"""Compact cells for the staff admin's change lists, so a list's key columns fit a 1366 px screen with the sidebar
open: long text clamped to a few lines (whole in its tooltip), short local dates, two facts stacked in one cell.

Markup only, no inline style (the site's Content-Security-Policy refuses it): the look is in static/css/admin.css.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import formats, timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

EMPTY = "–"


def clamped(text: str, *, lines: int = 2):
    """Text cut to ``lines`` lines on screen (1 to 3), whole in the tooltip and for screen readers."""
    if not text:
        return EMPTY
    return format_html('<span class="sachet-clamp sachet-clamp-{}" title="{}">{}</span>', max(1, min(lines, 3)),
                       text, text)


def stacked(main, detail):
    """A cell's main fact with a quieter detail below it (a child's name over the case reference)."""
    return format_html('{}<span class="sachet-detail">{}</span>', main, detail)


def short_date(moment: datetime | None) -> str:
    """A local date as lists write it (30/11/2026), the full date and time in no column."""
    if moment is None:
        return EMPTY
    return formats.date_format(timezone.localtime(moment), "SHORT_DATE_FORMAT")


def short_datetime(moment: datetime | None):
    """A local date and time on two short lines (30/11/2026 over 15:45), so the column stays narrow."""
    if moment is None:
        return EMPTY
    local = timezone.localtime(moment)
    return format_html('<span class="sachet-nowrap">{}</span> <span class="sachet-detail">{}</span>',
                       formats.date_format(local, "SHORT_DATE_FORMAT"), formats.time_format(local, "TIME_FORMAT"))



def breakable(text: str, *, after: str = ":"):
    """A long token (an event key such as case:MC20261130A1B2C3D4:reported) allowed to wrap after each ``after``."""
    if not text:
        return EMPTY
    return mark_safe((escape(after) + "<wbr>").join(escape(part) for part in text.split(after)))
