"""Who an actor is to an order (author, the client's administrator, supplier staff, ERP, system),
and which moves the transition rules of orders/status.py leave him."""

from accounts.access import clients_for_staff
from accounts.models import User

from .approval import user_may_approve
from .models import Order, OrderStatusChange
from .status import MOVERS, Mover, OrderStatus


def order_movers(order: Order, actor, source: str) -> frozenset[str]:
    """The kinds of mover (`Mover`) that `actor`, acting through `source`, is for `order`.

    The ERP and the portal itself are who the source says; a user is the author or an
    administrator of the order's client, its approver while it awaits approval (orders/approval.py:
    the named approver, else any administrator but the author), or supplier staff of the client's
    region (a superuser for every region). Anyone else, an inactive user or no user at all is nobody.
    """
    if source == OrderStatusChange.Source.ERP:
        return frozenset({Mover.ERP})
    if source == OrderStatusChange.Source.SYSTEM:
        return frozenset({Mover.SYSTEM})
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return frozenset()
    if actor.client_id:
        if actor.client_id != order.client_id:
            return frozenset()
        kinds = set()
        if actor.pk == order.created_by_id:
            kinds.add(Mover.AUTHOR)
        if actor.role == User.Role.ADMINISTRATOR:
            kinds.add(Mover.CLIENT_ADMIN)
        if order.status == OrderStatus.AWAITING_APPROVAL and user_may_approve(actor, order):
            kinds.add(Mover.APPROVER)
        return frozenset(kinds)
    if actor.is_staff and clients_for_staff(actor).filter(pk=order.client_id).exists():
        return frozenset({Mover.STAFF})
    return frozenset()


def allowed_transitions(order: Order, actor, source: str = OrderStatusChange.Source.USER) -> list[str]:
    """The statuses `actor` may move `order` to now, in the order of the status list."""
    movers = order_movers(order, actor, source)
    return [status for status in OrderStatus.values
            if MOVERS.get((order.status, status), frozenset()) & movers]
