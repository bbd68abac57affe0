"""The cart in a real browser, desktop (1280 px) and phone (375 px).

From the listing: a quantity that breaks the multiplicity is offered the nearest valid ones and one
is picked; several rows are added at once (one in packs). Then the header badge opens the cart,
where a quantity, a unit and a refused quantity are edited in place. With SCREENSHOTS=1 the cart is
saved to artifacts/screenshots/cart-desktop.png and cart-phone.png.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import User
from catalog.models import ProductUnit
from catalog.services import category_rebuild_tree
from tests.browser.test_shell import CHROMIUM, CHROMIUM_ARGS, PASSWORD, VIEWPORTS, _assert_fits, _shot
from tests.factories import (
    CategoryFactory,
    ClientUserFactory,
    ContractFactory,
    LegalEntityFactory,
    PriceFactory,
    PriceTypeFactory,
    ProductFactory,
    RegionFactory,
    StockFactory,
    UnitFactory,
    WarehouseFactory,
)

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect
pytestmark = [pytest.mark.browser, pytest.mark.postgres]


@pytest.fixture
def cart_data(transactional_db, settings):
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    base = PriceTypeFactory(name="Базовая Поволжье")
    region = RegionFactory(name="Поволжье", base_price_type=base)
    warehouse = WarehouseFactory(region=region, name="Склад Самара")
    buyer = ClientUserFactory(email="buyer@example.com", client__name="ООО «Стройснаб»", client__region=region,
                              role=User.Role.MANAGER)
    entity = LegalEntityFactory(client=buyer.client, name="ООО «Стройснаб-Самара»")
    ContractFactory(legal_entity=entity, number="Д-2026/14")
    fasteners = CategoryFactory(name="Крепёж", slug="fasteners")
    category_rebuild_tree()
    UnitFactory()
    pack = UnitFactory(code="778", name="Упаковка", short_name="упак")
    now = timezone.now()
    rows = [
        ("KR-4824", "Саморез кровельный 4,8×24 RAL 3005", "24", "3.47", "0.004", 2400, None),
        ("KR-4835", "Саморез кровельный 4,8×35 RAL 8017", "1", "4.12", "0.005", 900, None),
        ("DB-10100", "Дюбель рамный 10×100 с шурупом", "10", "18.90", "0.032", 0, 9),
        ("AN-M10", "Анкерный болт M10×100 с гайкой", "1", "41.50", None, 3, None),
    ]
    products = {}
    for sku, name, multiplicity, price, weight, stock, days in rows:
        product = ProductFactory(sku=sku, name=name, category=fasteners, multiplicity=Decimal(multiplicity),
                                 weight=Decimal(weight) if weight else None,
                                 volume=Decimal("0.00001") if weight else None)
        PriceFactory(product=product, price_type=base, amount=Decimal(price))
        StockFactory(product=product, warehouse=warehouse, quantity=Decimal(stock), confirmed_at=now,
                     expected_on=timezone.localdate() + datetime.timedelta(days=days) if days else None)
        products[sku] = product
    ProductUnit.objects.create(product=products["KR-4824"], unit=pack, coefficient=Decimal("12"))
    ProductUnit.objects.create(product=products["DB-10100"], unit=pack, coefficient=Decimal("50"))
    return {"products": products, "pack": pack}


def _sign_in(page, base_url: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=login]", "buyer@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{base_url}/catalog/")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_buyer_adds_from_the_listing_and_edits_the_cart(live_server, cart_data, viewport):
    size = VIEWPORTS[viewport]
    products = cart_data["products"]
    strict, plain, dowel = products["KR-4824"], products["KR-4835"], products["DB-10100"]
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(viewport=size, locale="ru-RU").new_page()
            _sign_in(page, live_server.url)
            page.goto(f"{live_server.url}/catalog/fasteners/")
            count = page.locator("#cart-count")

            # A quantity off the multiplicity: the nearest ones are offered; picking one adds it.
            page.fill(f"#q-{strict.pk}", "50")
            page.click(f"button[name=only][value='{strict.pk}']")
            status = page.locator(f"#st-{strict.pk}")
            status.get_by_text("Кратность 24 шт: 48 шт или 72 шт?").wait_for()
            assert count.inner_text() == "0"
            _shot(page, f"cart-listing-choice-{viewport}")
            status.get_by_role("button", name="72 шт").click()
            status.locator(".add-to-cart-ok").wait_for()
            expect(count).to_have_text("1")

            # Several rows at once, one of them in packs; Enter in a quantity adds the selection too.
            page.fill(f"#q-{plain.pk}", "100")
            page.select_option(f"select[name=u-{dowel.pk}]", str(cart_data["pack"].pk))
            page.fill(f"#q-{dowel.pk}", "2")
            page.press(f"#q-{dowel.pk}", "Enter")
            page.locator("#bulk-status").get_by_text("2 позиции добавлены в корзину.").wait_for()
            expect(count).to_have_text("3")
            _assert_fits(page, size["width"])
            _shot(page, f"cart-listing-{viewport}")

            # The header badge opens the cart.
            page.click("a.cart-badge")
            page.wait_for_url(f"{live_server.url}/cart/")
            assert page.locator("tr.cart-line").count() == 3
            rows = {sku: page.locator("tr.cart-line", has_text=sku) for sku in ("KR-4824", "KR-4835", "DB-10100")}
            assert rows["DB-10100"].locator("select.unit-select").input_value() == str(cart_data["pack"].pk)
            assert "Под заказ" in rows["DB-10100"].inner_text()  # nothing in stock, expected in 9 days
            totals = page.locator("#cart-totals")
            assert "2551,84" in "".join(totals.inner_text().split())  # 72×3.47 + 100×4.12 + 100×18.90

            # A new quantity: the row and the totals follow.
            row = rows["KR-4835"]
            row.locator("input[name=quantity]").fill("150")
            row.locator("input[name=quantity]").press("Enter")
            expect(page.locator("#cart-totals .totals-amount dd")).to_have_text(re.compile(r"2\s?757,84"))

            # A unit alone: the same quantity, counted in packs.
            line_id = rows["KR-4824"].get_attribute("id")
            rows["KR-4824"].locator("select.unit-select").select_option(str(cart_data["pack"].pk))
            expect(page.locator(f"#{line_id} input[name=quantity]")).to_have_value("6")

            # A refused quantity in the cart: the choices, then one of them.
            row = page.locator("tr.cart-line", has_text="KR-4824")
            row.locator("input[name=quantity]").fill("5")
            row.locator("input[name=quantity]").press("Enter")
            error = page.locator("tr.cart-line", has_text="KR-4824").locator(".line-error")
            error.get_by_text("Кратность 24 шт: 4 упак или 6 упак?").wait_for()
            page.evaluate("window.scrollTo(0, 0)")
            _shot(page, f"cart-refusal-{viewport}")
            error.get_by_role("button", name="4 упак").click()
            expect(page.locator(".line-error")).to_have_count(0)
            row = page.locator("tr.cart-line", has_text="KR-4824")
            assert row.locator("input[name=quantity]").input_value() == "4"
            assert "= 48 шт" in row.inner_text()

            # Buy under the legal entity and contract.
            page.select_option("#cart-terms-select", index=1)
            expect(page.locator("#cart-terms-select option[value=':']")).to_have_count(0)
            _assert_fits(page, size["width"])
            page.evaluate("window.scrollTo(0, 0)")
            _shot(page, f"cart-{viewport}")
        finally:
            browser.close()
