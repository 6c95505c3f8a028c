"""An editor schedules a price change in the admin; when it is due, it goes live."""

import json
import time
import urllib.request
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from wagtail.models import Revision

from nexus import beat
from nexus.celery import app
from tests.factories import UserFactory
from tests.factories.accounts import DEFAULT_PASSWORD
from tests.factories.catalog import create_product, make_due

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def api_price(base: str, product_id: int) -> str:
    with urllib.request.urlopen(f"{base}/api/v1/products/{product_id}/") as answer:
        return json.load(answer)["price"]


def test_a_scheduled_price_goes_live_without_anyone_publishing_it(
    live_server, run_in_browser, tmp_path
):
    editor = UserFactory(is_staff=True, is_superuser=True, email="ed@example.com")
    product = create_product(title="Walnut Tray", price="40.00", sku="TRAY-1")
    base = live_server.url
    go_live = timezone.localtime() + timedelta(hours=2)

    def schedule_in_the_editor(page):
        from playwright.sync_api import expect

        page.goto(f"{base}/admin/login/")
        page.fill("#id_username", editor.email)
        page.fill("#id_password", DEFAULT_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/admin/")
        try:
            page.goto(f"{base}/admin/pages/{product.pk}/edit/")
            page.fill("#id_price", "35.00")
            # The status side panel holds "Set schedule", which opens the dialog.
            page.locator("[data-side-panel-toggle='status']").click()
            page.get_by_role("button", name="Set schedule").click()
            page.fill("#id_go_live_at", go_live.strftime("%Y-%m-%d %H:%M"))
            # The date picker may stay open over the dialog's button (it did on a
            # slow run): press the button itself rather than the spot it is at.
            save = page.get_by_role("button", name="Save schedule")
            expect(save).to_be_visible()
            save.evaluate("button => button.click()")
            page.wait_for_selector("text=has been updated")
            page.get_by_role("button", name="More actions").last.click()
            page.get_by_role("button", name="Schedule to publish").click()
            page.wait_for_selector("text=has been scheduled for publishing")
        except Exception:
            page.screenshot(path=str(tmp_path / "schedule.png"), full_page=True)
            raise

    run_in_browser(schedule_in_the_editor)

    revision = Revision.objects.get(approved_go_live_at__isnull=False)
    assert abs(revision.approved_go_live_at - go_live) < timedelta(minutes=1)
    assert api_price(base, product.pk) == "40.00"

    # Two hours pass; the beat of the serving process (here on a short interval)
    # publishes what is due, with nobody in the admin.
    make_due(revision)
    app.loader.import_default_modules()
    schedule = {
        name: {**entry, "schedule": 0.5}
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
    }
    running = beat.InProcessBeat(schedule, app=app).start()
    try:
        deadline = time.monotonic() + 30
        while api_price(base, product.pk) != "35.00" and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        running.stop()
    assert api_price(base, product.pk) == "35.00"

    def status_in_the_admin(page):
        page.goto(f"{base}/admin/login/")
        page.fill("#id_username", editor.email)
        page.fill("#id_password", DEFAULT_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/admin/")
        page.goto(f"{base}/admin/pages/{product.pk}/edit/")
        assert page.input_value("#id_price") == "35.00"
        header = page.locator("header").first.inner_text().lower()
        assert "scheduled" not in header, header

    run_in_browser(status_in_the_admin)
