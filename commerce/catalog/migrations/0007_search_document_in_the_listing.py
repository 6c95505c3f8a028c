"""Search moves into the listing: each row carries its product's SKU and (on
PostgreSQL) its search document, and title words are kept as the vocabulary typos
are corrected against (`commerce/catalog/search_postgres.py`).

Available rows without a date get one: listings sort newest first in the order
their indexes keep (`created_at DESC`), which puts nulls first.

On PostgreSQL this also creates the indexes those searches use (a GIN index on the
documents of available rows, a trigram GiST index on the vocabulary), fills both
for existing products, and drops `catalog.0005`'s trigram index on Wagtail's search
entries, which catalog search no longer reads.
"""

import django.contrib.postgres.search
from django.db import migrations, models
from django.db.models.functions import Now

# The search document as `search_postgres.DOCUMENT_UPDATE` writes it (a copy: a
# migration keeps what it ran).
DOCUMENTS = """
UPDATE catalog_productlisting AS listing SET search_document =
    setweight(to_tsvector('english', coalesce(page.title, '')), 'A')
 || setweight(to_tsvector('english', coalesce(product.sku, '')), 'B')
 || setweight(to_tsvector('english', regexp_replace(
        coalesce(product.description, ''), '<[^>]*>', ' ', 'g')), 'C')
 || setweight(to_tsvector('english', coalesce((
        SELECT shelf.title FROM wagtailcore_page AS shelf
        WHERE shelf.id = listing.category_id), '')), 'D')
FROM cms_productpage AS product
JOIN wagtailcore_page AS page ON page.id = product.page_ptr_id
WHERE product.page_ptr_id = listing.product_id
"""
VOCABULARY = """
INSERT INTO catalog_searchword (word)
SELECT DISTINCT lower(word) FROM catalog_productlisting,
    regexp_split_to_table(title, '[^[:alpha:]]+') AS word
WHERE length(word) BETWEEN 3 AND 64
ON CONFLICT DO NOTHING
"""


def fill(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # Indexes first: PostgreSQL refuses CREATE INDEX on a table this
        # transaction has already updated (its deferred FK checks are pending).
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS listing_search_document "
            "ON catalog_productlisting USING gin (search_document) WHERE available"
        )
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS search_word_trigram "
            "ON catalog_searchword USING gist (word gist_trgm_ops)"
        )
        schema_editor.execute("DROP INDEX IF EXISTS catalog_search_title_trgm")
    listing = apps.get_model("catalog", "ProductListing")
    product = apps.get_model("cms", "ProductPage")
    listing.objects.update(
        sku=models.Subquery(
            product.objects.filter(pk=models.OuterRef("pk")).values("sku")[:1]
        )
    )
    # Listings now sort newest first as their indexes are built (DESC, nulls
    # first), so no available row may lack a date.
    listing.objects.filter(available=True, created_at__isnull=True).update(
        created_at=Now()
    )
    if vendor == "postgresql":
        schema_editor.execute(DOCUMENTS)
        schema_editor.execute(VOCABULARY)


def unfill(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS listing_search_document")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS catalog_search_title_trgm "
        "ON wagtailsearch_indexentry USING gin (title_text gin_trgm_ops)"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0006_listing_price_of_unpriced_drafts"),
        ("cms", "0004_product_drafts_without_sku_or_price"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                (
                    "word",
                    models.CharField(max_length=64, primary_key=True, serialize=False),
                ),
            ],
        ),
        migrations.AddField(
            model_name="productlisting",
            name="search_document",
            field=django.contrib.postgres.search.SearchVectorField(
                editable=False, null=True
            ),
        ),
        migrations.AddField(
            model_name="productlisting",
            name="sku",
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.AddIndex(
            model_name="productlisting",
            index=models.Index(
                condition=models.Q(("available", True)),
                fields=["sku"],
                name="listing_sku",
            ),
        ),
        migrations.RunPython(fill, unfill),
    ]
