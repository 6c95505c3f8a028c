"""A trigram index on the titles of Wagtail's search index entries (PostgreSQL).

Catalog search answers typos with `%s <% title_text` (pg_trgm word similarity,
`commerce/catalog/search_postgres.py`); this GIN index serves that operator, so a
typo costs an index scan rather than a read of every entry. The table is Wagtail's
(`wagtail.search`), the index ours: it is created and dropped here. Other
databases have no such operator and skip it.
"""

from django.db import migrations

INDEX = "catalog_search_title_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("wagtailsearch", "IndexEntry")._meta.db_table
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON {table} "
        "USING gin (title_text gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_search_synonyms_and_misses"),
        ("cms", "0003_enable_trigram"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [migrations.RunPython(create, drop)]
