"""Analytics in a real browser, desktop (1280 px) and phone (375 px): the client's page (charts as
inline SVG, a period preset) and the supplier's dashboard in admin for a regional manager; no
Content-Security-Policy violation and nothing wider than the screen. With SCREENSHOTS=1 the pages
are saved to artifacts/screenshots/ (analytics-*, admin-dashboard-*)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import User
from catalog.models import SearchMiss
from catalog.services import category_rebuild_tree
from orders.models import OrderEscalation
from orders.status import OrderStatus
from tests.browser.pages import VIEWPORTS, assert_fits, chromium, new_page, shot, sign_in, violations
from tests.factories import (
    CategoryFactory,
    ClientFactory,
    ClientUserFactory,
    LegalEntityFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    RegionFactory,
    StaffUserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

S = OrderStatus
GOODS = [("KR-4800", "Саморез кровельный 4,8×35 RAL 3005, с прессшайбой", "Саморезы", "1.35"),
         ("DU-1010", "Дюбель рамный 10×100 оцинкованный", "Дюбели", "8.90"),
         ("AN-1095", "Анкер клиновой 10×95", "Анкеры", "21.40"),
         ("SV-0350", "Сверло по металлу HSS 3,5 мм", "Оснастка", "45.00"),
         ("PR-2400", "Профиль направляющий ПН 50×40, 3 м", "Профили", "189.00")]


@pytest.fixture
def analytics_data(transactional_db):
    region = RegionFactory(name="Поволжье")
    company = ClientFactory(name="ООО «Стройснаб-Поволжье»", region=region)
    ClientUserFactory(client=company, role=User.Role.ADMINISTRATOR, email="head@example.com")
    buyer = ClientUserFactory(client=company, first_name="Пётр", last_name="Кузнецов")
    entities = [LegalEntityFactory(client=company, name="ООО «Стройснаб»"),
                LegalEntityFactory(client=company, name="ООО «Кровля-Сервис»"),
                LegalEntityFactory(client=company, name="ИП Кузнецов П. А.")]
    tops = {name: CategoryFactory(name=name) for name in ("Крепёж", "Инструмент и оснастка", "Профили и листы")}
    parents = {"Саморезы": "Крепёж", "Дюбели": "Крепёж", "Анкеры": "Крепёж", "Оснастка": "Инструмент и оснастка",
               "Профили": "Профили и листы"}
    leaves = {name: CategoryFactory(name=name, parent=tops[parent]) for name, parent in parents.items()}
    category_rebuild_tree()
    products = [(ProductFactory(sku=sku, name=name, category=leaves[leaf]), Decimal(price))
                for sku, name, leaf, price in GOODS]
    now = timezone.now()
    statuses = [S.DELIVERED, S.SHIPPED, S.SUBMITTED, S.ACCEPTED, S.DELIVERED, S.CANCELLED, S.DRAFT]
    for index in range(40):
        created = now - datetime.timedelta(days=index * 8 + 1, hours=index)
        order = OrderFactory(client=company, legal_entity=entities[index % 3], created_by=buyer,
                             status=statuses[index % len(statuses)], created_at=created, status_changed_at=created)
        total = Decimal(0)
        for position in range(index % 4 + 1):
            product, price = products[(index + position) % len(products)]
            quantity = Decimal(50 * (position + 1) + index * 10)
            OrderLineFactory(order=order, product=product, quantity=quantity, price=price, amount=price * quantity,
                             position=position)
            total += price * quantity
        order.total_amount = total
        order.save(update_fields=["total_amount"])
        if index == 0:
            order.status, order.status_changed_at, order.escalation_level = S.SUBMITTED, now - datetime.timedelta(
                hours=6), 1
            order.save(update_fields=["status", "status_changed_at", "escalation_level"])
            OrderEscalation.objects.create(order=order, status=S.SUBMITTED, status_since=order.status_changed_at,
                                           level=1, recipients="manager@example.com")
    for query, count in [("анкер химический", 14), ("герметик силиконовый", 9), ("shurup 4x16", 3)]:
        SearchMiss.objects.create(query=query, region=region, day=timezone.localdate(), count=count)
    manager = StaffUserFactory(email="manager@example.com", first_name="Ирина", last_name="Орлова")
    manager.managed_regions.add(region)
    return {"manager": manager}


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_analytics_pages(live_server, analytics_data, viewport):
    size = VIEWPORTS[viewport]
    base = live_server.url
    failed = []
    with chromium() as browser:
        page = new_page(browser, size, record_violations=True, failed=failed)
        sign_in(page, base, "head@example.com")
        page.goto(f"{base}/orders/")
        page.locator(".page-head-actions a[href='/orders/analytics/']").click()
        page.wait_for_url(f"{base}/orders/analytics/")
        assert page.locator(".analytics-grid .card").count() == 5
        assert page.locator("#chart-categories ~ .chart-bars").is_visible()
        assert page.locator("svg.chart-columns").is_visible() == (viewport == "desktop")
        assert "Крепёж" in page.locator(".analytics-grid").inner_text()
        assert_fits(page, size["width"])
        shot(page, f"analytics-{viewport}")

        page.locator(".analytics-presets a", has_text="3").click()
        page.wait_for_url("**/orders/analytics/?months=3*")
        assert page.locator(".analytics-presets a[aria-current]").inner_text().startswith("3")
        assert_fits(page, size["width"])
        assert violations(page) == []
        page.context.close()

        page = new_page(browser, size, record_violations=True, failed=failed)
        sign_in(page, base, "manager@example.com", admin=True)
        page.locator("#portal-dashboard-link a").click()
        page.wait_for_url(f"{base}/admin/orders/order/dashboard/")
        text = page.locator("#content-main").inner_text()
        assert "анкер химический" in text and "Поволжье" in text
        assert page.locator("#dash-escalations ~ .dashboard-scroll tbody tr").count() == 1
        assert_fits(page, size["width"])
        shot(page, f"admin-dashboard-{viewport}")
        assert violations(page) == []
    assert not failed, failed
