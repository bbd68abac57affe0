"""Order statuses and the moves between them: data read by the one transition service."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUBMITTED = "submitted", _("Submitted to supplier")
    ACCEPTED = "accepted", _("Accepted")
    ASSEMBLING = "assembling", _("Assembling")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


S = OrderStatus

#: Allowed moves. The ERP may move a submitted order further along the chain.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.AWAITING_APPROVAL, S.SUBMITTED, S.CANCELLED}),
    S.AWAITING_APPROVAL: frozenset({S.APPROVED, S.REJECTED, S.CANCELLED}),
    S.APPROVED: frozenset({S.SUBMITTED, S.CANCELLED}),
    S.REJECTED: frozenset({S.DRAFT}),
    S.SUBMITTED: frozenset({S.ACCEPTED, S.ASSEMBLING, S.SHIPPED, S.CANCELLED}),
    S.ACCEPTED: frozenset({S.ASSEMBLING, S.SHIPPED, S.CANCELLED}),
    S.ASSEMBLING: frozenset({S.SHIPPED}),
    S.SHIPPED: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset(),
    S.CANCELLED: frozenset(),
}

#: Statuses in which an order is still the client's to change or cancel.
EARLY_STATUSES = frozenset({S.DRAFT, S.AWAITING_APPROVAL, S.APPROVED})
FINAL_STATUSES = frozenset({S.DELIVERED, S.CANCELLED})


def can_transition(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())
