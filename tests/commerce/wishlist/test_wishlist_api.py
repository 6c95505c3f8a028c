"""The wishlist over the API: add once, list, remove, and nobody else's list."""

import pytest

from commerce.catalog.services import product_archive, product_restore
from commerce.inventory.models import StockAdjustment
from commerce.inventory.services import stock_set
from commerce.wishlist.models import WishlistItem
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.factories.catalog import create_product

pytestmark = pytest.mark.django_db

WISHLIST = "/api/v1/wishlist/"


def test_adding_is_201_then_200_without_a_duplicate_and_the_list_shows_the_product():
    product = create_product(price="12.50", stock=0)
    client = client_for(UserFactory())
    first = client.post(WISHLIST, {"product_id": product.pk}, format="json")
    assert first.status_code == 201, first.content
    again = client.post(WISHLIST, {"product_id": product.pk}, format="json")
    assert again.status_code == 200
    assert WishlistItem.objects.count() == 1
    [item] = client.get(WISHLIST).json()["items"]
    assert item["product"]["id"] == product.pk
    assert item["product"]["price"] == "12.50"
    assert item["product"]["currency"] == "USD"
    assert item["product"]["in_stock"] is False
    assert item["product"]["image"] is None
    assert item["added_at"]
    stock_set(product_id=product.pk, quantity=3, reason=StockAdjustment.Reason.RESTOCK)
    [item] = client.get(WISHLIST).json()["items"]
    assert item["product"]["in_stock"] is True


def test_newest_first_and_removal_is_204_then_404():
    old, new = create_product(), create_product()
    client = client_for(UserFactory())
    for product in (old, new):
        client.post(WISHLIST, {"product_id": product.pk}, format="json")
    items = client.get(WISHLIST).json()["items"]
    assert [i["product"]["id"] for i in items] == [new.pk, old.pk]
    assert client.delete(f"{WISHLIST}{old.pk}/").status_code == 204
    assert client.delete(f"{WISHLIST}{old.pk}/").status_code == 404
    assert [i["product"]["id"] for i in client.get(WISHLIST).json()["items"]] == [
        new.pk
    ]


def test_another_users_list_is_never_visible_or_changeable():
    product = create_product()
    owner, other = UserFactory(), UserFactory()
    client_for(owner).post(WISHLIST, {"product_id": product.pk}, format="json")
    assert client_for(other).get(WISHLIST).json() == {"items": []}
    assert client_for(other).delete(f"{WISHLIST}{product.pk}/").status_code == 404
    assert WishlistItem.objects.filter(user=owner, product=product).exists()


def test_anonymous_is_401_and_bad_products_are_refused(api_client):
    assert api_client.get(WISHLIST).status_code == 401
    assert (
        api_client.post(WISHLIST, {"product_id": 1}, format="json").status_code == 401
    )
    client = client_for(UserFactory())
    for body in ({}, {"product_id": "x"}, {"product_id": 999999}, {"product_id": 0}):
        response = client.post(WISHLIST, body, format="json")
        assert response.status_code == 400, body
        assert "product_id" in response.json()
    draft = create_product(live=False)
    response = client.post(WISHLIST, {"product_id": draft.pk}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "product_unavailable"


def test_an_archived_product_drops_out_and_returns_when_restored():
    product, other = create_product(), create_product()
    client = client_for(UserFactory())
    for p in (product, other):
        client.post(WISHLIST, {"product_id": p.pk}, format="json")
    product_archive(product_id=product.pk, actor=None)
    ids = [i["product"]["id"] for i in client.get(WISHLIST).json()["items"]]
    assert ids == [other.pk]
    product_restore(product_id=product.pk, actor=None)
    ids = [i["product"]["id"] for i in client.get(WISHLIST).json()["items"]]
    assert ids == [other.pk, product.pk]
