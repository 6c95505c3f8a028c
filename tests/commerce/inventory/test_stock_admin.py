"""Stock in the Wagtail admin: listing, low-stock filter, adjusting, the panel."""

import re

import pytest
from django.contrib.auth.models import Permission

from commerce.inventory.models import StockAdjustment, StockRecord
from tests.factories import UserFactory
from tests.factories.catalog import create_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def stock_keeper(client):
    """A staff member allowed into the admin and to change stock, nothing more."""
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="change_stockrecord"),
    )
    client.force_login(user)
    client.user = user
    return client


def test_listing_shows_stock_and_filters_low_stock(stock_keeper):
    create_product(title="Plenty Lamp", stock=50)
    create_product(title="Last Lamp", stock=1)
    everything = stock_keeper.get("/admin/stock/")
    assert everything.status_code == 200
    assert b"Plenty Lamp" in everything.content and b"Last Lamp" in everything.content
    low = stock_keeper.get("/admin/stock/?low_stock=yes")
    assert b"Last Lamp" in low.content and b"Plenty Lamp" not in low.content
    # The active filter reads "Low stock: Yes", not a boolean's True.
    text = " ".join(re.sub(r"<[^>]+>", " ", low.content.decode()).split())
    assert "Low stock: Yes" in text
    plenty = stock_keeper.get("/admin/stock/?low_stock=no")
    assert b"Plenty Lamp" in plenty.content and b"Last Lamp" not in plenty.content


def test_adjusting_records_the_actor_the_amount_and_the_reason(stock_keeper):
    product = create_product(stock=2)
    record = StockRecord.objects.get(product=product)
    form = stock_keeper.get(f"/admin/stock/adjust/{record.pk}/")
    assert form.status_code == 200
    # The form's title names the product, in the tab and the header.
    assert f"<title>Adjust stock: {product.title}".encode() in form.content
    assert f"Adjust stock of “{product.title}”".encode() in form.content
    response = stock_keeper.post(
        f"/admin/stock/adjust/{record.pk}/",
        {"delta": "10", "reason": "restock", "note": "Delivery 4711"},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.quantity == 12
    adjustment = StockAdjustment.objects.get(stock_record=record)
    assert adjustment.actor == stock_keeper.user
    assert (adjustment.delta, adjustment.reason, adjustment.note) == (
        10,
        "restock",
        "Delivery 4711",
    )
    history = stock_keeper.get(f"/admin/stock/adjust/{record.pk}/")
    assert b"Delivery 4711" in history.content


def test_removing_more_than_is_on_hand_is_refused_in_the_form(stock_keeper):
    record = StockRecord.objects.get(product=create_product(stock=3))
    response = stock_keeper.post(
        f"/admin/stock/adjust/{record.pk}/", {"delta": "-5", "reason": "damage"}
    )
    assert response.status_code == 200
    assert b"Only 3 in stock" in response.content
    record.refresh_from_db()
    assert record.quantity == 3
    assert not StockAdjustment.objects.exists()


@pytest.mark.parametrize("delta", ["0", "abc", "99999999999", ""])
def test_nonsense_changes_are_refused(stock_keeper, delta):
    record = StockRecord.objects.get(product=create_product(stock=3))
    response = stock_keeper.post(
        f"/admin/stock/adjust/{record.pk}/", {"delta": delta, "reason": "correction"}
    )
    assert response.status_code == 200
    record.refresh_from_db()
    assert record.quantity == 3


def test_sales_cannot_be_typed_in_by_an_editor(stock_keeper):
    record = StockRecord.objects.get(product=create_product(stock=3))
    stock_keeper.post(
        f"/admin/stock/adjust/{record.pk}/", {"delta": "-1", "reason": "order"}
    )
    record.refresh_from_db()
    assert record.quantity == 3


def test_the_edit_form_changes_the_threshold_but_never_the_quantity(stock_keeper):
    record = StockRecord.objects.get(product=create_product(stock=3))
    stock_keeper.post(
        f"/admin/stock/edit/{record.pk}/",
        {"low_stock_threshold": "9", "quantity": "999"},
    )
    record.refresh_from_db()
    assert (record.quantity, record.low_stock_threshold) == (3, 9)


def test_stock_rows_cannot_be_added_or_deleted_by_hand(stock_keeper):
    record = StockRecord.objects.get(product=create_product(stock=3))
    assert stock_keeper.get("/admin/stock/new/").status_code in {302, 403}
    stock_keeper.post(f"/admin/stock/delete/{record.pk}/")
    assert StockRecord.objects.filter(pk=record.pk).exists()


def test_dashboard_shows_low_stock_panel(stock_keeper):
    create_product(title="Nearly Gone Lamp", stock=1)
    create_product(title="Well Stocked Lamp", stock=100)
    dashboard = stock_keeper.get("/admin/")
    assert dashboard.status_code == 200
    assert b"Low stock" in dashboard.content
    assert b"Nearly Gone Lamp" in dashboard.content
    assert b"Well Stocked Lamp" not in dashboard.content


def test_staff_without_stock_permission_cannot_adjust(client):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    record = StockRecord.objects.get(product=create_product(stock=3))
    response = client.post(
        f"/admin/stock/adjust/{record.pk}/", {"delta": "5", "reason": "restock"}
    )
    assert response.status_code in {302, 403}
    record.refresh_from_db()
    assert record.quantity == 3
