"""Cached listing pieces: valid for one catalog version, retired by imports and catalog services; Jinja2 filters."""

from decimal import Decimal

import pytest
from django.template.defaultfilters import floatformat
from django.utils import translation

from catalog.fragments import catalog_version, catalog_version_bump
from catalog.services import category_rebuild_tree, product_search_refresh
from portal.jinja_env import money, number
from tests.factories import (
    ClientUserFactory,
    PriceFactory,
    PriceTypeFactory,
    ProductFactory,
    RegionFactory,
    StockFactory,
    WarehouseFactory,
)

pytestmark = pytest.mark.django_db


def _product(region, base, name):
    product = ProductFactory(name=name)
    PriceFactory(product=product, price_type=base, amount=Decimal("12.50"))
    StockFactory(product=product, warehouse=WarehouseFactory(region=region), quantity=Decimal("40"))
    return product


def test_listing_pieces_are_kept_until_the_catalog_version_changes(client):
    base = PriceTypeFactory()
    region = RegionFactory(base_price_type=base)
    client.force_login(ClientUserFactory(client__region=region))
    first = _product(region, base, "Анкер 1")
    assert first.sku in client.get("/catalog/").content.decode()
    second = _product(region, base, "Анкер 2")
    html = client.get("/catalog/").content.decode()
    assert second.sku not in html  # the page's ids and the sidebar come from the cache
    catalog_version_bump()
    html = client.get("/catalog/").content.decode()
    assert first.sku in html and second.sku in html


def test_catalog_services_retire_the_cache_after_commit(django_capture_on_commit_callbacks):
    before = catalog_version()
    with django_capture_on_commit_callbacks(execute=True):
        product_search_refresh(product_ids=[])
    assert catalog_version() > before
    before = catalog_version()
    with django_capture_on_commit_callbacks(execute=True):
        category_rebuild_tree()
    assert catalog_version() > before


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("amount", ["0.01", "12.50", "1234.5", "1234567.89"])
def test_jinja_number_filters_match_django(language, amount):
    with translation.override(language):
        assert money(Decimal(amount)) == floatformat(Decimal(amount), "2g")
        assert number(Decimal("2.500")) == ("2,5" if language == "ru" else "2.5")


def test_product_page_details_follow_a_product_save(client):
    from tests.catalog.factories import PropertyValueFactory

    base = PriceTypeFactory()
    region = RegionFactory(base_price_type=base)
    client.force_login(ClientUserFactory(client__region=region))
    product = _product(region, base, "Дюбель")
    assert "Материал-нейлон" not in client.get(product.get_absolute_url()).content.decode()
    product.property_values.add(PropertyValueFactory(value="Материал-нейлон"))
    product.save()  # what an admin save does: `updated_at` moves, the cached details are not used
    assert "Материал-нейлон" in client.get(product.get_absolute_url()).content.decode()
