"""Region belongs to `base` now; the staff links to regions are declared here, pointing down.

- Client, Contract and Balance point at base's Region, PriceType and Currency (same tables: state only).
- Regional managers: the existing table accounts_region_managers (region_id, user_id) becomes
  User.managed_regions (state only; every row stays).
- The head of a region moves from the column Region.head_manager to RegionHead rows (copied).

The column is dropped while accounts' Region still knows all its other fields: SQLite rebuilds
the table from that state, so base_price_type leaves the state only afterwards.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def heads_to_rows(apps, schema_editor):
    Region = apps.get_model("accounts", "Region")
    RegionHead = apps.get_model("accounts", "RegionHead")
    RegionHead.objects.bulk_create([
        RegionHead(region_id=region_id, user_id=user_id)
        for region_id, user_id in Region.objects.exclude(head_manager=None).values_list("pk", "head_manager_id")
    ])


def rows_to_heads(apps, schema_editor):
    Region = apps.get_model("accounts", "Region")
    RegionHead = apps.get_model("accounts", "RegionHead")
    for region_id, user_id in RegionHead.objects.values_list("region_id", "user_id"):
        Region.objects.filter(pk=region_id).update(head_manager_id=user_id)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0005_verified_login_addresses"),
        ("base", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='client',
                    name='region',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='clients', to='base.region', verbose_name='region'),
                ),
                migrations.AlterField(
                    model_name='balance',
                    name='currency',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='base.currency', verbose_name='currency'),
                ),
                migrations.AlterField(
                    model_name='client',
                    name='price_type',
                    field=models.ForeignKey(blank=True, help_text="The client's own price type; empty means the region's base price type.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='clients', to='base.pricetype', verbose_name='price type'),
                ),
                migrations.AlterField(
                    model_name='contract',
                    name='currency',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='base.currency', verbose_name='currency'),
                ),
                migrations.AlterField(
                    model_name='contract',
                    name='price_type',
                    field=models.ForeignKey(blank=True, help_text="Set when prices under this contract differ from the client's.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='contracts', to='base.pricetype', verbose_name='price type'),
                ),
            ],
        ),
        migrations.CreateModel(
            name='RegionHead',
            fields=[
                ('region', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='head', serialize=False, to='base.region', verbose_name='region')),
                ('user', models.ForeignKey(help_text='Receives escalations the personal manager did not answer.', limit_choices_to={'client__isnull': True, 'is_staff': True}, on_delete=django.db.models.deletion.CASCADE, related_name='region_headships', to=settings.AUTH_USER_MODEL, verbose_name='head of the region')),
            ],
            options={
                'verbose_name': 'head of the region',
                'verbose_name_plural': 'heads of regions',
            },
        ),
        migrations.RunPython(heads_to_rows, rows_to_heads),
        migrations.RemoveField(
            model_name='region',
            name='head_manager',
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name='region',
                    name='base_price_type',
                ),
                migrations.RemoveField(
                    model_name='region',
                    name='managers',
                ),
                migrations.AddField(
                    model_name='user',
                    name='managed_regions',
                    field=models.ManyToManyField(blank=True, db_table='accounts_region_managers', help_text='Regions whose clients this supplier manager sees and approves.', related_name='managers', to='base.region', verbose_name='managed regions'),
                ),
            ],
        ),
        migrations.AddField(
            model_name='user',
            name='headed_regions',
            field=models.ManyToManyField(blank=True, related_name='head_managers', through='accounts.RegionHead', to='base.region', verbose_name='headed regions'),
        ),
    ]
