"""The order history in a real browser, desktop (1280 px) and phone (375 px).

An administrator filters the list (htmx swaps the results, the address follows), opens an order
and sees its status timeline, opens the invoice for payment, and the cabinet's finance page;
no Content-Security-Policy violation on the way. With SCREENSHOTS=1 the pages are saved to
artifacts/screenshots/ (order-history-*, order-page-*, invoice-*, finance-*).
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import User
from orders.models import OrderStatusChange
from orders.status import OrderStatus
from tests.browser.pages import VIEWPORTS, assert_fits, chromium, new_page, shot, sign_in, violations
from tests.factories import (
    BalanceFactory,
    BankAccountFactory,
    ClientFactory,
    ClientUserFactory,
    ContractFactory,
    LegalEntityFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

S = OrderStatus
GOODS = [("KR-4800", "Саморез кровельный 4,8×35 RAL 3005, с прессшайбой", "1.35", "2400", "22"),
         ("DU-1010", "Дюбель рамный 10×100 оцинкованный", "8.90", "500", "22"),
         ("AN-1095", "Анкер клиновой 10×95", "21.40", "150", "22")]


@pytest.fixture
def history_data(transactional_db, settings):
    settings.PORTAL_SUPPLIER_NAME = "ООО «Крепёж-Опт»"
    settings.PORTAL_SUPPLIER_INN = "7701234567"
    settings.PORTAL_SUPPLIER_KPP = "770101001"
    settings.PORTAL_SUPPLIER_ADDRESS = "125009, г. Москва, ул. Тверская, д. 1"
    settings.PORTAL_SUPPLIER_BANK = "ПАО «Сбербанк», г. Москва"
    settings.PORTAL_SUPPLIER_BIK = "044525225"
    settings.PORTAL_SUPPLIER_ACCOUNT = "40702810938000012345"
    settings.PORTAL_SUPPLIER_CORRESPONDENT_ACCOUNT = "30101810400000000225"
    settings.PORTAL_SUPPLIER_DIRECTOR = "Иванов И. И."
    settings.PORTAL_SUPPLIER_ACCOUNTANT = "Петрова А. А."
    company = ClientFactory(name="ООО «Стройснаб-Поволжье»")
    admin = ClientUserFactory(client=company, role=User.Role.ADMINISTRATOR, email="head@example.com",
                              first_name="Ольга", last_name="Смирнова")
    buyer = ClientUserFactory(client=company, first_name="Пётр", last_name="Кузнецов")
    main = LegalEntityFactory(client=company, name="ООО «Стройснаб»", full_name="Общество с ограниченной "
                              "ответственностью «Стройснаб»", legal_address="443001, г. Самара, ул. Ленина, 1, офис 10")
    second = LegalEntityFactory(client=company, name="ООО «Кровля-Сервис»")
    BankAccountFactory(legal_entity=main, bank_name="АО «Альфа-Банк»", bik="044525593",
                       account="40702810701300012345", correspondent_account="30101810200000000593")
    contract = ContractFactory(legal_entity=main, number="ОПТ-2026/17")
    BalanceFactory(legal_entity=main, amount=Decimal("184250.00"), credit_limit=Decimal("500000.00"),
                   confirmed_at=timezone.now() - datetime.timedelta(minutes=40))
    BalanceFactory(legal_entity=second, amount=Decimal("23400.00"), overdue_debt=Decimal("23400.00"),
                   shipment_blocked=True, block_reason="Просрочка оплаты по счёту № 2026-000311",
                   confirmed_at=timezone.now() - datetime.timedelta(hours=3))
    products = [ProductFactory(sku=sku, name=name) for sku, name, *_rest in GOODS]
    now = timezone.now()
    statuses = [S.DELIVERED, S.SHIPPED, S.SUBMITTED, S.AWAITING_APPROVAL, S.CANCELLED, S.SUBMITTED, S.DRAFT]
    orders = []
    for index, status in enumerate(statuses):
        entity = main if index % 3 else second
        created = now - datetime.timedelta(days=30 - index * 4, hours=index)
        order = OrderFactory(number=f"2026-{310 + index:06d}", client=company, legal_entity=entity,
                             contract=contract if entity == main else None, status=status,
                             created_by=admin if index % 2 else buyer, created_at=created, status_changed_at=created)
        total = Decimal(0)
        for position, (product, (_sku, _name, price, quantity, vat)) in enumerate(zip(products, GOODS, strict=True)):
            if position > index % 3 + 1:
                break
            amount = Decimal(price) * Decimal(quantity) * (index + 1)
            OrderLineFactory(order=order, product=product, quantity=Decimal(quantity) * (index + 1),
                             price=Decimal(price), amount=amount, vat_rate=Decimal(vat), position=position)
            total += amount
        order.total_amount, order.total_weight = total, Decimal("12.5") * (index + 1)
        order.save()
        orders.append(order)
    shipped = orders[1]
    shipped.erp_number, shipped.erp_paid_at = "ТДЦУ-000142", shipped.created_at + datetime.timedelta(hours=2)
    shipped.erp_shipped_at = shipped.created_at + datetime.timedelta(hours=15)
    shipped.save(update_fields=["erp_number", "erp_paid_at", "erp_shipped_at"])
    for minutes, (old, new, who, comment) in enumerate([
        ("", S.SUBMITTED, admin, ""), (S.SUBMITTED, S.ACCEPTED, None, "Принят в обработку"),
        (S.ACCEPTED, S.ASSEMBLING, None, ""), (S.ASSEMBLING, S.SHIPPED, None, "Машина № А123ВС 163"),
    ]):
        OrderStatusChange.objects.create(order=shipped, from_status=old, to_status=new, changed_by=who,
                                         source="user" if who else "erp", comment=comment,
                                         created_at=shipped.created_at + datetime.timedelta(hours=minutes * 5))
    return {"admin": admin, "shipped": shipped}


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_order_history(live_server, history_data, viewport):
    size = VIEWPORTS[viewport]
    shipped = history_data["shipped"]
    failed = []
    with chromium() as browser:
        page = new_page(browser, size, record_violations=True, failed=failed)
        sign_in(page, live_server.url, "head@example.com")

        page.goto(f"{live_server.url}/orders/")
        rows = page.locator(".order-table tbody tr")
        assert rows.count() == 7
        assert_fits(page, size["width"])
        shot(page, f"order-history-{viewport}")

        # A status from the select: htmx swaps the results and the address follows.
        page.select_option("select[name=status]", value="shipped")
        page.wait_for_url("**/orders/?*status=shipped*")
        page.wait_for_function("document.querySelectorAll('.order-table tbody tr').length === 1")
        page.fill(".history-filters input[name=q]", "AN-1095")
        page.locator(".history-filters button[type=submit]").click()
        page.wait_for_url("**q=AN-1095*")
        assert rows.count() == 1
        assert "AN-1095" in page.locator(".history-summary a").get_attribute("href")  # the export follows
        shot(page, f"order-history-filtered-{viewport}")

        page.locator(".order-table tbody tr a", has_text=shipped.number).click()
        page.wait_for_url(f"**/orders/{shipped.pk}/")
        assert page.locator(".timeline-item").count() == 4
        assert "Машина № А123ВС 163" in page.locator(".timeline").inner_text()
        erp = page.locator(".order-erp").inner_text()
        assert "ТДЦУ-000142" in erp and "Оплачен по данным 1С" in erp and "Отгружен по данным 1С" in erp, erp
        assert_fits(page, size["width"])
        shot(page, f"order-page-{viewport}")

        page.locator(f".order-actions a[href='/orders/{shipped.pk}/invoice/']").click()
        page.wait_for_url(f"**/orders/{shipped.pk}/invoice/")
        words = page.locator(".invoice-words").inner_text()
        assert words.endswith("копеек") or words.endswith("копейка") or words.endswith("копейки")
        assert "ООО «Крепёж-Опт»" in page.locator(".invoice").inner_text()
        assert_fits(page, size["width"])
        shot(page, f"invoice-{viewport}")

        page.goto(f"{live_server.url}/cabinet/finance/")
        assert page.locator(".finance-grid .card").count() == 2
        assert "Просрочка оплаты" in page.locator(".finance-grid").inner_text()
        assert_fits(page, size["width"])
        shot(page, f"finance-{viewport}")
        assert violations(page) == []
    assert not failed, failed
