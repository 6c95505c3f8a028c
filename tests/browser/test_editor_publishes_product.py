"""An editor, in a real browser, adds a product with a photo and shoppers see it."""

import io
import json
import urllib.request

import pytest
from PIL import Image

from cms.models import ProductImage
from commerce.inventory.models import StockRecord
from tests.factories import UserFactory
from tests.factories.accounts import DEFAULT_PASSWORD
from tests.factories.catalog import create_category

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def photo(tmp_path) -> str:
    path = tmp_path / "lamp-photo.png"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (240, 200, 40)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def test_editor_creates_and_publishes_a_product_with_an_image(
    live_server, run_in_browser, tmp_path
):
    editor = UserFactory(is_staff=True, is_superuser=True, email="ed@example.com")
    shelf = create_category(title="Lamps", slug="lamps")
    base = live_server.url
    picture = photo(tmp_path)

    def editor_at_work(page):
        # Log in to the Wagtail admin.
        page.goto(f"{base}/admin/login/")
        page.fill("#id_username", editor.email)
        page.fill("#id_password", DEFAULT_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/admin/")

        # Upload the photo to the image library.
        page.goto(f"{base}/admin/images/multiple/add/")
        page.set_input_files("input[type=file]", picture)
        page.wait_for_selector("text=Upload successful")

        # Create the product under its category, with the photo in its gallery.
        page.goto(f"{base}/admin/pages/add/cms/productpage/{shelf.pk}/")
        page.fill("#id_title", "Brass Desk Lamp")
        page.fill("#id_sku", "LAMP-BRASS")
        page.fill("#id_price", "89.00")
        page.click("#id_gallery_images-ADD")
        page.locator("button[data-chooser-action-choose]").first.click()
        page.locator(".modal a[data-chooser-modal-choice]").first.click()
        page.wait_for_selector(".modal", state="hidden")
        page.fill("#id_gallery_images-0-alt", "The lamp, lit")

        # Publish from the editor's action menu.
        page.get_by_role("button", name="More actions").last.click()
        page.click("button[name=action-publish]")
        page.wait_for_url(f"{base}/admin/pages/{shelf.pk}/")
        page.wait_for_selector("text=Brass Desk Lamp")

    run_in_browser(editor_at_work)

    with urllib.request.urlopen(f"{base}/api/v1/products/?search=brass") as answer:
        listing = json.load(answer)
    (product,) = [p for p in listing["results"] if p["sku"] == "LAMP-BRASS"]
    assert product["title"] == "Brass Desk Lamp"
    assert product["price"] == "89.00"
    assert product["category"]["slug"] == "lamps"
    assert [(i["alt"], i["width"], i["height"]) for i in product["images"]] == [
        ("The lamp, lit", 64, 48)
    ]
    stored = ProductImage.objects.get(pk=product["images"][0]["id"])
    assert stored.file.storage.exists(stored.file.name)
    assert product["images"][0]["url"].endswith(stored.file.url)
    # Made in the admin, the product still got its stock row (empty, not missing).
    assert product["stock"] == 0
    assert StockRecord.objects.filter(product_id=product["id"]).exists()
