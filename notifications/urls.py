from django.urls import path, re_path

from . import views, webhooks

app_name = "subscriptions"

urlpatterns = [
    path("subscribe", views.subscribe, name="subscribe"),
    path("subscribe/done", views.done, name="done"),
    re_path(r"^subscribe/code/(?P<token>[\w-]{20,43})$", views.confirm_code, name="code"),
    re_path(r"^subscribe/telegram/(?P<token>[\w-]{20,43})$", views.telegram_step, name="telegram"),
    re_path(r"^stop/(?P<key>[0-9a-f]{20})$", views.stop, name="stop"),
    path("api/push/stop", views.push_stop, name="push-stop"),
    path("hooks/telegram", webhooks.telegram, name="telegram-webhook"),
    path("hooks/twilio/sms", webhooks.twilio_inbound, name="twilio-inbound"),
]
