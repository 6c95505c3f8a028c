"""Order history, detail, cancellation and admin status changes, with ownership."""

import pytest

from commerce.inventory.models import StockRecord
from commerce.orders.models import Order, OrderEvent
from realtime.models import Notification, NotificationKind
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.factories.catalog import create_product
from tests.factories.orders import place_order

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"


def stock(product) -> int:
    return StockRecord.objects.get(product=product).quantity


@pytest.fixture
def product():
    return create_product(stock=20, price="4.00")


class TestListingAndDetail:
    def test_customer_sees_own_orders_newest_first(self, customer, customer_client):
        product = create_product(stock=20)
        older = place_order(customer, (product, 1))
        newer = place_order(customer, (product, 2))
        place_order(UserFactory(), (product, 1))

        response = customer_client.get(ORDERS)
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"count", "next", "previous", "results"}
        assert body["count"] == 2
        assert [o["id"] for o in body["results"]] == [newer.pk, older.pk]
        assert body["results"][0]["items"][0]["quantity"] == 2

    def test_admin_sees_every_order(self, customer, admin_client_api, product):
        place_order(customer, (product, 1))
        place_order(UserFactory(), (product, 1))
        assert admin_client_api.get(ORDERS).json()["count"] == 2

    def test_status_filter_and_pagination(self, customer, customer_client, product):
        orders = [place_order(customer, (product, 1)) for _ in range(3)]
        Order.objects.filter(pk=orders[0].pk).update(status="paid")
        paid = customer_client.get(ORDERS, {"status": "paid"}).json()
        assert [o["id"] for o in paid["results"]] == [orders[0].pk]
        page = customer_client.get(ORDERS, {"page_size": 2}).json()
        assert (page["count"], len(page["results"])) == (3, 2)
        assert page["next"] is not None

    @pytest.mark.parametrize(
        "query", [{"status": "lost"}, {"page": "abc"}, {"page": 99}]
    )
    def test_bad_list_queries_are_4xx_not_500(self, customer_client, query):
        response = customer_client.get(ORDERS, query)
        assert response.status_code in (400, 404)
        assert response.status_code == (400 if "status" in query else 404)

    def test_detail_for_owner_and_admin_404_for_others(
        self, customer, customer_client, admin_client_api, product
    ):
        order = place_order(customer, (product, 1))
        url = f"{ORDERS}{order.pk}/"
        assert customer_client.get(url).json()["number"] == order.number
        assert admin_client_api.get(url).status_code == 200
        assert client_for(UserFactory()).get(url).status_code == 404
        assert customer_client.get(f"{ORDERS}{10**30}/").status_code == 404
        assert customer_client.get(f"{ORDERS}99999999/").status_code == 404

    def test_anonymous_is_401(self, api_client, customer, product):
        order = place_order(customer, (product, 1))
        assert api_client.get(ORDERS).status_code == 401
        assert api_client.get(f"{ORDERS}{order.pk}/").status_code == 401
        assert api_client.post(f"{ORDERS}{order.pk}/cancel/").status_code == 401


