"""The listing's filters: disjunctive facet groups, their counts, the active filter count, cached sidebars, bounded
queries; the product page's breadcrumb and VAT labels."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import PropertyValue
from catalog.services import category_rebuild_tree, product_search_refresh
from tests.catalog.factories import PropertyFactory
from tests.factories import CategoryFactory, PriceFactory, ProductFactory, StockFactory

pytestmark = [pytest.mark.django_db]

_CHECK = re.compile(r'<input type="checkbox" name="f" value="([\w-]+):(\d+)"( checked)?> <span>([^<]+)</span> '
                    r'<span class="facet-count">(\d+)</span>')


@pytest.fixture
def facets(shop):
    """Brands A (3 products), B (2), C (1); material steel on A1, A2, B1, C1 and wood on A3, B2."""
    brand, material = PropertyFactory(name="Бренд", slug="brand"), PropertyFactory(name="Материал", slug="material")
    value = {name: PropertyValue.objects.create(property=brand, value=name) for name in "ABC"}
    value |= {name: PropertyValue.objects.create(property=material, value=name) for name in ("steel", "wood")}
    for sku, brand_name, material_name in (("A1", "A", "steel"), ("A2", "A", "steel"), ("A3", "A", "wood"),
                                            ("B1", "B", "steel"), ("B2", "B", "wood"), ("C1", "C", "steel")):
        product = ProductFactory(sku=f"P-{sku}", name=f"Товар {sku}")
        product.property_values.add(value[brand_name], value[material_name])
        PriceFactory(product=product, price_type=shop["base"], amount=Decimal("10"))
        StockFactory(product=product, warehouse=shop["warehouse"], quantity=Decimal("5"))
    product_search_refresh()
    return value


def sidebar(html: str) -> dict[str, tuple[int, bool]]:
    """Facet value → (count, checked) as the sidebar shows them."""
    return {value: (int(count), bool(checked)) for _slug, _pk, checked, value, count in _CHECK.findall(html)}


def listed(html: str) -> set[str]:
    return set(re.findall(r'<span class="sku">(P-\w+)</span>', html))


def f(value: PropertyValue) -> str:
    return f"{value.property.slug}:{value.pk}"


def test_values_of_one_group_or_together_and_keep_their_counts(client, shop, facets):
    client.force_login(shop["buyer"])
    html = client.get("/catalog/", {"f": f(facets["A"])}).content.decode()
    assert listed(html) == {"P-A1", "P-A2", "P-A3"}
    shown = sidebar(html)
    assert shown["A"] == (3, True) and shown["B"] == (2, False) and shown["C"] == (1, False)
    assert shown["steel"] == (2, False) and shown["wood"] == (1, False)  # other groups: under brand A

    html = client.get("/catalog/", {"f": [f(facets["A"]), f(facets["C"])]}).content.decode()
    assert listed(html) == {"P-A1", "P-A2", "P-A3", "P-C1"}
    assert sidebar(html)["B"] == (2, False) and sidebar(html)["steel"] == (3, False)


def test_groups_and_together_each_counted_under_the_others(client, shop, facets):
    client.force_login(shop["buyer"])
    html = client.get("/catalog/", {"f": [f(facets["A"]), f(facets["B"]), f(facets["wood"])]}).content.decode()
    assert listed(html) == {"P-A3", "P-B2"}
    shown = sidebar(html)
    assert shown["A"] == (1, True) and shown["B"] == (1, True) and "C" not in shown  # brands of wooden products
    assert shown["steel"] == (3, False) and shown["wood"] == (2, True)  # materials of brands A and B


def test_filters_button_counts_active_filters(client, shop, facets):
    client.force_login(shop["buyer"])
    html = client.get("/catalog/", {"f": [f(facets["A"]), f(facets["wood"])], "stock": "1",
                                    "price_min": "5"}).content.decode()
    assert re.search(r'class="btn btn-secondary filters-button">Фильтры <span class="filters-count">4</span>', html)
    html = client.get("/catalog/").content.decode()
    assert 'class="btn btn-secondary filters-button">Фильтры</label>' in html


def test_cached_sidebar_follows_the_facet_state(client, shop, facets):
    client.force_login(shop["buyer"])
    for name, other in (("A", "B"), ("B", "A"), ("A", "B")):
        for _request in range(2):  # the second is served from the cache
            shown = sidebar(client.get("/catalog/", {"f": f(facets[name])}).content.decode())
            assert shown[name][1] and not shown[other][1]
    partial = client.get("/catalog/", {"f": f(facets["C"])}, headers={"HX-Request": "true"}).content.decode()
    assert sidebar(partial)["C"] == (1, True) and listed(partial) == {"P-C1"}


def test_facet_queries_do_not_grow_with_the_selected_groups(client, shop, facets):
    client.force_login(shop["buyer"])
    client.get("/catalog/")  # the session and the category tree
    counts = []
    for params in ({"sort": "new"}, {"f": f(facets["A"])}, {"f": [f(facets["A"]), f(facets["wood"])]},
                   {"f": [f(facets["A"]), f(facets["B"]), f(facets["wood"]), f(facets["steel"])], "stock": "1"}):
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/catalog/", params).status_code == 200
        counts.append(len(queries))
    assert len(set(counts)) == 1, counts
    assert counts[0] <= 8


def test_product_page_breadcrumb_names_every_level(client, shop):
    top = CategoryFactory(name="Крепёж", slug="krepezh")
    middle = CategoryFactory(name="Саморезы", slug="samorezy", parent=top)
    leaf = CategoryFactory(name="Саморезы кровельные", slug="samorezy-krovelnye", parent=middle)
    category_rebuild_tree()
    product = ProductFactory(name="Саморез кровельный 4,8×35", category=leaf)
    PriceFactory(product=product, price_type=shop["base"], amount=Decimal("3.40"))
    StockFactory(product=product, warehouse=shop["warehouse"], quantity=Decimal("100"))
    client.force_login(shop["buyer"])
    html = client.get(product.get_absolute_url()).content.decode()
    crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', html, re.S).group(0)
    names = re.findall(r"<a href=\"([^\"]+)\">([^<]+)</a>", crumbs)
    assert names == [("/catalog/", "Каталог"), (top.get_absolute_url(), "Крепёж"),
                     (middle.get_absolute_url(), "Саморезы"), (leaf.get_absolute_url(), "Саморезы кровельные")]
    listing = client.get(leaf.get_absolute_url()).content.decode()
    assert "Крепёж</a>" in listing and "Саморезы</a>" in listing


@pytest.mark.parametrize("vat_included", [True, False])
def test_prices_say_whether_vat_is_included(client, shop, vat_included):
    shop["base"].vat_included = vat_included
    shop["base"].save()
    product = ProductFactory(name="Перчатки нитриловые")
    PriceFactory(product=product, price_type=shop["base"], amount=Decimal("25"))
    StockFactory(product=product, warehouse=shop["warehouse"], quantity=Decimal("100"))
    product_search_refresh()
    client.force_login(shop["buyer"])
    label, note = ("Цена с НДС", "с НДС") if vat_included else ("Цена без НДС", "без НДС")
    assert f">{label}</th>" in client.get("/catalog/").content.decode()
    page = client.get(product.get_absolute_url()).content.decode()
    assert f"· {note} ·" in page
    typeahead = client.get(reverse("catalog:suggest"), {"q": "перчатки"}).content.decode()
    assert f'<span class="price-note">{note}</span>' in typeahead
