"""The catalog's read model: one narrow, indexed row per product for listings.

A product's content lives in Wagtail page revisions and its stock in inventory; a
listing that filtered and sorted over those joined a ~30-column multi-table page
query, a tree-path prefix for the category and the stock table. `ProductListing`
holds exactly what a listing filters and sorts on, kept in step by the services
(`commerce/catalog/listing.py`), so a listing is an index range scan plus the page.
On PostgreSQL the row also carries the product's search document, so a search is
one more condition on the same query (`search_postgres.py`).
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import models


class ProductListing(models.Model):
    """What shoppers' listings filter and sort on, for one product.

    Never edited by hand: `listing_sync` rewrites it from the live page, its
    category and its stock whenever one of them changes.
    """

    product = models.OneToOneField(
        "cms.ProductPage",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="listing",
    )
    category = models.ForeignKey(
        "cms.CategoryPage",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # the composite indexes below lead with it
    )
    title = models.CharField(max_length=255)
    # Null only for a draft not yet priced; available rows always have a price.
    price = models.DecimalField(max_digits=10, decimal_places=2, null=True)
    # Live and not archived: what `ProductPage.objects.available()` means.
    available = models.BooleanField(default=False)
    quantity = models.IntegerField(default=0)
    rating_average = models.DecimalField(
        max_digits=3, decimal_places=2, null=True, blank=True
    )
    rating_count = models.PositiveIntegerField(default=0)
    # First published; never null on an available row (listings sort on it).
    created_at = models.DateTimeField(null=True, help_text="First published.")
    # An exact SKU is the first search result; null for a draft without one.
    sku = models.CharField(max_length=64, null=True, blank=True)
    # PostgreSQL only (null elsewhere): title and SKU (weights A and B), description
    # (C) and the category's title (D), stemmed in English; GIN-indexed over
    # available rows by migration 0007.
    search_document = SearchVectorField(null=True, editable=False)

    class Meta:
        # Partial indexes over what shoppers can see: every listing filters on it.
        indexes = [
            models.Index(
                fields=["category", "price", "product"],
                # Newest first within a price range sorts from the index alone.
                include=["created_at"],
                condition=models.Q(available=True),
                name="listing_category_price",
            ),
            models.Index(
                fields=["category", "-created_at", "-product"],
                condition=models.Q(available=True),
                name="listing_category_newest",
            ),
            models.Index(
                fields=["price", "product"],
                condition=models.Q(available=True),
                name="listing_price",
            ),
            models.Index(
                fields=["-created_at", "-product"],
                condition=models.Q(available=True),
                name="listing_newest",
            ),
            models.Index(
                fields=["title", "product"],
                condition=models.Q(available=True),
                name="listing_title",
            ),
            models.Index(
                fields=["sku"],
                condition=models.Q(available=True),
                name="listing_sku",
            ),
        ]

    def __str__(self) -> str:
        return f"listing of {self.title}"


class Synonym(models.Model):
    """Words shoppers use for the same thing ("sofa, couch, settee"): a search for
    any of them finds products described with the others. Managed by editors as a
    snippet; every search backend applies them."""

    terms = models.CharField(
        max_length=500,
        unique=True,
        help_text="Words meaning the same, separated by commas: sofa, couch, settee.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["terms"]

    def __str__(self) -> str:
        return self.terms

    @property
    def words(self) -> list[str]:
        """The group's words, normalised as queries are (lower case, trimmed)."""
        seen: dict[str, None] = {}
        for word in self.terms.split(","):
            word = " ".join(word.lower().split())
            if word:
                seen[word] = None
        return list(seen)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if len(self.words) < 2:
            raise ValidationError({"terms": "Give at least two words."})
        self.terms = ", ".join(self.words)


class SearchWord(models.Model):
    """One word of a product title: the vocabulary typos are corrected against.

    Filled as listings are written, never pruned (a word no product uses any more
    only finds nothing). PostgreSQL looks a misspelt word up here through a trigram
    index, a few thousand short rows rather than every title.
    """

    word = models.CharField(max_length=64, primary_key=True)

    def __str__(self) -> str:
        return self.word


class SearchMiss(models.Model):
    """How many searches for one normalised query found nothing, on one day.

    One row per query per day, counted with an upsert, so a popular miss costs one
    UPDATE of one row rather than a row per search.
    """

    query = models.CharField(max_length=200)
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)
    last_seen = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["query", "day"], name="search_miss_once_a_day"
            )
        ]
        indexes = [models.Index(fields=["day"], name="search_miss_day")]

    def __str__(self) -> str:
        return f"{self.query!r}: {self.count} on {self.day}"
