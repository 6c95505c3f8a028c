"""Carts and orders, built through the same services a shopper's requests use."""

from commerce.cart.services import cart_item_add
from commerce.orders.checkout import order_place
from commerce.orders.models import Order


def fill_cart(user, *lines) -> None:
    """`lines` are (product, quantity) pairs, added in the order given."""
    for product, quantity in lines:
        cart_item_add(user=user, product_id=product.pk, quantity=quantity)


def place_order(user, *lines) -> Order:
    """Fill the user's cart with `lines` and check it out."""
    fill_cart(user, *lines)
    return order_place(user=user)
