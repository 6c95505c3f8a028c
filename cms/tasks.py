"""Wagtail's scheduled publishing, run every minute by Celery beat."""

import logging

from celery import shared_task
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import Revision

logger = logging.getLogger(__name__)

# Longer than a run can take; a run that died keeps others out only this long.
LOCK_SECONDS = 300
LOCK_KEY = "cms:publish-scheduled:lock"


@shared_task(name="cms.publish_scheduled", ignore_result=True)
def publish_scheduled() -> int:
    """Publish revisions whose go-live time has passed; unpublish expired pages.

    Runs Wagtail's own `publish_scheduled` command, so each publish is Wagtail's
    (log entry "wagtail.publish.scheduled", the `page_published` signal that keeps
    the catalog's read model in step). Idempotent: a published revision is no longer
    scheduled. Overlapping runs (a slow run, two beats) are skipped through a cache
    lock, so a revision is never published twice at once. No retries: the next
    minute's run catches up. Answers how many revisions were due.
    """
    if not cache.add(LOCK_KEY, "1", timeout=LOCK_SECONDS):
        logger.info("scheduled publishing already running; skipped")
        return 0
    try:
        due = Revision.objects.filter(approved_go_live_at__lt=timezone.now()).count()
        call_command("publish_scheduled")
    finally:
        cache.delete(LOCK_KEY)
    if due:
        logger.info("scheduled publishing: %d revision(s) went live", due)
    return due
