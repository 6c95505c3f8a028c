"""Periodic upkeep of checkout data."""

from celery import shared_task

from .checkout import idempotency_keys_purge


@shared_task(name="orders.purge_idempotency_keys", ignore_result=True)
def purge_idempotency_keys() -> int:
    """Delete Idempotency-Keys older than 24 hours.

    Idempotent (deleting what is already gone does nothing); no retries, the next
    beat run catches up. Expired keys are also ignored on access, so a late run
    never lets an old key block a new checkout.
    """
    return idempotency_keys_purge()
