"""Channel-layer group names and the payload a socket receives."""

from .models import Notification
from .serializers import NotificationSerializer

STAFF_GROUP = "staff"


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def notification_payload(notification: Notification) -> dict:
    """The notification as REST shows it, so a socket and the API never disagree."""
    # A plain dict: DRF's ReturnDict carries its serializer (and the row) along, which
    # a channel layer has no use for.
    return dict(NotificationSerializer(notification).data)
