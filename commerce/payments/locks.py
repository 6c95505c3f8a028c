"""The only place payment rows (and an order row, for payments) are locked."""

from commerce.orders.models import Order

from .models import Payment, PaymentEvent, Refund


def lock_order(*, order_id: int) -> Order | None:
    """Lock an order's row, so that starting a payment, expiring the order and
    refunding it queue behind each other. Must run inside `transaction.atomic`."""
    return Order.objects.select_for_update().filter(pk=order_id).first()


def lock_payment(*, payment_id: int) -> Payment | None:
    """Lock one payment's row: every status change and every refund of it runs
    under this lock, so two of them (a webhook and a client confirm) queue."""
    return (
        Payment.objects.select_for_update()
        .select_related("order")
        .filter(pk=payment_id)
        .first()
    )


def lock_refund(*, refund_id: int) -> Refund | None:
    return Refund.objects.select_for_update().filter(pk=refund_id).first()


def lock_event(*, event_pk: int) -> PaymentEvent | None:
    """Lock an inbox row while it is applied: a redelivered task waits, then sees
    it applied and does nothing."""
    return PaymentEvent.objects.select_for_update().filter(pk=event_pk).first()
