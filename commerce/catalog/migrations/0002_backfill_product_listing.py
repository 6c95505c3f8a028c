"""Give every existing product its listing row (new products get theirs from the
services that publish them)."""

from django.db import migrations

STEPLEN = 4  # treebeard's path segment length in Wagtail


def backfill(apps, schema_editor):
    product_page = apps.get_model("cms", "ProductPage")
    page = apps.get_model("wagtailcore", "Page")
    stock_record = apps.get_model("inventory", "StockRecord")
    listing = apps.get_model("catalog", "ProductListing")
    pages = list(
        product_page.objects.values(
            "pk", "path", "title", "price", "live", "archived_at", "first_published_at"
        )
    )
    parents = dict(
        page.objects.filter(
            path__in={row["path"][:-STEPLEN] for row in pages}
        ).values_list("path", "pk")
    )
    quantities = dict(stock_record.objects.values_list("product_id", "quantity"))
    listing.objects.bulk_create(
        [
            listing(
                product_id=row["pk"],
                category_id=parents.get(row["path"][:-STEPLEN]),
                title=row["title"][:255],
                price=row["price"],
                available=row["live"] and row["archived_at"] is None,
                quantity=quantities.get(row["pk"], 0),
                created_at=row["first_published_at"],
            )
            for row in pages
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_product_listing"),
        ("inventory", "0001_initial"),
        ("wagtailcore", "0001_initial"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
