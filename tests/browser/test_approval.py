"""Order approval in a real browser, desktop (1280 px) and phone (375 px).

The company's rule holds orders over 50 for its head: the buyer places such an order and sees it
wait; the head opens the queue from the menu, reads the lines, approves with a comment (htmx
swaps the card, no reload); the buyer's order page shows it submitted, with the approval in its
timeline. No Content-Security-Policy violation on the way. With SCREENSHOTS=1 the queue is saved
to artifacts/screenshots/approvals-<viewport>.png.
"""

from decimal import Decimal

import pytest

from accounts.models import User
from orders.models import ApprovalRule, Order
from orders.status import OrderStatus
from tests.browser.test_csp import RECORD_VIOLATIONS
from tests.browser.test_shell import CHROMIUM, CHROMIUM_ARGS, PASSWORD, VIEWPORTS, _assert_fits, _shot
from tests.factories import ClientUserFactory
from tests.orders.checkout_data import make_checkout_data

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.browser, pytest.mark.postgres]


@pytest.fixture
def approval_data(transactional_db, settings):
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    data = make_checkout_data(email="buyer@example.com")
    User.objects.filter(pk=data.buyer.pk).update(first_name="Анна", last_name="Сидорова")
    data.head = ClientUserFactory(client=data.client, role=User.Role.ADMINISTRATOR, email="head@example.com",
                                  first_name="Олег", last_name="Ким")
    ApprovalRule.objects.create(client=data.client, amount_over=Decimal("50"), approver=data.head)
    return data


def _sign_in(browser, base_url, size, email):
    page = browser.new_context(viewport=size, locale="ru-RU").new_page()
    page.add_init_script(RECORD_VIOLATIONS)
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{base_url}/catalog/")
    return page


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_an_order_over_the_limit_is_approved_from_the_queue(live_server, approval_data, viewport):
    size = VIEWPORTS[viewport]
    failed = []
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            buyer = _sign_in(browser, live_server.url, size, "buyer@example.com")
            buyer.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
            buyer.goto(f"{live_server.url}/cart/checkout/")
            buyer.locator("button[value=place]").click()
            buyer.wait_for_url("**/orders/*/")
            order_url = buyer.url
            assert buyer.locator(".status--awaiting_approval").first.is_visible()

            head = _sign_in(browser, live_server.url, size, "head@example.com")
            head.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
            if viewport == "desktop":
                head.locator(".main-nav a[href='/orders/approvals/']").click()
            else:
                head.locator(".user-menu-toggle").click()
                head.locator(".user-menu-links a[href='/orders/approvals/']").click()
            head.wait_for_url("**/orders/approvals/")
            card = head.locator(".approval-card")
            assert card.count() == 1 and "Анна Сидорова" in card.inner_text()
            card.locator("summary").click()
            assert card.locator(".approval-lines tbody tr").count() == 3
            card.locator("textarea[name=comment]").fill("Согласовано, везите к понедельнику")
            _assert_fits(head, size["width"])
            head.evaluate("window.scrollTo(0, 0)")
            _shot(head, f"approvals-{viewport}")
            head.evaluate("window.__reloaded = false")  # survives only if the page is not reloaded
            head.locator(".approval-card button[hx-post$='/approve/']").click()
            head.locator(".approval-card--decided").wait_for()
            assert head.evaluate("window.__reloaded") is False
            _shot(head, f"approvals-decided-{viewport}")
            assert head.evaluate("window.__csp") == []

            buyer.goto(order_url)
            assert buyer.locator(".status--submitted").first.is_visible()
            assert "Согласовано, везите к понедельнику" in buyer.content()
            _assert_fits(buyer, size["width"])
            _shot(buyer, f"approvals-order-{viewport}")
            assert buyer.evaluate("window.__csp") == []
        finally:
            browser.close()
    assert not failed, failed
    order = Order.objects.get()
    assert order.status == OrderStatus.SUBMITTED
    assert [c.to_status for c in order.status_changes.all()] == ["awaiting_approval", "approved", "submitted"]


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_administrator_sets_a_rule_in_the_cabinet(live_server, approval_data, viewport):
    size = VIEWPORTS[viewport]
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            head = _sign_in(browser, live_server.url, size, "head@example.com")
            head.goto(f"{live_server.url}/cabinet/users/")
            head.locator(".cabinet-nav a[href='/orders/approval-rules/']").click()
            head.wait_for_url("**/orders/approval-rules/")
            head.select_option("select[name=author_role]", value="accountant")
            head.check("input[name=with_backorder]")
            head.locator("form.form button[type=submit]").last.click()
            head.wait_for_url("**/orders/approval-rules/")
            assert head.locator(".approval-rules-table tbody tr").count() == 2
            _assert_fits(head, size["width"])
            _shot(head, f"approval-rules-{viewport}")
            assert head.evaluate("window.__csp") == []
        finally:
            browser.close()
    assert ApprovalRule.objects.filter(author_role="accountant", with_backorder=True, approver=None).exists()
