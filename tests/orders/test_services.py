"""Writes of orders: the cart (cart_add_line's rules), the status door (`order_transition`) and the ERP's writes."""

import datetime
import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from catalog.models import ProductUnit
from orders.models import Order, OrderStatusChange
from orders.selectors import order_for_erp_document, orders_pending_erp_export
from orders.services import (
    OrderTransitionError,
    cart_add_line,
    order_erp_move,
    order_mark_exported,
    order_set_erp_dates,
    order_set_erp_number,
    order_transition,
)
from orders.status import TRANSITIONS, OrderStatus
from tests.factories import ClientUserFactory, OrderFactory, ProductFactory, UnitFactory

pytestmark = pytest.mark.django_db


def test_cart_add_line_rules(shop, priced_product):
    buyer = shop["buyer"]
    product = priced_product(multiplicity=Decimal("5"))
    line = cart_add_line(user=buyer, product_id=product.pk, quantity=Decimal("10"))
    cart_add_line(user=buyer, product_id=product.pk, quantity=Decimal("5"))
    line.refresh_from_db()
    assert line.quantity == Decimal("15")
    with pytest.raises(ValidationError):
        cart_add_line(user=buyer, product_id=product.pk, quantity=Decimal("3"))
    with pytest.raises(ValidationError):
        cart_add_line(user=buyer, product_id=product.pk, quantity=Decimal("0"))
    unpriced = ProductFactory()
    with pytest.raises(ValidationError):
        cart_add_line(user=buyer, product_id=unpriced.pk, quantity=Decimal("1"))
    accountant = ClientUserFactory(client=buyer.client, role=User.Role.ACCOUNTANT)
    with pytest.raises(PermissionDenied):
        cart_add_line(user=accountant, product_id=product.pk, quantity=Decimal("5"))
    shop["region"].assortment_restricted = True
    shop["region"].save()
    buyer.client.region.refresh_from_db()
    with pytest.raises(Http404):
        cart_add_line(user=buyer, product_id=product.pk, quantity=Decimal("5"))


def test_cart_add_line_converts_an_alternative_unit(shop, priced_product):
    product = priced_product()
    pack = UnitFactory(code="778", name="Упаковка", short_name="уп")
    ProductUnit.objects.create(product=product, unit=pack, coefficient=Decimal("10"))
    line = cart_add_line(user=shop["buyer"], product_id=product.pk, quantity=Decimal("2"), unit_id=pack.pk)
    assert line.quantity == Decimal("20") and line.unit_id == pack.pk
    with pytest.raises(ValidationError):
        cart_add_line(user=shop["buyer"], product_id=product.pk, quantity=Decimal("1"), unit_id=pack.pk + 1000)
S = OrderStatus
ALLOWED = [(src, dst) for src, targets in TRANSITIONS.items() for dst in sorted(targets)]
REFUSED = [(src, dst) for src in S.values for dst in S.values if dst not in TRANSITIONS[src]]


def _stored(order: Order) -> tuple[str, datetime.datetime, int]:
    row = Order.objects.get(pk=order.pk)
    return row.status, row.status_changed_at, row.escalation_level


def test_every_refused_move_raises_a_clear_error_and_writes_nothing():
    order = OrderFactory(escalation_level=1)
    for src, dst in [*REFUSED, (S.SUBMITTED, "teleported")]:
        Order.objects.filter(pk=order.pk).update(status=src)
        before = _stored(order)
        with pytest.raises(OrderTransitionError) as refused:
            order_transition(order=order, to_status=dst, actor=order.created_by, source=OrderStatusChange.Source.USER)
        labels = dict(S.choices)
        message = refused.value.messages[0]
        assert order.number in message and str(labels[src]) in message, message
        assert str(labels.get(dst, dst)) in message, message
        assert (refused.value.code, refused.value.from_status, refused.value.to_status) == ("transition", src, dst)
        assert _stored(order) == before, f"{src} → {dst} wrote the order"
    assert not OrderStatusChange.objects.exists()


def test_the_refusal_names_the_statuses_in_the_users_language():
    order = OrderFactory(status=S.DELIVERED)
    with pytest.raises(OrderTransitionError) as refused:
        order_transition(order=order, to_status=S.CANCELLED, source=OrderStatusChange.Source.USER)
    assert refused.value.messages == [f"Заказ {order.number} нельзя перевести из статуса «Доставлен» в «Отменён»."]


def test_an_allowed_move_writes_the_history_row():
    order = OrderFactory(status=S.AWAITING_APPROVAL, escalation_level=2)
    head = ClientUserFactory(client=order.client, role=User.Role.ADMINISTRATOR)
    started = timezone.now()
    change = order_transition(order=order, to_status=S.APPROVED, actor=head, source=OrderStatusChange.Source.USER,
                              comment="Согласовано с бухгалтерией")
    row = OrderStatusChange.objects.get()
    assert row == change
    assert (row.order, row.changed_by, row.from_status, row.to_status, row.source, row.comment) == (
        order, head, S.AWAITING_APPROVAL, S.APPROVED, OrderStatusChange.Source.USER, "Согласовано с бухгалтерией")
    assert started <= row.created_at <= timezone.now()
    assert _stored(order) == (S.APPROVED, row.created_at, 0), "the escalation clock restarts"
    assert (order.status, order.status_changed_at) == (S.APPROVED, row.created_at), "the caller's object follows"


@pytest.mark.parametrize(("src", "dst"), [move for move in ALLOWED if move[0] in (S.SUBMITTED, S.ACCEPTED,
                                                                                      S.ASSEMBLING, S.SHIPPED)])
