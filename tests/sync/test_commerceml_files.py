"""Every real CommerceML fixture file, imported and counted against independent XPath counts."""

from decimal import Decimal

import pytest

from base.models import PriceType, Warehouse
from catalog.models import Category, Price, Product, Property, Stock
from tests.factories import ProductFactory

from .helpers import fixture, ok, snapshot, written, xcount, xvalues

pytestmark = pytest.mark.django_db

CATALOGS = [
    "andrtechno-mod-exchange1c/import.xml",
    "artemiusua-django-cml/import.xml",
    "bigperson-exchange1c/import.xml",
    "carono-php-commerceml/import.xml",
    "gillbeits-commerceml/import___b815e2db-7a65-4265-9241-5f0c4f0565a7.xml",
    "turumburumstudio-exchangecommerceml/import.xml",
]
OFFERS = {  # offers file: the catalog file of the same source imported before it
    "andrtechno-mod-exchange1c/offers.xml": "andrtechno-mod-exchange1c/import.xml",
    "bigperson-exchange1c/offers.xml": "bigperson-exchange1c/import.xml",
    "carono-php-commerceml/offers.xml": "carono-php-commerceml/import.xml",
}
GILLBEITS = [
    "gillbeits-commerceml/import___b815e2db-7a65-4265-9241-5f0c4f0565a7.xml",
    "gillbeits-commerceml/offers___7f304edc-2527-4d3d-b058-6e4ee53de2e0.xml",
    "gillbeits-commerceml/prices___d66a6b51-ce9c-4e7a-8c7c-25079721107f.xml",
    "gillbeits-commerceml/rests___1af6e7b8-a026-4690-9752-1c9d64cb914d.xml",
]


@pytest.mark.parametrize("name", CATALOGS)
def test_catalog_file_imports_every_group_property_and_product(name):
    path = fixture(name)

    result = ok("catalog", path)

    group_ids = xvalues(path, "/КоммерческаяИнформация/Классификатор/Группы//Группа/Ид")
    assert len(group_ids) == xcount(path, "/КоммерческаяИнформация/Классификатор/Группы//Группа")
    assert Category.objects.count() == len(set(group_ids))  # a repeated Ид is one group (turumburum repeats one)
    assert result.counts.get("categories", {}).get("rejected", 0) == len(group_ids) - len(set(group_ids))
    assert Property.objects.count() == xcount(path, "/КоммерческаяИнформация/Классификатор/Свойства/Свойство")
    products = xcount(path, "/КоммерческаяИнформация/Каталог/Товары/Товар")
    assert Product.objects.count() == products
    assert PriceType.objects.count() == xcount(path, "/КоммерческаяИнформация/Классификатор/ТипыЦен/ТипЦены")
    assert Warehouse.objects.count() == xcount(path, "/КоммерческаяИнформация/Классификатор/Склады/Склад")
    if products:
        assert set(Product.objects.values_list("erp_id", flat=True)) == set(
            xvalues(path, "/КоммерческаяИнформация/Каталог/Товары/Товар/Ид"))
        assert result.counts["products"]["created"] == products
    # every product with a group sits in it
    assert not Product.objects.filter(category__isnull=True, erp_id__in=xvalues(
        path, "/КоммерческаяИнформация/Каталог/Товары/Товар[Группы]/Ид")).exists()


@pytest.mark.parametrize("name", CATALOGS)
def test_second_import_of_a_catalog_writes_nothing(name):
    path = fixture(name)
    ok("catalog", path)
    before = snapshot()

    again = ok("catalog", path)

    assert written(again.counts) == 0, again.counts
    assert snapshot() == before


def test_catalog_property_links_match_the_file():
    path = fixture("carono-php-commerceml/import.xml")
    ok("catalog", path)

    values = xcount(path, "/КоммерческаяИнформация/Каталог/Товары/Товар/ЗначенияСвойств/ЗначенияСвойства/Значение")
    links = sum(p.property_values.count() for p in Product.objects.all())
    assert 0 < links <= values
    assert Category.objects.filter(path="").count() == 0, "the tree paths are rebuilt"


