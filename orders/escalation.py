"""Escalation of orders held too long in a status: per-status limits (EscalationRule), two levels.

Level 1 goes to the responsible person (for an order awaiting approval its approvers: the named
approver, else the client's administrators but the author; otherwise, or when there are none, the
client's personal manager); level 2, once the second limit has passed too, to the head of the
client's region. Each level fires once per stay in a status: `Order.escalation_level` says how far
it went and `order_transition` resets it, and an OrderEscalation row per level records it in the
order's history.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import RegionHead, User

from .approval import order_approvers
from .models import EscalationRule, Order, OrderEscalation
from .notifications import notify_escalation
from .services.status import _lock_order
from .status import OrderStatus


def escalation_due(order: Order, rule: EscalationRule) -> tuple[datetime.datetime, datetime.datetime]:
    """When level 1 and level 2 become due for `order` under `rule`."""
    if rule.by_desired_date and order.desired_date:
        next_day = datetime.datetime.combine(order.desired_date + datetime.timedelta(days=1), datetime.time.min)
        first = timezone.make_aware(next_day)
    else:
        first = order.status_changed_at + rule.first_limit
    return first, first + rule.second_limit


def escalation_recipients(order: Order, level: int) -> list[User]:
    """Who hears of a level-`level` escalation of `order` (active users only)."""
    if level >= 2:
        head = RegionHead.objects.select_related("user").filter(region_id=order.client.region_id).first()
        return [head.user] if head and head.user.is_active else []
    if order.status == OrderStatus.AWAITING_APPROVAL:
        approvers = list(order_approvers(order))
        if approvers:
            return approvers
    manager = order.client.manager
    return [manager] if manager is not None and manager.is_active else []


def orders_escalate(*, now: datetime.datetime | None = None) -> int:
    """Fire the escalations due at `now` (default: now); return how many fired.

    One level per order and run: level 2 needs level 1 to have fired (in an earlier run) and the
    second limit to have passed. A level fires once; an order that moved meanwhile is left alone.
    """
    now = now or timezone.now()
    rules = {rule.status: rule for rule in EscalationRule.objects.filter(is_active=True)}
    if not rules:
        return 0
    fired = 0
    candidates = (Order.objects.filter(status__in=list(rules), escalation_level__lt=2)
                  .select_related("client__manager").order_by("pk"))
    for order in candidates.iterator(chunk_size=500):
        first, second = escalation_due(order, rules[order.status])
        level = order.escalation_level + 1
        if now >= (first if level == 1 else second) and _escalate(order, level=level, now=now):
            fired += 1
    return fired


def _escalate(order: Order, *, level: int, now: datetime.datetime) -> bool:
    with transaction.atomic():
        locked = _lock_order(order.pk)
        if (locked.status, locked.status_changed_at, locked.escalation_level) != (
                order.status, order.status_changed_at, level - 1):
            return False  # moved or escalated by another run meanwhile
        locked.client = order.client
        recipients = escalation_recipients(locked, level)
        locked.escalation_level = level
        locked.save(update_fields=["escalation_level"])
        OrderEscalation.objects.create(
            order=locked, status=locked.status, status_since=locked.status_changed_at, level=level,
            recipients=", ".join(str(user) for user in recipients), created_at=now)
        if recipients:
            notify_escalation(locked, level, recipients)
    return True
