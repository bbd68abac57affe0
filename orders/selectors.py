"""Reads of the orders app, scoped to the user's client."""

from accounts.roles import Action, user_can

from .models import CartLine, Order


def cart_line_count(*, user) -> int:
    """Number of lines in the user's cart (the header counter)."""
    if not user.is_authenticated or not user.client_id:
        return 0
    return CartLine.objects.filter(cart__user=user).count()


def orders_for_user(*, user):
    """Orders the user's role lets them see, newest first: all of the client's (administrator,
    accountant, a buyer where the client allows it) or only their own (buyer); none otherwise.
    """
    if not user_can(user, Action.VIEW_OWN_ORDERS):
        return Order.objects.none()
    orders = Order.objects.filter(client_id=user.client_id)
    if not user_can(user, Action.VIEW_ALL_ORDERS):
        orders = orders.filter(created_by=user)
    return (
        orders
        .select_related("legal_entity", "contract", "created_by", "currency", "pickup_warehouse")
        .order_by("-created_at", "-pk")
    )
