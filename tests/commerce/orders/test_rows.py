"""A new order's rows, written together (one statement on PostgreSQL)."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from commerce.orders.models import Order, OrderEvent, OrderLine, OrderStatus
from commerce.orders.rows import order_rows_insert
from tests.factories.catalog import create_product

pytestmark = pytest.mark.django_db

PRICE = Decimal("2.50")


def new_order(customer, *, number: str, total: Decimal) -> Order:
    return Order(
        number=number,
        user=customer,
        email=customer.email,
        currency="USD",
        subtotal=total,
        total=total,
    )


def new_line(product, quantity: int) -> OrderLine:
    return OrderLine(
        product=product,
        sku=product.sku,
        title=product.title,
        unit_price=PRICE,
        quantity=quantity,
        line_total=PRICE * quantity,
    )


def placed_event(customer) -> OrderEvent:
    return OrderEvent(actor=customer, from_status="", to_status=OrderStatus.PENDING)


def test_each_row_gets_its_own_id_and_the_order_it_belongs_to(customer):
    products = [create_product(price=str(PRICE), stock=9) for _ in range(3)]
    lines = [new_line(p, n) for n, p in enumerate(products, start=1)]
    order = new_order(customer, number="NX-ROWS-TEST-0001", total=Decimal("15.00"))
    event = placed_event(customer)

    with transaction.atomic():
        order_rows_insert(order=order, lines=lines, event=event)

    stored = Order.objects.get(pk=order.pk)
    assert (stored.number, stored.user, stored.status, stored.total) == (
        "NX-ROWS-TEST-0001",
        customer,
        OrderStatus.PENDING,
        Decimal("15.00"),
    )
    assert stored.created_at == order.created_at is not None
    for line in lines:
        row = OrderLine.objects.get(pk=line.pk)
        assert (row.order_id, row.product_id, row.quantity) == (
            order.pk,
            line.product_id,
            line.quantity,
        )
        assert line.order is order
    event_row = OrderEvent.objects.get(pk=event.pk)
    assert (event_row.order_id, event_row.actor, event_row.to_status) == (
        order.pk,
        customer,
        OrderStatus.PENDING,
    )


def test_a_clashing_order_number_writes_none_of_the_rows(customer):
    product = create_product(price=str(PRICE), stock=9)

    def place():
        order_rows_insert(
            order=new_order(customer, number="NX-SAME-SAME-SAME", total=PRICE),
            lines=[new_line(product, 1)],
            event=placed_event(customer),
        )

    with transaction.atomic():
        place()
    with pytest.raises(IntegrityError, match="number"), transaction.atomic():
        place()

    assert OrderLine.objects.count() == 1
    assert OrderEvent.objects.count() == 1
