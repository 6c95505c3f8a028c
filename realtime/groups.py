"""Channel-layer group names and the payload a socket receives."""

import functools

from .models import Notification
from .serializers import NotificationSerializer

STAFF_GROUP = "staff"


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def notification_payload(notification: Notification) -> dict:
    """The notification as REST shows it, so a socket and the API never disagree."""
    # A plain dict: DRF's ReturnDict carries its serializer (and the row) along, which
    # a channel layer has no use for.
    return dict(_serializer().to_representation(notification))


@functools.cache
def _serializer() -> NotificationSerializer:
    # A ModelSerializer builds its fields from the model on each instance (a third of
    # a push's CPU); one instance, only ever read from, serves every push.
    return NotificationSerializer()
