"""Configuration mistakes about verification and retention, shown at start-up (`manage.py check`)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Warning, register

from notifications.channels import sms_configured


@register()
def check_verification(app_configs=None, **kwargs) -> list:
    problems = []
    if settings.REPORT_VERIFICATION == "sms+staff" and not sms_configured():
        problems.append(Warning(
            "REPORT_VERIFICATION is sms+staff but SMS (Twilio) is not configured: no code can be sent, so every "
            "report waits for staff.",
            hint="Set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER, or REPORT_VERIFICATION=staff.",
            id="cases.W001",
        ))
    if settings.PUBLIC_PHOTO_DAYS_AFTER_FOUND < 0 or settings.RETENTION_DAYS_AFTER_FOUND < 1:
        problems.append(Error("PUBLIC_PHOTO_DAYS_AFTER_FOUND must be 0 or more and RETENTION_DAYS_AFTER_FOUND 1 or more.",
                              id="cases.E001"))
    elif settings.RETENTION_DAYS_AFTER_FOUND < settings.PUBLIC_PHOTO_DAYS_AFTER_FOUND:
        problems.append(Warning("RETENTION_DAYS_AFTER_FOUND is shorter than PUBLIC_PHOTO_DAYS_AFTER_FOUND: photos are "
                                "erased before the public page would drop them.", id="cases.W002"))
    return problems


@register(deploy=True)
def check_publication_without_verification(app_configs=None, **kwargs) -> list:
    if settings.REPORT_VERIFICATION != "none":
        return []
    return [Warning(
        "REPORT_VERIFICATION is none: every report is broadcast to the public channels and lists as soon as it is "
        "sent, unchecked.",
        hint="Use sms+staff (with Twilio) or staff in production.",
        id="cases.W003",
    )]
