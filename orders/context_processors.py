"""Context for every page from the orders app: the header's cart counter, the add-to-cart URL, and
whether the user may use the cart (the cart-only links: order templates, repeat an order), and
whether the user may see the finance section of the cabinet."""

from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from accounts.roles import Action, user_can

from .selectors import cart_line_count, orders_awaiting_approval


def cart(request) -> dict:
    """`cart_count` for the header; `cart_add_url`, where product rows and pages post their add-to-cart forms;
    `can_use_cart` for the links and buttons that only buyers get; `can_view_balance` for the cabinet's
    finance link."""
    user = getattr(request, "user", None)
    return {
        "cart_count": cart_line_count(user=user) if user is not None else 0,
        "cart_add_url": reverse("cart:add"),
        "can_use_cart": user is not None and user_can(user, Action.USE_CART),
        "can_view_balance": user is not None and user_can(user, Action.VIEW_BALANCE),
    }


def approvals(request) -> dict:
    """`approval_count`: orders waiting for the user's approval (counted only when a page shows it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.client_id:
        return {"approval_count": 0}
    return {"approval_count": SimpleLazyObject(lambda: orders_awaiting_approval(user=user).count())}
