"""Catalog pages: the home page, category pages and the product pages under them.

Product content (title, text, price, gallery) lives in page revisions so editors get
drafts, previews, scheduling and history. Stock is operational data and lives in
`commerce.inventory`, never in a revision.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.validators import MinValueValidator
from django.db import models
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from .forms import CreateOnlyFieldPanel, ProductPageForm
from .images import ProductImage, ProductImageRendition

__all__ = [
    "CategoryPage",
    "HomePage",
    "ProductGalleryImage",
    "ProductImage",
    "ProductImageRendition",
    "ProductNotPublishable",
    "ProductPage",
]


class HomePage(Page):
    """The shop's front page: the root of the site, parent of every category."""

    intro = RichTextField(blank=True, help_text="Welcome text shown on the front page.")

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["cms.CategoryPage"]
    max_count = 1


class CategoryPage(Page):
    """A shelf of the shop, such as "Headphones": products are created under it."""

    intro = RichTextField(blank=True, help_text="A few lines describing the category.")
    image = models.ForeignKey(
        ProductImage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Shown on the category's card and header.",
    )

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("image")]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.ProductPage"]

    class Meta:
        verbose_name = "category"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Previews show the shelf as shoppers see it: published, not archived.
        context["products"] = (
            ProductPage.objects.child_of(self)
            .available()
            .prefetch_related("gallery_images__image")
            .order_by("title")[:60]
        )
        context["currency"] = settings.CURRENCY
        return context


class ProductPageQuerySet(PageQuerySet):
    def available(self) -> "ProductPageQuerySet":
        """Products a shopper can see and buy: published and not archived."""
        return self.filter(live=True, archived_at__isnull=True)


ProductPageManager = PageManager.from_queryset(ProductPageQuerySet)


class ProductNotPublishable(PermissionDenied):
    """A revision of a product that must not go live: the product is archived, or
    the revision is a draft still without its SKU or price."""


class ProductPage(Page):
    """One product for sale. Price and description are published like any page
    content; stock is kept by the shop, not here."""

    # SKU and price may be blank in a draft (nullable, so a half-filled new product
    # can be saved and autosaved, and two such drafts do not clash on an empty SKU);
    # the form requires both to publish and `publish` refuses a revision without them.
    sku = models.CharField(
        "SKU",
        max_length=64,
        unique=True,
        null=True,
        help_text="The stock-keeping unit: unique, printed on orders.",
    )
    price = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="Price in the shop's currency, before tax.",
    )
    description = RichTextField(blank=True)
    archived_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="Set when the product is archived: hidden and not for sale, "
        "kept for order history.",
    )

    objects = ProductPageManager()

    base_form_class = ProductPageForm
    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("sku"),
                FieldPanel("price"),
                CreateOnlyFieldPanel("initial_stock"),
            ],
            heading="Pricing and stock",
        ),
        FieldPanel("description"),
        InlinePanel("gallery_images", label="Gallery images"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("sku", boost=3),
        index.AutocompleteField("sku"),
        index.SearchField("description"),
        # Below the description: a shelf name says less about a product than its text.
        index.SearchField("category_title", boost=0.5),
        index.FilterField("price"),
        index.FilterField("live"),
        index.FilterField("archived_at"),
    ]

    parent_page_types = ["cms.CategoryPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = "product"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__gt=0), name="cms_productpage_price_positive"
            )
        ]

    def category_title(self) -> str:
        """The shelf's title, indexed so "headphones" finds every product on it."""
        cached = getattr(self, "_category_title", None)
        if cached is not None:
            return cached
        parent = self.get_parent() if self.pk and self.depth else None
        return parent.title if parent else ""

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["currency"] = settings.CURRENCY
        return context

    @property
    def is_available(self) -> bool:
        return self.live and self.archived_at is None

    @property
    def status_string(self):
        # Unpublished by archiving, not a draft: the admin's listings and header say so.
        if self.archived_at is not None:
            return "archived"
        return super().status_string

    def publish(self, revision, *args, **kwargs):
        """Every route to going live (bulk publish, schedules, workflows, services)
        passes here: an archived product stays off sale until it is restored, and a
        draft without SKU or price never reaches the shop."""
        if self.archived_at is not None:
            raise ProductNotPublishable(
                f"“{self.title}” is archived, so it cannot be published. "
                "Restore it instead: restoring publishes its latest version."
            )
        content = revision.content
        if not content.get("sku") or content.get("price") in (None, ""):
            raise ProductNotPublishable(
                f"“{self.title}” needs a SKU and a price before it can be published."
            )
        return super().publish(revision, *args, **kwargs)

    def with_content_json(self, content):
        # Archiving belongs to the product, not to one revision: publishing an old
        # revision must not bring an archived product back.
        obj = super().with_content_json(content)
        obj.archived_at = self.archived_at
        return obj


class ProductGalleryImage(Orderable):
    """An image in a product's gallery, in the order the editor arranged them."""

    page = ParentalKey(
        ProductPage, on_delete=models.CASCADE, related_name="gallery_images"
    )
    # Unlike other image links this one cascades: a gallery row without its image
    # would show an empty slot, so it goes with the image.
    image = models.ForeignKey(
        ProductImage,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="A photo of the product.",
    )
    alt = models.CharField(
        max_length=255,
        blank=True,
        help_text="Describes this photo; falls back to the image's own alt text.",
    )

    panels = [FieldPanel("image"), FieldPanel("alt")]

    @property
    def alt_text(self) -> str:
        return self.alt or self.image.alt_text or self.page.title
