"""Context for every page from the orders app: the header's cart counter and the add-to-cart URL."""

from django.urls import reverse

from .selectors import cart_line_count


def cart(request) -> dict:
    """`cart_count` for the header; `cart_add_url`, where product rows and pages post their add-to-cart forms."""
    user = getattr(request, "user", None)
    return {
        "cart_count": cart_line_count(user=user) if user is not None else 0,
        "cart_add_url": reverse("cart:add"),
    }
