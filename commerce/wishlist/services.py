"""Every write to wishlists, and the back-in-stock alerts of a restock.

A restock is recorded by the stock transaction itself (`restock_record`, O(1): one
index probe and one insert, however many fans), and its fans are told afterwards by
a task (`restock_alerts_send`), a batch at a time, each batch in its own
transaction under the restock's lock, re-checking stock first.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from cms.models import ProductPage
from commerce.catalog.errors import ProductUnavailable
from commerce.inventory.models import StockRecord
from realtime.models import NotificationKind
from realtime.services import notification_send_many

from . import selectors
from .errors import WishlistFull
from .locks import lock_restock
from .models import Restock, RestockAlert, WishlistItem

MAX_ITEMS = 500
ALERT_BATCH = 300


def wishlist_add(*, user, product_id: int) -> tuple[WishlistItem, bool]:
    """Add a product on sale to the user's wishlist; returns the item and whether
    it is new (a repeat changes nothing). Raises ProductUnavailable for a product
    not on sale, WishlistFull past MAX_ITEMS. Takes no locks: the unique index
    keeps one item per product, also when two adds race."""
    if not selectors.product_on_sale(product_id=product_id):
        raise ProductUnavailable(product_id=product_id)
    item = WishlistItem.objects.filter(user=user, product_id=product_id).first()
    if item is not None:
        return item, False
    if WishlistItem.objects.filter(user=user).count() >= MAX_ITEMS:
        raise WishlistFull(maximum=MAX_ITEMS)
    try:
        with transaction.atomic():
            return WishlistItem.objects.create(user=user, product_id=product_id), True
    except IntegrityError:
        return WishlistItem.objects.get(user=user, product_id=product_id), False


def wishlist_remove(*, user, product_id: int) -> None:
    """Remove a product from the user's wishlist; Http404 if it is not there."""
    deleted, _ = WishlistItem.objects.filter(user=user, product_id=product_id).delete()
    if not deleted:
        raise Http404("Not in your wishlist.")


def restock_record(*, product_id: int, quantity: int) -> Restock | None:
    """Note that a product's stock went from 0 to `quantity`, if anyone wishes
    for it. Called in the stock transaction, under the stock row's lock, so one
    transition makes one restock; the caller queues its alerts after commit."""
    if not selectors.product_has_fans(product_id=product_id):
        return None
    return Restock.objects.create(product_id=product_id, quantity=quantity)


def _stop_reason(restock: Restock) -> str | None:
    """Why alerting must stop before the next batch, if it must."""
    product = (
        ProductPage.objects.filter(pk=restock.product_id)
        .values("live", "archived_at")
        .first()
    )
    if product is None or not product["live"] or product["archived_at"] is not None:
        return Restock.State.WITHDRAWN
    quantity = (
        StockRecord.objects.filter(product_id=restock.product_id)
        .values_list("quantity", flat=True)
        .first()
    )
    if not quantity or quantity <= 0:
        return Restock.State.SOLD_OUT
    if Restock.objects.filter(
        product_id=restock.product_id, pk__gt=restock.pk
    ).exists():
        return Restock.State.SUPERSEDED  # the later restock tells every fan
    return None


def restock_alerts_send(*, restock_id: int, batch: int = ALERT_BATCH) -> int:
    """Tell each fan of a restocked product, once, that it is back; returns how
    many this call alerted.

    Batch by batch, each in one transaction: lock the restock (`locks.py`), stop if
    it is finished, the product is withdrawn, sold out again or restocked anew;
    otherwise take the next `batch` fans after the cursor, record a RestockAlert
    per fan (unique per restock and user, so no fan is told twice even if two
    tasks run) and their `back_in_stock` notifications, and move the cursor.
    Notifications are delivered (live, then email) after each batch commits.
    """
    alerted = 0
    while True:
        with transaction.atomic():
            restock = lock_restock(restock_id=restock_id)
            if restock is None or restock.state != Restock.State.PENDING:
                return alerted
            stop = _stop_reason(restock)
            fans = []
            if stop is None:
                fans = list(
                    WishlistItem.objects.filter(
                        product_id=restock.product_id,
                        user_id__gt=restock.cursor,
                        user__is_active=True,
                    )
                    .order_by("user_id")
                    .values_list("user_id", flat=True)[:batch]
                )
            if not fans:
                restock.state = stop or Restock.State.DONE
                restock.finished_at = timezone.now()
                restock.save(update_fields=["state", "finished_at"])
                return alerted
            _alert(restock, fans)
            Restock.objects.filter(pk=restock.pk).update(
                cursor=fans[-1], alerted=F("alerted") + len(fans)
            )
        alerted += len(fans)


def _alert(restock: Restock, user_ids: list[int]) -> None:
    RestockAlert.objects.bulk_create(
        RestockAlert(restock=restock, user_id=user_id) for user_id in user_ids
    )
    product = ProductPage.objects.only("title", "sku", "slug").get(
        pk=restock.product_id
    )
    users = list(get_user_model().objects.filter(pk__in=user_ids).order_by("pk"))
    notification_send_many(
        users=users,
        kind=NotificationKind.BACK_IN_STOCK,
        title=f"Back in stock: {product.title}",
        body=f"{product.title}, on your wishlist, is back in stock. "
        "Quantities may be limited.",
        data={
            "product_id": product.pk,
            "sku": product.sku,
            "slug": product.slug,
            "restock_id": restock.pk,
        },
    )


def restocks_stalled(*, older_than_seconds: float) -> list[int]:
    """Restocks still alerting long after they began: their task was lost (a
    broker outage at commit) or died; the resume task queues them again."""
    since = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(
        Restock.objects.filter(state=Restock.State.PENDING, created_at__lt=since)
        .order_by("pk")
        .values_list("pk", flat=True)[:100]
    )
