"""The cart endpoints of the API: shape, stock and availability checks, ownership."""

from decimal import Decimal

import pytest
from django.utils import timezone
from wagtail.images.tests.utils import get_test_image_file

from cms.models import ProductGalleryImage, ProductImage, ProductPage
from commerce.cart.models import CartItem
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.factories.catalog import create_product

pytestmark = pytest.mark.django_db

CART = "/api/v1/cart/"
ITEMS = "/api/v1/cart/items/"


def add(client, product_id, quantity=None):
    body = {"product_id": product_id}
    if quantity is not None:
        body["quantity"] = quantity
    return client.post(ITEMS, body, format="json")


class TestReadingTheCart:
    def test_a_new_user_sees_an_empty_cart(self, customer_client):
        response = customer_client.get(CART)
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"id", "items", "item_count", "subtotal", "currency"}
        assert body["items"] == []
        assert (body["item_count"], body["subtotal"], body["currency"]) == (
            0,
            "0.00",
            "USD",
        )

    def test_anonymous_is_401(self, api_client):
        assert api_client.get(CART).status_code == 401
        assert add(api_client, 1).status_code == 401

    def test_cart_shows_current_prices_and_totals_as_strings(self, customer_client):
        product = create_product(price="19.99", stock=10, sku="HP-1", title="Phones")
        add(customer_client, product.pk, 3)
        product.price = Decimal("21.50")
        product.save_revision().publish()

        body = customer_client.get(CART).json()
        [item] = body["items"]
        assert set(item) == {"id", "product", "quantity", "unit_price", "line_total"}
        assert item["product"] == {
            "id": product.pk,
            "sku": "HP-1",
            "title": "Phones",
            "price": "21.50",
            "image": None,
        }
        assert (item["quantity"], item["unit_price"], item["line_total"]) == (
            3,
            "21.50",
            "64.50",
        )
        assert (body["item_count"], body["subtotal"]) == (3, "64.50")

    def test_cart_product_image_is_the_first_gallery_image(self, customer_client):
        product = create_product(stock=5)
        first, second = (
            ProductImage.objects.create(
                title=name, file=get_test_image_file(filename=f"{name}.png")
            )
            for name in ("front", "back")
        )
        ProductGalleryImage.objects.create(page=product, image=second, sort_order=1)
        ProductGalleryImage.objects.create(page=product, image=first, sort_order=0)
        body = add(customer_client, product.pk).json()
        image = body["items"][0]["product"]["image"]
        assert image == f"http://testserver{first.file.url}"
        assert image.endswith(".png") and "front" in image

    def test_cart_and_product_image_urls_are_the_same_absolute_url(
        self, customer_client
    ):
        product = create_product(stock=5)
        photo = ProductImage.objects.create(
            title="side", file=get_test_image_file(filename="side.png")
        )
        ProductGalleryImage.objects.create(page=product, image=photo, sort_order=0)
        cart_image = add(customer_client, product.pk).json()["items"][0]["product"][
            "image"
        ]
        product_body = customer_client.get(f"/api/v1/products/{product.pk}/").json()
        assert cart_image.startswith("http://testserver/")
        assert cart_image == product_body["images"][0]["url"]

    def test_list_costs_the_same_queries_for_one_line_or_many(
        self, customer, customer_client, django_assert_max_num_queries
    ):
        for _ in range(6):
            add(customer_client, create_product(stock=5).pk, 1)
        with django_assert_max_num_queries(8):
            response = customer_client.get(CART)
        assert len(response.json()["items"]) == 6


