"""Context for every page from the orders app: the header's cart badge and counter, the add-to-cart URL,
whether the user may use the cart (the badge and the cart-only links: order templates, repeat an order),
whether the user may see the finance section of the cabinet, and the approvals waiting for the user."""

from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from accounts.roles import Action, user_can

from .selectors import cart_line_count, orders_awaiting_approval


def cart(request) -> dict:
    """`can_use_cart` for the badge, links and buttons only buyers get; `cart_count` for the header's badge;
    `cart_add_url`, where product pages post their add-to-cart forms; `can_view_balance` for the
    cabinet's finance link."""
    user = getattr(request, "user", None)
    can_use_cart = user is not None and user_can(user, Action.USE_CART)
    return {
        "cart_count": cart_line_count(user=user) if can_use_cart else 0,
        "cart_add_url": reverse("cart:add"),
        "can_use_cart": can_use_cart,
        "can_view_balance": user is not None and user_can(user, Action.VIEW_BALANCE),
    }


def approvals(request) -> dict:
    """`approval_count`: orders waiting for the user's approval (counted only when a page shows it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.client_id:
        return {"approval_count": 0}
    return {"approval_count": SimpleLazyObject(lambda: orders_awaiting_approval(user=user).count())}
