"""The supplier's regional manager works the orders list of Django admin in a real browser, in Russian.

He sees only his region's orders; narrows the list with the sidebar filters (status, region, client,
date, amount, weight, escalated) and finds orders by number, SKU, client name and ИНН; the page of a
sent order shows its lines and history read-only, without blank rows or save buttons. With
SCREENSHOTS=1 the list is saved to artifacts/screenshots/admin-orders-<viewport>.png.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from orders.models import Order
from orders.status import OrderStatus
from tests.browser.pages import chromium, new_page, shot, sign_in, violations
from tests.factories import (
    ClientFactory,
    LegalEntityFactory,
    OrderFactory,
    OrderLineFactory,
    RegionFactory,
    StaffUserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.postgres]
S = OrderStatus


@pytest.fixture
def admin_data(transactional_db):
    volga, kama, ural = RegionFactory(name="Поволжье"), RegionFactory(name="Прикамье"), RegionFactory(name="Урал")
    manager = StaffUserFactory(email="manager@example.com", first_name="Игорь", last_name="Петров")
    manager.managed_regions.add(volga, kama)
    stroy = ClientFactory(name="ООО «Стройснаб»", region=volga)
    krov = ClientFactory(name="ООО «Кровля-Сервис»", region=volga)
    stroy_entity = LegalEntityFactory(client=stroy, name="ООО «Стройснаб»", inn="6312345678")
    krov_entity = LegalEntityFactory(client=krov, name="ООО «Кровля-Сервис»", inn="6398765432")
    kama_entity = LegalEntityFactory(client=ClientFactory(name="ООО «Камметалл»", region=kama), inn="5901234567")
    now = timezone.now()
    spec = [  # number, entity, status, days ago, amount, weight, escalation level, sku
        ("2026-000501", stroy_entity, S.SUBMITTED, 0, "8400.00", "52.000", 1, "KR-4800"),
        ("2026-000502", stroy_entity, S.ACCEPTED, 3, "152000.00", "1450.000", 0, "DU-1010"),
        ("2026-000503", krov_entity, S.ASSEMBLING, 10, "56300.00", "320.500", 2, "AN-1095"),
        ("2026-000504", krov_entity, S.DELIVERED, 40, "1250000.00", "12400.000", 0, "KR-4800"),
        ("2026-000505", kama_entity, S.SUBMITTED, 1, "2300.00", "12.000", 0, "ZN-0001"),
    ]
    for number, entity, status, days, amount, weight, level, sku in spec:
        created = now - datetime.timedelta(days=days, hours=1)
        order = OrderFactory(number=number, client=entity.client, legal_entity=entity, status=status,
                             created_at=created, status_changed_at=created, total_amount=Decimal(amount),
                             total_weight=Decimal(weight), escalation_level=level)
        OrderLineFactory(order=order, sku=sku, name=f"Товар {sku}", amount=Decimal(amount))
    foreign = OrderFactory(number="2026-000900", client=ClientFactory(name="ООО «Уралснаб»", region=ural),
                           status=S.SUBMITTED)
    OrderLineFactory(order=foreign, sku="KR-4800")
    return {"manager": manager}


def _numbers(page) -> list[str]:
    return sorted(page.locator("#result_list tbody th a").all_inner_texts())


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_regional_manager_filters_and_searches_orders_in_admin(live_server, admin_data, viewport):
    base = live_server.url
    failed = []
    with chromium() as browser:
        page = new_page(browser, viewport, record_violations=True, failed=failed)
        sign_in(page, base, "manager@example.com", admin=True)
        assert "Заказы" in page.locator("#content-main").inner_text()

        changelist = f"{base}/admin/orders/order/"
        page.goto(changelist)
        everything = ["2026-000501", "2026-000502", "2026-000503", "2026-000504", "2026-000505"]
        assert _numbers(page) == everything, "his region's orders only"
        filters = page.locator("#changelist-filter").inner_text()
        for title in ("Статус", "Регион (филиал)", "Клиент", "Создан", "Сумма", "Вес, кг", "Эскалация"):
            assert title.lower() in filters.lower(), title
        assert "Урал" not in filters and "Уралснаб" not in filters
        shot(page, f"admin-orders-{viewport}")

        def narrowed(query: str) -> list[str]:
            page.goto(f"{changelist}?{query}")
            return _numbers(page)

        assert narrowed("status__exact=accepted") == ["2026-000502"]
        page.goto(changelist)
        page.locator("#changelist-filter a", has_text="Прикамье").click()
        page.wait_for_url("**client__region__id__exact=*")
        assert _numbers(page) == ["2026-000505"]
        assert narrowed("escalated=any") == ["2026-000501", "2026-000503"]
        assert narrowed("escalated=2") == ["2026-000503"]
        assert narrowed("amount=100000-1000000") == ["2026-000502"]
        assert narrowed("weight=1000-10000") == ["2026-000502"]
        assert narrowed("created_at__gte=" + (timezone.localdate() - datetime.timedelta(days=7)).isoformat()) == [
            "2026-000501", "2026-000502", "2026-000505"]
        page.goto(changelist)
        page.locator("#changelist-filter a", has_text="ООО «Кровля-Сервис»").click()
        page.wait_for_url("**client__id__exact=*")
        assert _numbers(page) == ["2026-000503", "2026-000504"]

        for query, expected in (("2026-000503", ["2026-000503"]), ("KR-4800", ["2026-000501", "2026-000504"]),
                                ("Кровля", ["2026-000503", "2026-000504"]), ("6312345678", ["2026-000501",
                                                                                          "2026-000502"])):
            page.goto(changelist)
            page.fill("#searchbar", query)
            page.locator("#changelist-search input[type=submit]").click()
            page.wait_for_load_state()
            assert _numbers(page) == expected, query

        # A sent order: lines and history read-only, no blank rows, nothing to save.
        page.goto(changelist)
        page.locator("#result_list a", has_text="2026-000502").click()
        page.wait_for_url("**/change/")
        lines = page.locator("#lines-group")
        assert "DU-1010" in lines.inner_text()
        assert lines.locator("input:not([type=hidden]), select, textarea").count() == 0
        assert page.locator(".add-row:visible, .empty-form:visible").count() == 0, "no blank row, nothing to add"
        assert page.locator("input[name=_save]").count() == 0
        shot(page, f"admin-order-page-{viewport}")
        assert violations(page) == []
    assert not failed, failed
    assert Order.objects.filter(status=S.SUBMITTED).count() == 3
