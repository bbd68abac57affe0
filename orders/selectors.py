"""Reads of the orders app, scoped to the user's client."""

from .models import CartLine


def cart_line_count(*, user) -> int:
    """Number of lines in the user's cart (the header counter)."""
    if not user.is_authenticated or not user.client_id:
        return 0
    return CartLine.objects.filter(cart__user=user).count()


def orders_for_user(*, user):
    """Orders of the user's client, newest first; nothing for users without a client."""
    from .models import Order

    if not user.is_authenticated or not user.client_id:
        return Order.objects.none()
    return (
        Order.objects.filter(client_id=user.client_id)
        .select_related("legal_entity", "contract", "created_by", "currency", "pickup_warehouse")
        .order_by("-created_at", "-pk")
    )
