"""Checkout services: the order from the cart, its number and snapshots, recomputation, calendar, credit, drafts."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from accounts.models import Notification, User
from base.models import CalendarDay
from catalog.models import AssortmentItem, Price, ProductUnit, Stock, Unit
from orders.approval import order_needs_approval
from orders.checkout import credit_state
from orders.models import Cart, CartLine, Order, OrderSequence
from orders.services import (
    CartChanged,
    CartLineInput,
    CheckoutStopped,
    QuoteChanged,
    cart_add_lines,
    order_place_from_cart,
    order_submit,
)
from orders.status import OrderStatus
from tests.factories import (
    BalanceFactory,
    ClientUserFactory,
    ContractFactory,
    LegalEntityFactory,
    OrderFactory,
    StaffUserFactory,
    WarehouseFactory,
)

from .checkout_data import earliest, make_checkout_data, shown, terms_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    return make_checkout_data()


def place(data, **kwargs):
    revision, digest = shown(data.buyer)
    kwargs.setdefault("terms", terms_for(data))
    return order_place_from_cart(user=data.buyer, revision=revision, digest=digest, **kwargs)


def test_the_order_keeps_snapshots_totals_and_a_number_and_the_cart_is_emptied(data):
    box = Unit.objects.create(code="778", name="Упаковка", short_name="уп")
    first = data.products[0]
    ProductUnit.objects.create(product=first, unit=box, coefficient=Decimal("4"))
    CartLine.objects.filter(product=first).update(quantity=Decimal("8"), unit=box, comment="Синие")
    Stock.objects.filter(product=data.products[1]).update(quantity=0, expected_on=datetime.date(2099, 1, 15))
    revision_before = Cart.objects.get(user=data.buyer).revision

    result = place(data)

    order = result.order
    assert result.created
    year = timezone.localdate().year
    assert order.number == f"{year}-000001"
    assert OrderSequence.objects.get(year=year).last == 1
    assert order.status == OrderStatus.SUBMITTED and order.submitted_at is not None
    assert [(c.from_status, c.to_status) for c in order.status_changes.all()] == [("draft", "submitted")]
    assert (order.legal_entity, order.contract, order.currency_id) == (data.entity, data.contract, "RUB")
    assert order.delivery_address == data.entity.actual_address and order.pickup_warehouse is None
    assert (order.comment, order.po_number) == ("Позвонить за час", "PO-77/2026")
    assert order.total_amount == Decimal("12.50") * (8 + 2 + 2)
    assert order.total_weight == Decimal("15.000") and order.total_volume == Decimal("0.024000")
    lines = list(order.lines.order_by("position"))
    packed, backordered, plain = lines
    assert (packed.sku, packed.name, packed.unit_name) == (first.sku, first.name, "шт")
    assert (packed.quantity, packed.ordered_unit_name, packed.ordered_unit_coefficient) == (8, "уп", 4)
    assert (packed.price, packed.amount, packed.vat_rate, packed.price_source) == (
        Decimal("12.50"), Decimal("100.00"), Decimal("22"), "region_base")
    assert packed.comment == "Синие" and not packed.is_backorder
    assert backordered.is_backorder and backordered.expected_on == datetime.date(2099, 1, 15)
    assert (plain.ordered_unit_name, plain.ordered_unit_coefficient, plain.is_backorder) == ("шт", 1, False)
    assert order.idempotency_key == f"cart:{Cart.objects.get(user=data.buyer).pk}:{revision_before}"
    cart = Cart.objects.get(user=data.buyer)
    assert not cart.lines.exists() and cart.revision == revision_before + 1


def test_numbers_follow_each_other_within_a_year(data):
    first = place(data).order
    other = make_checkout_data()
    second = place(other).order
    assert (first.number[-6:], second.number[-6:]) == ("000001", "000002")


def test_the_year_of_the_number_is_the_year_of_placing(data):
    now = timezone.make_aware(datetime.datetime(2031, 3, 4, 10, 0))  # a Tuesday morning
    OrderSequence.objects.create(year=2031, last=122)
    revision, digest = shown(data.buyer, now=now)
    order = order_place_from_cart(user=data.buyer, terms=terms_for(data, now=now), revision=revision,
                                  digest=digest, now=now).order
    assert order.number == "2031-000123"


def test_a_repeated_request_returns_the_same_order(data):
    revision, digest = shown(data.buyer)
    first = order_place_from_cart(user=data.buyer, terms=terms_for(data), revision=revision, digest=digest)
    again = order_place_from_cart(user=data.buyer, terms=terms_for(data), revision=revision, digest=digest)
    assert again.order == first.order and not again.created
    assert Order.objects.count() == 1


def test_a_cart_changed_since_the_page_is_shown_again(data):
    revision, digest = shown(data.buyer)
    cart_add_lines(user=data.buyer, lines=[CartLineInput(data.products[0].pk, Decimal("1"))])
    with pytest.raises(CartChanged):
        order_place_from_cart(user=data.buyer, terms=terms_for(data), revision=revision, digest=digest)
    assert not Order.objects.exists() and CartLine.objects.count() == 3


def test_a_changed_price_is_confirmed_before_the_order_is_placed(data):
    revision, digest = shown(data.buyer)
    Price.objects.filter(product=data.products[0]).update(amount=Decimal("13.00"))
    with pytest.raises(QuoteChanged) as changed:
        order_place_from_cart(user=data.buyer, terms=terms_for(data), revision=revision, digest=digest)
    assert not Order.objects.exists()
    assert changed.value.quote.amount == Decimal("13.00") * 2 + Decimal("12.50") * 4
    # The buyer saw the new totals and confirms them.
    order = order_place_from_cart(user=data.buyer, terms=terms_for(data), revision=revision,
                                  digest=changed.value.quote.digest).order
    assert order.total_amount == Decimal("76.00")


def test_changed_availability_is_confirmed_too(data):
    revision, digest = shown(data.buyer)
    Stock.objects.filter(product=data.products[2]).update(quantity=1)
    with pytest.raises(QuoteChanged):
        order_place_from_cart(user=data.buyer, terms=terms_for(data), revision=revision, digest=digest)


def test_a_forged_digest_is_not_accepted(data):
    revision, _digest = shown(data.buyer)
    with pytest.raises(QuoteChanged):
        order_place_from_cart(user=data.buyer, terms=terms_for(data), revision=revision, digest="0" * 64)
    assert not Order.objects.exists()


@pytest.mark.parametrize("day, field, code", [
    (-1, "delivery_date", "past"),
    (120, "delivery_date", "too_far"),
])
def test_dates_the_calendar_refuses(data, day, field, code):
    wanted = timezone.localdate() + datetime.timedelta(days=day)
    with pytest.raises(ValidationError) as error:
        place(data, terms=terms_for(data, day=wanted))
    assert field in error.value.message_dict
    assert not Order.objects.exists()


def test_a_holiday_is_refused_with_its_name(data):
    day = earliest(data) + datetime.timedelta(days=7)  # the same weekday a week later
    CalendarDay.objects.create(date=day, is_working=False, note="Санитарный день")
    with pytest.raises(ValidationError) as error:
        place(data, terms=terms_for(data, day=day))
    assert "Санитарный день" in error.value.message_dict["delivery_date"][0]
    weekend = day + datetime.timedelta(days=(5 - day.weekday()) % 7)
    with pytest.raises(ValidationError) as error:
        place(data, terms=terms_for(data, day=weekend))
    assert "delivery_date" in error.value.message_dict


def test_terms_that_are_not_the_clients_are_refused(data):
    other_region = WarehouseFactory()
    unconfirmed = LegalEntityFactory(client=data.client, is_confirmed=False)
    sibling = LegalEntityFactory(client=data.client)
    expired = ContractFactory(legal_entity=data.entity, valid_until=datetime.date(2020, 1, 1))
    cases = [
        (terms_for(data, method="pickup", pickup_warehouse=other_region), "pickup_warehouse"),
        (terms_for(data, legal_entity=unconfirmed, contract=None), "legal_entity"),
        (terms_for(data, contract=ContractFactory(legal_entity=sibling)), "contract"),
        (terms_for(data, contract=expired), "contract"),
        (terms_for(data, contract=None), "contract"),
        (terms_for(data, delivery_address="  "), "delivery_address"),
        (terms_for(data, desired_date=None), "delivery_date"),
    ]
    for terms, field in cases:
        with pytest.raises(ValidationError) as error:
            place(data, terms=terms)
        assert field in error.value.message_dict, field
    assert not Order.objects.exists()


def test_a_product_that_left_the_assortment_is_refused_at_submit(data):
    data.region.assortment_restricted = True
    data.region.save()
    AssortmentItem.objects.bulk_create([AssortmentItem(region=data.region, product=p) for p in data.products[1:]])
    with pytest.raises(ValidationError) as error:
        place(data)
    assert data.products[0].sku in error.value.message_dict["lines"][0]
    assert not Order.objects.exists() and CartLine.objects.count() == 3


def test_a_shipment_block_stops_checkout_with_the_debt_to_pay_but_a_draft_is_saved(data):
    BalanceFactory(legal_entity=data.entity, shipment_blocked=True, block_reason="Просрочка оплаты более 30 дней",
                   overdue_debt=Decimal("15000.00"), amount=Decimal("125000.50"))
    with translation.override("en"), pytest.raises(CheckoutStopped) as stopped:
        place(data)
    assert stopped.value.stop.code == "shipment_blocked" and stopped.value.stop.to_pay == Decimal("15000.00")
    assert stopped.value.messages == [
        "Shipments to ООО «Стройснаб» are blocked: Просрочка оплаты более 30 дней. "
        "Pay the overdue debt of 15,000.00\u00a0₽ to lift the block."]
    assert not Order.objects.exists()

    draft = place(data, draft=True).order
    assert draft.status == OrderStatus.DRAFT and draft.lines.count() == 3
    assert [(c.from_status, c.to_status) for c in draft.status_changes.all()] == [("", "draft")]
    assert not CartLine.objects.exists()
    with pytest.raises(CheckoutStopped):
        order_submit(user=data.buyer, order=draft)
    assert Order.objects.get().status == OrderStatus.DRAFT


def test_a_total_over_the_credit_left_stops_checkout_with_the_excess_to_pay(data):
    # Limit 1,000; debt 900; an open order of 50 (not shipped) and a shipped one (already in the debt).
    BalanceFactory(legal_entity=data.entity, credit_limit=Decimal("1000"), amount=Decimal("900"))
    OrderFactory(client=data.client, legal_entity=data.entity, status=OrderStatus.ASSEMBLING,
                 total_amount=Decimal("50"))
    OrderFactory(client=data.client, legal_entity=data.entity, status=OrderStatus.SHIPPED,
                 total_amount=Decimal("5000"))
    assert credit_state(data.entity).available == Decimal("50")
    with translation.override("en"), pytest.raises(CheckoutStopped) as stopped:
        place(data)  # 6 × 12.50 = 75.00
    stop = stopped.value.stop
    assert stop.code == "credit_limit" and stop.to_pay == Decimal("25.00")
    assert stopped.value.messages == [
        "The order total 75.00\u00a0₽ is over the credit left to ООО «Стройснаб», 50.00\u00a0₽ (credit limit "
        "1,000.00\u00a0₽, debt 900.00\u00a0₽, orders not yet shipped 50.00\u00a0₽). Pay 25.00\u00a0₽ to place it."]
    assert Order.objects.count() == 2


def test_a_prepayment_adds_to_the_credit_and_no_limit_means_no_check(data):
    balance = BalanceFactory(legal_entity=data.entity, credit_limit=Decimal("50"), amount=Decimal("-30"))
    assert credit_state(data.entity).available == Decimal("80")
    assert place(data).order.status == OrderStatus.SUBMITTED
    balance.credit_limit, balance.amount = 0, Decimal("1000000")
    balance.save()
    assert credit_state(data.entity).available is None


def test_a_buyers_order_awaits_approval_when_the_client_has_an_administrator(data):
    head = ClientUserFactory(client=data.client, role=User.Role.ADMINISTRATOR)
    order = place(data).order
    assert order.status == OrderStatus.AWAITING_APPROVAL and order.submitted_at is None
    notice = Notification.objects.get(event="order_awaiting_approval")
    assert notice.recipient == head and order.number in notice.title and notice.url == "/orders/approvals/"


def test_an_administrators_own_order_goes_to_the_supplier_and_the_manager_hears_of_it():
    data = make_checkout_data()
    manager = StaffUserFactory()
    data.client.manager = manager
    data.client.save()
    User.objects.filter(pk=data.buyer.pk).update(role=User.Role.ADMINISTRATOR)
    data.buyer.refresh_from_db()
    ClientUserFactory(client=data.client, role=User.Role.ADMINISTRATOR)  # another head: still not held
    order = place(data).order
    assert order.status == OrderStatus.SUBMITTED
    assert Notification.objects.get(event="order_submitted").recipient == manager


def test_the_default_approval_rule():
    data = make_checkout_data()
    order = OrderFactory(client=data.client, legal_entity=data.entity, created_by=data.buyer)
    assert not order_needs_approval(order, data.buyer)  # no administrator
    head = ClientUserFactory(client=data.client, role=User.Role.ADMINISTRATOR, is_active=False)
    assert not order_needs_approval(order, data.buyer)  # an inactive one does not count
    head.is_active = True
    head.save()
    assert order_needs_approval(order, data.buyer)
    assert not order_needs_approval(order, head)


def test_a_draft_is_submitted_through_the_same_checks(data):
    draft = place(data, draft=True, terms=terms_for(data, desired_date=None)).order
    assert draft.status == OrderStatus.DRAFT and draft.desired_date is None
    with pytest.raises(ValidationError) as error:
        order_submit(user=data.buyer, order=draft)
    assert "delivery_date" in error.value.message_dict

    Price.objects.filter(product=data.products[0]).update(amount=Decimal("20.00"))
    result = order_submit(user=data.buyer, order=draft, desired_date=earliest(data))
    assert result.changed and result.order.status == OrderStatus.DRAFT
    draft.refresh_from_db()
    assert draft.total_amount == Decimal("90.00") and draft.desired_date == earliest(data)
    assert draft.lines.get(product=data.products[0]).price == Decimal("20.00")

    result = order_submit(user=data.buyer, order=draft)
    assert not result.changed and result.order.status == OrderStatus.SUBMITTED
    assert order_submit(user=data.buyer, order=draft).order.status == OrderStatus.SUBMITTED  # repeated: unchanged
    assert Order.objects.count() == 1


def test_a_colleagues_draft_is_not_submitted_by_another_buyer(data):
    draft = place(data, draft=True).order
    colleague = ClientUserFactory(client=data.client)
    with pytest.raises(PermissionDenied):
        order_submit(user=colleague, order=draft)
