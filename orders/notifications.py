"""Notifications of the order workflow: who hears of an order, in their own language, after commit.

`notify_status_change(order, change)` is called once for every recorded status change and tells
whoever should know: the approvers of an order waiting for them, the author of the approval or
rejection, the personal manager of an order submitted, and the author of any other change he did
not make himself. Each notice is an in-portal row; its e-mail follows the recipient's settings.
"""

from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.events import register_event
from accounts.notifications import notify_localized

from .approval import order_approvers
from .status import OrderStatus

register_event("order_awaiting_approval", gettext_lazy("An order awaits your approval"), audience="client")
register_event("order_approved", gettext_lazy("Your order was approved"), audience="client")
register_event("order_rejected", gettext_lazy("Your order was rejected"), audience="client")
register_event("order_status_changed", gettext_lazy("The status of your order changed"), email_default=False,
               audience="client")
register_event("order_submitted", gettext_lazy("A client's order was submitted"), audience="staff")
register_event("order_escalated", gettext_lazy("An order is overdue in its status"), audience="all")
#: Opt-in: turning its e-mail on is asking for the weekly digest (orders.services.reorder).
REORDER_DIGEST_EVENT = "reorder_digest"
register_event(REORDER_DIGEST_EVENT, gettext_lazy("Weekly digest of goods due for reorder"), email_default=False,
               audience="client")

S = OrderStatus


def notify_status_change(order, change) -> None:
    """Tell who should know of `change` (an OrderStatusChange of `order`, just recorded)."""
    to_status, from_status = change.to_status, change.from_status
    if to_status == S.AWAITING_APPROVAL:
        notify_order_awaiting_approval(order)
    elif to_status == S.APPROVED:
        _notify_author_decision(order, change, approved=True)
    elif to_status == S.REJECTED:
        _notify_author_decision(order, change, approved=False)
    elif to_status == S.SUBMITTED:
        notify_order_submitted(order)
        if from_status not in (S.APPROVED, S.DRAFT):  # the author knows: he sent it, or heard of the approval
            _notify_author_status(order, change)
    elif to_status == S.DRAFT and from_status == S.REJECTED:
        return  # the rejection notice says the order is back among the author's drafts
    else:
        _notify_author_status(order, change)


def notify_order_awaiting_approval(order) -> None:
    """Tell the order's approvers (never the author) that it waits for their approval."""

    def message() -> tuple[str, str]:
        values = {"number": order.number, "author": str(order.created_by),
                  "amount": _money(order)}
        return (_("Order %(number)s awaits your approval") % values,
                _("%(author)s placed order %(number)s for %(amount)s; it goes to the supplier once approved.")
                % values)

    notify_localized(recipients=order_approvers(order), event="order_awaiting_approval", message=message,
                     url=reverse("orders:approvals"))


def notify_order_submitted(order) -> None:
    """Tell the client's personal manager that an order was submitted to the supplier."""
    manager = order.client.manager
    if manager is None:
        return

    def message() -> tuple[str, str]:
        values = {"number": order.number, "client": order.client.name, "amount": _money(order)}
        return (_("Order %(number)s of %(client)s was submitted") % values,
                _("%(client)s submitted order %(number)s for %(amount)s.") % values)

    notify_localized(recipients=[manager], event="order_submitted", message=message,
                     url=reverse("admin:orders_order_change", args=[order.pk]))


def notify_escalation(order, level: int, recipients) -> None:
    """Tell `recipients` that the order has stayed in its status too long (`level` 1: the responsible
    person, 2: his head)."""
    staff_url = reverse("admin:orders_order_change", args=[order.pk])
    client_url = reverse("orders:approvals") if order.status == S.AWAITING_APPROVAL else order.get_absolute_url()
    by_side: dict[bool, list] = {}
    for user in recipients:
        if user is not None:
            by_side.setdefault(bool(user.client_id), []).append(user)

    def message() -> tuple[str, str]:
        values = {"number": order.number, "client": order.client.name, "status": order.get_status_display(),
                  "since": date_format(localtime(order.status_changed_at), "SHORT_DATETIME_FORMAT"),
                  "level": level}
        title = (_("Order %(number)s is overdue: %(status)s") if level <= 1
                 else _("Escalation: order %(number)s is overdue: %(status)s")) % values
        body = _("Order %(number)s of %(client)s has been “%(status)s” since %(since)s "
                 "(escalation level %(level)s).") % values
        return title, body

    for is_client, users in by_side.items():
        notify_localized(recipients=users, event="order_escalated", message=message,
                         url=client_url if is_client else staff_url)


def _notify_author_decision(order, change, *, approved: bool) -> None:
    author = order.created_by
    if author is None or author.pk == change.changed_by_id:
        return

    def message() -> tuple[str, str]:
        values = {"number": order.number, "by": str(change.changed_by or _("the system")),
                  "comment": change.comment}
        if approved:
            title = _("Order %(number)s is approved") % values
            body = _("%(by)s approved order %(number)s; it is sent to the supplier.") % values
        else:
            title = _("Order %(number)s is rejected") % values
            body = _("%(by)s rejected order %(number)s. It is back among your drafts: change it and "
                     "submit it again.") % values
        if change.comment:
            body += "\n" + _("Comment: %(comment)s") % values
        return title, body

    notify_localized(recipients=[author], event="order_approved" if approved else "order_rejected",
                     message=message, url=order.get_absolute_url())


def _notify_author_status(order, change) -> None:
    author = order.created_by
    if author is None or author.pk == change.changed_by_id:
        return
    labels = dict(S.choices)

    def message() -> tuple[str, str]:
        values = {"number": order.number, "status": str(labels.get(change.to_status, change.to_status)),
                  "comment": change.comment}
        title = _("Order %(number)s: %(status)s") % values
        body = _("The status of order %(number)s is now “%(status)s”.") % values
        if change.comment:
            body += "\n" + _("Comment: %(comment)s") % values
        return title, body

    notify_localized(recipients=[author], event="order_status_changed", message=message,
                     url=order.get_absolute_url())


def _money(order) -> str:
    currency = order.currency
    amount = number_format(order.total_amount, 2, use_l10n=True, force_grouping=True)
    return f"{amount}\u00a0{currency.symbol or currency.code}"
