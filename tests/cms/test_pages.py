"""Page types an editor works with: where they go, creating them, previews render."""

from wagtail.models import Page, Site
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from cms.models import CategoryPage, HomePage, ProductPage
from commerce.inventory.models import StockRecord
from tests.factories.catalog import create_category, create_product
from tests.factories.images import attach_image, create_image


class TestPageTree(WagtailPageTestCase):
    def test_home_sits_at_the_root_and_holds_categories_only(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})
        self.assertAllowedSubpageTypes(HomePage, {CategoryPage})

    def test_categories_hold_products_and_products_hold_nothing(self):
        self.assertAllowedParentPageTypes(CategoryPage, {HomePage})
        self.assertAllowedSubpageTypes(CategoryPage, {ProductPage})
        self.assertAllowedParentPageTypes(ProductPage, {CategoryPage})
        self.assertAllowedSubpageTypes(ProductPage, set())

    def test_a_product_cannot_be_made_outside_a_category(self):
        self.assertCanNotCreateAt(HomePage, ProductPage)
        self.assertCanNotCreateAt(Page, ProductPage)


class TestEditorCreatesPages(WagtailPageTestCase):
    def setUp(self):
        self.user = self.login()
        self.home = Site.objects.get(is_default_site=True).root_page.specific

    def test_editor_creates_a_category(self):
        self.assertCanCreate(
            self.home,
            CategoryPage,
            nested_form_data(
                {"title": "Audio", "slug": "audio", "intro": rich_text("Sound.")}
            ),
        )

    def test_editor_creates_a_product_with_a_gallery_and_it_gets_stock_zero(self):
        shelf = create_category(slug="audio")
        image = create_image()
        self.assertCanCreate(
            shelf,
            ProductPage,
            nested_form_data(
                {
                    "title": "Studio Monitor",
                    "slug": "studio-monitor",
                    "sku": "MON-1",
                    "price": "199.00",
                    "description": rich_text("Flat response."),
                    "gallery_images": inline_formset(
                        [{"image": image.pk, "alt": "Front view"}]
                    ),
                }
            ),
        )
        product = ProductPage.objects.get(sku="MON-1")
        assert product.live
        assert product.gallery_images.get().alt_text == "Front view"
        assert StockRecord.objects.get(product=product).quantity == 0

    def test_zero_or_negative_price_is_refused_in_the_editor(self):
        shelf = create_category()
        url = f"/admin/pages/add/cms/productpage/{shelf.pk}/"
        data = nested_form_data(
            {
                "title": "Free",
                "slug": "free",
                "sku": "FREE-1",
                "price": "0",
                "description": rich_text(""),
                "gallery_images": inline_formset([]),
                "action-publish": "publish",
            }
        )
        response = self.client.post(url, data)
        assert response.status_code == 200  # form shown again with errors
        assert not ProductPage.objects.filter(sku="FREE-1").exists()


class TestPreviews(WagtailPageTestCase):
    def setUp(self):
        self.login()

    def test_home_category_and_product_pages_render(self):
        shelf = create_category(title="Lamps")
        product = create_product(category=shelf, title="Desk Lamp", price="25.00")
        attach_image(product, alt="Lit lamp")
        home = Site.objects.get(is_default_site=True).root_page.specific
        self.assertPageIsRenderable(home)
        self.assertPageIsRenderable(shelf)
        self.assertPageIsRenderable(ProductPage.objects.get(pk=product.pk))
        response = self.client.get(product.url)
        self.assertContains(response, "Desk Lamp")
        self.assertContains(response, "25.00 USD")
        self.assertContains(response, 'alt="Lit lamp"')
        self.assertContains(self.client.get(shelf.url), "Desk Lamp")

    def test_drafts_are_previewable(self):
        product = create_product(live=False, title="Secret Lamp")
        self.assertPageIsPreviewable(ProductPage.objects.get(pk=product.pk))
