"""The Content-Security-Policy in a real browser: no page of the portal or of the admin breaks it.

Chromium reports every blocked inline script, style, eval or foreign source as a console error
("Refused to ... because it violates the following Content Security Policy directive") and fires
a `securitypolicyviolation` event; the test walks the key pages, uses their htmx parts (search
suggestions, facet filtering, add to cart, a cart line edit, lazy product blocks, the notification bell) and the
admin's widgets, and expects neither.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import User
from catalog.models import PropertyValue
from catalog.services import category_rebuild_tree, product_search_refresh
from tests.accounts.factories import region_with_manager
from tests.browser.pages import chromium, new_page, sign_in
from tests.catalog.factories import PropertyFactory
from tests.factories import (
    CategoryFactory,
    ClientFactory,
    ClientUserFactory,
    ContractFactory,
    OrderFactory,
    PriceFactory,
    PriceTypeFactory,
    ProductFactory,
    StaffUserFactory,
    StockFactory,
    WarehouseFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

@pytest.fixture
def csp_data(transactional_db):
    base = PriceTypeFactory(name="Базовая")
    region, manager = region_with_manager(name="Поволжье", base_price_type=base)
    manager.email = "manager@example.com"
    manager.save(update_fields=["email"])
    manager.emailaddress_set.update(email="manager@example.com")
    warehouse = WarehouseFactory(region=region, name="Склад Самара")
    buyer = ClientUserFactory(email="buyer@example.com", client__name="ООО «Стройснаб»", client__region=region,
                              client__manager=manager, role=User.Role.ADMINISTRATOR)
    ClientFactory(region=region, name="ООО «Второй клиент»")
    contract = ContractFactory(legal_entity__client=buyer.client)
    fasteners = CategoryFactory(name="Крепёж", slug="fasteners")
    category_rebuild_tree()
    brand = PropertyFactory(name="Бренд", slug="brand")
    brands = [PropertyValue.objects.create(property=brand, value=name) for name in ("Европартнёр", "Tech-Krep")]
    for number in range(6):
        product = ProductFactory(sku=f"KR-{4800 + number}", name=f"Саморез кровельный 4,8×{19 + number * 5}",
                                 category=fasteners, brand=brands[number % 2].value, multiplicity=Decimal("50"))
        product.property_values.add(brands[number % 2])
        PriceFactory(product=product, price_type=base, amount=Decimal("3.47") + number)
        StockFactory(product=product, warehouse=warehouse, quantity=Decimal(1000),
                     confirmed_at=timezone.now() - datetime.timedelta(minutes=2))
    product_search_refresh()
    order = OrderFactory(client=buyer.client, legal_entity=contract.legal_entity, contract=contract,
                         created_by=buyer)
    StaffUserFactory(email="admin@example.com", is_superuser=True)
    return {"brand": brands[1], "order": order, "client": buyer.client, "product": product}


class Violations:
    """CSP violations seen on the pages of one browser context (console errors and events)."""

    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        page.on("console", self._console)

    def _console(self, message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.console.append(f"{self.page.url}: {message.text}")

    def check(self) -> None:
        events = self.page.evaluate("window.__csp || []")
        assert not self.console and not events, "\n".join(self.console + [f"{self.page.url}: {e}" for e in events])


def test_key_pages_break_no_content_security_policy(live_server, csp_data):
    base = live_server.url
    with chromium() as browser:
        page = new_page(browser, "desktop", record_violations=True)
        seen = Violations(page)

        sign_in(page, base, "buyer@example.com")
        seen.check()

        # htmx: search suggestions, facet filtering, add to cart.
        page.fill("#header-search-q", "саморез")
        page.locator("#search-suggestions .suggestions").wait_for()
        page.goto(f"{base}/catalog/fasteners/")
        page.locator(".filter-check", has_text="Tech-Krep").click()
        page.wait_for_url(f"**f=brand%3A{csp_data['brand'].pk}*")
        page.wait_for_function("document.querySelectorAll('.product-table tbody tr').length === 3")
        row = page.locator(".product-table tbody tr").first
        row.locator(".add-to-cart button[type=submit]").click()
        row.locator(".add-to-cart-status .add-to-cart-ok").wait_for()
        seen.check()

        # The cart: its page, and a line edited by htmx.
        page.goto(f"{base}/cart/")
        quantity = page.locator("tr.cart-line input[name=quantity]").first
        quantity.fill("100")
        with page.expect_response(lambda response: "/cart/lines/" in response.url):
            quantity.press("Enter")
        seen.check()

        # The product page loads its related goods and reviews by htmx.
        page.goto(f"{base}{csp_data['product'].get_absolute_url()}")
        page.locator("#reviews").wait_for()
        seen.check()

        for path in ["/cabinet/", "/cabinet/legal-entities/", "/cabinet/users/", "/orders/",
                     f"/orders/{csp_data['order'].pk}/", "/notifications/", "/accounts/email/",
                     "/accounts/password/change/"]:
            response = page.goto(f"{base}{path}")
            assert response.status < 400, f"{path}: {response.status}"
            seen.check()
        page.context.close()

        # The admin: a superuser's list, change form with autocomplete and related widgets, a regional
        # manager's client form with plain selects.
        page = new_page(browser, "desktop", record_violations=True)
        seen = Violations(page)
        sign_in(page, base, "admin@example.com", admin=True)
        seen.check()
        page.goto(f"{base}/admin/accounts/client/")
        page.locator("#action-toggle").check()
        seen.check()
        page.goto(f"{base}/admin/accounts/client/{csp_data['client'].pk}/change/")
        page.locator(".select2-selection").first.click()
        page.locator(".select2-results__option").first.wait_for()
        seen.check()
        for path in ["/admin/orders/order/", f"/admin/orders/order/{csp_data['order'].pk}/change/",
                     "/admin/catalog/product/", "/admin/accounts/user/add/"]:
            response = page.goto(f"{base}{path}")
            assert response.status < 400, f"{path}: {response.status}"
            seen.check()
        page.context.close()

        page = new_page(browser, "desktop", record_violations=True)
        seen = Violations(page)
        sign_in(page, base, "manager@example.com", admin=True)
        page.goto(f"{base}/admin/accounts/client/{csp_data['client'].pk}/change/")
        assert page.locator("select[name=manager]").is_visible()
        seen.check()
        entity = f"{base}/admin/accounts/legalentity/{csp_data['order'].legal_entity_id}/change/"
        page.goto(entity)
        page.locator(".object-tools button[type=submit]").click()  # withdraw the confirmation
        page.locator(".messagelist .success").wait_for()
        assert page.url == entity
        seen.check()