class TestAddingLines:
    def test_add_returns_201_cart(self, customer_client):
        product = create_product(price="5.00", stock=4)
        response = add(customer_client, product.pk)
        assert response.status_code == 201
        [item] = response.json()["items"]
        assert (item["product"]["id"], item["quantity"]) == (product.pk, 1)

    def test_adding_again_raises_the_quantity_of_the_one_line(self, customer_client):
        product = create_product(stock=10)
        add(customer_client, product.pk, 2)
        response = add(customer_client, product.pk, 3)
        assert response.status_code == 201
        [item] = response.json()["items"]
        assert item["quantity"] == 5
        assert CartItem.objects.count() == 1

    def test_total_above_stock_is_409_with_available(self, customer_client):
        product = create_product(stock=4)
        add(customer_client, product.pk, 3)
        response = add(customer_client, product.pk, 2)
        assert response.status_code == 409
        body = response.json()
        assert (body["code"], body["available"]) == ("insufficient_stock", 4)
        assert CartItem.objects.get().quantity == 3

    def test_unpublished_product_is_409_unavailable(self, customer_client):
        product = create_product(stock=4, live=False)
        response = add(customer_client, product.pk)
        assert response.status_code == 409
        assert response.json()["code"] == "product_unavailable"
        assert not CartItem.objects.exists()

    def test_archived_product_is_409_unavailable(self, customer_client):
        product = create_product(stock=4)
        ProductPage.objects.filter(pk=product.pk).update(archived_at=timezone.now())
        response = add(customer_client, product.pk)
        assert response.status_code == 409
        assert response.json()["code"] == "product_unavailable"

    @pytest.mark.parametrize(
        "body",
        [
            {},
            {"product_id": 999_999},
            {"product_id": "abc"},
            {"product_id": None},
            {"product_id": 10**40},
            {"product_id": -1},
            {"product_id": "PRODUCT", "quantity": 1},
            {"product_id": "PRODUCT", "quantity": 0},
            {"product_id": "PRODUCT", "quantity": -3},
            {"product_id": "PRODUCT", "quantity": 1.5},
            {"product_id": "PRODUCT", "quantity": "many"},
            {"product_id": "PRODUCT", "quantity": 10**30},
            {"product_id": "PRODUCT", "quantity": 1001},
            {"product_id": "PRODUCT", "quantity": True},
            {"product_id": ["PRODUCT"]},
        ],
    )
    def test_bad_input_is_400_and_changes_nothing(self, customer_client, body):
        product = create_product(stock=5000)
        body = {
            k: (
                product.pk
                if v == "PRODUCT"
                else [product.pk]
                if v == ["PRODUCT"]
                else v
            )
            for k, v in body.items()
        }
        if body == {"product_id": product.pk, "quantity": 1}:
            body["product_id"] = product.get_parent().pk  # a page, not a product
        response = customer_client.post(ITEMS, body, format="json")
        assert response.status_code == 400
        assert isinstance(response.json(), dict)
        assert not CartItem.objects.exists()

    def test_a_list_body_is_400(self, customer_client):
        response = customer_client.post(ITEMS, [1, 2], format="json")
        assert response.status_code == 400

    def test_raising_a_line_past_the_ceiling_is_400(self, customer_client):
        product = create_product(stock=5000)
        add(customer_client, product.pk, 1000)
        response = add(customer_client, product.pk, 1)
        assert response.status_code == 400
        assert response.json()["code"] == "quantity_too_large"
        assert CartItem.objects.get().quantity == 1000


class TestChangingLines:
    def test_patch_sets_the_quantity(self, customer_client):
        product = create_product(stock=10, price="2.50")
        item_id = add(customer_client, product.pk).json()["items"][0]["id"]
        response = customer_client.patch(
            f"{ITEMS}{item_id}/", {"quantity": 4}, format="json"
        )
        assert response.status_code == 200
        assert response.json()["items"][0]["quantity"] == 4
        assert response.json()["subtotal"] == "10.00"

    def test_patch_above_stock_is_409(self, customer_client):
        product = create_product(stock=3)
        item_id = add(customer_client, product.pk).json()["items"][0]["id"]
        response = customer_client.patch(
            f"{ITEMS}{item_id}/", {"quantity": 4}, format="json"
        )
        assert response.status_code == 409
        assert response.json()["code"] == "insufficient_stock"
        assert response.json()["available"] == 3
        assert CartItem.objects.get().quantity == 1

    @pytest.mark.parametrize("quantity", [0, -1, None, "x", 10**20])
    def test_patch_bad_quantity_is_400(self, customer_client, quantity):
        product = create_product(stock=3)
        item_id = add(customer_client, product.pk).json()["items"][0]["id"]
        response = customer_client.patch(
            f"{ITEMS}{item_id}/", {"quantity": quantity}, format="json"
        )
        assert response.status_code == 400
        assert "quantity" in response.json()
        assert CartItem.objects.get().quantity == 1

    def test_delete_line_is_204(self, customer_client):
        product = create_product(stock=3)
        item_id = add(customer_client, product.pk).json()["items"][0]["id"]
        assert customer_client.delete(f"{ITEMS}{item_id}/").status_code == 204
        assert customer_client.get(CART).json()["items"] == []
        assert customer_client.delete(f"{ITEMS}{item_id}/").status_code == 404

    def test_delete_cart_empties_it(self, customer_client):
        add(customer_client, create_product(stock=3).pk)
        add(customer_client, create_product(stock=3).pk)
        assert customer_client.delete(CART).status_code == 204
        assert customer_client.get(CART).json()["items"] == []

    def test_unknown_or_huge_line_id_is_404(self, customer_client):
        assert customer_client.delete(f"{ITEMS}999999/").status_code == 404
        response = customer_client.patch(
            f"{ITEMS}{10**30}/", {"quantity": 1}, format="json"
        )
        assert response.status_code == 404


class TestOwnership:
    def test_another_users_line_is_404_and_untouched(self, customer_client):
        product = create_product(stock=10)
        other = client_for(UserFactory())
        item_id = add(other, product.pk, 2).json()["items"][0]["id"]

        patch = customer_client.patch(
            f"{ITEMS}{item_id}/", {"quantity": 1}, format="json"
        )
        assert patch.status_code == 404
        assert customer_client.delete(f"{ITEMS}{item_id}/").status_code == 404
        assert CartItem.objects.get(pk=item_id).quantity == 2

    def test_each_user_has_their_own_cart(self, customer_client):
        product = create_product(stock=10)
        other = client_for(UserFactory())
        add(other, product.pk, 2)
        assert customer_client.get(CART).json()["items"] == []
        assert other.get(CART).json()["item_count"] == 2
