"""The transition table with who may make each move: every allowed move by every actor who may make
it succeeds; the same move by every other actor is refused with a clear message and writes nothing."""

import pytest
from django.db import transaction

from accounts.models import RegionHead, User
from orders.models import Order, OrderStatusChange
from orders.services import OrderTransitionError, OrderTransitionRefused, order_transition
from orders.status import MOVERS, TRANSITIONS, Mover, OrderStatus
from orders.transitions import allowed_transitions, order_movers
from tests.factories import ClientUserFactory, OrderFactory, RegionFactory, StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db

S, M, SRC = OrderStatus, Mover, OrderStatusChange.Source

#: Each actor of the world below, and what he is to its order.
ACTORS = {
    "author": {M.AUTHOR},
    "author_admin": {M.AUTHOR, M.CLIENT_ADMIN},
    "administrator": {M.CLIENT_ADMIN, M.APPROVER},
    "colleague": set(),
    "accountant": set(),
    "inactive_administrator": set(),
    "foreign_administrator": set(),
    "regional_manager": {M.STAFF},
    "region_head": {M.STAFF},
    "superuser": {M.STAFF},
    "other_region_staff": set(),
    "staff_without_region": set(),
    "erp": {M.ERP},
    "system": {M.SYSTEM},
    "nobody": set(),
}
MOVES = [(src, dst) for src, targets in TRANSITIONS.items() for dst in sorted(targets)]


@pytest.fixture
def world():
    region = RegionFactory()
    order = OrderFactory(client__region=region, status=S.DRAFT)
    client = order.client
    regional_manager = StaffUserFactory()
    regional_manager.managed_regions.add(region)
    region_head = StaffUserFactory()
    RegionHead.objects.create(region=region, user=region_head)
    other_region_staff = StaffUserFactory()
    other_region_staff.managed_regions.add(RegionFactory())
    administrator = ClientUserFactory(client=client, role=User.Role.ADMINISTRATOR)
    return order, {
        "author": (order.created_by, SRC.USER),
        # the administrator, on an order of his own (the order's author is changed for this one)
        "author_admin": (administrator, SRC.USER),
        "administrator": (administrator, SRC.USER),
        "colleague": (ClientUserFactory(client=client, role=User.Role.MANAGER), SRC.USER),
        "accountant": (ClientUserFactory(client=client, role=User.Role.ACCOUNTANT), SRC.USER),
        "inactive_administrator": (ClientUserFactory(client=client, role=User.Role.ADMINISTRATOR, is_active=False),
                                   SRC.USER),
        "foreign_administrator": (ClientUserFactory(role=User.Role.ADMINISTRATOR), SRC.USER),
        "regional_manager": (regional_manager, SRC.USER),
        "region_head": (region_head, SRC.USER),
        "superuser": (UserFactory(is_staff=True, is_superuser=True), SRC.USER),
        "other_region_staff": (other_region_staff, SRC.USER),
        "staff_without_region": (StaffUserFactory(), SRC.USER),
        "erp": (None, SRC.ERP),
        "system": (None, SRC.SYSTEM),
        "nobody": (None, SRC.USER),
    }


def _as(order: Order, name: str, status: str) -> Order:
    """The order in `status`, its author changed for "author_admin" (inside the caller's savepoint)."""
    updates = {"status": status}
    if name == "author_admin":
        updates["created_by"] = order.client.users.get(role=User.Role.ADMINISTRATOR, is_active=True)
    Order.objects.filter(pk=order.pk).update(**updates)
    return Order.objects.get(pk=order.pk)


def test_the_table_names_movers_for_exactly_the_allowed_moves():
    assert set(MOVERS) == set(MOVES)
    assert all(MOVERS[move] for move in MOVES)


def test_each_actor_is_what_the_table_expects(world):
    order, actors = world
    for name, (actor, source) in actors.items():
        with transaction.atomic():
            assert order_movers(_as(order, name, S.AWAITING_APPROVAL), actor, source) == ACTORS[name], name
            if name == "administrator":
                assert order_movers(_as(order, name, S.DRAFT), actor, source) == {M.CLIENT_ADMIN}, \
                    "the approver only while the order awaits approval"
            transaction.set_rollback(True)