@pytest.mark.parametrize("name", sorted(OFFERS))
def test_offers_file_imports_price_types_warehouses_prices_and_stock(name):
    path = fixture(name)
    ok("catalog", fixture(OFFERS[name]))

    result = ok("catalog", path)

    pkg = "/КоммерческаяИнформация/ПакетПредложений"
    assert PriceType.objects.count() == xcount(path, f"{pkg}/ТипыЦен/ТипЦены")
    offers = xcount(path, f"{pkg}/Предложения/Предложение")
    assert result.counts["offers"]["read"] == offers
    assert Price.objects.count() == xcount(path, f"{pkg}/Предложения/Предложение/Цены/Цена")
    per_warehouse = xcount(path, f"{pkg}/Предложения/Предложение/Склад")
    totals_only = xcount(path, f"{pkg}/Предложения/Предложение[not(Склад)]/Количество")
    assert Stock.objects.count() == per_warehouse + totals_only
    declared = xcount(path, f"{pkg}/Склады/Склад")
    assert Warehouse.objects.count() == declared + (1 if totals_only else 0)
    assert set(Product.objects.values_list("erp_id", flat=True)) >= set(
        xvalues(path, f"{pkg}/Предложения/Предложение/Ид"))

    before = snapshot()
    again = ok("catalog", path)
    assert written(again.counts) == 0, again.counts
    assert snapshot() == before


def test_characteristic_offers_become_their_own_products():
    ok("catalog", fixture("carono-php-commerceml/import.xml"))
    ok("catalog", fixture("carono-php-commerceml/offers.xml"))

    variant = Product.objects.get(erp_id="bd72d910-55bc-11d9-848a-00112f43529a#90c55447-d3a8-11e4-9423-e0cb4ed5eed4")
    assert variant.sku == "Б-130001#90c55447"
    assert variant.name == "Женские ботфорты коричневые (38)"
    assert Stock.objects.get(product=variant).quantity == 20


def test_ut11_offer_with_a_price_type_twice_imports_under_the_repeated_price_rule():
    """A characteristic offer lists one price type per pack and per base unit: the base-unit one wins;
    two base-unit prices of one type: the last one wins."""
    ok("catalog", fixture("carono-php-commerceml/import.xml"))
    path = fixture("derived/carono-offers-repeated-price.xml")

    result = ok("catalog", path)

    pkg = "/КоммерческаяИнформация/ПакетПредложений/Предложения/Предложение"
    assert Price.objects.count() == xcount(path, pkg) == 5
    by_offer = dict(Price.objects.values_list("product__erp_id", "amount"))
    assert by_offer["bd72d910-55bc-11d9-848a-00112f43529a#90c55447-d3a8-11e4-9423-e0cb4ed5eed4"] == Decimal("1719")
    assert by_offer["bd72d910-55bc-11d9-848a-00112f43529a#e5a4c316-a659-11dd-acee-0015e9b8c48d"] == Decimal("1450")
    assert result.counts["offers"]["repeated_prices_dropped"] == 2
    assert written(ok("catalog", path).counts) == 0


def test_bitrix_package_import_offers_prices_rests():
    paths = [fixture(n) for n in GILLBEITS]
    runs = [ok("stock" if "rests" in str(p) else "catalog", p) for p in paths]

    offers = xcount(paths[1], "/КоммерческаяИнформация/ПакетПредложений/Предложения/Предложение")
    assert Product.objects.count() == offers == 978
    assert PriceType.objects.count() == xcount(paths[0], "/КоммерческаяИнформация/Классификатор/ТипыЦен/ТипЦены")
    assert Warehouse.objects.count() == xcount(paths[0], "/КоммерческаяИнформация/Классификатор/Склады/Склад")
    assert Price.objects.count() == xcount(paths[2], "//Предложение/Цены/Цена")
    assert Stock.objects.count() == xcount(paths[3], "//Предложение/Остатки/Остаток/Склад")
    negative = [q for q in xvalues(paths[3], "//Остаток/Склад/Количество") if q.startswith("-")]
    assert runs[3].counts["offers"]["negative_stock_clamped"] == len(negative) == 1
    assert not Stock.objects.filter(quantity__lt=0).exists()

    for path in paths:
        before = snapshot()
        again = ok("stock" if "rests" in str(path) else "catalog", path)
        assert written(again.counts) == 0, (path.name, again.counts)
        assert snapshot() == before


def test_cml3_rests_need_existing_products_and_store_every_warehouse_row():
    path = fixture("argentcrusade-commerceml/remainders-example.xml")
    for erp_id in xvalues(path, "//Предложения/Предложение/Ид"):
        ProductFactory(erp_id=erp_id)

    ok("stock", path)

    assert Stock.objects.count() == xcount(path, "//Предложение/Остатки/Остаток/Склад")
    assert Warehouse.objects.count() == len(set(xvalues(path, "//Остаток/Склад/Ид")))


@pytest.mark.postgres
def test_imported_products_get_their_search_document():
    path = fixture("carono-php-commerceml/import.xml")
    ok("catalog", path)
    ok("catalog", fixture("carono-php-commerceml/offers.xml"))

    assert not Product.objects.filter(search_vector__isnull=True).exists()
