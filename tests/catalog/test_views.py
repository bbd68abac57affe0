"""Catalog pages: constant query counts, regional isolation, search, price list, marketing, reviews."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import User
from catalog.admin import ProductAdmin
from catalog.availability import STATUS_LABELS, StockStatus
from catalog.models import AssortmentItem, Product, Review
from catalog.pricing import SOURCE_LABELS, PriceSource
from catalog.services import marketing_group_grant, product_search_refresh, review_moderate, review_submit
from tests.catalog.factories import PropertyValueFactory, ReviewFactory
from tests.factories import (
    ClientUserFactory,
    PriceFactory,
    ProductFactory,
    StaffUserFactory,
    StockFactory,
)

pytestmark = [pytest.mark.django_db]


def _products(shop, count, **kwargs):
    value = PropertyValueFactory()
    products = ProductFactory.create_batch(count, **kwargs)
    for product in products:
        PriceFactory(product=product, price_type=shop["base"], amount=Decimal("12.50"))
        StockFactory(product=product, warehouse=shop["warehouse"], quantity=Decimal("40"))
        product.property_values.add(value)
    product_search_refresh()
    return products


@pytest.mark.postgres
@pytest.mark.parametrize("url", ["/catalog/?per_page={n}", "/catalog/?per_page={n}&sort=price&stock=1",
                                 "/catalog/?q=Товар&per_page={n}"])
def test_listing_and_search_queries_are_constant(client, shop, django_assert_max_num_queries, url):
    client.force_login(shop["buyer"])
    _products(shop, 3)
    with django_assert_max_num_queries(10):
        small = client.get(url.format(n=24))
    _products(shop, 120)
    with django_assert_max_num_queries(10):
        large = client.get(url.format(n=100))
    assert small.status_code == large.status_code == 200
    assert large.content.decode().count('class="price"') >= 100


@pytest.mark.postgres
def test_a_repeated_listing_page_asks_only_for_the_user_prices_stock_and_cart_badge(
        client, shop, django_assert_num_queries, session_queries):
    client.force_login(shop["buyer"])
    _products(shop, 30)
    first = client.get("/catalog/").content.decode()
    with django_assert_num_queries(4 + session_queries):
        again = client.get("/catalog/").content.decode()
    assert again.count('name="only"') == first.count('name="only"') == 24
    assert again.count('class="price"') == 24


def test_listing_rows_of_a_viewer_who_cannot_order_have_no_cart_controls(client, shop):
    products = _products(shop, 2)
    accountant = ClientUserFactory(client=shop["buyer"].client, role=User.Role.ACCOUNTANT)
    client.force_login(accountant)
    assert 'name="only"' not in client.get("/catalog/").content.decode()
    client.force_login(shop["buyer"])
    html = client.get("/catalog/").content.decode()
    assert all(f'name="only" value="{product.pk}"' in html for product in products)


def test_product_page_queries_are_constant(client, shop, django_assert_max_num_queries):
    client.force_login(shop["buyer"])
    product = _products(shop, 1)[0]
    with django_assert_max_num_queries(10):
        html = client.get(product.get_absolute_url()).content.decode()
    assert "12,50" in html or "12.50" in html
    assert "stock as of" in html or "остатки на" in html


def test_region_assortment_isolation(client, shop):
    shop["region"].assortment_restricted = True
    shop["region"].save()
    inside, outside = _products(shop, 2)
    outside.name = inside.name = "Шуруп кровельный"
    Product.objects.bulk_update([inside, outside], ["name"])
    product_search_refresh()
    AssortmentItem.objects.create(region=shop["region"], product=inside)
    client.force_login(shop["buyer"])
    assert client.get(outside.get_absolute_url()).status_code == 404
    assert client.get(inside.get_absolute_url()).status_code == 200
    html = client.get("/catalog/", {"q": "шуруп"}).content.decode()
    assert inside.sku in html and outside.sku not in html
    suggest = client.get(reverse("catalog:suggest"), {"q": "шуруп"}).content.decode()
    assert inside.sku in suggest and outside.sku not in suggest


@pytest.mark.postgres
def test_search_typo_and_sku_prefix(client, shop):
    target = _products(shop, 1, name="Саморез кровельный 4,8x35", sku="KR-481035")[0]
    _products(shop, 1, name="Дюбель рамный", sku="DB-1")
    client.force_login(shop["buyer"])
    assert target.sku in client.get("/catalog/", {"q": "самарез"}).content.decode()
    assert target.sku in client.get("/catalog/", {"q": "kr-48"}).content.decode()
    html = client.get("/catalog/", {"q": "кровельн"}).content.decode()
    assert target.sku in html and "DB-1" not in html


def test_anonymous_sees_no_prices_or_stock(client, shop):
    _products(shop, 2)
    html = client.get("/catalog/").content.decode()
    assert 'class="price"' not in html and "остатки на" not in html


def test_facet_filter_and_htmx_partial(client, shop):
    products = _products(shop, 3)
    special = PropertyValueFactory(value="Нержавейка")
    products[0].property_values.add(special)
    client.force_login(shop["buyer"])
    html = client.get("/catalog/", {"f": f"{special.property.slug}:{special.pk}"}).content.decode()
    assert products[0].sku in html and products[1].sku not in html
    partial = client.get("/catalog/", {"sort": "new"}, headers={"HX-Request": "true"}).content.decode()
    assert "<header" not in partial and 'id="catalog-results"' in partial


def test_pricelist_xlsx_content(client, shop):
    products = _products(shop, 3)
    ProductFactory(name="Без цены")
    client.force_login(shop["buyer"])
    response = client.get(reverse("catalog:pricelist"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(min_row=8, values_only=True))  # under the header block
    assert rows[0][0] == "Артикул"
    by_sku = {row[0]: row for row in rows[1:]}
    assert by_sku[products[0].sku][4] == 12.5 and rows[0][4] == "Цена, RUB"
    assert by_sku[products[0].sku][5] == str(STATUS_LABELS[StockStatus.IN_STOCK])
    assert len(rows) == 5 and str(SOURCE_LABELS[PriceSource.ON_REQUEST]) in [row[4] for row in rows]


def test_marketing_group_limits(rf):
    group = marketing_group_grant()
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert "change_product" in codenames and "change_review" in codenames
    assert not codenames & {"change_price", "change_stock", "change_clientprice", "add_product", "delete_product"}
    assert not Permission.objects.filter(group=group).exclude(content_type__app_label="catalog").exists()
    marketer = StaffUserFactory()
    marketer.groups.add(group)
    marketer = User.objects.get(pk=marketer.pk)
    assert not marketer.has_perm("orders.change_order") and not marketer.has_perm("accounts.change_client")
    request = rf.get("/")
    request.user = marketer
    from django.contrib import admin

    readonly = ProductAdmin(Product, admin.site).get_readonly_fields(request)
    assert "description" not in readonly and {"name", "sku", "multiplicity"} <= set(readonly)


def test_review_moderation(client, shop):
    product = _products(shop, 1)[0]
    buyer = shop["buyer"]
    review = review_submit(user=buyer, product=product, rating=4, text="Хороший товар")
    assert review.status == Review.Status.PENDING
    client.force_login(buyer)
    assert "Хороший товар" not in client.get(reverse("catalog:reviews", args=[product.pk])).content.decode()
    assert review_moderate(reviews=Review.objects.all(), status=Review.Status.PUBLISHED) == 1
    assert "Хороший товар" in client.get(reverse("catalog:reviews", args=[product.pk])).content.decode()
    with pytest.raises(ValidationError):
        review_submit(user=buyer, product=product, rating=6, text="")
    with pytest.raises(PermissionDenied):
        review_submit(user=StaffUserFactory(), product=ReviewFactory.build().product if False else product,
                      rating=5, text="")


def test_page_past_the_end_shows_the_last_page_and_sizes_are_bounded(client, shop):
    _products(shop, 30)
    client.force_login(shop["buyer"])
    html = client.get("/catalog/", {"page": "99"}).content.decode()
    assert ("Страница 2 из 2" in html or "Page 2 of 2" in html) and html.count('name="only"') == 6
    html = client.get("/catalog/", {"per_page": "100000"}).content.decode()
    assert html.count('name="only"') == 24


def test_accountant_sees_prices_without_cart(client, shop):
    _products(shop, 2)
    accountant = ClientUserFactory(client=shop["buyer"].client, role=User.Role.ACCOUNTANT)
    client.force_login(accountant)
    html = client.get("/catalog/").content.decode()
    assert 'class="price"' in html and "add-to-cart" not in html


def test_guest_catalog_setting_shows_base_prices(client, shop, settings):
    _products(shop, 1)
    settings.PORTAL_GUEST_CATALOG = True
    html = client.get("/catalog/").content.decode()
    assert 'class="price"' in html and "add-to-cart" not in html
