"""Whether an order waits for the approval of the client's administrator before it goes to the supplier."""

from accounts.models import User
from accounts.selectors import client_administrators


def order_needs_approval(order, author) -> bool:
    """The default rule, until a client sets rules of its own.

    A buyer's (role "manager") order waits for approval when the client has an active
    administrator other than the author. An administrator's own order does not wait: nobody
    approves his own order, and the only administrator's order is not held.
    """
    if author.role != User.Role.MANAGER:
        return False
    return client_administrators(order.client).exclude(pk=author.pk).exists()
