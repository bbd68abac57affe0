"""Checkout with pickup in a real browser, desktop (1280 px) and phone (375 px).

Sign in, open /cart/checkout/, switch the contract (htmx recalculates the page), choose pickup
(the delivery fields give way without script), type a PO number, place the order and land on its
page; no Content-Security-Policy violation on the way. With SCREENSHOTS=1 the checkout and the
order are saved to artifacts/screenshots/.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from base.calendar import PICKUP, date_window
from catalog.models import Product, ProductUnit, Stock, Unit
from orders.models import CartLine, Order
from orders.status import OrderStatus
from tests.browser.pages import VIEWPORTS, assert_fits, chromium, new_page, shot, sign_in, violations
from tests.factories import ContractFactory, PriceFactory, PriceTypeFactory, WarehouseFactory
from tests.orders.checkout_data import make_checkout_data

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

# Counts the htmx POSTs whose swap has settled (the new form answers changes from then on); the
# notification bell's GET settles too, at its own time, and is not counted.
SETTLED = """
window.__settled = 0;
document.addEventListener("htmx:afterSettle", (e) => {
  if ((e.detail.requestConfig || {}).verb === "post") { window.__settled += 1; }
});
"""
NAMES = ["Саморез кровельный 4,8×35 RAL 3005, с прессшайбой", "Дюбель рамный 10×100 оцинкованный",
         "Анкер клиновой 10×95"]


@pytest.fixture
def checkout_data(transactional_db):
    data = make_checkout_data(email="buyer@example.com")
    data.client.name = "ООО «Стройснаб-Поволжье»"
    data.client.save()
    for number, (product, name) in enumerate(zip(data.products, NAMES, strict=True)):
        Product.objects.filter(pk=product.pk).update(sku=f"KR-{4800 + number}", name=name)
    box = Unit.objects.create(code="778", name="Упаковка", short_name="уп")
    ProductUnit.objects.create(product=data.products[0], unit=box, coefficient=Decimal("50"))
    CartLine.objects.filter(product=data.products[0]).update(quantity=Decimal("200"), unit=box,
                                                             comment="Для объекта на Московском шоссе")
    Stock.objects.filter(product=data.products[2]).update(
        quantity=0, expected_on=timezone.localdate() + datetime.timedelta(days=6))
    WarehouseFactory(region=data.region, name="Склад Тольятти", address="г. Тольятти, Южное шоссе, 36", position=1)
    wholesale = PriceTypeFactory(name="Крупный опт")
    data.other_contract = ContractFactory(legal_entity=data.entity, number="ОПТ-2026/17", price_type=wholesale)
    for product in data.products:
        PriceFactory(product=product, price_type=wholesale, amount=Decimal("11.00"))
    return data


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_checkout_with_pickup(live_server, checkout_data, viewport):
    size = VIEWPORTS[viewport]
    data = checkout_data
    pickup_day = date_window(data.region, PICKUP).earliest
    failed = []
    with chromium() as browser:
        page = new_page(browser, size, record_violations=True, scripts=(SETTLED,), failed=failed)
        sign_in(page, live_server.url, "buyer@example.com")

        page.goto(f"{live_server.url}/cart/checkout/")
        assert page.locator(".checkout-lines tbody tr").count() == 3
        assert page.locator("input[name=delivery_date]").is_visible()
        assert not page.locator("input[name=pickup_date]").is_visible()

        # Another contract: htmx asks the server for the page priced under it, and back.
        amount = ".totals-amount dd"
        assert "2\u00a0550,00" in page.locator(amount).inner_text()  # 200 × 12.50 + 2 × 25.00
        for contract, total in ((data.other_contract, "2\u00a0244,00"), (data.contract, "2\u00a0550,00")):
            settled = page.evaluate("window.__settled")
            page.select_option("select[name=contract]", value=str(contract.pk))
            # Once the new form is swapped in and settled, its selects answer changes again.
            page.wait_for_function("n => window.__settled > n", arg=settled)
            assert total in page.locator(amount).inner_text()  # 204 × 11.00, then 204 × 12.50

        # Pickup: the delivery fields give way to the warehouses and the pickup date.
        page.locator("label.choice-card", has=page.locator("#method-pickup")).click()
        assert page.locator("input[name=pickup_date]").is_visible()
        assert not page.locator("input[name=delivery_date]").is_visible()
        date_input = page.locator("input[name=pickup_date]")
        assert date_input.get_attribute("min") == pickup_day.isoformat()
        assert date_input.input_value() == pickup_day.isoformat()
        page.locator("label.radio-line", has_text="Склад Тольятти").click()
        page.fill("input[name=po_number]", "PO-2026-114")
        page.fill("textarea[name=comment]", "Заберём до 16:00, машина ГАЗель")
        assert_fits(page, size["width"])
        page.evaluate("window.scrollTo(0, 0)")  # a full-page shot of a scrolled page repeats the sticky header
        shot(page, f"checkout-{viewport}")

        assert violations(page) == []
        page.locator("button[value=place]").click()
        page.wait_for_url("**/orders/*/")
        assert page.locator(".alert-success").is_visible()
        heading = page.locator("h1").inner_text()
        assert page.locator(".line-table tbody tr").count() == 3
        assert_fits(page, size["width"])
        shot(page, f"checkout-order-{viewport}")
        assert violations(page) == []
    assert not failed, failed
    # The database, once the browser (and its event loop) is gone.
    order = Order.objects.get()
    assert order.number in heading
    assert order.status == OrderStatus.SUBMITTED and order.delivery_method == "pickup"
    assert order.pickup_warehouse.name == "Склад Тольятти" and order.desired_date == pickup_day
    assert order.po_number == "PO-2026-114" and order.comment == "Заберём до 16:00, машина ГАЗель"
