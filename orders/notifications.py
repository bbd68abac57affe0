"""Notifications of the order workflow: who hears of an order, in their own language, after commit."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.events import register_event
from accounts.notifications import notify_localized
from accounts.selectors import client_administrators

register_event("order_awaiting_approval", gettext_lazy("An order awaits your approval"), audience="client")
register_event("order_submitted", gettext_lazy("A client's order was submitted"), audience="staff")


def notify_order_awaiting_approval(order) -> None:
    """Tell the client's administrators (but the author) that an order waits for their approval."""
    recipients = client_administrators(order.client).exclude(pk=order.created_by_id)

    def message() -> tuple[str, str]:
        values = {"number": order.number, "author": str(order.created_by)}
        return (_("Order %(number)s awaits your approval") % values,
                _("%(author)s placed order %(number)s; it goes to the supplier once approved.") % values)

    notify_localized(recipients=recipients, event="order_awaiting_approval", message=message,
                     url=order.get_absolute_url())


def notify_order_submitted(order) -> None:
    """Tell the client's personal manager that an order was submitted to the supplier."""
    manager = order.client.manager
    if manager is None:
        return

    def message() -> tuple[str, str]:
        values = {"number": order.number, "client": order.client.name}
        return (_("Order %(number)s of %(client)s was submitted") % values,
                _("%(client)s submitted order %(number)s.") % values)

    notify_localized(recipients=[manager], event="order_submitted", message=message,
                     url=reverse("admin:orders_order_change", args=[order.pk]))
