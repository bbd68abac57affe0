"""The listing's filters and the product page in a real browser: a brand group stays open to more brands, the price
bounds wait for the buyer to finish typing, the phone folds the filters behind a button, the product page names
every category level and fits its stock table.

With SCREENSHOTS=1 the pages are saved to artifacts/screenshots/catalog-filters-*.png.
"""

from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import User
from catalog.models import PropertyValue
from catalog.services import category_rebuild_tree, product_search_refresh
from tests.browser.pages import VIEWPORTS, assert_fits, chromium, expect, new_page, shot, sign_in
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
def shop_data(transactional_db):
    base = PriceTypeFactory(name="Базовая")
    region = RegionFactory(name="Поволжье", base_price_type=base)
    warehouses = [WarehouseFactory(region=region, name=name) for name in
                  ("Склад Самара: Центральный (Кряж)", "Склад Тольятти: Южный", "Склад Сызрань")]
    ClientUserFactory(email="buyer@example.com", client__region=region, role=User.Role.MANAGER)
    top = CategoryFactory(name="Инструмент", slug="instrument")
    middle = CategoryFactory(name="Электроинструмент", slug="elektroinstrument", parent=top)
    drills = CategoryFactory(name="Дрели", slug="dreli", parent=middle)
    category_rebuild_tree()
    brand = PropertyFactory(name="Бренд", slug="brand")
    brands = {name: PropertyValue.objects.create(property=brand, value=name) for name in ("Bosch", "Makita", "Зубр")}
    now = timezone.now()
    for number in range(9):
        name = list(brands)[number % 3]
        product = ProductFactory(sku=f"DR-{100 + number}", name=f"Дрель ударная {name} {600 + number * 50} Вт",
                                 brand=name, category=drills)
        product.property_values.add(brands[name])
        PriceFactory(product=product, price_type=base, amount=Decimal(1000 * (number + 1)))
        for warehouse in warehouses:
            StockFactory(product=product, warehouse=warehouse, quantity=Decimal(10 + number), confirmed_at=now)
    product_search_refresh()
    return {"brands": brands}


def _buyer(browser, live_server, viewport: str):
    page = new_page(browser, viewport)
    sign_in(page, live_server.url, "buyer@example.com")
    return page


def _rows(page) -> int:
    return page.locator(".product-table tbody tr").count()


def test_brands_or_together_and_price_bounds_apply_when_typed(live_server, shop_data):
    with chromium() as browser:
        page = _buyer(browser, live_server, "desktop")
        page.goto(f"{live_server.url}/catalog/dreli/")
        assert page.locator(".filters-form").is_visible() and not page.locator(".filters-button").is_visible()
        page.locator(".filter-check", has_text="Bosch").click()
        expect(page.locator(".product-table tbody tr")).to_have_count(3)
        makita = page.locator(".filter-check", has_text="Makita")
        assert makita.is_visible() and makita.locator(".facet-count").inner_text() == "3"
        makita.click()
        expect(page.locator(".product-table tbody tr")).to_have_count(6)
        assert "Bosch" in page.inner_text(".product-table") and "Makita" in page.inner_text(".product-table")
        shot(page, "catalog-filters-brands-desktop")

        url = page.url
        page.click("#price-min")
        page.keyboard.type("2000")
        page.keyboard.press("Tab")
        page.keyboard.type("5000", delay=80)
        page.wait_for_timeout(1200)  # longer than the pause after leaving a bound
        assert page.url == url, "nothing reloads while the bounds are typed"
        assert page.evaluate("document.activeElement.id") == "price-max"
        assert page.input_value("#price-max") == "5000" and page.input_value("#price-min") == "2000"
        page.keyboard.press("Enter")
        page.wait_for_url("**price_max=5000*")
        expect(page.locator(".product-table tbody tr")).to_have_count(3)
        assert page.input_value("#price-min") == "2000" and page.input_value("#price-max") == "5000"

        page.fill("#price-max", "8000")
        page.locator("#catalog-title").click()  # the focus leaves the bounds: applied after a pause
        page.wait_for_url("**price_max=8000*")
        expect(page.locator(".product-table tbody tr")).to_have_count(5)


def test_phone_folds_the_filters_behind_a_button_with_their_count(live_server, shop_data):
    size = VIEWPORTS["phone"]
    with chromium() as browser:
        page = _buyer(browser, live_server, "phone")
        page.goto(f"{live_server.url}/catalog/dreli/")
        button = page.locator(".filters-button")
        assert button.is_visible() and not page.locator(".filters-form").is_visible()
        first = page.locator(".product-table tbody tr").first.bounding_box()
        assert first["y"] < size["height"], f"the first product starts at {first['y']} px"
        assert_fits(page, size["width"])
        shot(page, "catalog-filters-folded-phone")

        button.click()
        assert page.locator(".filters-form").is_visible()
        page.locator(".filter-check", has_text="Зубр").click()
        expect(page.locator(".product-table tbody tr")).to_have_count(3)
        assert page.locator(".filters-form").is_visible(), "the panel stays open while filtering"
        assert page.locator(".filters-button .filters-count").inner_text() == "1"
        page.locator(".filters-button").click()
        assert not page.locator(".filters-form").is_visible()
        assert_fits(page, size["width"])
        shot(page, "catalog-filters-brand-phone")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_product_page_breadcrumb_stock_table_and_vat(live_server, shop_data, viewport):
    with chromium() as browser:
        page = _buyer(browser, live_server, viewport)
        page.goto(f"{live_server.url}/catalog/dreli/")
        page.locator(".product-table .cell-name a").first.click()
        page.wait_for_url("**/catalog/product/**")
        crumbs = page.locator(".breadcrumbs li").all_inner_texts()
        assert [crumb.strip(" /") for crumb in crumbs[:4]] == ["Каталог", "Инструмент", "Электроинструмент",
                                                              "Дрели"]
        assert "с НДС" in page.inner_text(".buy-price")
        cut = page.evaluate("""() => [...document.querySelectorAll('.stock-table th')]
            .filter((th) => th.scrollWidth > th.clientWidth + 1).map((th) => th.textContent)""")
        assert cut == [], f"stock table headers cut: {cut}"
        table = page.locator(".stock-table").bounding_box()
        card = page.locator(".buy-box").bounding_box()
        assert table["x"] + table["width"] <= card["x"] + card["width"], "the stock table fits its card"
        assert_fits(page, VIEWPORTS[viewport]["width"])
        shot(page, f"catalog-filters-product-{viewport}")