@pytest.mark.parametrize(("src", "dst"), MOVES)
def test_every_move_by_every_actor(world, src, dst):
    """Each actor tries the move on the order in `src` (in a savepoint rolled back after)."""
    order, actors = world
    allowed_by = set()
    for name, (actor, source) in actors.items():
        with transaction.atomic():
            current = _as(order, name, src)
            if MOVERS[(src, dst)] & ACTORS[name]:
                assert dst in allowed_transitions(current, actor, source), name
                change = order_transition(order=current, to_status=dst, actor=actor, source=source, comment="ок")
                assert (change.from_status, change.to_status, change.changed_by, change.source, change.comment) == (
                    src, dst, actor, source, "ок"), name
                assert Order.objects.get(pk=order.pk).status == dst, name
                allowed_by.add(name)
            else:
                assert dst not in allowed_transitions(current, actor, source), name
                with pytest.raises(OrderTransitionRefused) as refused:
                    order_transition(order=current, to_status=dst, actor=actor, source=source)
                assert refused.value.code == "not_allowed", name
                assert order.number in refused.value.messages[0], name
                assert Order.objects.get(pk=order.pk).status == src, name
                assert not OrderStatusChange.objects.exists(), name
            transaction.set_rollback(True)
    assert allowed_by, "somebody may make every allowed move"


def test_the_refusal_for_the_actor_says_so_in_the_users_language(world):
    order, actors = world
    Order.objects.filter(pk=order.pk).update(status=S.SUBMITTED)
    with pytest.raises(OrderTransitionRefused) as refused:
        order_transition(order=order, to_status=S.ACCEPTED, actor=order.created_by, source=SRC.USER)
    assert refused.value.messages == [
        f"Вы не можете перевести заказ {order.number} из статуса «Передан поставщику» в «Принят»."]
    assert isinstance(refused.value, OrderTransitionError), "callers catching the table's refusal catch this too"


def test_a_move_the_table_does_not_have_is_refused_before_the_actor_is_asked(world):
    order, actors = world
    Order.objects.filter(pk=order.pk).update(status=S.DELIVERED)
    with pytest.raises(OrderTransitionError) as refused:
        order_transition(order=order, to_status=S.CANCELLED, actor=None, source=SRC.ERP)
    assert refused.value.code == "transition"


def test_allowed_transitions_per_actor(world):
    order, actors = world
    Order.objects.filter(pk=order.pk).update(status=S.AWAITING_APPROVAL)
    order.status = S.AWAITING_APPROVAL
    assert allowed_transitions(order, actors["administrator"][0]) == [S.APPROVED, S.REJECTED, S.CANCELLED]
    assert allowed_transitions(order, order.created_by) == [S.CANCELLED]
    assert allowed_transitions(order, actors["regional_manager"][0]) == []
    order.status = S.SUBMITTED
    assert allowed_transitions(order, actors["regional_manager"][0]) == [
        S.ACCEPTED, S.ASSEMBLING, S.SHIPPED, S.CANCELLED]
    assert allowed_transitions(order, None, SRC.ERP) == [S.ACCEPTED, S.ASSEMBLING, S.SHIPPED, S.CANCELLED]
    assert allowed_transitions(order, actors["administrator"][0]) == []


def test_with_a_named_approver_only_he_approves(world):
    order, actors = world
    named = ClientUserFactory(client=order.client, role=User.Role.ADMINISTRATOR)
    Order.objects.filter(pk=order.pk).update(status=S.AWAITING_APPROVAL, approver=named)
    order = Order.objects.get(pk=order.pk)
    with pytest.raises(OrderTransitionRefused):
        order_transition(order=order, to_status=S.APPROVED, actor=actors["administrator"][0], source=SRC.USER)
    assert allowed_transitions(order, named) == [S.APPROVED, S.REJECTED, S.CANCELLED]
    order_transition(order=order, to_status=S.APPROVED, actor=named, source=SRC.USER)


NOT_MOVES = [(src, dst) for src in S.values for dst in S.values if dst not in TRANSITIONS[src]]


@pytest.mark.parametrize("src", S.values)
def test_every_move_the_table_lacks_is_refused_to_everybody(world, src):
    """From each status, every status the table does not lead to (itself included) is refused to every actor
    with the table's message, and nothing is written."""
    order, actors = world
    targets = [dst for s, dst in NOT_MOVES if s == src]
    assert targets, "at least the status itself"
    for name, (actor, source) in actors.items():
        with transaction.atomic():
            current = _as(order, name, src)
            for dst in targets:
                assert dst not in allowed_transitions(current, actor, source), (name, dst)
                with pytest.raises(OrderTransitionError) as refused:
                    order_transition(order=current, to_status=dst, actor=actor, source=source)
                assert refused.value.code == "transition", (name, dst)
                assert not isinstance(refused.value, OrderTransitionRefused), (name, dst)
                assert order.number in refused.value.messages[0]
            assert Order.objects.get(pk=order.pk).status == src, name
            assert not OrderStatusChange.objects.exists(), name
            transaction.set_rollback(True)


def test_an_unknown_status_is_refused(world):
    order, actors = world
    with pytest.raises(OrderTransitionError):
        order_transition(order=order, to_status="lost", actor=None, source=SRC.ERP)
    assert Order.objects.get(pk=order.pk).status == S.DRAFT
