"""Finance in the cabinet: who sees it, and the figures as the ERP sent them."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from orders.selectors import finance_for_user
from orders.status import OrderStatus
from tests.factories import BalanceFactory, ClientUserFactory, LegalEntityFactory, OrderFactory

pytestmark = [pytest.mark.django_db]

SENT = timezone.make_aware(datetime.datetime(2026, 3, 2, 9, 30))


@pytest.fixture
def company():
    admin = ClientUserFactory(role=User.Role.ADMINISTRATOR)
    client_ = admin.client
    entity = LegalEntityFactory(client=client_, name="ООО «Альфа»")
    blocked = LegalEntityFactory(client=client_, name="ООО «Бета»")
    empty = LegalEntityFactory(client=client_, name="ООО «Гамма»")
    BalanceFactory(legal_entity=entity, amount=Decimal("40000.00"), credit_limit=Decimal("100000.00"),
                   overdue_debt=Decimal("0"), confirmed_at=SENT)
    BalanceFactory(legal_entity=blocked, amount=Decimal("-1500.00"), overdue_debt=Decimal("12000.00"),
                   shipment_blocked=True, block_reason="Просрочка оплаты по договору", confirmed_at=SENT)
    OrderFactory(client=client_, legal_entity=entity, status=OrderStatus.SUBMITTED, total_amount=Decimal("25000"))
    OrderFactory(client=client_, legal_entity=entity, status=OrderStatus.DELIVERED, total_amount=Decimal("999"))
    return {"admin": admin, "entity": entity, "blocked": blocked, "empty": empty,
            "accountant": ClientUserFactory(client=client_, role=User.Role.ACCOUNTANT),
            "buyer": ClientUserFactory(client=client_, role=User.Role.MANAGER)}


def test_figures(company):
    rows = {row.legal_entity.name: row for row in finance_for_user(user=company["admin"])}
    assert list(rows) == ["ООО «Альфа»", "ООО «Бета»", "ООО «Гамма»"]
    alpha = rows["ООО «Альфа»"]
    assert alpha.credit.open_orders == Decimal("25000.00")
    assert alpha.credit.available == Decimal("35000.00")  # 100 000 − 40 000 − 25 000
    assert alpha.prepayment is None
    beta = rows["ООО «Бета»"]
    assert beta.prepayment == Decimal("1500.00") and not beta.credit.has_limit and beta.balance.shipment_blocked
    assert rows["ООО «Гамма»"].balance is None


@pytest.mark.parametrize(("role", "sees"), [("admin", True), ("accountant", True), ("buyer", False)])
def test_visibility_per_role(client, company, role, sees):
    client.force_login(company[role])
    response = client.get(reverse("finance:index"))
    assert response.status_code == (200 if sees else 403)
    assert (reverse("finance:index") in client.get(reverse("cabinet:profile")).content.decode()) is sees
    assert finance_for_user(user=company[role]) if sees else finance_for_user(user=company[role]) == []


def test_page_shows_balance_block_and_erp_time(client, company, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(company["accountant"])
    html = client.get(reverse("finance:index")).content.decode()
    for text in ("ООО «Альфа»", "100,000.00", "35,000.00", "25,000.00", "40,000.00", "ООО «Бета»", "12,000.00",
                 "Просрочка оплаты по договору", "blocked", "1,500.00", "Prepayment",
                 "As sent by the ERP at March 2, 2026, 9:30",
                 "The ERP has not sent settlements for this legal entity yet."):
        assert text in html, text


def test_another_clients_balance_is_not_shown(client, company):
    BalanceFactory(legal_entity=LegalEntityFactory(name="ООО «Чужое»"), amount=Decimal("777"))
    client.force_login(company["admin"])
    assert "ООО «Чужое»" not in client.get(reverse("finance:index")).content.decode()


def test_anonymous_goes_to_login(client):
    response = client.get(reverse("finance:index"))
    assert response.status_code == 302 and "login" in response.url
