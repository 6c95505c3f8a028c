"""POST /api/v1/orders/: all-or-nothing checkout with snapshots and notifications."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone

from cms.models import ProductPage
from commerce.cart.models import CartItem
from commerce.inventory.models import StockAdjustment, StockRecord
from commerce.inventory.services import stock_adjust
from commerce.orders.models import Order, OrderEvent, OrderLine
from realtime.models import Notification, NotificationKind
from tests.factories import UserFactory
from tests.factories.catalog import create_product
from tests.factories.orders import fill_cart

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"


def stock(product) -> int:
    return StockRecord.objects.get(product=product).quantity


def checkout(client, **headers):
    return client.post(ORDERS, format="json", **headers)


class TestPlacingAnOrder:
    def test_checkout_returns_the_pending_order_and_takes_the_stock(
        self, customer, customer_client
    ):
        phones = create_product(sku="HP-1", title="Phones", price="19.99", stock=5)
        cable = create_product(sku="CB-2", title="Cable", price="3.50", stock=9)
        fill_cart(customer, (phones, 2), (cable, 3))

        response = checkout(customer_client)

        assert response.status_code == 201
        body = response.json()
        assert set(body) == {
            "id",
            "number",
            "status",
            "items",
            "subtotal",
            "total",
            "currency",
            "created_at",
            "updated_at",
        }
        assert re.fullmatch(r"NX-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", body["number"])
        assert body["status"] == "pending"
        assert body["items"] == [
            {
                "product_id": phones.pk,
                "sku": "HP-1",
                "title": "Phones",
                "unit_price": "19.99",
                "quantity": 2,
                "line_total": "39.98",
            },
            {
                "product_id": cable.pk,
                "sku": "CB-2",
                "title": "Cable",
                "unit_price": "3.50",
                "quantity": 3,
                "line_total": "10.50",
            },
        ]
        assert (body["subtotal"], body["total"], body["currency"]) == (
            "50.48",
            "50.48",
            "USD",
        )
        assert (stock(phones), stock(cable)) == (3, 6)
        assert not CartItem.objects.filter(cart__user=customer).exists()
        adjustments = StockAdjustment.objects.filter(reason="order")
        assert sorted(a.delta for a in adjustments) == [-3, -2]
        assert {a.note for a in adjustments} == {body["number"]}
        event = OrderEvent.objects.get(order_id=body["id"])
        assert (event.from_status, event.to_status, event.actor) == (
            "",
            "pending",
            customer,
        )

    def test_a_one_product_order_records_who_took_how_many_and_what_is_left(
        self, customer, customer_client
    ):
        product = create_product(stock=4)
        fill_cart(customer, (product, 3))
        before = timezone.now()

        body = checkout(customer_client).json()

        [taken] = StockAdjustment.objects.filter(reason=StockAdjustment.Reason.ORDER)
        assert (
            taken.stock_record.product_id,
            taken.delta,
            taken.quantity_after,
            taken.note,
            taken.actor,
        ) == (product.pk, -3, 1, body["number"], customer)
        assert before <= taken.created_at <= timezone.now()
        assert stock(product) == 1

    def test_order_numbers_are_unique(self, customer, customer_client):
        product = create_product(stock=10)
        numbers = set()
        for _ in range(5):
            fill_cart(customer, (product, 1))
            numbers.add(checkout(customer_client).json()["number"])
        assert len(numbers) == 5

    def test_placing_records_customer_and_staff_notifications(
        self, customer, customer_client, admin_user
    ):
        second_admin = UserFactory(is_staff=True)
        product = create_product(stock=50)
        fill_cart(customer, (product, 2))
        order_id = checkout(customer_client).json()["id"]

        mine = Notification.objects.get(user=customer)
        assert mine.kind == NotificationKind.ORDER_PLACED
        assert mine.data["order_id"] == order_id
        assert mine.data["status"] == "pending"
        staff = Notification.objects.filter(kind=NotificationKind.NEW_ORDER)
        assert {n.user for n in staff} == {admin_user, second_admin}
        assert all(n.data["order_id"] == order_id for n in staff)

    def test_staff_hear_once_when_an_order_takes_stock_below_threshold(
        self, customer, customer_client, admin_user
    ):
        product = create_product(stock=7)  # threshold 5
        fill_cart(customer, (product, 2))
        checkout(customer_client)  # 7 -> 5: not below yet
        assert not Notification.objects.filter(kind="low_stock").exists()
        fill_cart(customer, (product, 1))
        checkout(customer_client)  # 5 -> 4: crosses
        fill_cart(customer, (product, 1))
        checkout(customer_client)  # 4 -> 3: already below, no repeat
        [alert] = Notification.objects.filter(kind=NotificationKind.LOW_STOCK)
        assert alert.user == admin_user
        assert alert.data == {"product_id": product.pk, "quantity": 4, "threshold": 5}

    def test_a_multi_line_order_takes_each_line_once_and_alerts_per_product(
        self, customer, customer_client, admin_user
    ):
        lamp = create_product(sku="LAMP", stock=6)  # threshold 5: 6 -> 3 crosses
        desk = create_product(sku="DESK", stock=9)  # 9 -> 8: stays above
        bulb = create_product(sku="BULB", stock=5)  # 5 -> 0 crosses
        fill_cart(customer, (lamp, 3), (desk, 1), (bulb, 5))
        assert checkout(customer_client).status_code == 201
        assert (stock(lamp), stock(desk), stock(bulb)) == (3, 8, 0)
        taken = StockAdjustment.objects.filter(reason=StockAdjustment.Reason.ORDER)
        assert sorted(taken.values_list("stock_record__product__sku", "delta")) == [
            ("BULB", -5),
            ("DESK", -1),
            ("LAMP", -3),
        ]
        alerts = Notification.objects.filter(kind=NotificationKind.LOW_STOCK)
        assert sorted(a.data["product_id"] for a in alerts) == sorted(
            [lamp.pk, bulb.pk]
        )

    def test_anonymous_is_401(self, api_client):
        assert checkout(api_client).status_code == 401


class TestNothingChangesWhenCheckoutFails:
    def test_empty_cart_is_400_cart_empty(self, customer_client):
        response = checkout(customer_client)
        assert response.status_code == 400
        assert response.json()["code"] == "cart_empty"
        assert not Order.objects.exists()

    def test_shortage_on_one_line_is_409_naming_it_and_nothing_changes(
        self, customer, customer_client
    ):
        plenty = create_product(stock=10)
        scarce = create_product(stock=5)
        fill_cart(customer, (plenty, 2), (scarce, 4))
        stock_adjust(product_id=scarce.pk, delta=-3, reason="damage")

        response = checkout(customer_client)

        assert response.status_code == 409
        body = response.json()
        assert (body["code"], body["product_id"], body["available"]) == (
            "insufficient_stock",
            scarce.pk,
            2,
        )
        assert (stock(plenty), stock(scarce)) == (10, 2)
        assert not Order.objects.exists() and not OrderLine.objects.exists()
        assert CartItem.objects.filter(cart__user=customer).count() == 2
        assert not Notification.objects.filter(kind="order_placed").exists()

    def test_archived_product_is_409_unavailable_and_nothing_changes(
        self, customer, customer_client
    ):
        kept = create_product(stock=10)
        gone = create_product(stock=10)
        fill_cart(customer, (kept, 1), (gone, 1))
        ProductPage.objects.filter(pk=gone.pk).update(archived_at=timezone.now())

        response = checkout(customer_client)

        assert response.status_code == 409
        assert response.json()["code"] == "product_unavailable"
        assert response.json()["product_id"] == gone.pk
        assert (stock(kept), stock(gone)) == (10, 10)
        assert not Order.objects.exists()
        assert CartItem.objects.filter(cart__user=customer).count() == 2

    def test_unpublished_product_is_409_unavailable(self, customer, customer_client):
        product = create_product(stock=10)
        fill_cart(customer, (product, 1))
        product.unpublish()
        response = checkout(customer_client)
        assert response.status_code == 409
        assert response.json()["code"] == "product_unavailable"
        assert stock(product) == 10


class TestPriceSnapshot:
    def test_order_keeps_the_price_published_at_checkout(
        self, customer, customer_client
    ):
        product = create_product(price="10.00", stock=10, title="Lamp")
        fill_cart(customer, (product, 2))
        product = ProductPage.objects.get(pk=product.pk)
        product.price = Decimal("12.00")
        product.save_revision().publish()

        body = checkout(customer_client).json()
        assert body["items"][0]["unit_price"] == "12.00"
        assert body["total"] == "24.00"

        product = ProductPage.objects.get(pk=product.pk)
        product.price = Decimal("15.00")
        product.title = "Desk lamp"
        product.save_revision().publish()
        again = customer_client.get(f"{ORDERS}{body['id']}/").json()
        assert again["items"][0]["unit_price"] == "12.00"
        assert again["items"][0]["title"] == "Lamp"
        assert again["total"] == "24.00"
