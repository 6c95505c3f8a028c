"""Data for bench/checkout.py, written straight to the bench database with the ORM."""

import random
import uuid
from collections import defaultdict
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db.models import Sum
from rest_framework_simplejwt.tokens import AccessToken

from cms.models import ProductPage
from commerce.cart.models import Cart, CartItem
from commerce.inventory.models import StockRecord
from commerce.orders.models import Order, OrderLine

SKU_PREFIX = "BENCH-"
UNUSABLE = "!"  # Django's marker for "no password": buyers log in by token
QUEUE_NAME = "bench-checkout"  # bench/checkout.py sets CELERY_QUEUE to this


def catalog(*, count: int) -> list[ProductPage]:
    """`count` published bench products, created through Wagtail's tree once."""
    from tests.factories.catalog import create_category, create_product

    existing = list(
        ProductPage.objects.filter(sku__startswith=SKU_PREFIX).order_by("sku")
    )
    if len(existing) < count:
        category = create_category(title="Bench", slug=f"bench-{uuid.uuid4().hex[:6]}")
        for n in range(len(existing), count):
            create_product(
                category=category,
                sku=f"{SKU_PREFIX}{n:05d}",
                title=f"Bench product {n}",
                price=f"{random.randint(100, 9999) / 100:.2f}",
                stock=0,
            )
        existing = list(
            ProductPage.objects.filter(sku__startswith=SKU_PREFIX).order_by("sku")
        )
    return existing[:count]


def buyers_with_carts(
    *, count: int, stock: dict[int, int], pick: Callable, seed: str
) -> tuple[list[str], list[int]]:
    """Set stock, create `count` buyers whose carts hold `pick(rng)` lines, and
    return their access tokens and ids."""
    for product_id, quantity in stock.items():
        StockRecord.objects.update_or_create(
            product_id=product_id, defaults={"quantity": quantity}
        )
    run = uuid.uuid4().hex[:8]
    User = get_user_model()
    users = User.objects.bulk_create(
        [
            User(email=f"bench-{run}-{n}@example.com", password=UNUSABLE)
            for n in range(count)
        ]
    )
    carts = Cart.objects.bulk_create([Cart(user=user) for user in users])
    rng = random.Random(seed)
    items = []
    for cart in carts:
        lines = dict(pick(rng))  # one line per product
        items += [
            CartItem(cart=cart, product_id=pid, quantity=qty)
            for pid, qty in lines.items()
        ]
    CartItem.objects.bulk_create(items)
    tokens = [str(AccessToken.for_user(user)) for user in users]
    return tokens, [user.pk for user in users]


def oversell_check(*, stock: dict[int, int], user_ids: list[int]) -> str:
    """Stock never below zero, and units taken equal units in the run's orders."""
    ordered = defaultdict(int)
    for row in (
        OrderLine.objects.filter(order__user_id__in=user_ids)
        .values("product_id")
        .annotate(units=Sum("quantity"))
    ):
        ordered[row["product_id"]] = row["units"]
    remaining = dict(
        StockRecord.objects.filter(product_id__in=stock).values_list(
            "product_id", "quantity"
        )
    )
    negative = [pid for pid, qty in remaining.items() if qty < 0]
    mismatched = [
        pid for pid in stock if stock[pid] - remaining[pid] != ordered.get(pid, 0)
    ]
    orders = Order.objects.filter(user_id__in=user_ids).count()
    taken = sum(stock[pid] - remaining[pid] for pid in stock)
    verdict = "OK" if not negative and not mismatched else "OVERSOLD"
    return (
        f"oversell check {verdict}: {orders} orders, {taken} units taken, "
        f"{sum(ordered.values())} units ordered, "
        f"{len(negative)} negative rows, {len(mismatched)} mismatched products"
    )


def purge_queue() -> None:
    """Drop the bench's queued notification emails: no worker consumes them."""
    from nexus.celery import app

    try:
        with app.connection_for_write() as connection:
            connection.default_channel.queue_purge(QUEUE_NAME)
    except Exception as exc:  # a missing queue is not an error here
        print(f"(queue purge skipped: {exc})")
