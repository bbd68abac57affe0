"""Reads of the catalog app, on PostgreSQL and on SQLite (the embedded default; see tests.vendors)."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.selectors import signed_in_user
from catalog.models import AssortmentItem
from catalog.selectors import visible_product
from tests.factories import CategoryFactory, ClientUserFactory, ProductFactory, RegionFactory, StaffUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def restricted():
    """A buyer of a region whose assortment is restricted, as the session loads it."""
    region = RegionFactory(assortment_restricted=True)
    return signed_in_user(ClientUserFactory(client__region=region).pk)


def test_a_visible_product_comes_with_its_unit_and_category_as_the_orm_loads_them(vendor):
    category = CategoryFactory()
    product = ProductFactory(category=category, multiplicity=Decimal("2.5"), weight=Decimal("0.125"))

    found = visible_product(user=AnonymousUser(), pk=product.pk)

    assert (found.pk, found.name, found.multiplicity, found.weight) == (product.pk, product.name, Decimal("2.5"),
                                                                         Decimal("0.125"))
    assert found.updated_at == product.updated_at
    assert found.base_unit.short_name == product.base_unit.short_name and found.category.name == category.name
    assert found.get_deferred_fields() == {"search_vector"}


def test_a_product_without_a_category_has_none(vendor):
    assert visible_product(user=AnonymousUser(), pk=ProductFactory(category=None).pk).category is None


def test_an_inactive_or_missing_product_is_none(vendor):
    assert visible_product(user=AnonymousUser(), pk=ProductFactory(is_active=False).pk) is None
    assert visible_product(user=AnonymousUser(), pk=10**9) is None


def test_a_restricted_region_sees_its_assortment_only(vendor, restricted):
    inside, outside = ProductFactory(), ProductFactory()
    AssortmentItem.objects.create(region=restricted.client.region, product=inside)

    assert visible_product(user=restricted, pk=inside.pk) == inside
    assert visible_product(user=restricted, pk=outside.pk) is None
    assert visible_product(user=StaffUserFactory(), pk=outside.pk) == outside  # supplier staff see every product
