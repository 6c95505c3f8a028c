"""An editor, in a real browser, works the catalog: the products listing (price,
stock, screenshot for docs/admin.md), archive and restore, a new product with its
initial stock."""

import io
import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core.files.images import ImageFile
from PIL import Image

from cms.models import ProductGalleryImage, ProductImage, ProductPage
from commerce.inventory.models import StockAdjustment, StockRecord
from tests.factories import UserFactory
from tests.factories.accounts import DEFAULT_PASSWORD
from tests.factories.catalog import create_category, create_product

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SCREENSHOT = (
    Path(__file__).parents[2] / "docs" / "images" / "admin-products-listing.png"
)
AUTOSAVE_ERROR = "There are validation errors"


def log_in(page, base, user) -> None:
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/admin/")


def api_status(base, product_id) -> int:
    try:
        with urllib.request.urlopen(f"{base}/api/v1/products/{product_id}/") as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def photo(colour) -> ProductImage:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 120), colour).save(buffer, format="PNG")
    image = ProductImage(title="Photo", file=ImageFile(buffer, name="photo.png"))
    image._set_image_file_metadata()
    image.save()
    return image


def with_photo(product, colour) -> None:
    page = ProductPage.objects.get(pk=product.pk)
    page.gallery_images.add(ProductGalleryImage(image=photo(colour)))
    page.save_revision().publish()


def test_the_products_listing_shows_price_and_stock(live_server, run_in_browser):
    editor = UserFactory(is_staff=True, is_superuser=True, email="ed@example.com")
    lamps, chairs = create_category(title="Lamps"), create_category(title="Chairs")
    brass = create_product(
        category=lamps, title="Brass Desk Lamp", sku="LAMP-BRASS", price="89.00"
    )
    with_photo(brass, (220, 170, 40))
    paper = create_product(
        category=lamps, title="Paper Lantern", sku="LAMP-PAPER", price="24.50", stock=2
    )
    with_photo(paper, (240, 235, 220))
    oak = create_product(
        category=chairs, title="Oak Chair", sku="CHAIR-OAK", price="149.00", stock=40
    )
    with_photo(oak, (120, 80, 40))
    create_product(category=chairs, title="Stool", sku="CHAIR-STOOL", stock=0)
    base = live_server.url
    seen = {}

    def editor_looks(page):
        log_in(page, base, editor)
        page.goto(f"{base}/admin/products/")
        row = page.locator("tr", has_text="Paper Lantern")
        seen["price"] = row.locator("[data-testid=product-price]").inner_text()
        seen["stock"] = row.locator("[data-testid=product-stock]").inner_text()
        seen["oak_stock"] = (
            page.locator("tr", has_text="Oak Chair")
            .locator("[data-testid=product-stock]")
            .inner_text()
        )
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)
        # One click from the listing to the stock form, which names the product.
        row.locator("[data-testid=product-stock] a").click()
        page.wait_for_url("**/admin/stock/adjust/**")
        seen["stock_form"] = page.locator("h1").inner_text()

    run_in_browser(editor_looks)

    assert seen["price"].strip() == "24.50"
    assert " ".join(seen["stock"].split()) == "2 Low stock"
    assert seen["oak_stock"].strip() == "40"
    assert "Paper Lantern" in seen["stock_form"]
    assert SCREENSHOT.stat().st_size > 10_000


def test_editor_archives_and_restores_and_the_api_agrees(live_server, run_in_browser):
    editor = UserFactory(is_staff=True, is_superuser=True, email="ed@example.com")
    product = create_product(title="Brass Desk Lamp", sku="LAMP-BRASS")
    base = live_server.url
    seen = {}

    def more_menu_action(page, label):
        page.goto(f"{base}/admin/products/")
        row = page.locator("tr", has_text="Brass Desk Lamp")
        row.get_by_role("button", name="More options for 'Brass Desk Lamp'").click()
        row.get_by_role("link", name=label).click()
        page.get_by_role("button", name=f"Yes, {label.lower()} it").click()
        page.wait_for_selector(".messages .success")

    def editor_at_work(page):
        log_in(page, base, editor)
        more_menu_action(page, "Archive")
        seen["archived_api"] = api_status(base, product.pk)
        page.goto(f"{base}/admin/products/?archived=yes")
        seen["status"] = (
            page.locator("tr", has_text="Brass Desk Lamp")
            .locator("td")
            .last.inner_text()
        )
        more_menu_action(page, "Restore")
        seen["restored_api"] = api_status(base, product.pk)

    run_in_browser(editor_at_work)

    assert seen["archived_api"] == 404
    assert "archived" in seen["status"].lower()
    assert seen["restored_api"] == 200
    assert ProductPage.objects.available().filter(pk=product.pk).exists()


def test_editor_creates_a_product_with_its_initial_stock(live_server, run_in_browser):
    editor = UserFactory(is_staff=True, is_superuser=True, email="ed@example.com")
    shelf = create_category(title="Lamps", slug="lamps")
    base = live_server.url
    seen = {}

    def editor_at_work(page):
        log_in(page, base, editor)
        page.goto(f"{base}/admin/pages/add/cms/productpage/{shelf.pk}/")

        # Filled field by field with pauses, as a person types; autosave may save
        # the half-filled draft meanwhile (tests/cms/test_product_form.py
        # proves that save succeeds) and no validation banner may appear.
        page.fill("#id_title", "Copper Floor Lamp")
        page.wait_for_timeout(1500)
        page.fill("#id_sku", "LAMP-COPPER")
        page.wait_for_timeout(1500)
        page.fill("#id_price", "129.00")
        page.fill("#id_initial_stock", "14")
        page.wait_for_timeout(1500)
        seen["banner"] = page.locator("body").inner_text()
        page.get_by_role("button", name="More actions").last.click()
        page.click("button[name=action-publish]")
        page.wait_for_url(f"{base}/admin/pages/{shelf.pk}/")
        page.wait_for_selector("text=Copper Floor Lamp")

    run_in_browser(editor_at_work)

    assert AUTOSAVE_ERROR not in seen["banner"]
    with urllib.request.urlopen(f"{base}/api/v1/products/?search=copper") as answer:
        (product,) = json.load(answer)["results"]
    assert (product["sku"], product["price"], product["stock"]) == (
        "LAMP-COPPER",
        "129.00",
        14,
    )
    record = StockRecord.objects.get(product_id=product["id"])
    assert list(record.adjustments.values_list("delta", "reason")) == [
        (14, StockAdjustment.Reason.INITIAL)
    ]
