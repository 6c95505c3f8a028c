"""A new order's rows, written together (one statement on PostgreSQL)."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from commerce.orders.models import Order, OrderEvent, OrderLine, OrderStatus
from commerce.orders.rows import order_rows_insert
from tests.factories.catalog import create_product

pytestmark = pytest.mark.django_db


def test_each_row_gets_its_own_id_and_the_order_it_belongs_to(customer):
    products = [create_product(price="2.50", stock=9) for _ in range(3)]
    lines = [
        OrderLine(
            product=product,
            sku=product.sku,
            title=product.title,
            unit_price=Decimal("2.50"),
            quantity=n,
            line_total=Decimal("2.50") * n,
        )
        for n, product in enumerate(products, start=1)
    ]
    order = Order(
        number="NX-ROWS-TEST-0001",
        user=customer,
        email=customer.email,
        currency="USD",
        subtotal=Decimal("15.00"),
        total=Decimal("15.00"),
    )
    event = OrderEvent(actor=customer, from_status="", to_status=OrderStatus.PENDING)

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
    first, second = (
        Order(
            number="NX-SAME-SAME-SAME",
            user=customer,
            email=customer.email,
            currency="USD",
            subtotal=Decimal("1.00"),
            total=Decimal("1.00"),
        )
        for _ in range(2)
    )
    product = create_product(price="1.00", stock=9)

    def rows(order):
        line = OrderLine(
            product=product,
            sku=product.sku,
            title=product.title,
            unit_price=Decimal("1.00"),
            quantity=1,
            line_total=Decimal("1.00"),
        )
        event = OrderEvent(actor=customer, to_status=OrderStatus.PENDING)
        return {"order": order, "lines": [line], "event": event}

    with transaction.atomic():
        order_rows_insert(**rows(first))
    with pytest.raises(IntegrityError, match="number"), transaction.atomic():
        order_rows_insert(**rows(second))

    assert OrderLine.objects.count() == 1
    assert OrderEvent.objects.count() == 1
