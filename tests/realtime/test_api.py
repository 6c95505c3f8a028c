"""The notification endpoints of the API: own list, mark read, read all, ws ticket."""

import pytest

from realtime.models import Notification
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications/"


def make(user, n=1, **fields):
    return [
        Notification.objects.create(
            user=user, kind="order_placed", title=f"n{i}", body="b", **fields
        )
        for i in range(n)
    ]


def test_anonymous_gets_401_everywhere(api_client):
    assert api_client.get(URL).status_code == 401
    assert api_client.post(f"{URL}1/read/").status_code == 401
    assert api_client.post(f"{URL}read-all/").status_code == 401
    assert api_client.post(f"{URL}ws-ticket/").status_code == 401


def test_list_shows_only_own_newest_first_paginated(customer, customer_client):
    older, newer = make(customer, 2)
    make(UserFactory(), 3)
    body = customer_client.get(URL).json()
    assert body["count"] == 2
    assert [r["id"] for r in body["results"]] == [newer.id, older.id]
    assert set(body["results"][0]) == {
        "id",
        "kind",
        "title",
        "body",
        "data",
        "read",
        "created_at",
    }
    page = customer_client.get(URL, {"page_size": 1}).json()
    assert len(page["results"]) == 1 and page["next"]


def test_unread_filter(customer, customer_client):
    unread, _ = make(customer), make(customer, read=True)
    body = customer_client.get(URL, {"unread": "true"}).json()
    assert [r["id"] for r in body["results"]] == [unread[0].id]
    assert customer_client.get(URL, {"unread": "false"}).json()["count"] == 2


def test_bad_unread_value_is_400(customer_client):
    response = customer_client.get(URL, {"unread": "maybe"})
    assert response.status_code == 400
    assert "unread" in response.json()


def test_mark_read_returns_the_notification(customer, customer_client):
    (n,) = make(customer)
    response = customer_client.post(f"{URL}{n.id}/read/")
    assert response.status_code == 200
    assert response.json()["read"] is True and response.json()["id"] == n.id
    n.refresh_from_db()
    assert n.read
    # Marking again is harmless.
    assert customer_client.post(f"{URL}{n.id}/read/").status_code == 200


def test_someone_elses_notification_is_404(customer_client):
    (other,) = make(UserFactory())
    assert customer_client.post(f"{URL}{other.id}/read/").status_code == 404
    other.refresh_from_db()
    assert not other.read
    assert customer_client.post(f"{URL}999999/read/").status_code == 404


def test_read_all_counts_only_own_unread(customer, customer_client):
    make(customer, 3)
    make(customer, read=True)
    (other,) = make(UserFactory())
    response = customer_client.post(f"{URL}read-all/")
    assert response.status_code == 200
    assert response.json() == {"updated": 3}
    assert customer_client.post(f"{URL}read-all/").json() == {"updated": 0}
    other.refresh_from_db()
    assert not other.read


def test_ws_ticket_is_issued_to_an_authenticated_user(customer):
    response = client_for(customer).post(f"{URL}ws-ticket/")
    assert response.status_code == 201
    body = response.json()
    assert len(body["ticket"]) >= 32 and 0 < body["expires_in"] <= 60