def test_every_move_of_the_erp(src, dst):
    """The ERP moves a submitted order along; who may make every move is in tests/orders/test_transitions.py."""
    order = OrderFactory(status=src)
    order_transition(order=order, to_status=dst, source=OrderStatusChange.Source.ERP)
    assert _stored(order)[0] == dst
    assert list(OrderStatusChange.objects.values_list("from_status", "to_status", "changed_by")) == [(src, dst, None)]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_movers_one_wins_the_other_is_refused():
    """Two connections move the same submitted order to "accepted": the first holds the row while the
    second tries; the second then sees "accepted" and is refused. One history row."""
    order = OrderFactory(status=S.SUBMITTED)
    first_moved, second_started = threading.Event(), threading.Event()
    outcomes: dict[str, object] = {}

    def first():
        try:
            with transaction.atomic():
                order_transition(order=Order(pk=order.pk), to_status=S.ACCEPTED, source=OrderStatusChange.Source.ERP,
                                 comment="first")
                outcomes["first"] = "moved"
                first_moved.set()
                second_started.wait(5)
                time.sleep(0.5)  # the second mover is now waiting for the row (or, unlocked, has read it)
        except Exception as error:  # noqa: BLE001 - reported to the test's thread below
            outcomes["first"] = error
            first_moved.set()
        finally:
            connection.close()

    def second():
        first_moved.wait(5)
        second_started.set()
        try:
            order_transition(order=Order(pk=order.pk), to_status=S.ACCEPTED, source=OrderStatusChange.Source.USER,
                             comment="second")
            outcomes["second"] = "moved"
        except OrderTransitionError as error:
            outcomes["second"] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert outcomes["first"] == "moved"
    assert isinstance(outcomes["second"], OrderTransitionError), outcomes["second"]
    assert outcomes["second"].from_status == S.ACCEPTED
    assert list(OrderStatusChange.objects.values_list("comment", flat=True)) == ["first"]
    assert Order.objects.get(pk=order.pk).status == S.ACCEPTED


def test_order_mark_exported_keeps_the_first_acknowledgement():
    first, second = OrderFactory(), OrderFactory()
    earlier = timezone.now() - datetime.timedelta(hours=1)
    assert order_mark_exported(order_ids=[first.pk], at=earlier) == 1
    assert order_mark_exported(order_ids=[first.pk, second.pk]) == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.erp_exported_at == earlier and second.erp_exported_at > earlier


def test_order_set_erp_number_confirms_once():
    order = OrderFactory()
    confirmed = timezone.now() - datetime.timedelta(minutes=5)
    assert order_set_erp_number(order=order, erp_number="", at=confirmed) is False
    assert order_set_erp_number(order=order, erp_number="УТ-000123", at=confirmed) is True
    assert order_set_erp_number(order=order, erp_number="УТ-000123") is False
    assert order_set_erp_number(order=order, erp_number="УТ-000124") is True
    order.refresh_from_db()
    assert (order.erp_number, order.erp_confirmed_at) == ("УТ-000124", confirmed)


def test_order_set_erp_dates_keeps_a_date_not_given():
    order = OrderFactory()
    paid = timezone.now() - datetime.timedelta(days=2)
    shipped = timezone.now() - datetime.timedelta(days=1)
    assert order_set_erp_dates(order=order) is False
    assert order_set_erp_dates(order=order, paid_at=paid) is True
    assert order_set_erp_dates(order=order, paid_at=paid) is False
    assert order_set_erp_dates(order=order, shipped_at=shipped) is True
    assert (order.erp_paid_at, order.erp_shipped_at) == (paid, shipped), "the caller's object follows"
    order.refresh_from_db()
    assert (order.erp_paid_at, order.erp_shipped_at) == (paid, shipped)


def test_order_erp_move_goes_through_the_status_door():
    order = OrderFactory(status=S.SUBMITTED)
    assert order_erp_move(order=order, to_status=S.SUBMITTED) is False
    assert not OrderStatusChange.objects.exists()
    assert order_erp_move(order=order, to_status=S.ACCEPTED, comment="1C: Документ") is True
    assert _stored(order)[0] == S.ACCEPTED
    assert list(OrderStatusChange.objects.values_list("from_status", "to_status", "source", "changed_by", "comment")) \
        == [(S.SUBMITTED, S.ACCEPTED, OrderStatusChange.Source.ERP, None, "1C: Документ")]
    with pytest.raises(OrderTransitionError):
        order_erp_move(order=order, to_status=S.DRAFT)
    assert _stored(order)[0] == S.ACCEPTED and OrderStatusChange.objects.count() == 1


def test_erp_selectors_pending_export_and_the_order_of_a_document():
    older = OrderFactory(status=S.SUBMITTED, submitted_at=timezone.now() - datetime.timedelta(hours=1))
    newer = OrderFactory(status=S.SUBMITTED, submitted_at=timezone.now())
    OrderFactory(status=S.DRAFT)
    assert list(orders_pending_erp_export()) == [older, newer]
    order_mark_exported(order_ids=[older.pk])
    assert list(orders_pending_erp_export()) == [newer]
    Order.objects.filter(pk=older.pk).update(erp_id="erp-doc-1")
    assert order_for_erp_document(doc_id=newer.number, number="") == newer
    assert order_for_erp_document(doc_id="", number=newer.number) == newer
    assert order_for_erp_document(doc_id="erp-doc-1", number="УТ-1") == older
    assert order_for_erp_document(doc_id="", number="") is None
    assert order_for_erp_document(doc_id="nobody", number="nothing") is None
