"""Writes of the orders app: the cart, and the order status door (`order_transition`)."""


# Status
# The one door for order status moves (issue 5 engineer's section; the cart services live under "# Cart").

from django.db import transaction as _status_tx  # noqa: E402
from django.utils import timezone as _status_tz  # noqa: E402

from .models import Order as _StatusOrder  # noqa: E402
from .models import OrderStatusChange  # noqa: E402
from .status import can_transition  # noqa: E402


class OrderTransitionError(Exception):
    """A status move the transition table (orders/status.py TRANSITIONS) does not allow."""

    def __init__(self, *, order, from_status: str, to_status: str):
        self.order, self.from_status, self.to_status = order, from_status, to_status
        super().__init__(f"order {order.number}: moving from {from_status!r} to {to_status!r} is not allowed")


def order_transition(*, order, to_status: str, actor=None, source: str, comment: str = "") -> OrderStatusChange:
    """Move `order` to `to_status` if the table allows it; record who, when, from, to and why.

    The order row is locked (select_for_update) so two movers never both read the old status.
    Raises OrderTransitionError for a move the table does not allow (nothing is written then).
    """
    with _status_tx.atomic():
        locked = _StatusOrder.objects.select_for_update().get(pk=order.pk)
        from_status = locked.status
        if not can_transition(from_status, to_status):
            raise OrderTransitionError(order=locked, from_status=from_status, to_status=to_status)
        now = _status_tz.now()
        locked.status = to_status
        locked.status_changed_at = now
        locked.escalation_level = 0
        locked.save(update_fields=["status", "status_changed_at", "escalation_level"])
        change = OrderStatusChange.objects.create(
            order=locked, from_status=from_status, to_status=to_status, changed_by=actor,
            source=source, comment=comment, created_at=now,
        )
    order.status, order.status_changed_at, order.escalation_level = to_status, now, 0
    return change
