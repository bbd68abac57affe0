"""Access helpers: 404 both for "does not exist" and "not yours"."""

from django.shortcuts import get_object_or_404

from .models import Order, OrderTemplate
from .selectors import order_templates_for_user, orders_for_user


def access_order_for_user(user, pk: int) -> Order:
    return get_object_or_404(
        orders_for_user(user=user).prefetch_related("lines", "status_changes__changed_by"), pk=pk
    )


def access_order_template_for_user(user, pk: int) -> OrderTemplate:
    """A template of the user's client (with its author); 404 for another client's, and for a role without the cart."""
    return get_object_or_404(order_templates_for_user(user=user).select_related("created_by"), pk=pk)
