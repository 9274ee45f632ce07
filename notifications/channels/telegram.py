"""Telegram through python-telegram-bot's Bot API client: a photo with a caption when there is a photo, text otherwise.

python-telegram-bot is async; a send here is short and synchronous (a Celery task), so each send runs its own event
loop with its own connection, opened and closed around the one call. No `getMe` round trip: the token is checked by
the send itself (401 -> InvalidToken).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime
import logging
import re
import warnings
from collections.abc import Coroutine
from typing import Any

from django.conf import settings
from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

from .base import PUBLIC, Message, PermanentError, SendResult, TransientError
from .formatting import TELEGRAM_CAPTION_LIMIT, TELEGRAM_MESSAGE_LIMIT, telegram_html

logger = logging.getLogger(__name__)

# Telegram fetches photo URLs itself; these answers mean it could not (e.g. a URL only reachable on our network).
_UNUSABLE_PHOTO = re.compile(r"HTTP URL|file identifier|web page content|IMAGE_PROCESS_FAILED|PHOTO_", re.IGNORECASE)


def run_sync(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine to completion from sync code, also when the caller already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


# PTB 22 warns on every RetryAfter that `retry_after` becomes a timedelta in 23; the code below takes both.
warnings.filterwarnings("ignore", message=".*attribute `retry_after` will be of type", category=PTBDeprecationWarning)


def _retry_after_seconds(error: RetryAfter) -> float:
    value = error.retry_after
    return value.total_seconds() if isinstance(value, datetime.timedelta) else float(value)


class TelegramChannel:
    """One bot posting to one chat (a public channel, or the staff group)."""

    def __init__(self, name: str, token: str, chat_id: str, audiences: frozenset[str] = frozenset({PUBLIC})) -> None:
        self.name = name
        self.audiences = audiences
        self._token = token
        self._chat_id = chat_id

    def recipients(self) -> list[str]:
        return [self._chat_id]

    def send(self, message: Message, recipient: str) -> SendResult:
        try:
            message_id = run_sync(self._send(message, recipient))
        except TelegramError as error:
            raise self._translate(error) from None
        return SendResult(str(message_id))

    async def _send(self, message: Message, chat_id: str) -> int:
        timeout = settings.ALERT_HTTP_TIMEOUT
        request = HTTPXRequest(
            connection_pool_size=1,
            connect_timeout=timeout,
            read_timeout=timeout,
            write_timeout=timeout,
            pool_timeout=timeout,
        )
        bot = Bot(self._token, base_url=settings.TELEGRAM_API_BASE_URL, request=request, get_updates_request=request)
        async with request:
            if message.photo_url:
                try:
                    sent = await bot.send_photo(
                        chat_id=chat_id,
                        photo=message.photo_url,
                        caption=telegram_html(message, limit=TELEGRAM_CAPTION_LIMIT),
                        parse_mode=ParseMode.HTML,
                    )
                    return sent.message_id
                except BadRequest as error:
                    if not _UNUSABLE_PHOTO.search(error.message):
                        raise
                    # The alert matters more than its photo: send the text alone.
                    logger.warning("telegram %s: photo not accepted (%s), sending text only", self.name, error.message)
            sent = await bot.send_message(
                chat_id=chat_id,
                text=telegram_html(message, limit=TELEGRAM_MESSAGE_LIMIT),
                parse_mode=ParseMode.HTML,
            )
            return sent.message_id

    def _translate(self, error: TelegramError) -> TransientError | PermanentError:
        # PTB puts the token into some messages (e.g. "The token `...` was rejected"): never let it out.
        reason = f"{type(error).__name__}: {error.message}".replace(self._token, "<token>")
        if isinstance(error, RetryAfter):
            return TransientError(reason, retry_after=_retry_after_seconds(error))
        if isinstance(error, TimedOut):
            return TransientError(reason)
        if isinstance(error, InvalidToken):
            return PermanentError("InvalidToken: the bot token was rejected (TELEGRAM_BOT_TOKEN)")
        if isinstance(error, ChatMigrated):
            return PermanentError(f"ChatMigrated: the group is now chat {error.new_chat_id}; update the chat id")
        if isinstance(error, (Forbidden, BadRequest)):  # BadRequest is a NetworkError subclass: test it first
            return PermanentError(reason)
        if isinstance(error, NetworkError):  # connection errors and 5xx
            return TransientError(reason)
        return PermanentError(reason)
