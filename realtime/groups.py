"""Channel-layer group names and the payload a socket receives."""

from .models import Notification

STAFF_GROUP = "staff"


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def notification_payload(notification: Notification) -> dict:
    """The notification as REST and the websocket show it."""
    return {
        "id": notification.id,
        "kind": notification.kind,
        "title": notification.title,
        "body": notification.body,
        "data": notification.data,
        "read": notification.read,
        "created_at": notification.created_at.isoformat().replace("+00:00", "Z"),
    }
