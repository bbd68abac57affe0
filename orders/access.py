"""Access helpers: 404 both for "does not exist" and "not yours"."""

from django.shortcuts import get_object_or_404

from .models import Order
from .selectors import orders_for_user


def access_order_for_user(user, pk: int) -> Order:
    return get_object_or_404(
        orders_for_user(user=user).prefetch_related("lines", "status_changes__changed_by"), pk=pk
    )
