"""The Wagtail admin lists email dead letters for staff."""

import pytest

from realtime.models import EmailDeadLetter, Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_admin_sees_undelivered_emails(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    n = Notification.objects.create(
        user=UserFactory(), kind="order_placed", title="t", body="b"
    )
    EmailDeadLetter.objects.create(
        notification=n,
        recipient="lost@example.com",
        kind="order_placed",
        attempts=6,
        error="SMTPServerDisconnected: gone",
    )
    client.force_login(admin)
    response = client.get("/admin/notifications/dead-letters/")
    assert response.status_code == 200
    assert b"lost@example.com" in response.content
    assert b"SMTPServerDisconnected" in response.content
    assert client.get("/admin/notifications/dead-letters/new/").status_code in (
        403,
        404,
        302,
    )


def test_customers_cannot_see_them(client):
    client.force_login(UserFactory())
    response = client.get("/admin/notifications/dead-letters/")
    assert response.status_code in (302, 403)
