"""The email for a notification: subject, text and HTML bodies from templates."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from .models import Notification


def message_id(notification: Notification) -> str:
    # Stable per notification, so a rare duplicate after a crash (see tasks.py) is
    # recognisable, and collapsed by mail clients that de-duplicate on Message-ID.
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "localhost"
    return f"<notification-{notification.pk}@{domain}>"


def build_message(notification: Notification) -> EmailMultiAlternatives:
    context = {
        "notification": notification,
        "user": notification.user,
        "data": notification.data,
        "site_name": getattr(settings, "WAGTAIL_SITE_NAME", "Nexus Shop"),
    }
    base = f"realtime/email/{notification.kind}"
    message = EmailMultiAlternatives(
        subject=notification.title,
        body=render_to_string(f"{base}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.user.email],
        headers={"Message-ID": message_id(notification)},
    )
    message.attach_alternative(render_to_string(f"{base}.html", context), "text/html")
    return message
