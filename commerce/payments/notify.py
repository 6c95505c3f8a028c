"""The notifications payments send: to the shopper, and alerts to staff."""

from realtime.models import NotificationKind
from realtime.services import notification_send, notification_send_staff

from .models import Payment, Refund


def _data(payment: Payment, **extra) -> dict:
    order = payment.order
    return {
        "order_id": order.pk,
        "number": order.number,
        "payment_id": payment.pk,
        "provider": payment.provider,
        "amount": f"{payment.amount:.2f}",
        "currency": payment.currency,
        **extra,
    }


def notify_payment_succeeded(payment: Payment) -> None:
    order = payment.order
    notification_send(
        user=order.user,
        kind=NotificationKind.PAYMENT_SUCCEEDED,
        title=f"Payment received for order {order.number}",
        body=f"We received {payment.amount:.2f} {payment.currency} for order "
        f"{order.number}. Thank you!",
        data=_data(payment),
    )


def notify_payment_failed(payment: Payment) -> None:
    order = payment.order
    reason = payment.failure_message or "The payment did not go through."
    notification_send(
        user=order.user,
        kind=NotificationKind.PAYMENT_FAILED,
        title=f"Payment for order {order.number} failed",
        body=f"Your payment for order {order.number} failed: {reason}",
        data=_data(payment, reason=reason),
    )


def notify_refund_issued(refund: Refund) -> None:
    payment = refund.payment
    order = payment.order
    notification_send(
        user=order.user,
        kind=NotificationKind.REFUND_ISSUED,
        title=f"Refund for order {order.number}",
        body=f"We refunded {refund.amount:.2f} {payment.currency} for order "
        f"{order.number}.",
        data=_data(payment, refund_id=refund.pk, amount=f"{refund.amount:.2f}"),
    )


def alert_staff(payment: Payment, *, title: str, body: str, problem: str) -> None:
    notification_send_staff(
        kind=NotificationKind.PAYMENT_ALERT,
        title=title,
        body=body,
        data=_data(payment, problem=problem, reference=payment.provider_reference),
    )
