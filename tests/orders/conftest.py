"""A region with a base price type and a warehouse, a buyer in it, and priced products to put in the cart."""

from decimal import Decimal

import pytest

from tests.factories import (
    ClientUserFactory,
    PriceFactory,
    PriceTypeFactory,
    ProductFactory,
    RegionFactory,
    StockFactory,
    WarehouseFactory,
)


@pytest.fixture
def shop():
    base = PriceTypeFactory()
    region = RegionFactory(base_price_type=base)
    warehouse = WarehouseFactory(region=region)
    buyer = ClientUserFactory(client__region=region)
    return {"base": base, "region": region, "warehouse": warehouse, "buyer": buyer}


@pytest.fixture
def priced_product(shop):
    """Make a product with a base price of 12.50 and stock in the shop's warehouse."""

    def make(**kwargs):
        product = ProductFactory(**kwargs)
        PriceFactory(product=product, price_type=shop["base"], amount=Decimal("12.50"))
        StockFactory(product=product, warehouse=shop["warehouse"], quantity=Decimal("40"))
        return product

    return make
