"""The order status door (`order_transition`) and approval decisions."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Action, require_action
from orders.approval import user_may_approve
from orders.models import (
    ApprovalRule,
    Order,
    OrderStatusChange,
)
from orders.notifications import notify_status_change
from orders.status import OrderStatus, can_transition, may_move
from orders.transitions import order_movers


class OrderTransitionError(ValidationError):
    """A status move the transition table (orders/status.py TRANSITIONS) does not allow."""

    def __init__(self, *, order, from_status: str, to_status: str):
        self.order, self.from_status, self.to_status = order, from_status, to_status
        labels = dict(OrderStatus.choices)
        super().__init__(
            _("Order %(number)s cannot move from “%(from)s” to “%(to)s”.") % {
                "number": order.number, "from": labels.get(from_status, from_status),
                "to": labels.get(to_status, to_status)},
            code="transition")


class OrderTransitionRefused(OrderTransitionError):
    """A move the table allows from the order's status, but not to this actor (a buyer accepting an order,
    staff of another region, the ERP approving)."""

    def __init__(self, *, order, from_status: str, to_status: str):
        super().__init__(order=order, from_status=from_status, to_status=to_status)
        labels = dict(OrderStatus.choices)
        self.message = _("You may not move order %(number)s from “%(from)s” to “%(to)s”.") % {
            "number": order.number, "from": labels.get(from_status, from_status),
            "to": labels.get(to_status, to_status)}
        self.code = "not_allowed"
        self.error_list = [self]


def _lock_order(pk: int) -> Order:
    """Lock one order row (select_for_update) for a status or ERP write; the only place orders are locked."""
    return Order.objects.select_for_update().get(pk=pk)


def order_transition(*, order, to_status: str, actor=None, source: str, comment: str = "") -> OrderStatusChange:
    """Move `order` to `to_status` if the table allows it to this actor; record who, when, from, to and why.

    Every path moves orders here: client pages (`actor` a client user, source USER), the admin
    (supplier staff, USER), the ERP import (source ERP, no actor) and the portal itself (SYSTEM).
    The order row is locked (select_for_update) so two movers never both read the old status:
    the second one waits, then sees the new status and is refused.
    Whoever should know hears of the change (`notify_status_change`; e-mails go after commit).
    Raises OrderTransitionError (a ValidationError) for a move the table does not allow from the
    order's current status, and its subclass OrderTransitionRefused for an allowed move this actor
    may not make (orders/status.py MOVERS); nothing is written then.
    """
    with transaction.atomic():
        locked = _lock_order(order.pk)
        from_status = locked.status
        if not can_transition(from_status, to_status):
            raise OrderTransitionError(order=locked, from_status=from_status, to_status=to_status)
        if not may_move(from_status, to_status, order_movers(locked, actor, source)):
            raise OrderTransitionRefused(order=locked, from_status=from_status, to_status=to_status)
        now = timezone.now()
        locked.status = to_status
        locked.status_changed_at = now
        locked.escalation_level = 0
        fields = ["status", "status_changed_at", "escalation_level"]
        if to_status == OrderStatus.SUBMITTED and locked.submitted_at is None:
            locked.submitted_at = now  # when it first went to the supplier
            fields.append("submitted_at")
        locked.save(update_fields=fields)
        change = OrderStatusChange.objects.create(
            order=locked, from_status=from_status, to_status=to_status, changed_by=actor,
            source=source, comment=comment, created_at=now,
        )
        notify_status_change(locked, change)
    order.status, order.status_changed_at, order.escalation_level = to_status, now, 0
    order.submitted_at = locked.submitted_at
    return change


# Approval


class ApprovalDecided(ValidationError):
    """The order no longer awaits approval (another approver decided, or it was cancelled)."""

    def __init__(self, order: Order):
        self.order = order
        super().__init__(_("Order %(number)s no longer awaits approval: it is “%(status)s” now.") % {
            "number": order.number, "status": order.get_status_display()}, code="decided")


def order_approve(*, user, order: Order, comment: str = "") -> Order:
    """Approve an order waiting for the user; it goes to the supplier at once.

    Two history rows: awaiting approval → approved (by the approver, with his comment), then
    approved → submitted. Raises PermissionDenied when the user may not approve this order (his
    own, or named to another approver), ApprovalDecided when it no longer waits.
    """
    require_action(user, Action.APPROVE_ORDERS)
    with transaction.atomic():
        locked = _lock_order_for_decision(user, order)
        order_transition(order=locked, to_status=OrderStatus.APPROVED, actor=user,
                         source=OrderStatusChange.Source.USER, comment=comment.strip())
        order_transition(order=locked, to_status=OrderStatus.SUBMITTED, actor=user,
                         source=OrderStatusChange.Source.USER, comment=_("Sent to the supplier once approved."))
    return locked


def order_reject(*, user, order: Order, comment: str) -> Order:
    """Reject an order waiting for the user, saying why; it goes back to its author as a draft.

    Two history rows: awaiting approval → rejected (with the reason), then rejected → draft, which
    the author may change and submit again. Raises ValidationError without a reason, and as
    `order_approve` does.
    """
    require_action(user, Action.APPROVE_ORDERS)
    comment = comment.strip()
    if not comment:
        raise ValidationError({"comment": _("Say why the order is rejected: the author will read it.")},
                              code="required")
    with transaction.atomic():
        locked = _lock_order_for_decision(user, order)
        order_transition(order=locked, to_status=OrderStatus.REJECTED, actor=user,
                         source=OrderStatusChange.Source.USER, comment=comment)
        order_transition(order=locked, to_status=OrderStatus.DRAFT, actor=user,
                         source=OrderStatusChange.Source.USER, comment=_("Returned to the author for changes."))
    return locked


def _lock_order_for_decision(user, order: Order) -> Order:
    if order.client_id != user.client_id:
        raise PermissionDenied("an order of another client")
    locked = _lock_order(order.pk)
    if locked.status != OrderStatus.AWAITING_APPROVAL:
        raise ApprovalDecided(locked)
    if not user_may_approve(user, locked):
        raise PermissionDenied("the user may not approve this order")
    return locked


def approval_rule_create(*, user, author_role: str = "", amount_over: Decimal | None = None,
                         with_backorder: bool = False, approver=None) -> ApprovalRule:
    """Add an approval rule to the user's client (its administrator's right); the client's default
    rule no longer applies once it has rules of its own.

    Raises ValidationError for an unknown role, a negative amount, or an approver who is not an
    active administrator of the client.
    """
    require_action(user, Action.MANAGE_USERS)
    errors = {}
    if author_role and author_role not in User.Role.values:
        errors["author_role"] = _("Unknown role.")
    if amount_over is not None and amount_over < 0:
        errors["amount_over"] = _("The amount cannot be negative.")
    if approver is not None and not (approver.client_id == user.client_id and approver.is_active
                                     and approver.role == User.Role.ADMINISTRATOR):
        errors["approver"] = _("The approver must be an active administrator of your company.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        return ApprovalRule.objects.create(client_id=user.client_id, author_role=author_role,
                                           amount_over=amount_over, with_backorder=with_backorder,
                                           approver=approver, created_by=user)


def approval_rule_delete(*, user, rule: ApprovalRule) -> None:
    """Remove one of the client's rules; orders already waiting keep their approver."""
    require_action(user, Action.MANAGE_USERS)
    if rule.client_id != user.client_id:
        raise Http404
    with transaction.atomic():
        rule.delete()


