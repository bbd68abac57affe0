"""Listing speed: an index for the default order (name, id); a looser pg_trgm word similarity for typos.

The default `pg_trgm.word_similarity_threshold` (0.6) misses one-letter typos in short words
("самарез" for "саморез"); 0.45 finds them and still uses the trigram index.
"""

from django.db import migrations, models

THRESHOLD_SQL = """
DO $$ BEGIN
    EXECUTE format('ALTER DATABASE %I SET pg_trgm.word_similarity_threshold = 0.45', current_database());
END $$;
"""


def set_threshold(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:  # a plain cursor: '%I' is format()'s, not a parameter
            cursor.execute(THRESHOLD_SQL)
            cursor.execute("SET pg_trgm.word_similarity_threshold = 0.45")


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0002_search"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="product",
            index=models.Index(fields=["name", "id"], name="catalog_product_name_id"),
        ),
        migrations.RunPython(set_threshold, migrations.RunPython.noop),
    ]
