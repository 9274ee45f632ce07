"""The public subscription pages: /subscribe, the code and Telegram steps, the stop link, and the push pieces.

Every view parses with a form and calls `notifications.subscriptions`; the place typed is looked up through the
geocoding app here (never inside a transaction), and every POST that can send a code is rate-limited per address
and per number.
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from geocoding import services as geocoding
from geocoding.providers import ProviderUnavailable
from sachet import ratelimits
from sachet.phones import InvalidPhone

from . import subscriptions
from .channels import ChannelNotConfigured, sms_configured, telegram_configured, webpush_configured
from .codes import CodeNotSent
from .forms import SubscribeForm, SubscriptionCodeForm
from .models import Subscription

logger = logging.getLogger(__name__)


def available_channels() -> list[tuple[str, str]]:
    """The ways to subscribe that this site has configured, in words for the form."""
    channels = []
    if sms_configured():
        channels.append((subscriptions.SMS, _("SMS to my phone")))
    if telegram_configured():
        channels.append((subscriptions.TELEGRAM, _("Telegram message")))
    if webpush_configured():
        channels.append((subscriptions.WEBPUSH, _("Notification in this browser")))
    return channels


@require_http_methods(["GET", "POST"])
def subscribe(request):
    channels = available_channels()
    form = SubscribeForm(request.POST or None, channels=channels)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ratelimits.check(request, "subscribe", phone=data["phone"] or None)
        point = _point(form)
        if point is not None:
            try:
                subscription = subscriptions.subscribe(
                    channel=data["channel"], latitude=point[0], longitude=point[1], radius_km=data["radius_km"],
                    language=data["language"], phone=data["phone"], push_endpoint=data["push_endpoint"],
                    push_p256dh=data["push_p256dh"], push_auth=data["push_auth"])
            except InvalidPhone as error:
                form.add_error("phone", str(error))
            except CodeNotSent as error:
                form.add_error("phone", _("A code was sent to this number a moment ago. Please wait %(wait)s before "
                                          "asking again.") % {"wait": ratelimits.wait_in_words(error.retry_after)})
            except ChannelNotConfigured:
                form.add_error("channel", _("SMS alerts are not available right now. Please choose another way."))
            except subscriptions.InvalidPushEndpoint:
                form.add_error("channel", _("This browser's notifications cannot be used. Please choose another "
                                            "way."))
            else:
                return _next_step(request, subscription)
    context = {"form": form, "channels": channels, "vapid_public_key": settings.VAPID_PUBLIC_KEY}
    return render(request, "notifications/subscribe.html", context, status=400 if form.errors else 200)


def _point(form: SubscribeForm) -> tuple[float, float] | None:
    """The point marked on the map, or the typed place looked up; None (with a form error) when neither works."""
    data = form.cleaned_data
    if data["latitude"] is not None:
        return data["latitude"], data["longitude"]
    try:
        place = geocoding.geocode(data["place"], interactive=True)
    except ProviderUnavailable:
        form.add_error("place", _("The place look-up is unavailable right now. Please mark the place on the map."))
        return None
    if place is None:
        form.add_error("place", _("We could not find this place. Please check it, or mark it on the map."))
        return None
    return place.latitude, place.longitude


def _next_step(request, subscription: Subscription):
    if subscription.channel == subscriptions.SMS:
        return redirect("subscriptions:code", token=subscription.token)
    if subscription.channel == subscriptions.TELEGRAM:
        return redirect("subscriptions:telegram", token=subscription.token)
    messages.success(request, _("Done: this browser will show an alert when a child goes missing within %(km)d km "
                                "of the place you chose.") % {"km": subscription.radius_km})
    return redirect("subscriptions:done")


@require_http_methods(["GET", "POST"])
def confirm_code(request, token: str):
    subscription = subscriptions.pending(token=token, channel=subscriptions.SMS)
    if subscription is None:
        return render(request, "notifications/subscribe_expired.html", status=404)
    form = SubscriptionCodeForm(request.POST if request.POST.get("action") != "resend" else None)
    if request.method == "POST" and request.POST.get("action") == "resend":
        ratelimits.check(request, "subscribe", phone=subscription.address)
        try:
            subscriptions.resend_code(token=token)
        except CodeNotSent as error:
            messages.error(request, _("Please wait %(wait)s before asking for a new code.") % {
                "wait": ratelimits.wait_in_words(error.retry_after)})
        else:
            messages.success(request, _("A new code is on its way."))
        return redirect("subscriptions:code", token=token)
    if request.method == "POST" and form.is_valid():
        ratelimits.check(request, "code", phone=subscription.address)
        result = subscriptions.confirm_sms(token=token, code=form.cleaned_data["code"])
        if result.ok:
            messages.success(request, _("Done: you will get an SMS when a child goes missing within %(km)d km of the "
                                        "place you chose. Reply STOP to any of them to end the alerts.") % {
                "km": subscription.radius_km})
            return redirect("subscriptions:done")
        form.add_error("code", result.message)
    context = {"form": form, "masked_phone": subscription.masked_address}
    return render(request, "notifications/subscribe_code.html", context, status=400 if form.errors else 200)


@require_safe
def telegram_step(request, token: str):
    subscription = Subscription.objects.filter(token=token, channel=subscriptions.TELEGRAM).first()
    if subscription is None or (subscription.status == Subscription.Status.PENDING
                                and subscriptions.pending(token=token, channel=subscriptions.TELEGRAM) is None):
        return render(request, "notifications/subscribe_expired.html", status=404)
    link = f"https://t.me/{settings.TELEGRAM_BOT_USERNAME}?start={subscription.token}"
    return render(request, "notifications/subscribe_telegram.html", {
        "link": link, "confirmed": subscription.status == Subscription.Status.ACTIVE,
        "bot": settings.TELEGRAM_BOT_USERNAME})


@require_safe
def done(request):
    return render(request, "notifications/subscribe_done.html")


@require_http_methods(["GET", "POST"])
def stop(request, key: str):
    """The stop link in every SMS: one button (a GET only shows it, so link previews never unsubscribe anyone)."""
    exists = Subscription.objects.filter(stop_key=key).exists()
    if request.method == "POST":
        subscriptions.stop(key)
        return render(request, "notifications/stopped.html")
    return render(request, "notifications/stop.html", {"exists": exists}, status=200 if exists else 404)


@csrf_exempt
@require_POST
def push_stop(request):
    """A browser ends its own push subscription: {"endpoint": ...} (knowing the endpoint is the proof)."""
    try:
        endpoint = json.loads(request.body or b"{}").get("endpoint", "")
    except (ValueError, AttributeError):
        endpoint = None
    if not isinstance(endpoint, str) or not endpoint:
        return JsonResponse({"error": _("Send the endpoint of the push subscription to stop.")}, status=400)
    return JsonResponse({"stopped": subscriptions.stop_push(endpoint)})
