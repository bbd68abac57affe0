"""Order data rules: status table, line snapshots, constraints."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from orders.models import Order
from orders.status import FINAL_STATUSES, TRANSITIONS, OrderStatus, can_transition
from tests.factories import OrderFactory, OrderLineFactory

pytestmark = pytest.mark.django_db


def _violates(fn) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()


def test_transition_table_covers_every_status():
    assert set(TRANSITIONS) == set(OrderStatus.values)
    for targets in TRANSITIONS.values():
        assert targets <= set(OrderStatus.values)
    for final in FINAL_STATUSES:
        assert not TRANSITIONS[final]


@pytest.mark.parametrize(
    ("src", "dst", "allowed"),
    [
        ("draft", "awaiting_approval", True),
        ("awaiting_approval", "approved", True),
        ("awaiting_approval", "rejected", True),
        ("approved", "submitted", True),
        ("submitted", "accepted", True),
        ("accepted", "assembling", True),
        ("assembling", "shipped", True),
        ("shipped", "delivered", True),
        ("draft", "cancelled", True),
        ("delivered", "cancelled", False),
        ("shipped", "cancelled", False),
        ("draft", "delivered", False),
        ("rejected", "submitted", False),
    ],
)
def test_can_transition(src, dst, allowed):
    assert can_transition(src, dst) is allowed


def test_order_line_constraints():
    line = OrderLineFactory()
    _violates(lambda: OrderLineFactory(order=line.order, product=line.product))
    _violates(lambda: OrderLineFactory(quantity=Decimal("0")))
    _violates(lambda: OrderLineFactory(price=Decimal("-1")))


def test_pickup_needs_a_warehouse():
    _violates(lambda: OrderFactory(delivery_method=Order.Delivery.PICKUP, pickup_warehouse=None))


def test_order_number_unique():
    order = OrderFactory()
    _violates(lambda: OrderFactory(number=order.number))
