"""Availability: statuses, totals per region, the age of the stock and staleness."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.availability import StockStatus, availability_for
from tests.factories import ProductFactory, RegionFactory, StockFactory, WarehouseFactory

pytestmark = pytest.mark.django_db
NOW = timezone.now()


@pytest.mark.parametrize(("quantities", "expected_on", "status"), [
    (["10", "5"], None, StockStatus.IN_STOCK),
    (["2", "1"], None, StockStatus.LOW),
    (["0"], 3, StockStatus.ON_ORDER),
    (["0"], -3, StockStatus.OUT_OF_STOCK),
    ([], None, StockStatus.OUT_OF_STOCK),
])
def test_statuses(quantities, expected_on, status):
    region = RegionFactory()
    product = ProductFactory(multiplicity=Decimal("1"))
    for quantity in quantities:
        StockFactory(product=product, warehouse=WarehouseFactory(region=region), quantity=Decimal(quantity),
                     expected_on=(timezone.localdate(NOW) + datetime.timedelta(days=expected_on))
                     if expected_on else None)
    found = availability_for(region_id=region.pk, products=[product], now=NOW)[product.pk]
    assert found.status == status
    assert found.total == sum((Decimal(q) for q in quantities), Decimal(0))


def test_only_the_regions_warehouses_count_and_oldest_confirmation_is_shown(settings):
    settings.PORTAL_STOCK_STALE_MINUTES = 15
    region, other = RegionFactory(), RegionFactory()
    product = ProductFactory()
    StockFactory(product=product, warehouse=WarehouseFactory(region=region), quantity=Decimal("7"),
                 confirmed_at=NOW - datetime.timedelta(minutes=5))
    StockFactory(product=product, warehouse=WarehouseFactory(region=region), quantity=Decimal("3"),
                 confirmed_at=NOW - datetime.timedelta(minutes=14))
    StockFactory(product=product, warehouse=WarehouseFactory(region=other), quantity=Decimal("100"))
    found = availability_for(region_id=region.pk, products=[product], now=NOW)[product.pk]
    assert found.total == Decimal("10") and len(found.warehouses) == 2
    assert found.confirmed_at == NOW - datetime.timedelta(minutes=14)
    assert not found.stale


def test_stale_after_the_setting(settings):
    settings.PORTAL_STOCK_STALE_MINUTES = 15
    region = RegionFactory()
    product = ProductFactory()
    StockFactory(product=product, warehouse=WarehouseFactory(region=region),
                 confirmed_at=NOW - datetime.timedelta(minutes=16))
    assert availability_for(region_id=region.pk, products=[product], now=NOW)[product.pk].stale
    settings.PORTAL_STOCK_STALE_MINUTES = 30
    assert not availability_for(region_id=region.pk, products=[product], now=NOW)[product.pk].stale


def test_one_query_for_many_products(django_assert_num_queries):
    region = RegionFactory()
    warehouse = WarehouseFactory(region=region)
    products = ProductFactory.create_batch(20)
    for product in products:
        StockFactory(product=product, warehouse=warehouse)
    with django_assert_num_queries(1):
        availability_for(region_id=region.pk, products=products)
