"""The channel used when no provider is configured: the alert goes to the log, so nothing is silently dropped."""

from __future__ import annotations

import logging
import uuid

from .base import AUDIENCES, Message, SendResult
from .formatting import redact_phones

logger = logging.getLogger("notifications.alerts")


class LogChannel:
    """Writes one log line per alert; phone numbers in the text are masked, no secret is ever in a message."""

    name = "log"
    audiences = AUDIENCES

    def recipients(self) -> list[str]:
        return ["log"]

    def send(self, message: Message, recipient: str) -> SendResult:
        provider_message_id = f"log-{uuid.uuid4().hex}"
        logger.info(
            "alert %s kind=%s audience=%s title=%r body=%r link=%s photo=%s",
            provider_message_id,
            message.kind,
            message.audience,
            redact_phones(message.title),
            redact_phones(message.body),
            message.link,
            message.photo_url or "-",
        )
        return SendResult(provider_message_id)
