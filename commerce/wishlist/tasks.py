"""Back-in-stock alert tasks: one per restock, and the sweep that resumes lost ones."""

import logging

from celery import shared_task
from django.db import DatabaseError

from .services import restock_alerts_send, restocks_stalled

logger = logging.getLogger(__name__)

# A restock still alerting after this long lost its task (see `resume`).
STALLED_AFTER_SECONDS = 600


@shared_task(
    name="wishlist.restock_alerts",
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=8,
)
def restock_alerts(restock_id: int) -> int:
    """Alert the fans of one restock (`services.restock_alerts_send`).

    Idempotent: batches resume from the restock's cursor and each fan's alert row
    is unique, so a redelivered, retried or duplicated task tells nobody twice. A
    database error retries with backoff; whatever a failed batch did rolled back.
    """
    return restock_alerts_send(restock_id=restock_id)


def queue_restock_alerts(restock_id: int) -> None:
    """Queue the alert task (after the restock commits); a broker that refuses
    leaves the restock pending for `resume_stalled_restocks`."""
    try:
        restock_alerts.apply_async(args=[restock_id], retry=False)
    except Exception as exc:  # noqa: BLE001 - a broker outage must not fail stock
        logger.warning("restock %s: alert task not queued: %r", restock_id, exc)


@shared_task(name="wishlist.resume_stalled_restocks", ignore_result=True)
def resume_stalled_restocks() -> int:
    """Queue again the restocks whose alerts stalled (run by beat). Harmless to
    repeat: a restock's tasks take turns and skip fans already told."""
    stalled = restocks_stalled(older_than_seconds=STALLED_AFTER_SECONDS)
    for restock_id in stalled:
        queue_restock_alerts(restock_id)
    return len(stalled)
