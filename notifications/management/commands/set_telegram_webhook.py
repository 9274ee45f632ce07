"""Tell Telegram where to deliver the bot's updates: SITE_URL/hooks/telegram, with TELEGRAM_WEBHOOK_SECRET as the
secret token it sends back in every request (no polling). Run once per deployment, and after changing either."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from telegram.error import TelegramError

from notifications.channels import telegram_configured
from notifications.channels.telegram import run_on_client_loop, shared_bot


class Command(BaseCommand):
    help = "Register the Telegram webhook for subscriptions (setWebhook with the secret token)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--delete", action="store_true", help="Remove the webhook instead.")

    def handle(self, *args, delete: bool = False, **options) -> None:
        if not telegram_configured():
            raise CommandError("Set TELEGRAM_BOT_TOKEN, TELEGRAM_BOT_USERNAME and TELEGRAM_WEBHOOK_SECRET first.")
        bot = shared_bot(settings.TELEGRAM_BOT_TOKEN)
        url = settings.SITE_URL + reverse("subscriptions:telegram-webhook")
        try:
            if delete:
                run_on_client_loop(bot.delete_webhook())
                self.stdout.write("Webhook removed.")
                return
            run_on_client_loop(bot.set_webhook(url=url, secret_token=settings.TELEGRAM_WEBHOOK_SECRET,
                                               allowed_updates=["message"], max_connections=10))
        except TelegramError as error:
            message = str(error).replace(settings.TELEGRAM_BOT_TOKEN, "<token>")
            raise CommandError(f"Telegram refused the webhook: {message}") from None
        self.stdout.write(f"Webhook set: {url} (updates: message; secret token from TELEGRAM_WEBHOOK_SECRET)")
