"""Escalation of orders held too long in a status, with the clock given (`now=`): level 1 to the
responsible person once, level 2 to the region's head after the second limit and only after level 1,
nothing more once the status moves."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification, RegionHead, User
from orders.escalation import orders_escalate
from orders.models import EscalationRule, Order, OrderEscalation, OrderStatusChange
from orders.services import order_transition
from orders.status import OrderStatus
from sync.tasks import escalation_check
from tests.factories import ClientUserFactory, OrderFactory, StaffUserFactory

pytestmark = pytest.mark.django_db

S = OrderStatus
H = datetime.timedelta(hours=1)


@pytest.fixture
def rules():
    EscalationRule.objects.all().delete()
    return {
        S.AWAITING_APPROVAL: EscalationRule.objects.create(status=S.AWAITING_APPROVAL, first_limit=24 * H,
                                                           second_limit=24 * H),
        S.SUBMITTED: EscalationRule.objects.create(status=S.SUBMITTED, first_limit=2 * H, second_limit=4 * H),
        S.ACCEPTED: EscalationRule.objects.create(status=S.ACCEPTED, first_limit=72 * H, by_desired_date=True,
                                                  second_limit=24 * H),
    }


@pytest.fixture
def held():
    """An order of a buyer waiting for the approval of the client's administrator since `since`."""
    since = timezone.now() - 200 * H
    manager, head = StaffUserFactory(), StaffUserFactory()
    order = OrderFactory(status=S.AWAITING_APPROVAL, status_changed_at=since, client__manager=manager)
    RegionHead.objects.create(region=order.client.region, user=head)
    administrator = ClientUserFactory(client=order.client, role=User.Role.ADMINISTRATOR)
    return {"order": order, "since": since, "administrator": administrator, "manager": manager, "head": head}


def _told(event="order_escalated") -> list[tuple[int, str]]:
    return list(Notification.objects.filter(event=event).order_by("pk").values_list("recipient_id", "url"))


def _level(order: Order) -> int:
    return Order.objects.get(pk=order.pk).escalation_level


def test_level_1_fires_once_then_level_2_to_the_head(rules, held):
    order, since = held["order"], held["since"]
    url = f"/admin/orders/order/{order.pk}/change/"
    queue = reverse("orders:approvals")
    assert orders_escalate(now=since + 24 * H - datetime.timedelta(seconds=1)) == 0
    assert _level(order) == 0 and not OrderEscalation.objects.exists()

    assert orders_escalate(now=since + 24 * H) == 1
    assert _level(order) == 1
    assert _told() == [(held["administrator"].pk, queue)], "level 1: the approver, not the personal manager"
    assert orders_escalate(now=since + 47 * H) == 0, "level 1 fires once"
    assert len(_told()) == 1

    assert orders_escalate(now=since + 48 * H) == 1
    assert _level(order) == 2
    assert _told()[1:] == [(held["head"].pk, url)]
    assert orders_escalate(now=since + 500 * H) == 0, "nothing after level 2"
    rows = list(OrderEscalation.objects.values_list("order", "status", "status_since", "level", "recipients"))
    assert rows == [(order.pk, S.AWAITING_APPROVAL, since, 1, str(held["administrator"])),
                    (order.pk, S.AWAITING_APPROVAL, since, 2, str(held["head"]))]
    assert not OrderStatusChange.objects.exists(), "an escalation does not move the status"


def test_level_2_comes_only_after_level_1(rules, held):
    order, since = held["order"], held["since"]
    late = since + 100 * H  # both limits have passed: one level per run
    assert orders_escalate(now=late) == 1 and _level(order) == 1
    assert orders_escalate(now=late) == 1 and _level(order) == 2
    assert [level for (level,) in OrderEscalation.objects.values_list("level")] == [1, 2]


