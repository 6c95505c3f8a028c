"""The periodic tasks: what `celery beat` (or, on the embedded default, the serving
process's in-process beat) runs, each with an expiry shorter than its interval so
that a backlog never runs a stale copy."""

PERIODIC_TASKS: dict = {
    # Re-queues notification emails still undelivered a minute after their event
    # (broker outage, crash between commit and enqueue): delayed, never lost.
    "notification-email-relay": {
        "task": "realtime.tasks.notification_email_relay",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
    "orders-purge-idempotency-keys": {
        # Checkout Idempotency-Keys live 24 hours; expired ones are also ignored on use.
        "task": "orders.purge_idempotency_keys",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
    "wagtail-publish-scheduled": {
        # Wagtail's scheduled publishing: revisions whose go-live time has come are
        # published, pages past their expiry unpublished (cms/tasks.py).
        "task": "cms.publish_scheduled",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Unpaid orders older than ORDER_PAYMENT_TTL: cancelled, stock back, intent
    # cancelled at the provider. Safe to overlap (each order is claimed once).
    "payments-expire-unpaid-orders": {
        "task": "payments.expire_unpaid_orders",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Payments open past PAYMENT_RECONCILE_AFTER: asked about at the provider, as a
    # webhook may have been lost.
    "payments-reconcile": {
        "task": "payments.reconcile_open_payments",
        "schedule": 120.0,
        "options": {"expires": 110},
    },
    "wishlist-resume-stalled-restocks": {
        # Back-in-stock alerts whose task was lost (broker down at commit) resume.
        "task": "wishlist.resume_stalled_restocks",
        "schedule": 300.0,
        "options": {"expires": 240},
    },
}
