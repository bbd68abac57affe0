"""Product search, the same cases on PostgreSQL and on SQLite (the embedded default; see tests.vendors):
case, word order, several words, word forms, SKU prefix, typos with a suggested spelling, typeahead, and
the search document kept by the catalog's services."""

from decimal import Decimal
from urllib.parse import quote_plus

import pytest
from django.urls import reverse

from catalog.models import Product
from catalog.search import search_products, suggest_query
from catalog.services import product_save, product_search_refresh
from tests.catalog.factories import PropertyValueFactory
from tests.factories import PriceFactory, ProductFactory, StaffUserFactory

pytestmark = [pytest.mark.django_db]

NAMES = {
    "KR-4835": "Саморез кровельный 4,8×35 RAL 3005",
    "KR-4850": "Саморез кровельный 4,8×50 RAL 8017",
    "DR-750": "Дрель ударная Bosch 750 Вт",
    "DR-600": "Дрель-шуруповёрт Makita 600 Вт",
    "GL-M": "Перчатки нитриловые синие размер M",
    "SW-1": "Выключатель одноклавишный белый",
    "DB-10": "Дюбель рамный 10×100",
}


@pytest.fixture
def catalog(shop):
    products = {}
    for sku, name in NAMES.items():
        products[sku] = ProductFactory(sku=sku, name=name, brand=name.split()[2] if "Дрель" in name else "")
        PriceFactory(product=products[sku], price_type=shop["base"], amount=Decimal("10"))
    products["GL-M"].property_values.add(PropertyValueFactory(value="Нитрил"))
    product_search_refresh()
    return products


def found(query: str, typos: bool = False) -> set[str]:
    return set(search_products(Product.objects.all(), query, typos=typos).values_list("sku", flat=True))


@pytest.mark.parametrize(("query", "expected"), [
    ("саморез", {"KR-4835", "KR-4850"}),
    ("Саморез", {"KR-4835", "KR-4850"}),
    ("САМОРЕЗ", {"KR-4835", "KR-4850"}),
    ("саморезы", {"KR-4835", "KR-4850"}),
    ("дрель", {"DR-750", "DR-600"}),
    ("дрели", {"DR-750", "DR-600"}),
    ("Дрель Bosch", {"DR-750"}),
    ("bosch дрель", {"DR-750"}),
    ("перчатки нитриловые", {"GL-M"}),
    ("нитриловые перчатки", {"GL-M"}),
    ("кровельные", {"KR-4835", "KR-4850"}),
    ("кровел", {"KR-4835", "KR-4850"}),
    ("шуруповерт", {"DR-600"}),
    ("кровельный 50", {"KR-4850"}),
    ("kr-48", {"KR-4835", "KR-4850"}),
    ("нитрил", {"GL-M"}),
])
def test_search_folds_case_word_order_and_word_forms(vendor, catalog, query, expected):
    assert found(query) == expected


def test_search_ranks_exact_sku_then_name_matches(vendor, catalog):
    ranked = search_products(Product.objects.all(), "KR-4850").order_by("-rank", "name")
    assert [product.sku for product in ranked] == ["KR-4850"]
    ranked = list(search_products(Product.objects.all(), "нитрил").order_by("-rank"))
    assert [product.sku for product in ranked] == ["GL-M"]


@pytest.mark.parametrize(("query", "sku", "spelt"), [
    ("самарез", "KR-4835", "саморез"),
    ("выключатль", "SW-1", "выключатель"),
    ("самарез кровельный", "KR-4850", "саморез кровельный"),
])
def test_typos_find_similar_names_and_suggest_the_spelling(vendor, catalog, client, shop, query, sku, spelt):
    assert found(query) == set()
    assert sku in found(query, typos=True)
    client.force_login(shop["buyer"])
    html = client.get("/catalog/", {"q": query}).content.decode()
    assert sku in html and "DB-10" not in html
    link = f'class="search-suggestion" href="?q={quote_plus(spelt)}">{spelt}</a>'
    assert link in html
    typeahead = client.get(reverse("catalog:suggest"), {"q": query}).content.decode()
    assert sku in typeahead and f"<strong>{spelt}</strong>" in typeahead


def test_suggestion_keeps_the_right_words():
    assert suggest_query("саморез", ["Саморез кровельный"]) is None
    assert suggest_query("Самарез 4,8", ["Саморез кровельный 4,8×35"]) == "саморез 4 8"


@pytest.mark.parametrize("query", ["саморез", "Саморез", "кровельные", "Дрель Bosch"])
def test_typeahead_and_listing_find_words_in_any_case(vendor, catalog, client, shop, query):
    client.force_login(shop["buyer"])
    expected = found(query)
    assert expected
    typeahead = client.get(reverse("catalog:suggest"), {"q": query}).content.decode()
    listing = client.get("/catalog/", {"q": query}).content.decode()
    assert all(sku in typeahead and sku in listing for sku in expected)
    assert "DB-10" not in typeahead + listing


def test_product_save_keeps_the_search_document(vendor, catalog):
    staff = StaffUserFactory(is_superuser=True)
    product = catalog["DB-10"]
    product.name = "Анкер клиновой 10×100"
    product_save(by=staff, product=product, property_values=[PropertyValueFactory(value="Оцинкованная сталь")])
    assert found("анкер") == {"DB-10"} and found("дюбель") == set()
    assert found("оцинкованная") == {"DB-10"}
