"""Which languages each alert channel speaks, and one message in several languages for the channels that carry them.

A caller words an alert once per language of the site ({"en": Message, "hi": Message, ...}); the outbox stores, in each
delivery, the text its channel and recipient get:

    telegram, telegram_staff   English, then TELEGRAM_LANGUAGES (e.g. "en,hi"), in one message
    discord, discord_staff     English, then DISCORD_LANGUAGES, in one message
    sms                        one language per recipient: SMS_RECIPIENTS="+919822012345:hi,+919822054321"
                               (a number without one gets SMS_LANGUAGE)
    any other channel          English (messages to one person are worded in their language by the caller)
"""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings

from .channels.base import Message

ENGLISH = "en"
MULTILINGUAL = {"telegram": "TELEGRAM_LANGUAGES", "telegram_staff": "TELEGRAM_LANGUAGES",
                "discord": "DISCORD_LANGUAGES", "discord_staff": "DISCORD_LANGUAGES"}


def site_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def configured_languages(setting: str) -> list[str]:
    """English first, then the setting's languages in their order, each once."""
    return list(dict.fromkeys([ENGLISH, *(code.strip() for code in getattr(settings, setting) if code.strip())]))


def sms_recipients() -> dict[str, str]:
    """SMS_RECIPIENTS as {number: language}: "+919822012345:hi" or a bare number (SMS_LANGUAGE)."""
    recipients = {}
    for entry in settings.SMS_RECIPIENTS:
        number, _colon, language = entry.partition(":")
        if number.strip():
            recipients[number.strip()] = language.strip() or settings.SMS_LANGUAGE
    return recipients


def languages_for(channel: str, recipient: str) -> list[str]:
    """The languages of the text that goes to `recipient` on `channel`, the first one leading."""
    if channel in MULTILINGUAL:
        return configured_languages(MULTILINGUAL[channel])
    if channel == "sms":
        return [sms_recipients().get(recipient, settings.SMS_LANGUAGE)]
    return [ENGLISH]


def for_recipient(messages: Mapping[str, Message], channel: str, recipient: str) -> Message:
    """The final message for one delivery: the wording in its language, or several joined into one."""
    return combine(messages, languages_for(channel, recipient))


def combine(messages: Mapping[str, Message], languages: list[str]) -> Message:
    """One message carrying each language's wording in turn: the first language's title leads, every further
    language adds its title and body as a paragraph of the body. A language without a wording is left out; English
    stands in when none of them has one."""
    wordings = [messages[code] for code in languages if code in messages] or [messages[ENGLISH]]
    first, rest = wordings[0], []
    for wording in wordings[1:]:
        if wording.title == first.title and wording.body == first.body:
            continue  # not translated: saying it twice helps nobody
        rest.append(f"{wording.title}\n{wording.body.strip()}".strip())
    if not rest:
        return first
    body = "\n\n".join([first.body.strip(), *rest]).strip()
    return Message(title=first.title, body=body, link=first.link, audience=first.audience, kind=first.kind,
                   photo_url=first.photo_url)


def unknown_languages() -> list[str]:
    """Language settings naming a language the site does not have, in words for a system check."""
    known = set(site_languages())
    problems = []
    for setting in sorted(set(MULTILINGUAL.values())):
        wrong = [code for code in configured_languages(setting) if code not in known]
        if wrong:
            problems.append(f"{setting} names {', '.join(wrong)}: the site speaks {', '.join(sorted(known))}.")
    wrong = sorted({language for language in [settings.SMS_LANGUAGE, *sms_recipients().values()]
                    if language not in known})
    if wrong:
        problems.append(f"SMS_RECIPIENTS or SMS_LANGUAGE names {', '.join(wrong)}: the site speaks "
                        f"{', '.join(sorted(known))}.")
    return problems
