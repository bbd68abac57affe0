"""Whether an order waits for approval before it goes to the supplier, and who approves it.

A client without rules of its own gets the default: a buyer's order waits for any administrator.
A client's rules (`ApprovalRule`, set by its administrator in the cabinet) replace the default: an
order waits when any rule matches it. Nobody approves his own order: when no one but the author
could approve it (he is the only administrator), the order is not held.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from accounts.models import User
from accounts.selectors import client_administrators

from .models import ApprovalRule, Order
from .status import OrderStatus


@dataclass(frozen=True)
class ApprovalDecision:
    held: bool
    approver: User | None = None  # a named approver; None: any administrator but the author
    rule: ApprovalRule | None = None  # the rule that held the order; None: the default rule


NOT_HELD = ApprovalDecision(held=False)


def client_approval_rules(client) -> list[ApprovalRule]:
    return list(ApprovalRule.objects.filter(client=client).select_related("approver").order_by("pk"))


def rule_matches(rule: ApprovalRule, *, author, amount, has_backorder: bool) -> bool:
    """All of the rule's conditions hold (an empty condition is not checked)."""
    if rule.author_role and rule.author_role != author.role:
        return False
    if rule.amount_over is not None and not amount > rule.amount_over:
        return False
    return not (rule.with_backorder and not has_backorder)


def order_approval(order: Order, author) -> ApprovalDecision:
    """Whether `order` placed by `author` waits for approval, and by whom.

    The first matching rule (by creation) decides. Its named approver approves, unless he is the
    author or no longer an active administrator of the client: then any other administrator does.
    """
    rules = client_approval_rules(order.client)
    if not rules:
        return ApprovalDecision(held=True) if _default_holds(order, author) else NOT_HELD
    has_backorder = order.lines.filter(is_backorder=True).exists()
    rule = next((r for r in rules if rule_matches(r, author=author, amount=order.total_amount,
                                                  has_backorder=has_backorder)), None)
    if rule is None:
        return NOT_HELD
    if _valid_approver(rule.approver, order.client_id) and rule.approver.pk != author.pk:
        return ApprovalDecision(held=True, approver=rule.approver, rule=rule)
    if not client_administrators(order.client).exclude(pk=author.pk).exists():
        return NOT_HELD  # the author is the only one who could approve it
    return ApprovalDecision(held=True, rule=rule)


def order_needs_approval(order: Order, author) -> bool:
    return order_approval(order, author).held


def _default_holds(order: Order, author) -> bool:
    """The default rule: a buyer's order waits when the client has an active administrator but him."""
    if author.role != User.Role.MANAGER:
        return False
    return client_administrators(order.client).exclude(pk=author.pk).exists()


def _valid_approver(user, client_id: int) -> bool:
    return (user is not None and user.is_active and user.client_id == client_id
            and user.role == User.Role.ADMINISTRATOR)


def order_approvers(order: Order) -> QuerySet[User]:
    """Who may approve the order now: its named approver while he can, else any administrator but the author."""
    if order.approver_id:
        approver = User.objects.filter(pk=order.approver_id).first()
        if _valid_approver(approver, order.client_id) and approver.pk != order.created_by_id:
            return User.objects.filter(pk=approver.pk)
    return client_administrators(order.client).exclude(pk=order.created_by_id)


def user_may_approve(user, order: Order) -> bool:
    return (order.status == OrderStatus.AWAITING_APPROVAL and user.pk != order.created_by_id
            and order_approvers(order).filter(pk=user.pk).exists())


def awaiting_approval_q(user) -> Q:
    """Orders of the user's client waiting for him: his own never; named to him, or to any administrator
    (also when the named approver can no longer approve)."""
    return (
        Q(client_id=user.client_id, status=OrderStatus.AWAITING_APPROVAL) & ~Q(created_by_id=user.pk)
        & (Q(approver__isnull=True) | Q(approver_id=user.pk) | Q(approver__is_active=False)
           | ~Q(approver__role=User.Role.ADMINISTRATOR) | ~Q(approver__client_id=user.client_id))
    )
