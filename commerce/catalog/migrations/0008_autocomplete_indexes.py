"""The indexes autocomplete walks on PostgreSQL (`search_postgres.suggestion_ids`).

- `listing_tie_order`: available rows in autocomplete's order after title starts
  (in stock, better rated, newest), which it walks a bounded distance down;
- `listing_title_start`: the upper-cased titles of available rows for prefix
  matches (`UPPER(title) LIKE 'KET%'`), for when titles starting so are few.

Both are expressions Django's index options cannot state for every database
(SQLite needs neither), so they are created here for PostgreSQL only.
"""

from django.db import migrations

INDEXES = {
    "listing_tie_order": "((quantity > 0) DESC, COALESCE(rating_average, -1) DESC, "
    "product_id DESC)",
    "listing_title_start": "(UPPER(title) text_pattern_ops)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON catalog_productlisting "
            f"{columns} WHERE available"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0007_search_document_in_the_listing")]

    operations = [migrations.RunPython(create, drop)]
