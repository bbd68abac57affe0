"""The FTS5 table of product search on SQLite (catalog.fts), filled for the products already there.

Nothing happens on PostgreSQL, whose search document is `Product.search_vector` (0002).
"""

from django.db import migrations

from catalog import fts


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for sql in fts.CREATE_SQL:
        schema_editor.execute(sql)
    Product = apps.get_model("catalog", "Product")
    Link = Product.property_values.through
    values = {}
    for product_id, value in Link.objects.values_list("product_id", "propertyvalue__value"):
        values.setdefault(product_id, []).append(value)
    rows = [(pk, *fts.document(name=name, sku=sku, brand=brand, values=values.get(pk, ()), description=description))
            for pk, name, sku, brand, description in Product.objects.values_list(
                "pk", "name", "sku", "brand", "description")]
    with schema_editor.connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {fts.TABLE} (rowid, head, props, body) VALUES (%s, %s, %s, %s)", rows)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for sql in fts.DROP_SQL:
        schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0006_search_miss"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
