"""Reference data moves to `base`: the models take over their existing tables (state only).

Currency, PriceType and Warehouse come from catalog, Region from accounts; nothing is copied.
The tables are renamed and the content types moved in 0002, once the other apps point here.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("accounts", "0004_client_buyers_see_all_orders_db_default"),
        ("catalog", "0003_listing_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Currency',
                    fields=[
                        ('code', models.CharField(help_text='ISO 4217 letter code; an internal currency takes a code of its own, e.g. XXU.', max_length=3, primary_key=True, serialize=False, verbose_name='code')),
                        ('name', models.CharField(max_length=100, verbose_name='name')),
                        ('symbol', models.CharField(blank=True, max_length=10, verbose_name='symbol')),
                        ('rate', models.DecimalField(decimal_places=6, default=1, help_text='Units of the base currency for one unit.', max_digits=18, verbose_name='rate')),
                        ('rate_date', models.DateField(blank=True, null=True, verbose_name='rate date')),
                        ('is_internal', models.BooleanField(default=False, verbose_name='internal currency')),
                    ],
                    options={
                        'db_table': 'catalog_currency',
                        'verbose_name': 'currency',
                        'verbose_name_plural': 'currencies',
                        'ordering': ['code'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('rate__gt', 0)), name='currency_rate_positive')],
                    },
                ),
                migrations.CreateModel(
                    name='PriceType',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('erp_id', models.CharField(blank=True, max_length=100, null=True, unique=True, verbose_name='ERP id')),
                        ('name', models.CharField(max_length=200, unique=True, verbose_name='name')),
                        ('vat_included', models.BooleanField(default=True, verbose_name='VAT included')),
                        ('currency', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='base.currency', verbose_name='currency')),
                    ],
                    options={
                        'db_table': 'catalog_pricetype',
                        'verbose_name': 'price type',
                        'verbose_name_plural': 'price types',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='Region',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.SlugField(unique=True, verbose_name='code')),
                        ('name', models.CharField(max_length=200, verbose_name='name')),
                        ('erp_id', models.CharField(blank=True, max_length=100, null=True, unique=True, verbose_name='ERP id')),
                        ('assortment_restricted', models.BooleanField(default=False, help_text='When set, clients of the region see only products listed in its assortment.', verbose_name='restricted assortment')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('base_price_type', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='regions', to='base.pricetype', verbose_name='base price type')),
                    ],
                    options={
                        'db_table': 'accounts_region',
                        'verbose_name': 'region',
                        'verbose_name_plural': 'regions',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='Warehouse',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('erp_id', models.CharField(blank=True, max_length=100, null=True, unique=True, verbose_name='ERP id')),
                        ('name', models.CharField(max_length=200, verbose_name='name')),
                        ('address', models.TextField(blank=True, verbose_name='address')),
                        ('is_pickup_point', models.BooleanField(default=True, verbose_name='pickup point')),
                        ('position', models.PositiveSmallIntegerField(default=0, verbose_name='position')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('region', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='warehouses', to='base.region', verbose_name='region')),
                    ],
                    options={
                        'db_table': 'catalog_warehouse',
                        'verbose_name': 'warehouse',
                        'verbose_name_plural': 'warehouses',
                        'ordering': ['region', 'position', 'name'],
                    },
                ),
            ],
        ),
    ]
