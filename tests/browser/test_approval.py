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
from tests.browser.pages import VIEWPORTS, assert_fits, chromium, new_page, shot, sign_in, violations
from tests.factories import ClientUserFactory
from tests.orders.checkout_data import make_checkout_data

pytestmark = [pytest.mark.browser, pytest.mark.postgres]


@pytest.fixture
def approval_data(transactional_db):
    data = make_checkout_data(email="buyer@example.com")
    User.objects.filter(pk=data.buyer.pk).update(first_name="Анна", last_name="Сидорова")
    data.head = ClientUserFactory(client=data.client, role=User.Role.ADMINISTRATOR, email="head@example.com",
                                  first_name="Олег", last_name="Ким")
    ApprovalRule.objects.create(client=data.client, amount_over=Decimal("50"), approver=data.head)
    return data


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_an_order_over_the_limit_is_approved_from_the_queue(live_server, approval_data, viewport):
    size = VIEWPORTS[viewport]
    failed = []
    with chromium() as browser:
        buyer = new_page(browser, size, record_violations=True, failed=failed)
        sign_in(buyer, live_server.url, "buyer@example.com")
        buyer.goto(f"{live_server.url}/cart/checkout/")
        buyer.locator("button[value=place]").click()
        buyer.wait_for_url("**/orders/*/")
        order_url = buyer.url
        assert buyer.locator(".status--awaiting_approval").first.is_visible()

        head = new_page(browser, size, record_violations=True, failed=failed)
        sign_in(head, live_server.url, "head@example.com")
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
        assert_fits(head, size["width"])
        head.evaluate("window.scrollTo(0, 0)")
        shot(head, f"approvals-{viewport}")
        head.evaluate("window.__reloaded = false")  # survives only if the page is not reloaded
        head.locator(".approval-card button[hx-post$='/approve/']").click()
        head.locator(".approval-card--decided").wait_for()
        assert head.evaluate("window.__reloaded") is False
        shot(head, f"approvals-decided-{viewport}")
        assert violations(head) == []

        buyer.goto(order_url)
        assert buyer.locator(".status--submitted").first.is_visible()
        assert "Согласовано, везите к понедельнику" in buyer.content()
        assert_fits(buyer, size["width"])
        shot(buyer, f"approvals-order-{viewport}")
        assert violations(buyer) == []
    assert not failed, failed
    order = Order.objects.get()
    assert order.status == OrderStatus.SUBMITTED
    assert [c.to_status for c in order.status_changes.all()] == ["awaiting_approval", "approved", "submitted"]


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_administrator_sets_a_rule_in_the_cabinet(live_server, approval_data, viewport):
    size = VIEWPORTS[viewport]
    with chromium() as browser:
        head = new_page(browser, size, record_violations=True)
        sign_in(head, live_server.url, "head@example.com")
        head.goto(f"{live_server.url}/cabinet/users/")
        head.locator(".cabinet-nav a[href='/orders/approval-rules/']").click()
        head.wait_for_url("**/orders/approval-rules/")
        head.select_option("select[name=author_role]", value="accountant")
        head.check("input[name=with_backorder]")
        head.locator("form.form button[type=submit]").last.click()
        head.wait_for_url("**/orders/approval-rules/")
        assert head.locator(".approval-rules-table tbody tr").count() == 2
        assert_fits(head, size["width"])
        shot(head, f"approval-rules-{viewport}")
        assert violations(head) == []
    assert ApprovalRule.objects.filter(author_role="accountant", with_backorder=True, approver=None).exists()
