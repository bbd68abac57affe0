"""Catalog writes by supplier staff: product and category saves keep the search document and the tree true."""

import pytest
from django.core.exceptions import PermissionDenied

from catalog.models import Category, Product
from catalog.search import search_products
from catalog.services import category_save, product_save, product_search_refresh
from tests.catalog.factories import PropertyValueFactory
from tests.factories import CategoryFactory, ProductFactory, StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db


def found(query: str) -> set[Product]:
    return set(search_products(Product.objects.all(), query))


@pytest.fixture
def superuser():
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.mark.postgres
def test_product_save_refreshes_the_search_document(superuser):
    product = ProductFactory(name="Доска обрезная")
    product_search_refresh()
    assert not found("лиственница")
    product.description = "Из сибирской лиственницы, камерной сушки."
    product_save(by=superuser, product=product)
    assert found("лиственница") == {product}
    product_save(by=superuser, product=product, property_values=[PropertyValueFactory(value="Ангарская сосна")])
    assert found("ангарская") == {product}
    product_save(by=superuser, product=product, property_values=[])
    assert not found("ангарская")


def test_product_save_needs_the_permission():
    product = ProductFactory(description="старое")
    product.description = "новое"
    with pytest.raises(PermissionDenied):
        product_save(by=StaffUserFactory(), product=product)
    product.refresh_from_db()
    assert product.description == "старое"


def test_category_save_keeps_the_tree(superuser):
    root = CategoryFactory()
    child = category_save(by=superuser, category=Category(name="Крепёж", slug="krepezh", parent=root))
    assert child.depth == 1 and child.path.startswith(Category.objects.get(pk=root.pk).path)
    other_root = category_save(by=superuser, category=Category(name="Инструмент", slug="instrument"))
    child.parent = other_root
    category_save(by=superuser, category=child)
    child.refresh_from_db()
    assert child.path.startswith(other_root.path) and child.depth == 1
    with pytest.raises(PermissionDenied):
        category_save(by=StaffUserFactory(), category=Category(name="Чужая", slug="chuzhaya"))
    assert not Category.objects.filter(slug="chuzhaya").exists()
