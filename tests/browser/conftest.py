"""Fixtures of the browser tests: the live server's cookies over plain HTTP, and the catalog the cart
and reorder tests buy from."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import User
from catalog.models import ProductUnit
from catalog.services import category_rebuild_tree
from tests.factories import (
    CategoryFactory,
    ClientUserFactory,
    ContractFactory,
    LegalEntityFactory,
    PriceFactory,
    PriceTypeFactory,
    ProductFactory,
    RegionFactory,
    StockFactory,
    UnitFactory,
    WarehouseFactory,
)


@pytest.fixture(autouse=True)
def _plain_http_cookies(settings):
    """The live server speaks plain HTTP: secure-only cookies would never come back."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@pytest.fixture
def cart_data(transactional_db):
    """A buyer of a region and four fasteners: multiplicities 24, 1 and 10, one out of stock, two sold in packs."""
    base = PriceTypeFactory(name="Базовая Поволжье")
    region = RegionFactory(name="Поволжье", base_price_type=base)
    warehouse = WarehouseFactory(region=region, name="Склад Самара")
    buyer = ClientUserFactory(email="buyer@example.com", client__name="ООО «Стройснаб»", client__region=region,
                              role=User.Role.MANAGER)
    entity = LegalEntityFactory(client=buyer.client, name="ООО «Стройснаб-Самара»")
    ContractFactory(legal_entity=entity, number="Д-2026/14")
    fasteners = CategoryFactory(name="Крепёж", slug="fasteners")
    category_rebuild_tree()
    UnitFactory()
    pack = UnitFactory(code="778", name="Упаковка", short_name="упак")
    now = timezone.now()
    rows = [
        ("KR-4824", "Саморез кровельный 4,8×24 RAL 3005", "24", "3.47", "0.004", 2400, None),
        ("KR-4835", "Саморез кровельный 4,8×35 RAL 8017", "1", "4.12", "0.005", 900, None),
        ("DB-10100", "Дюбель рамный 10×100 с шурупом", "10", "18.90", "0.032", 0, 9),
        ("AN-M10", "Анкерный болт M10×100 с гайкой", "1", "41.50", None, 3, None),
    ]
    products = {}
    for sku, name, multiplicity, price, weight, stock, days in rows:
        product = ProductFactory(sku=sku, name=name, category=fasteners, multiplicity=Decimal(multiplicity),
                                 weight=Decimal(weight) if weight else None,
                                 volume=Decimal("0.00001") if weight else None)
        PriceFactory(product=product, price_type=base, amount=Decimal(price))
        StockFactory(product=product, warehouse=warehouse, quantity=Decimal(stock), confirmed_at=now,
                     expected_on=timezone.localdate() + datetime.timedelta(days=days) if days else None)
        products[sku] = product
    ProductUnit.objects.create(product=products["KR-4824"], unit=pack, coefficient=Decimal("12"))
    ProductUnit.objects.create(product=products["DB-10100"], unit=pack, coefficient=Decimal("50"))
    return {"products": products, "pack": pack}
