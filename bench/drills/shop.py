"""A drill's shop: products with stock, a staff member, buyers with full carts.

Also the checkout calls the buyers make; bench/checkout_data.py writes the rows.
"""

import json
import statistics
import uuid
from collections import Counter

from bench.drills.load import Call, Result

STOCK_PER_PRODUCT = 1000  # far above any drill's demand: no low-stock mails


class Shop:
    def __init__(self, *, products: int, buyers: int, seed: str):
        from django.contrib.auth import get_user_model

        from bench.checkout_data import buyers_with_carts, catalog

        User = get_user_model()
        # One staff member, so each order also has its staff notification to count.
        self.staff, _ = User.objects.get_or_create(
            email="drills-staff@example.com",
            defaults={"is_staff": True, "password": "!"},
        )
        self.products = catalog(count=products)
        self.initial_stock = {p.pk: STOCK_PER_PRODUCT for p in self.products}
        self.tokens, self.user_ids = buyers_with_carts(
            count=buyers,
            stock=self.initial_stock,
            pick=lambda rng: [
                (p.pk, rng.randint(1, 2))
                for p in rng.sample(self.products, rng.randint(1, 3))
            ],
            seed=seed,
        )

    def checkout_calls(self, base: str) -> list[Call]:
        """One POST /api/v1/orders/ per buyer, each with its own Idempotency-Key
        (a retry reuses the call, so the key, as a client would)."""
        return [
            Call(
                "checkout",
                "POST",
                f"{base}/api/v1/orders/",
                {
                    "Authorization": f"Bearer {token}",
                    "Idempotency-Key": str(uuid.uuid4()),
                    "Content-Type": "application/json",
                },
                key=str(user_id),
            )
            for token, user_id in zip(self.tokens, self.user_ids, strict=True)
        ]

    def orders_per_buyer(self) -> Counter:
        from commerce.orders.models import Order

        return Counter(
            Order.objects.filter(user_id__in=self.user_ids).values_list(
                "user_id", flat=True
            )
        )


def confirmed(result: Result) -> bool:
    """The buyer has an order: 201, or 200 when a retry with the same
    Idempotency-Key replays an order an earlier attempt placed (that attempt
    committed, then failed before it could answer)."""
    return result.status in (200, 201)


def order_number(result: Result) -> str | None:
    if not confirmed(result):
        return None
    return json.loads(result.body)["number"]


def placed_notifications() -> dict[str, int]:
    """Order number → id of its order_placed notification."""
    from realtime.models import Notification

    return {
        number: pk
        for pk, number in Notification.objects.filter(kind="order_placed").values_list(
            "pk", "data__number"
        )
    }


def push_delays() -> dict[str, float | None]:
    """Order number → seconds from its order_placed row to its websocket push (None:
    the push failed). The row is written in the order's transaction, so this is
    commit to push, give or take the commit itself."""
    from realtime.models import Notification

    return {
        number: (sent - created).total_seconds() if sent else None
        for number, created, sent in Notification.objects.filter(
            kind="order_placed"
        ).values_list("data__number", "created_at", "push_sent_at")
    }


def seconds(values: list[float]) -> str:
    if not values:
        return "-"
    return (
        f"p50 {statistics.median(values):.2f} s, max {max(values):.2f} s "
        f"(n={len(values)})"
    )
