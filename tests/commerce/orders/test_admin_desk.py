"""The order desk in Wagtail's admin, driven as staff through Django's test client."""

import csv
import io

import pytest

from commerce.inventory.models import StockRecord
from commerce.orders.models import Order, OrderEvent
from tests.conftest import admin_login
from tests.factories import UserFactory
from tests.factories.catalog import create_product
from tests.factories.orders import place_order

pytestmark = pytest.mark.django_db

DESK = "/admin/orders/"


@pytest.fixture
def staff():
    return UserFactory(is_staff=True, email="desk@example.com")


@pytest.fixture
def desk(staff):
    return admin_login(staff)


@pytest.fixture
def orders():
    product = create_product(stock=50, price="10.00", sku="DESK-1", title="Desk")
    ada = UserFactory(email="ada@example.com")
    bob = UserFactory(email="bob@example.com")
    first = place_order(ada, (product, 1))
    second = place_order(bob, (product, 2))
    third = place_order(ada, (product, 3))
    Order.objects.filter(pk=second.pk).update(status="paid")
    return first, second, third


def test_listing_shows_orders_newest_first(desk, orders):
    first, second, third = orders
    html = desk.get(DESK).content.decode()
    positions = [html.index(order.number) for order in (third, second, first)]
    assert positions == sorted(positions)


def test_search_by_number_and_by_email(desk, orders):
    first, second, third = orders
    by_number = desk.get(DESK, {"q": second.number}).content.decode()
    assert second.number in by_number
    assert first.number not in by_number and third.number not in by_number
    by_email = desk.get(DESK, {"q": "ada@example"}).content.decode()
    assert first.number in by_email and third.number in by_email
    assert second.number not in by_email


def test_filter_by_status_and_date(desk, orders):
    first, second, third = orders
    paid = desk.get(DESK, {"status": "paid"}).content.decode()
    assert second.number in paid and first.number not in paid
    day = first.created_at.date().isoformat()
    today = desk.get(DESK, {"created_at_from": day, "created_at_to": day})
    assert all(o.number in today.content.decode() for o in orders)
    past = desk.get(
        DESK, {"created_at_from": "2001-01-01", "created_at_to": "2001-01-02"}
    ).content.decode()
    assert not any(o.number in past for o in orders)


def test_csv_export_lists_every_order(desk, orders):
    response = desk.get(DESK, {"export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["Number", "Email", "Status", "Subtotal"]
    by_number = {row[0]: row for row in rows[1:]}
    assert set(by_number) == {o.number for o in orders}
    second = by_number[orders[1].number]
    assert second[1:6] == ["bob@example.com", "paid", "20.00", "20.00", "USD"]


def test_inspect_shows_lines_history_and_the_moves_allowed(desk, orders):
    first = orders[0]
    html = desk.get(f"{DESK}inspect/{first.pk}/").content.decode()
    assert "DESK-1" in html and "10.00" in html
    assert 'data-testid="order-events"' in html
    assert f"/admin/orders/mark_paid/{first.pk}/" in html
    assert f"/admin/orders/cancel/{first.pk}/" in html
    assert f"/admin/orders/mark_shipped/{first.pk}/" not in html


def test_an_action_moves_the_order_and_records_the_staff_actor(desk, staff, orders):
    second = orders[1]  # paid
    assert desk.get(f"{DESK}mark_shipped/{second.pk}/").status_code == 200
    response = desk.post(f"{DESK}mark_shipped/{second.pk}/", {"note": "DHL 123"})
    assert response.status_code == 302
    assert Order.objects.get(pk=second.pk).status == "shipped"
    event = OrderEvent.objects.filter(order=second).latest("id")
    assert (event.from_status, event.to_status, event.actor, event.note) == (
        "paid",
        "shipped",
        staff,
        "DHL 123",
    )


def test_cancel_from_the_desk_restores_stock(desk, orders):
    third = orders[2]
    product_id = third.lines.get().product_id
    before = StockRecord.objects.get(product_id=product_id).quantity
    desk.post(f"{DESK}cancel/{third.pk}/")
    assert Order.objects.get(pk=third.pk).status == "cancelled"
    assert StockRecord.objects.get(product_id=product_id).quantity == before + 3


def test_a_move_off_the_map_changes_nothing(desk, orders):
    first = orders[0]  # pending
    response = desk.post(f"{DESK}mark_delivered/{first.pk}/", follow=True)
    assert Order.objects.get(pk=first.pk).status == "pending"
    assert "cannot become delivered" in response.content.decode()
    assert OrderEvent.objects.filter(order=first).count() == 1


def test_editors_who_are_not_staff_cannot_use_the_desk(orders):
    editor = admin_login(UserFactory(is_staff=False))
    assert editor.get(DESK).status_code in (302, 403)
    response = editor.post(f"{DESK}mark_paid/{orders[0].pk}/")
    assert response.status_code in (302, 403)
    assert Order.objects.get(pk=orders[0].pk).status == "pending"


def test_dashboard_panel_shows_todays_orders_and_revenue(desk, orders):
    Order.objects.filter(pk=orders[2].pk).update(status="cancelled")
    html = desk.get("/admin/").content.decode()
    assert 'data-testid="orders-today">3<' in html
    assert 'data-testid="revenue-today">30.00 USD<' in html


def test_the_generic_edit_and_delete_views_are_shut(desk, orders):
    first = orders[0]
    for url in (f"{DESK}edit/{first.pk}/", f"{DESK}delete/{first.pk}/"):
        assert desk.get(url).status_code in (302, 403)
        assert desk.post(url, {"status": "delivered"}).status_code in (302, 403)
    assert Order.objects.get(pk=first.pk).status == "pending"
    assert Order.objects.filter(pk=first.pk).exists()
    assert desk.get(f"{DESK}add/").status_code in (302, 403, 404)