class TestCancel:
    def test_owner_cancels_a_pending_order_and_stock_comes_back(
        self, customer, customer_client, product
    ):
        order = place_order(customer, (product, 3))
        assert stock(product) == 17
        response = customer_client.post(f"{ORDERS}{order.pk}/cancel/")
        assert response.status_code == 200
        assert response.json()["status"] == "cancelled"
        assert stock(product) == 20
        event = OrderEvent.objects.filter(order=order).last()
        assert (event.from_status, event.to_status, event.actor) == (
            "pending",
            "cancelled",
            customer,
        )
        note = Notification.objects.get(kind=NotificationKind.ORDER_STATUS_CHANGED)
        assert (note.user, note.data["status"]) == (customer, "cancelled")

    def test_cancelling_twice_is_409_and_restores_once(
        self, customer, customer_client, product
    ):
        order = place_order(customer, (product, 3))
        customer_client.post(f"{ORDERS}{order.pk}/cancel/")
        again = customer_client.post(f"{ORDERS}{order.pk}/cancel/")
        assert again.status_code == 409
        assert again.json()["code"] == "invalid_transition"
        assert stock(product) == 20

    def test_a_shipped_order_cannot_be_cancelled(
        self, customer, customer_client, product
    ):
        order = place_order(customer, (product, 1))
        Order.objects.filter(pk=order.pk).update(status="shipped")
        response = customer_client.post(f"{ORDERS}{order.pk}/cancel/")
        assert response.status_code == 409
        assert response.json()["code"] == "invalid_transition"
        assert stock(product) == 19

    def test_another_user_cannot_cancel(self, customer, product):
        order = place_order(customer, (product, 1))
        response = client_for(UserFactory()).post(f"{ORDERS}{order.pk}/cancel/")
        assert response.status_code == 404
        assert Order.objects.get(pk=order.pk).status == "pending"

    def test_admin_may_cancel_a_paid_order(self, customer, admin_client_api, product):
        order = place_order(customer, (product, 2))
        Order.objects.filter(pk=order.pk).update(status="paid")
        response = admin_client_api.post(f"{ORDERS}{order.pk}/cancel/")
        assert response.status_code == 200
        assert stock(product) == 20


class TestAdminStatus:
    def test_admin_walks_an_order_through_its_life(
        self, customer, admin_user, admin_client_api, product
    ):
        order = place_order(customer, (product, 2))
        url = f"{ORDERS}{order.pk}/status/"
        for status in ("paid", "shipped", "delivered", "refunded"):
            response = admin_client_api.post(url, {"status": status}, format="json")
            assert response.status_code == 200, response.json()
            assert response.json()["status"] == status
        events = OrderEvent.objects.filter(order=order).order_by("id")
        assert [(e.from_status, e.to_status) for e in events] == [
            ("", "pending"),
            ("pending", "paid"),
            ("paid", "shipped"),
            ("shipped", "delivered"),
            ("delivered", "refunded"),
        ]
        assert all(e.actor == admin_user for e in events[1:])
        assert stock(product) == 18  # a refund does not put goods back on the shelf

    @pytest.mark.parametrize(
        "current,target",
        [
            ("pending", "shipped"),
            ("pending", "delivered"),
            ("pending", "refunded"),
            ("pending", "pending"),
            ("paid", "pending"),
            ("shipped", "cancelled"),
            ("cancelled", "paid"),
            ("refunded", "paid"),
            ("delivered", "shipped"),
        ],
    )
    def test_moves_off_the_map_are_409(
        self, customer, admin_client_api, product, current, target
    ):
        order = place_order(customer, (product, 1))
        Order.objects.filter(pk=order.pk).update(status=current)
        response = admin_client_api.post(
            f"{ORDERS}{order.pk}/status/", {"status": target}, format="json"
        )
        assert response.status_code == 409
        body = response.json()
        assert (body["code"], body["status"], body["requested"]) == (
            "invalid_transition",
            current,
            target,
        )
        assert Order.objects.get(pk=order.pk).status == current

    @pytest.mark.parametrize("body", [{}, {"status": "lost"}, {"status": ["paid"]}])
    def test_bad_status_body_is_400(self, customer, admin_client_api, product, body):
        order = place_order(customer, (product, 1))
        response = admin_client_api.post(
            f"{ORDERS}{order.pk}/status/", body, format="json"
        )
        assert response.status_code == 400
        assert "status" in response.json()

    def test_customer_may_not_set_status(self, customer, customer_client, product):
        order = place_order(customer, (product, 1))
        response = customer_client.post(
            f"{ORDERS}{order.pk}/status/", {"status": "paid"}, format="json"
        )
        assert response.status_code == 403
        assert Order.objects.get(pk=order.pk).status == "pending"

    def test_unknown_order_is_404(self, admin_client_api):
        response = admin_client_api.post(
            f"{ORDERS}424242/status/", {"status": "paid"}, format="json"
        )
        assert response.status_code == 404
