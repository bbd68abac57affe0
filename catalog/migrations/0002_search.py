"""Search: pg_trgm, the stored full-text document of a product and the indexes that serve search.

The indexes are PostgreSQL-only (GIN, operator classes), so they are created with SQL that runs
only there; on SQLite this migration adds the column and nothing else, and search falls back
to `icontains` (see catalog/search.py).
"""

import django.contrib.postgres.search
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    "catalog_product_search_gin": "USING gin (search_vector)",
    "catalog_product_name_trgm": "USING gin (name gin_trgm_ops)",
    "catalog_product_sku_upper_prefix": "(upper(sku::text) text_pattern_ops)",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON catalog_product {definition}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0001_initial"),
    ]

    operations = [
        TrigramExtension(),
        migrations.AddField(
            model_name="product",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
