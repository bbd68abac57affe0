"""The order workflow end to end in a real browser, in Russian, desktop (1280 px) and phone (375 px).

The client's administrator sets an approval rule in the cabinet (orders over 50 ₽); a buyer places
an order over it, which waits; the administrator approves it from the queue (htmx, no reload); the
supplier's regional manager (no model permissions, his region only) accepts it with the button row
of the order page in Django admin and moves it to assembling with a list action and a comment; the
buyer's order page shows every change in its timeline. No Content-Security-Policy violation and no
failed request on the way. With SCREENSHOTS=1 the approval queue, the order page, the finance page
and the admin order page are saved to artifacts/screenshots/workflow-*-<viewport>.png (the copies in
docs/screenshots/ come from here).
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import User
from orders.models import ApprovalRule, Order
from orders.status import OrderStatus
from tests.browser.pages import VIEWPORTS, assert_fits, chromium, new_page, shot, sign_in, violations
from tests.factories import BalanceFactory, ClientUserFactory, StaffUserFactory
from tests.orders.checkout_data import make_checkout_data

pytestmark = [pytest.mark.browser, pytest.mark.postgres]
S = OrderStatus


@pytest.fixture
def workflow_data(transactional_db):
    data = make_checkout_data(email="buyer@example.com")
    User.objects.filter(pk=data.buyer.pk).update(first_name="Анна", last_name="Сидорова")
    data.head = ClientUserFactory(client=data.client, role=User.Role.ADMINISTRATOR, email="head@example.com",
                                  first_name="Олег", last_name="Ким")
    data.manager = StaffUserFactory(email="manager@example.com", first_name="Игорь", last_name="Петров")
    data.manager.managed_regions.add(data.region)
    BalanceFactory(legal_entity=data.entity, amount=Decimal("18450.00"), credit_limit=Decimal("300000.00"),
                   overdue_debt=Decimal("0"), confirmed_at=timezone.now() - datetime.timedelta(minutes=25))
    return data


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_order_workflow_from_the_rule_to_assembling(live_server, workflow_data, viewport):
    size, base, data = VIEWPORTS[viewport], live_server.url, workflow_data
    width = size["width"]
    failed = []
    with chromium() as browser:
        # The administrator holds orders over 50 ₽ for his approval.
        head = new_page(browser, size, record_violations=True, failed=failed)
        sign_in(head, base, "head@example.com")
        head.goto(f"{base}/orders/approval-rules/")
        head.fill("input[name=amount_over]", "50")
        head.locator("form.form button[type=submit]").last.click()
        head.wait_for_url("**/orders/approval-rules/")
        assert head.locator(".approval-rules-table tbody tr").count() == 1

        # The buyer places an order of 75 ₽: it waits for approval.
        buyer = new_page(browser, size, record_violations=True, failed=failed)
        sign_in(buyer, base, "buyer@example.com")
        buyer.goto(f"{base}/cart/checkout/")
        buyer.locator("button[value=place]").click()
        buyer.wait_for_url("**/orders/*/")
        order_url = buyer.url
        pk = int(order_url.rstrip("/").rsplit("/", 1)[1])
        assert buyer.locator(".page-head .status--awaiting_approval").is_visible()

        # The administrator approves it from the queue, without a reload.
        head.goto(f"{base}/orders/approvals/")
        card = head.locator(".approval-card")
        assert card.count() == 1 and "Анна Сидорова" in card.inner_text()
        card.locator("textarea[name=comment]").fill("Согласовано")
        assert_fits(head, width)
        head.evaluate("window.scrollTo(0, 0)")
        shot(head, f"workflow-approvals-{viewport}")
        head.evaluate("window.__reloaded = false")
        card.locator("button[hx-post$='/approve/']").click()
        head.locator(".approval-card--decided").wait_for()
        assert head.evaluate("window.__reloaded") is False
        assert violations(head) == []

        # The administrator's finance page.
        head.goto(f"{base}/cabinet/finance/")
        assert "18" in head.locator(".finance-grid").inner_text()
        assert_fits(head, width)
        shot(head, f"workflow-finance-{viewport}")
        assert violations(head) == []

        # The supplier's regional manager accepts it from the order page in admin ...
        manager = new_page(browser, size, record_violations=True, failed=failed)
        sign_in(manager, base, "manager@example.com", admin=True)
        manager.goto(f"{base}/admin/orders/order/")
        manager.locator(f"#result_list a[href$='/admin/orders/order/{pk}/change/']").click()
        manager.wait_for_url(f"**/admin/orders/order/{pk}/change/")
        transitions = manager.locator("form.order-transitions")
        assert transitions.locator("button[name=to_status]").all_inner_texts() == [
            "Принят", "Собирается", "Отгружен", "Отменён"]
        transitions.locator("textarea[name=comment]").fill("Склад подтвердил наличие")
        transitions.locator("button[value=accepted]").click()
        manager.locator(".messagelist .success").wait_for()
        assert "Принят" in manager.locator(".field-status .readonly").inner_text()
        shot(manager, f"workflow-admin-order-{viewport}")
        assert violations(manager) == []

        # ... and moves it to assembling with the list action, with a comment.
        manager.goto(f"{base}/admin/orders/order/")
        manager.locator(f"#result_list input[name=_selected_action][value='{pk}']").check()
        manager.select_option("select[name=action]", value="move_to_assembling")
        manager.locator("button[name=index]").click()
        manager.fill("textarea[name=comment]", "Собираем на складе на Южной")
        manager.locator("input[type=submit].default").click()
        manager.locator(".messagelist .success").wait_for()
        assert "Собирается" in manager.locator("#result_list").inner_text()
        assert violations(manager) == []

        # The buyer sees every change in the timeline.
        buyer.goto(order_url)
        assert buyer.locator(".page-head .status--assembling").is_visible()
        items = buyer.locator(".timeline-item")
        assert items.count() == 5
        text = buyer.locator(".timeline").inner_text()
        for expected in ("На согласовании", "Согласован", "Согласовано", "Передан поставщику", "Принят",
                         "Склад подтвердил наличие", "Собирается", "Собираем на складе на Южной",
                         "Олег Ким", "Игорь Петров"):
            assert expected in text, expected
        assert_fits(buyer, width)
        shot(buyer, f"workflow-order-{viewport}")
        assert violations(buyer) == []
    assert not failed, failed
    assert ApprovalRule.objects.filter(client=data.client, amount_over=Decimal("50")).exists()
    order = Order.objects.get()
    assert [(c.from_status, c.to_status) for c in order.status_changes.all()] == [
        ("draft", S.AWAITING_APPROVAL), (S.AWAITING_APPROVAL, S.APPROVED), (S.APPROVED, S.SUBMITTED),
        (S.SUBMITTED, S.ACCEPTED), (S.ACCEPTED, S.ASSEMBLING)]
    assert [c.changed_by for c in order.status_changes.all()][-2:] == [data.manager, data.manager]
