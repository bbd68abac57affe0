"""The catalog in a real browser: sign in, search with a typo, filter by a facet, open a product.

Desktop (1280 px) and phone (375 px); with SCREENSHOTS=1 the listing, the filtered listing and
the product page are saved to artifacts/screenshots/catalog-*.png.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import User
from catalog.models import PropertyValue
from catalog.services import category_rebuild_tree, product_search_refresh
from tests.browser.pages import VIEWPORTS, assert_fits, chromium, new_page, shot, sign_in
from tests.catalog.factories import PropertyFactory
from tests.factories import (
    CategoryFactory,
    ClientUserFactory,
    PriceFactory,
    PriceTypeFactory,
    ProductFactory,
    RegionFactory,
    StockFactory,
    WarehouseFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.postgres]


@pytest.fixture
def catalog_data(transactional_db):
    base = PriceTypeFactory(name="Базовая Поволжье")
    region = RegionFactory(name="Поволжье", base_price_type=base)
    main = WarehouseFactory(region=region, name="Склад Самара")
    south = WarehouseFactory(region=region, name="Склад Тольятти")
    ClientUserFactory(email="buyer@example.com", client__name="ООО «Стройснаб»", client__region=region,
                      role=User.Role.MANAGER)
    fasteners = CategoryFactory(name="Крепёж", slug="fasteners")
    category_rebuild_tree()
    brand = PropertyFactory(name="Бренд", slug="brand")
    brands = [PropertyValue.objects.create(property=brand, value=name) for name in ("Европартнёр", "Tech-Krep")]
    now = timezone.now()
    for number in range(12):
        product = ProductFactory(
            sku=f"KR-{4800 + number}", name=f"Саморез кровельный 4,8×{19 + number * 5} RAL 3005", category=fasteners,
            brand=brands[number % 2].value, multiplicity=Decimal("50"),
            description="Саморез с прессшайбой и уплотнителем EPDM для кровли из профнастила.",
        )
        product.property_values.add(brands[number % 2])
        PriceFactory(product=product, price_type=base, amount=Decimal("3.47") + number)
        StockFactory(product=product, warehouse=main, quantity=Decimal(1000 * (number % 3)),
                     confirmed_at=now - datetime.timedelta(minutes=4),
                     expected_on=(timezone.localdate() + datetime.timedelta(days=5)) if number % 3 == 0 else None)
        StockFactory(product=product, warehouse=south, quantity=Decimal(120), confirmed_at=now)
    ProductFactory(sku="DB-10", name="Дюбель рамный 10×100", category=fasteners)
    product_search_refresh()
    return {"brand": brands[1]}


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_buyer_searches_with_typo_filters_and_opens_a_product(live_server, catalog_data, viewport):
    size = VIEWPORTS[viewport]
    with chromium() as browser:
        page = new_page(browser, size)
        sign_in(page, live_server.url, "buyer@example.com")

        page.fill("#header-search-q", "самарез кровельный")
        page.locator("#search-suggestions .suggestions").wait_for()
        assert "KR-48" in page.locator("#search-suggestions").inner_text()
        page.press("#header-search-q", "Enter")
        page.wait_for_url("**/catalog/?q=*")
        assert page.locator(".product-table tbody tr").count() == 12
        assert "Дюбель" not in page.content()
        assert_fits(page, size["width"])
        shot(page, f"catalog-listing-{viewport}")

        # The typo search shows similar names without facets: filter within the category.
        page.goto(f"{live_server.url}/catalog/fasteners/")
        if viewport == "phone":  # the filters fold behind a button on a phone
            page.locator(".filters-button").click()
        page.locator(".filter-check", has_text="Tech-Krep").click()
        page.wait_for_url(f"**f=brand%3A{catalog_data['brand'].pk}*")
        page.wait_for_function("document.querySelectorAll('.product-table tbody tr').length === 6")
        assert_fits(page, size["width"])
        shot(page, f"catalog-filters-{viewport}")

        page.locator(".product-table .cell-name a").first.click()
        page.wait_for_url("**/catalog/product/**")
        buy = page.locator(".buy-box")
        assert "₽" in buy.inner_text()
        assert "остатки на" in buy.inner_text()
        page.locator("#reviews").wait_for()
        assert_fits(page, size["width"])
        shot(page, f"catalog-product-{viewport}")
