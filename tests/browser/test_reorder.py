"""Time to reorder on the cart page in a real browser, desktop (1280 px) and phone (375 px).

The client bought three products at a steady cadence and a fourth one irregularly (that one is in
the cart already); the cart offers the three at the buyer's price;
one is added by its own button (htmx), the rest with "add all". With SCREENSHOTS=1 the page with
the suggestions is saved to artifacts/screenshots/cart-reorder-desktop.png and cart-reorder-phone.png.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import User
from orders.services import cart_add_line
from tests.browser.pages import VIEWPORTS, assert_fits, chromium, expect, new_page, shot, sign_in
from tests.factories import OrderFactory, OrderLineFactory

pytestmark = [pytest.mark.browser, pytest.mark.postgres]


@pytest.fixture
def history(cart_data):
    """Orders of the buyer's company: three products every two weeks or so, one irregularly."""
    products = cart_data["products"]
    client = User.objects.get(email="buyer@example.com").client
    noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    plan = {"KR-4824": ((44, 30, 15), "240"), "DB-10100": ((43, 29, 14), "100"),
            "AN-M10": ((40, 27, 13), "20"), "KR-4835": ((60, 20, 15), "300")}
    for sku, (ago, quantity) in plan.items():
        for days in ago:
            order = OrderFactory(client=client, created_at=noon - datetime.timedelta(days=days))
            OrderLineFactory(order=order, product=products[sku], quantity=Decimal(quantity))
    cart_add_line(user=User.objects.get(email="buyer@example.com"), product_id=products["KR-4835"].pk,
                  quantity=Decimal("300"))
    return products


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_buyer_reorders_from_the_cart(live_server, history, viewport):
    size = VIEWPORTS[viewport]
    with chromium() as browser:
        page = new_page(browser, size)
        sign_in(page, live_server.url, "buyer@example.com")
        page.goto(f"{live_server.url}/cart/")
        section = page.locator("#reorder")
        section.get_by_role("heading", name="Пора заказать снова").wait_for()
        rows = section.locator("tbody tr")
        expect(rows).to_have_count(3)  # KR-4835 is bought irregularly
        assert "3,47" in section.locator("tr", has_text="KR-4824").inner_text()
        assert "примерно раз в 15 дней" in section.locator("tr", has_text="KR-4824").inner_text()
        assert_fits(page, size["width"])
        shot(page, f"cart-reorder-{viewport}")

        # One product by its own button: it moves into the cart.
        section.locator("tr", has_text="AN-M10").get_by_role("button", name="В корзину").click()
        expect(page.locator("tr.cart-line")).to_have_count(2)
        expect(page.locator("#cart-count")).to_have_text("2")
        expect(page.locator("#reorder tbody tr")).to_have_count(2)
        page.locator("#reorder").get_by_text("1 позиция добавлена в корзину.").wait_for()

        # The rest at once.
        page.locator("#reorder").get_by_role("button", name="Добавить все в корзину").click()
        expect(page.locator("tr.cart-line")).to_have_count(4)
        expect(page.locator("#reorder tbody tr")).to_have_count(0)
        assert_fits(page, size["width"])
        line = page.locator("tr.cart-line", has_text="KR-4824")
        assert line.locator("input[name=quantity]").input_value() == "240"