def test_a_move_stops_the_escalation_and_restarts_the_clock(rules, held):
    order, since = held["order"], held["since"]
    assert orders_escalate(now=since + 24 * H) == 1
    order_transition(order=order, to_status=S.APPROVED, actor=held["administrator"],
                     source=OrderStatusChange.Source.USER)
    assert _level(order) == 0
    assert orders_escalate(now=timezone.now() + 1000 * H) == 0, "approved has no limit: nothing for the old status"
    order_transition(order=order, to_status=S.SUBMITTED, actor=None, source=OrderStatusChange.Source.SYSTEM)
    moved = Order.objects.get(pk=order.pk).status_changed_at
    assert orders_escalate(now=moved + 2 * H - datetime.timedelta(seconds=1)) == 0, "the new status's own clock"
    assert orders_escalate(now=moved + 2 * H) == 1
    assert _told()[-1][0] == held["manager"].pk, "a submitted order: the client's personal manager"
    assert list(OrderEscalation.objects.values_list("status", "level")) == [
        (S.AWAITING_APPROVAL, 1), (S.SUBMITTED, 1)]


def test_the_named_approver_alone_hears_of_level_1(rules, held):
    order, since = held["order"], held["since"]
    named = ClientUserFactory(client=order.client, role=User.Role.ADMINISTRATOR)
    Order.objects.filter(pk=order.pk).update(approver=named)
    assert orders_escalate(now=since + 24 * H) == 1
    assert [recipient for recipient, _url in _told()] == [named.pk]


def test_without_an_approver_level_1_goes_to_the_personal_manager(rules, held):
    order, since = held["order"], held["since"]
    held["administrator"].is_active = False
    held["administrator"].save()
    assert orders_escalate(now=since + 24 * H) == 1
    assert _told() == [(held["manager"].pk, f"/admin/orders/order/{order.pk}/change/")]


def test_nobody_to_tell_is_still_recorded_once(rules):
    since = timezone.now() - 10 * H
    order = OrderFactory(status=S.SUBMITTED, status_changed_at=since)
    assert orders_escalate(now=since + 2 * H) == 1
    assert orders_escalate(now=since + 3 * H) == 0
    assert list(OrderEscalation.objects.values_list("level", "recipients")) == [(1, "")]
    assert not _told() and _level(order) == 1


def test_accepted_is_due_at_the_end_of_the_desired_date(rules):
    since = timezone.now() - 10 * H
    order = OrderFactory(status=S.ACCEPTED, status_changed_at=since, desired_date=datetime.date(2030, 3, 4))
    end = timezone.make_aware(datetime.datetime(2030, 3, 5))
    assert orders_escalate(now=end - datetime.timedelta(seconds=1)) == 0
    assert orders_escalate(now=end) == 1
    assert orders_escalate(now=end + 23 * H) == 0
    assert orders_escalate(now=end + 24 * H) == 1 and _level(order) == 2
    undated = OrderFactory(status=S.ACCEPTED, status_changed_at=since)
    assert orders_escalate(now=since + 72 * H) == 1 and _level(undated) == 1


def test_an_inactive_rule_and_a_status_without_a_rule_never_fire(rules):
    rules[S.SUBMITTED].is_active = False
    rules[S.SUBMITTED].save()
    since = timezone.now() - 10 * H
    OrderFactory(status=S.SUBMITTED, status_changed_at=since)
    OrderFactory(status=S.SHIPPED, status_changed_at=since)
    assert orders_escalate(now=since + 1000 * H) == 0


def test_the_beat_task_runs_the_check(rules, held):
    Order.objects.filter(pk=held["order"].pk).update(status_changed_at=timezone.now() - 25 * H)
    assert escalation_check.apply().get() == 1
    assert _level(held["order"]) == 1


def test_the_default_rules_are_installed():
    assert dict(EscalationRule.objects.values_list("status", "first_limit")) == {
        S.AWAITING_APPROVAL: 24 * H, S.SUBMITTED: 2 * H, S.ACCEPTED: 72 * H}
    assert EscalationRule.objects.get(status=S.ACCEPTED).by_desired_date
