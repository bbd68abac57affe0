"""Currency, PriceType and Warehouse now belong to `base`; catalog's links point there (state only).

The tables stay: `base` took them over in base 0001 and renames them in base 0002.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0006_reference_to_base"),
        ("base", "0001_initial"),
        ("catalog", "0003_listing_indexes"),
        ("orders", "0002_reference_to_base"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name='pricetype',
                    name='currency',
                ),
                migrations.AlterField(
                    model_name='clientprice',
                    name='currency',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='base.currency', verbose_name='currency'),
                ),
                migrations.AlterField(
                    model_name='price',
                    name='currency',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='base.currency', verbose_name='currency'),
                ),
                migrations.AlterField(
                    model_name='price',
                    name='price_type',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='prices', to='base.pricetype', verbose_name='price type'),
                ),
                migrations.RemoveField(
                    model_name='warehouse',
                    name='region',
                ),
                migrations.AlterField(
                    model_name='stock',
                    name='warehouse',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='stock', to='base.warehouse', verbose_name='warehouse'),
                ),
                migrations.AlterField(
                    model_name='assortmentitem',
                    name='region',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='assortment', to='base.region', verbose_name='region'),
                ),
                migrations.DeleteModel(
                    name='Currency',
                ),
                migrations.DeleteModel(
                    name='PriceType',
                ),
                migrations.DeleteModel(
                    name='Warehouse',
                ),
            ],
        ),
    ]
