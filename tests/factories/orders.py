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


def bought(user, product, *, status: str = "paid", quantity: int = 1) -> Order:
    """An order of `product` by `user`, moved on to `status` as staff would."""
    from commerce.orders.models import OrderStatus
    from commerce.orders.services import order_transition

    order = place_order(user, (product, quantity))
    path = {
        OrderStatus.PENDING: [],
        OrderStatus.PAID: [OrderStatus.PAID],
        OrderStatus.SHIPPED: [OrderStatus.PAID, OrderStatus.SHIPPED],
        OrderStatus.DELIVERED: [
            OrderStatus.PAID,
            OrderStatus.SHIPPED,
            OrderStatus.DELIVERED,
        ],
        OrderStatus.CANCELLED: [OrderStatus.CANCELLED],
        OrderStatus.REFUNDED: [OrderStatus.PAID, OrderStatus.REFUNDED],
    }[status]
    for step in path:
        order = order_transition(order_id=order.pk, to_status=step, actor=None)
    return order
