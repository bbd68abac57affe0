"""Database constraints of the catalog: they hold whatever code writes the rows."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from catalog.models import Category, Price, Product, ProductRelation, ProductUnit, Stock
from catalog.services import category_rebuild_tree
from tests.factories import (
    CategoryFactory,
    PriceFactory,
    PriceTypeFactory,
    ProductFactory,
    StockFactory,
    UnitFactory,
    WarehouseFactory,
)

pytestmark = pytest.mark.django_db


def _violates(fn) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()


def test_sku_is_unique():
    product = ProductFactory(sku="A-100")
    _violates(lambda: ProductFactory(sku="A-100"))
    assert Product.objects.filter(sku="A-100").get() == product


def test_sku_is_not_empty():
    _violates(lambda: ProductFactory(sku=""))


def test_multiplicity_positive():
    _violates(lambda: ProductFactory(multiplicity=Decimal("0")))


def test_price_non_negative_and_one_per_type():
    price = PriceFactory(amount=Decimal("0.00"))
    _violates(lambda: PriceFactory(amount=Decimal("-0.01")))
    _violates(lambda: Price.objects.create(
        product=price.product, price_type=price.price_type, amount=Decimal("1"), currency=price.currency))
    other_type = PriceTypeFactory()
    Price.objects.create(product=price.product, price_type=other_type, amount=Decimal("1"), currency=price.currency)


def test_one_stock_row_per_product_and_warehouse():
    stock = StockFactory()
    _violates(lambda: StockFactory(product=stock.product, warehouse=stock.warehouse))
    StockFactory(product=stock.product, warehouse=WarehouseFactory(region=stock.warehouse.region))
    assert Stock.objects.filter(product=stock.product).count() == 2


def test_stock_quantity_non_negative_and_fractional():
    _violates(lambda: StockFactory(quantity=Decimal("-1")))
    stock = StockFactory(quantity=Decimal("12.345"))
    stock.refresh_from_db()
    assert stock.quantity == Decimal("12.345")


def test_alternative_unit_coefficient_positive_and_unique():
    product = ProductFactory()
    pack = UnitFactory(code="778", name="Упаковка", short_name="упак")
    ProductUnit.objects.create(product=product, unit=pack, coefficient=Decimal("10"))
    _violates(lambda: ProductUnit.objects.create(product=product, unit=pack, coefficient=Decimal("20")))
    box = UnitFactory(code="812", name="Ящик", short_name="ящ")
    _violates(lambda: ProductUnit.objects.create(product=product, unit=box, coefficient=Decimal("0")))


def test_product_is_not_related_to_itself():
    product = ProductFactory()
    _violates(lambda: ProductRelation.objects.create(product=product, related=product))


def test_category_tree_paths():
    root = CategoryFactory()
    child = CategoryFactory(parent=root)
    grandchild = CategoryFactory(parent=child)
    assert category_rebuild_tree() == 3
    grandchild.refresh_from_db()
    assert grandchild.depth == 2
    assert grandchild.path.startswith(Category.objects.get(pk=root.pk).path)
    root.refresh_from_db()
    assert set(Category.objects.filter(path__startswith=root.path)) == {root, child, grandchild}
    assert category_rebuild_tree() == 0, "unchanged rows are not rewritten"
