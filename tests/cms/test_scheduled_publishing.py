"""Scheduled publishing fires: a change scheduled in Wagtail reaches the API."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from wagtail.models import PageLogEntry, Revision

from cms.models import ProductPage
from cms.tasks import publish_scheduled
from nexus.celery import app
from tests.factories import UserFactory
from tests.factories.catalog import create_product, make_due, schedule_revision

pytestmark = pytest.mark.django_db


def api_price(client, product) -> str:
    response = client.get(f"/api/v1/products/{product.pk}/")
    assert response.status_code == 200, response.content
    return response.json()["price"]


def test_a_scheduled_price_change_reaches_the_api_when_it_is_due(
    client, django_capture_on_commit_callbacks
):
    editor = UserFactory(is_staff=True, is_superuser=True)
    product = create_product(price="10.00")
    revision = schedule_revision(
        product,
        go_live_at=timezone.now() + timedelta(hours=1),
        user=editor,
        price="12.50",
    )
    assert api_price(client, product) == "10.00"

    assert publish_scheduled.delay() is not None  # not due yet: nothing changes
    assert api_price(client, product) == "10.00"
    assert Revision.objects.get(pk=revision.pk).approved_go_live_at is not None

    make_due(revision)
    # The catalog cache moves on when the publishing transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        publish_scheduled.delay()
    assert api_price(client, product) == "12.50"
    page = ProductPage.objects.get(pk=product.pk)
    assert (page.live, page.live_revision_id, page.has_unpublished_changes) == (
        True,
        revision.pk,
        False,
    )
    # No longer "LIVE + SCHEDULED": nothing is left waiting.
    assert not Revision.objects.filter(approved_go_live_at__isnull=False).exists()
    assert PageLogEntry.objects.filter(
        page=product, action="wagtail.publish.scheduled"
    ).exists()
    listed = client.get("/api/v1/products/", {"search": product.sku}).json()
    assert [p["price"] for p in listed["results"]] == ["12.50"]


def test_a_product_past_its_expiry_leaves_the_api(
    client, django_capture_on_commit_callbacks
):
    product = create_product()
    ProductPage.objects.filter(pk=product.pk).update(
        expire_at=timezone.now() - timedelta(minutes=1)
    )
    assert client.get(f"/api/v1/products/{product.pk}/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        publish_scheduled.delay()
    assert client.get(f"/api/v1/products/{product.pk}/").status_code == 404
    assert ProductPage.objects.get(pk=product.pk).expired


def test_a_second_run_while_one_holds_the_lock_does_nothing(
    client, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    from cms.tasks import LOCK_KEY

    product = create_product(price="10.00")
    make_due(
        schedule_revision(
            product, go_live_at=timezone.now() + timedelta(hours=1), price="11.00"
        )
    )
    cache.add(LOCK_KEY, "1", timeout=60)
    try:
        assert publish_scheduled() == 0
        assert api_price(client, product) == "10.00"
    finally:
        cache.delete(LOCK_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        assert publish_scheduled() == 1
    assert api_price(client, product) == "11.00"


def test_celery_beat_runs_scheduled_publishing_every_minute():
    app.loader.import_default_modules()
    entries = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "cms.publish_scheduled"
    ]
    assert [entry["schedule"] for entry in entries] == [60.0]
    assert app.tasks["cms.publish_scheduled"].run is publish_scheduled.run
