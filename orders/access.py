"""Access helpers: 404 both for "does not exist" and "not yours"."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from base.models import Warehouse

from .checkout import pickup_warehouses
from .models import ApprovalRule, CartLine, Order, OrderTemplate
from .selectors import approval_rules_for_user, order_templates_for_user, orders_awaiting_approval, orders_for_user


def access_order_for_user(user, pk: int) -> Order:
    return get_object_or_404(
        orders_for_user(user=user).prefetch_related("lines", "status_changes__changed_by"), pk=pk
    )


def access_order_template_for_user(user, pk: int) -> OrderTemplate:
    """A template of the user's client (with its author); 404 for another client's, and for a role without the cart."""
    return get_object_or_404(order_templates_for_user(user=user).select_related("created_by"), pk=pk)


def access_pickup_warehouse_for_user(user, pk: int) -> Warehouse:
    """An active pickup point of the user's client's region; any other warehouse is a 404."""
    if not user.is_authenticated or not user.client_id:
        raise Http404
    return get_object_or_404(pickup_warehouses(user.client.region_id), pk=pk)


def access_order_awaiting_user(user, pk: int) -> Order:
    """An order waiting for the user's approval; any other order (decided, foreign, named to another) is a 404."""
    return get_object_or_404(orders_awaiting_approval(user=user), pk=pk)


def access_approval_rule_for_user(user, pk: int) -> ApprovalRule:
    return get_object_or_404(approval_rules_for_user(user=user), pk=pk)


def access_cart_line_for_user(user, pk: int) -> CartLine:
    """A line of the user's own cart (another user's line is a 404, even within the client)."""
    return get_object_or_404(CartLine.objects.filter(cart__user_id=user.pk), pk=pk)
