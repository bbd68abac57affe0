"""Catalog admin saves go through the catalog services: the search document and the tree follow."""

import pytest

from catalog.models import Category, Product
from catalog.search import search_products
from catalog.services import marketing_group_grant, product_search_refresh
from tests.admin_forms import change_form_data
from tests.factories import CategoryFactory, ProductFactory, StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db
PRODUCTS = "/admin/catalog/product/"


def found(query: str) -> set[Product]:
    return set(search_products(Product.objects.all(), query))


def _save(client, url: str, **changes):
    data = change_form_data(client.get(url))
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


@pytest.mark.postgres
def test_admin_product_save_refreshes_the_search_document(client):
    product = ProductFactory(name="Доска обрезная")
    product_search_refresh()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    _save(client, f"{PRODUCTS}{product.pk}/change/", description="Из сибирской лиственницы")
    assert found("лиственница") == {product}


@pytest.mark.postgres
def test_marketing_edits_the_description_only_and_search_follows(client):
    product = ProductFactory(name="Доска обрезная")
    product_search_refresh()
    marketer = StaffUserFactory()
    marketer.groups.add(marketing_group_grant())
    client.force_login(marketer)
    _save(client, f"{PRODUCTS}{product.pk}/change/", description="Из сибирской лиственницы", name="Другое")
    product.refresh_from_db()
    assert (product.name, product.description) == ("Доска обрезная", "Из сибирской лиственницы")
    assert found("лиственница") == {product}


def test_admin_category_save_rebuilds_the_tree(client):
    root = CategoryFactory()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    _save(client, "/admin/catalog/category/add/", name="Крепёж", slug="krepezh", parent=str(root.pk))
    child = Category.objects.get(slug="krepezh")
    assert child.depth == 1 and child.path.startswith(Category.objects.get(pk=root.pk).path)
