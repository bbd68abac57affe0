"""Order templates and repeat order in a real browser, desktop (1280 px) and phone (375 px).

Save the cart as a template, fix a quantity that breaks the multiplicity by picking an offered
one (htmx), put the template into the cart; repeat a past order and pick a valid quantity for a
line whose multiplicity changed. With SCREENSHOTS=1 the template page and the repeated order are
saved to artifacts/screenshots/templates-*.png, templates-repeat-*.png and templates-list-*.png.
"""

from decimal import Decimal

import pytest

from accounts.models import User
from catalog.models import ProductUnit
from orders.models import CartLine
from orders.services import cart_add_line
from tests.browser.pages import VIEWPORTS, assert_fits, chromium, new_page, shot, sign_in
from tests.factories import (
    ClientUserFactory,
    ContractFactory,
    OrderFactory,
    OrderLineFactory,
    PriceFactory,
    PriceTypeFactory,
    ProductFactory,
    RegionFactory,
    StockFactory,
    UnitFactory,
    WarehouseFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.postgres]


@pytest.fixture
def template_data(transactional_db):
    base = PriceTypeFactory(name="Базовая Поволжье")
    region = RegionFactory(name="Поволжье", base_price_type=base)
    warehouse = WarehouseFactory(region=region, name="Склад Самара")
    buyer = ClientUserFactory(email="buyer@example.com", client__name="ООО «Стройснаб»", client__region=region,
                              role=User.Role.MANAGER)
    piece = UnitFactory()
    pack = UnitFactory(code="778", name="Упаковка", short_name="уп")

    def product(sku, name, price, **kwargs):
        made = ProductFactory(sku=sku, name=name, base_unit=piece, **kwargs)
        PriceFactory(product=made, price_type=base, amount=Decimal(price))
        StockFactory(product=made, warehouse=warehouse, quantity=Decimal("5000"))
        return made

    screw = product("KR-4829", "Саморез кровельный 4,8×29 RAL 3005", "3.47", multiplicity=Decimal("24"))
    dowel = product("DB-10100", "Дюбель рамный 10×100", "8.90")
    ProductUnit.objects.create(product=dowel, unit=pack, coefficient=Decimal("50"))
    drill = product("PRF-800", "Перфоратор SDS-plus 800 Вт", "7490.00")
    retired = product("SCR-18", "Шуруповёрт аккумуляторный 18 В", "5200.00")
    cart_add_line(user=buyer, product_id=screw.pk, quantity=Decimal("48"))
    cart_add_line(user=buyer, product_id=dowel.pk, quantity=Decimal("4"), unit_id=pack.pk)
    cart_add_line(user=buyer, product_id=drill.pk, quantity=Decimal("1"))

    contract = ContractFactory(legal_entity__client=buyer.client, legal_entity__name="ООО «Стройснаб»")
    order = OrderFactory(number="2026-000042", client=buyer.client, legal_entity=contract.legal_entity,
                         contract=contract, created_by=buyer, total_amount=Decimal("5837.00"))
    lines = ((screw, "50", "шт", "1", "3.10"), (dowel, "100", "уп", "50", "8.50"),
             (retired, "1", "шт", "1", "5200.00"))
    for position, (item, quantity, unit, coefficient, price) in enumerate(lines):
        OrderLineFactory(order=order, product=item, quantity=Decimal(quantity), ordered_unit_name=unit,
                         ordered_unit_coefficient=Decimal(coefficient), price=Decimal(price),
                         amount=Decimal(price) * Decimal(quantity), position=position)
    retired.is_active = False
    retired.save(update_fields=["is_active"])
    return {"buyer": buyer, "screw": screw, "order": order}


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_save_the_cart_as_a_template_add_it_to_the_cart_and_repeat_an_order(live_server, template_data, viewport):
    size = VIEWPORTS[viewport]
    failed = []
    with chromium() as browser:
        page = new_page(browser, size, failed=failed)
        sign_in(page, live_server.url, "buyer@example.com")

        # To the templates: from the orders page on a desktop, from the user menu on a phone.
        if viewport == "desktop":
            page.locator(".main-nav a[href='/orders/']").click()
            page.wait_for_url(f"{live_server.url}/orders/")
            page.locator(".page-head a[href='/orders/templates/']").click()
        else:
            page.locator(".user-menu-toggle").click()
            page.locator(".user-menu-links a[href='/orders/templates/']").click()
        page.wait_for_url(f"{live_server.url}/orders/templates/")
        page.fill("#template-name", "Объект на Садовой")
        page.locator(".template-save-form button[type=submit]").click()
        page.wait_for_url("**/orders/templates/*/")
        assert page.locator("h1").inner_text() == "Объект на Садовой"
        rows = page.locator(".template-line-table tbody tr")
        assert rows.count() == 3
        assert page.locator(".template-line-table select.unit-select").first.input_value()  # the dowels in packs

        # 50 screws break the multiplicity of 24: the page offers 48 or 72 and keeps 48 meanwhile.
        screw_row = rows.filter(has_text="KR-4829")
        screw_row.locator(".quantity-input").fill("50")
        screw_row.locator(".quantity-form button[type=submit]").click()
        choices = page.locator(".template-line-table tbody tr", has_text="KR-4829").locator(".line-choices button")
        choices.first.wait_for()
        assert [choices.nth(i).inner_text() for i in range(choices.count())] == ["48 шт", "72 шт"]
        assert_fits(page, size["width"])
        shot(page, f"templates-{viewport}")
        choices.nth(1).click()
        page.locator(".saved-mark").wait_for()
        assert page.locator(".template-line-table tbody tr", has_text="KR-4829").locator(
            ".quantity-input").input_value() == "72"

        # Into the cart (still holding what the template was saved from): every line goes in.
        page.locator(".page-head form button[type=submit]").click()
        page.locator(".cart-report .alert-success").wait_for()
        assert page.locator("#cart-count").inner_text() == "3"

        # Repeat the order from the list: the discontinued screwdriver and the screws' new step are reported.
        page.goto(f"{live_server.url}/orders/")
        page.locator(f"form[action='/orders/{template_data['order'].pk}/repeat/'] button").click()
        page.wait_for_url(f"**/orders/{template_data['order'].pk}/")
        report = page.locator(".cart-report")
        assert "SCR-18" in report.inner_text() and "KR-4829" in report.inner_text()
        assert report.locator(".cart-report-item").count() == 2
        assert_fits(page, size["width"])
        shot(page, f"templates-repeat-{viewport}")
        report.locator(".cart-report-choices button").first.click()
        report.locator(".add-to-cart-ok").wait_for()

        page.goto(f"{live_server.url}/orders/templates/")
        assert page.locator(".template-table tbody tr").count() == 1
        assert_fits(page, size["width"])
        shot(page, f"templates-list-{viewport}")
    assert not failed, failed
    # The ORM is used outside Playwright's event loop: 48 from the catalog, 72 from the template, 48 picked.
    lines = CartLine.objects.filter(cart__user=template_data["buyer"])
    quantities = dict(lines.values_list("product__sku", "quantity"))
    assert quantities == {"KR-4829": Decimal("168"), "DB-10100": Decimal("500"), "PRF-800": Decimal("2")}
