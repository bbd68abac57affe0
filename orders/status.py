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


class Mover(models.TextChoices):
    """Who moves an order: the kinds of actor the transition rules name."""

    AUTHOR = "author", _("the order's author")
    CLIENT_ADMIN = "client_admin", _("an administrator of the client")
    APPROVER = "approver", _("the approver of the order")
    STAFF = "staff", _("supplier staff of the client's region")
    ERP = "erp", _("the ERP")
    SYSTEM = "system", _("the portal itself")


M = Mover
_CLIENT = frozenset({M.AUTHOR, M.CLIENT_ADMIN})
_SUPPLIER = frozenset({M.STAFF, M.ERP})

#: Who may make each allowed move. The client's author and administrators handle the early
#: statuses; the supplier (staff in admin, or the ERP) everything after submission. The portal
#: itself ("system") sends an approved order on and returns a rejected one to its author.
MOVERS: dict[tuple[str, str], frozenset[str]] = {
    (S.DRAFT, S.AWAITING_APPROVAL): _CLIENT,
    (S.DRAFT, S.SUBMITTED): _CLIENT,
    (S.DRAFT, S.CANCELLED): _CLIENT,
    (S.AWAITING_APPROVAL, S.APPROVED): frozenset({M.APPROVER}),
    (S.AWAITING_APPROVAL, S.REJECTED): frozenset({M.APPROVER}),
    (S.AWAITING_APPROVAL, S.CANCELLED): _CLIENT,
    (S.APPROVED, S.SUBMITTED): _CLIENT | {M.SYSTEM},
    (S.APPROVED, S.CANCELLED): _CLIENT | {M.STAFF},
    (S.REJECTED, S.DRAFT): _CLIENT | {M.SYSTEM},
    (S.SUBMITTED, S.ACCEPTED): _SUPPLIER,
    (S.SUBMITTED, S.ASSEMBLING): _SUPPLIER,
    (S.SUBMITTED, S.SHIPPED): _SUPPLIER,
    (S.SUBMITTED, S.CANCELLED): _SUPPLIER,
    (S.ACCEPTED, S.ASSEMBLING): _SUPPLIER,
    (S.ACCEPTED, S.SHIPPED): _SUPPLIER,
    (S.ACCEPTED, S.CANCELLED): _SUPPLIER,
    (S.ASSEMBLING, S.SHIPPED): _SUPPLIER,
    (S.SHIPPED, S.DELIVERED): _SUPPLIER,
}

assert set(MOVERS) == {(src, dst) for src, targets in TRANSITIONS.items() for dst in targets}, \
    "every allowed move names who may make it"


def may_move(from_status: str, to_status: str, movers: frozenset[str] | set[str]) -> bool:
    """Whether an actor who is all of `movers` may move an order from `from_status` to `to_status`."""
    return bool(MOVERS.get((from_status, to_status), frozenset()) & set(movers))
