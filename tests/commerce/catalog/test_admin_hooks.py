"""Editors in the Wagtail admin: ordered products are archived, never deleted."""

from decimal import Decimal

import pytest
from django.apps import apps

from cms.models import ProductPage
from commerce.catalog.selectors import product_in_any_order, products_in_orders
from tests.factories import UserFactory
from tests.factories.catalog import create_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def put_in_an_order(product, number="N-0001"):
    """An order line for the product, as checkout (commerce.orders) writes it."""
    order_model = apps.get_model("orders", "Order")
    line_model = apps.get_model("orders", "OrderLine")
    buyer = UserFactory()
    order = order_model.objects.create(
        number=number,
        user=buyer,
        email=buyer.email,
        currency="USD",
        subtotal=Decimal("19.99"),
        total=Decimal("19.99"),
    )
    line_model.objects.create(
        order=order,
        product=product,
        sku=product.sku,
        title=product.title,
        unit_price=product.price,
        quantity=1,
        line_total=product.price,
    )


def test_ordered_products_are_named_once_each():
    sold, unsold = create_product(), create_product()
    put_in_an_order(sold, number="N-0001")
    put_in_an_order(sold, number="N-0002")
    assert products_in_orders(product_ids=[sold.pk, unsold.pk]) == {sold.pk}
    assert products_in_orders(product_ids=[]) == set()
    assert product_in_any_order(product_id=sold.pk)
    assert not product_in_any_order(product_id=unsold.pk)


def test_a_product_never_ordered_can_be_deleted(editor):
    product = create_product()
    response = editor.post(f"/admin/pages/{product.pk}/delete/")
    assert response.status_code == 302
    assert not ProductPage.objects.filter(pk=product.pk).exists()


def test_deleting_an_ordered_product_offers_archiving_instead(editor):
    product = create_product(title="Sold Lamp")
    put_in_an_order(product)
    page = editor.get(f"/admin/pages/{product.pk}/delete/")
    assert page.status_code == 200
    assert b"Archive this product" in page.content
    editor.post(f"/admin/pages/{product.pk}/delete/")
    assert ProductPage.objects.filter(pk=product.pk).exists()

    response = editor.post(f"/admin/catalog/products/{product.pk}/archive/")
    assert response.status_code == 302
    archived = ProductPage.objects.get(pk=product.pk)
    assert archived.archived_at is not None and not archived.live
    assert archived.order_lines.count() == 1


def test_an_archived_product_is_restored_from_the_admin(editor):
    product = create_product()
    editor.post(f"/admin/catalog/products/{product.pk}/archive/")
    editor.post(f"/admin/catalog/products/{product.pk}/restore/")
    restored = ProductPage.objects.get(pk=product.pk)
    assert restored.live and restored.archived_at is None


def test_archiving_from_the_admin_needs_page_permissions(client):
    product = create_product()
    client.force_login(UserFactory(is_staff=True))
    response = client.post(f"/admin/catalog/products/{product.pk}/archive/")
    assert response.status_code in {302, 403}
    assert ProductPage.objects.get(pk=product.pk).archived_at is None


def test_a_category_holding_an_ordered_product_is_not_deleted(editor):
    product = create_product(title="Sold Lamp")
    shelf = product.get_parent()
    put_in_an_order(product)
    page = editor.get(f"/admin/pages/{shelf.pk}/delete/")
    assert b"Sold Lamp" in page.content
    editor.post(f"/admin/pages/{shelf.pk}/delete/")
    assert ProductPage.objects.filter(pk=product.pk).exists()
