"""The guardian's consent to publication, by version: a case records which wording its contact agreed to.

A new wording gets a new version id here; the old ones stay, so a stored `consent_version` always names the words
the family saw (in English here; the form shows the same words in their language from the catalogues).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

CURRENT_VERSION = "2026-12"

WORDINGS = {
    # The report form's checkbox before consent was recorded (cases reported then carry this version).
    "2026-11": "I am the child's parent or guardian, or I have their permission to publish this appeal.",
    "2026-12": "I am the child's parent or guardian, or I have their permission. I agree that Sachet publishes this "
               "appeal (the child's name, photo, description and the family contact) once it is confirmed, and "
               "that the police and partner organisations use these details to look for the child. The photo and "
               "name leave the site soon after the child is found, and the details are erased after "
               "RETENTION_DAYS_AFTER_FOUND days.",
}

# The same words, for the form (translated); {days} is filled in.
CURRENT_LABEL = _(
    "I am the child's parent or guardian, or I have their permission. I agree that Sachet publishes this appeal "
    "(the child's name, photo, description and the family contact) once it is confirmed, and that the police and "
    "partner organisations use these details to look for the child. The photo and name leave the site soon after "
    "the child is found, and the details are erased after %(days)d days."
)


def wording(version: str) -> str:
    """The English wording of a consent version ("" for one that does not exist)."""
    return WORDINGS.get(version, "")
