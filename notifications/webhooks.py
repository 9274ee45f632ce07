"""What Telegram and Twilio send us: a bot command in a private chat, an SMS to our number.

Both are checked before anything is read: Telegram's secret token header (set with `manage.py set_telegram_webhook`)
and Twilio's request signature (an HMAC of the URL and the parameters with the account's auth token). Replies go
back in the response itself (Telegram's webhook reply, Twilio's TwiML), so no chat id or number is stored for them.
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.utils.translation import gettext_lazy as _
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from sachet.phones import InvalidPhone, mask, normalise

from . import subscriptions
from .channels import sms_configured, telegram_configured

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def telegram(request):
    if not telegram_configured():
        raise Http404(_("Telegram subscriptions are not configured."))
    secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if not constant_time_compare(secret, settings.TELEGRAM_WEBHOOK_SECRET):
        logger.warning("telegram webhook: wrong or missing secret token")
        return JsonResponse({"error": "forbidden"}, status=403)
    try:
        update = json.loads(request.body)
        message = update.get("message") or {}
        chat, text = message.get("chat") or {}, (message.get("text") or "").strip()
    except (ValueError, AttributeError):
        return JsonResponse({"error": "not a Telegram update"}, status=400)
    # Only commands in a private chat: a group's chat id is not a person who agreed to anything.
    if chat.get("type") != "private" or not text.startswith("/") or "id" not in chat:
        return JsonResponse({"ok": True})
    command, _space, argument = text.partition(" ")
    user_language = ((message.get("from") or {}).get("language_code") or "")[:2]
    language = user_language if user_language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    reply = subscriptions.telegram_reply(chat_id=str(chat["id"]), command=command.split("@")[0].lower(),
                                         argument=argument.strip()[:64], language=language)
    return JsonResponse({"method": "sendMessage", "chat_id": chat["id"], "text": reply})


@csrf_exempt
@require_POST
def twilio_inbound(request):
    if not sms_configured():
        raise Http404(_("SMS is not configured."))
    params = {name: request.POST.get(name) for name in request.POST}
    signature = request.headers.get("X-Twilio-Signature", "")
    validator = RequestValidator(settings.TWILIO_AUTH_TOKEN)
    # Twilio signs the URL it was given (the public one); behind a proxy the request's own may differ.
    urls = {settings.SITE_URL + request.get_full_path(), request.build_absolute_uri()}
    if not signature or not any(validator.validate(url, params, signature) for url in urls):
        logger.warning("twilio inbound: signature missing or wrong")
        return HttpResponse("forbidden", status=403, content_type="text/plain")
    response = MessagingResponse()
    try:
        phone = normalise(params.get("From") or "")
    except InvalidPhone:
        return HttpResponse(str(response), content_type="text/xml")
    reply = subscriptions.sms_reply(phone=phone, text=params.get("Body") or "")
    logger.info("twilio inbound from %s answered", mask(phone))
    if reply:
        response.message(reply)
    return HttpResponse(str(response), content_type="text/xml")
