"""Telegram through python-telegram-bot's Bot API client: a photo with a caption when there is a photo, text otherwise.

python-telegram-bot is async and a send here is synchronous (a Celery task, often one of many threads of the alerts
worker): each process keeps one event loop in a thread of its own, with one Bot and its pool of kept-alive
connections per token, and every send runs on that loop. No `getMe` round trip: the token is checked by the send
itself (401 -> InvalidToken).
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import os
import re
import threading
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

from .base import PUBLIC, Message, PermanentError, RecipientGone, SendResult, TransientError
from .formatting import TELEGRAM_CAPTION_LIMIT, TELEGRAM_MESSAGE_LIMIT, telegram_html

logger = logging.getLogger(__name__)

# Telegram fetches photo URLs itself; these answers mean it could not (e.g. a URL only reachable on our network).
_UNUSABLE_PHOTO = re.compile(r"HTTP URL|file identifier|web page content|IMAGE_PROCESS_FAILED|PHOTO_", re.IGNORECASE)


# The channel of private chats with area subscribers (no configured chat: each delivery names its chat).
SUBSCRIBER = "telegram_subscriber"

# Connections kept per bot: as many as the alerts worker's threads that may send at once.
POOL_SIZE = 32
_lock = threading.Lock()
_loop: tuple[int, asyncio.AbstractEventLoop] | None = None  # (pid, loop): a forked pool process makes its own
_bots: dict[tuple[str, str, float], Bot] = {}


def client_loop() -> asyncio.AbstractEventLoop:
    """This process's event loop for Telegram calls, running in a daemon thread."""
    global _loop
    with _lock:
        if _loop is None or _loop[0] != os.getpid():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="telegram-client", daemon=True).start()
            _loop = (os.getpid(), loop)
            _bots.clear()  # a parent's clients belong to its loop
        return _loop[1]


def shared_bot(token: str) -> Bot:
    """One Bot (one connection pool) per token, base URL and time-out in this process."""
    timeout = settings.ALERT_HTTP_TIMEOUT
    key = (token, settings.TELEGRAM_API_BASE_URL, timeout)
    client_loop()
    with _lock:
        if key not in _bots:
            request = HTTPXRequest(connection_pool_size=POOL_SIZE, connect_timeout=timeout, read_timeout=timeout,
                                   write_timeout=timeout, pool_timeout=timeout)
            _bots[key] = Bot(token, base_url=settings.TELEGRAM_API_BASE_URL, request=request,
                             get_updates_request=request)
        return _bots[key]


def run_on_client_loop(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine on this process's Telegram loop and wait for it (its own time-outs bound the wait)."""
    return asyncio.run_coroutine_threadsafe(coroutine, client_loop()).result()


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
        return [self._chat_id] if self._chat_id else []

    def send(self, message: Message, recipient: str) -> SendResult:
        try:
            message_id = run_on_client_loop(self._send(shared_bot(self._token), message, recipient))
        except TelegramError as error:
            raise self._translate(error) from None
        return SendResult(str(message_id))

    async def _send(self, bot: Bot, message: Message, chat_id: str) -> int:
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
        if self.name == SUBSCRIBER and (isinstance(error, Forbidden) or "chat not found" in error.message.lower()):
            return RecipientGone(reason)  # a subscriber blocked the bot or deleted the chat
        if isinstance(error, (Forbidden, BadRequest)):  # BadRequest is a NetworkError subclass: test it first
            return PermanentError(reason)
        if isinstance(error, NetworkError):  # connection errors and 5xx
            return TransientError(reason)
        return PermanentError(reason)
