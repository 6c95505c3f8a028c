"""Staff work an order in a real browser: customer, note, timeline; the dashboard.

With NEXUS_WRITE_DOCS_IMAGES=1 the screenshots go to docs/images/ (admin.md shows
them): `NEXUS_WRITE_DOCS_IMAGES=1 pytest tests/browser/test_order_desk.py`.
"""

import os
from pathlib import Path

import pytest

from commerce.orders.models import OrderNote
from commerce.orders.services import order_transition
from tests.factories import UserFactory
from tests.factories.accounts import DEFAULT_PASSWORD
from tests.factories.catalog import create_category, create_product
from tests.factories.orders import place_order

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DOCS_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"


def screenshots_dir(tmp_path: Path) -> Path:
    if os.environ.get("NEXUS_WRITE_DOCS_IMAGES") == "1":
        DOCS_IMAGES.mkdir(exist_ok=True)
        return DOCS_IMAGES
    return tmp_path


def test_staff_add_a_note_and_read_the_history_of_an_order(
    live_server, run_in_browser, tmp_path
):
    staff = UserFactory(
        is_staff=True,
        is_superuser=True,
        email="desk@example.com",
        first_name="Dana",
        last_name="Desk",
    )
    lamps = create_category(title="Lamps", slug="lamps")
    lamp = create_product(
        category=lamps, title="Brass Desk Lamp", sku="LAMP-BRASS", price="89.00"
    )
    bulb = create_product(
        category=lamps, title="Warm Bulb", sku="BULB-2700", price="6.50"
    )
    ada = UserFactory(email="ada@example.com", first_name="Ada", last_name="Lovelace")
    order = place_order(ada, (lamp, 1), (bulb, 4))
    order_transition(
        order_id=order.pk, to_status="paid", actor=staff, note="Bank transfer 4471"
    )
    order_transition(order_id=order.pk, to_status="shipped", actor=staff, note="DHL")
    for buyer_email in ("bob@example.com", "cy@example.com"):
        place_order(UserFactory(email=buyer_email), (bulb, 2))
    base = live_server.url
    images = screenshots_dir(tmp_path)

    def desk_at_work(page):
        page.goto(f"{base}/admin/login/")
        page.fill("#id_username", staff.email)
        page.fill("#id_password", DEFAULT_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/admin/")

        page.goto(f"{base}/admin/orders/inspect/{order.pk}/")
        customer = page.get_by_test_id("customer-link")
        assert customer.inner_text() == "Ada Lovelace"
        page.fill("#id_note_body", "Customer asked for gift wrap.")
        page.get_by_role("button", name="Add note").click()
        page.wait_for_selector("text=Note added to order")
        timeline = page.get_by_test_id("order-timeline")
        entries = timeline.locator("li")
        assert entries.count() == 4
        assert "Placed" in entries.nth(0).inner_text()
        assert "Paid" in entries.nth(1).inner_text()
        assert "Bank transfer 4471" in entries.nth(1).inner_text()
        assert "Shipped" in entries.nth(2).inner_text()
        assert "gift wrap" in entries.nth(3).inner_text()
        assert "Dana Desk" in entries.nth(3).inner_text()
        # Wagtail's admin scrolls inside its own pane: a tall viewport shows it all.
        page.goto(f"{base}/admin/orders/inspect/{order.pk}/")
        page.set_viewport_size({"width": 1400, "height": 1750})
        page.screenshot(path=str(images / "admin-order-detail.png"))
        page.set_viewport_size({"width": 1400, "height": 1000})

        customer.click()
        page.wait_for_url(f"{base}/admin/users/edit/{ada.pk}/")

        page.goto(f"{base}/admin/")
        assert page.get_by_test_id("orders-today").inner_text() == "3"
        assert page.locator("img[src*='gravatar']").count() == 0
        page.screenshot(path=str(images / "admin-dashboard.png"), full_page=True)

    run_in_browser(desk_at_work)

    note = OrderNote.objects.get(order=order)
    assert (note.body, note.author_id) == ("Customer asked for gift wrap.", staff.pk)
    for name in ("admin-order-detail.png", "admin-dashboard.png"):
        assert (images / name).stat().st_size > 10_000
