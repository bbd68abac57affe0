"""Order's currency and pickup warehouse now point at `base` (the same tables: state only)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("base", "0001_initial"),
        ("orders", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='order',
                    name='currency',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='base.currency', verbose_name='currency'),
                ),
                migrations.AlterField(
                    model_name='order',
                    name='pickup_warehouse',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='base.warehouse', verbose_name='pickup warehouse'),
                ),
            ],
        ),
    ]
