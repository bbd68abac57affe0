"""The cart's pages and endpoints (/cart/...)."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import Action, client_action_required
from base.params import parse_decimal, parse_id
from orders.selectors import cart_line_count
from orders.services import cart_add_line

#: The most one cart line may take at once, in the chosen unit (the quantity columns hold 13 digits).
MAX_CART_QUANTITY = Decimal(1_000_000_000)


@require_POST
@client_action_required(Action.USE_CART)
def cart_add(request: HttpRequest) -> HttpResponse:
    """Add a product to the cart: htmx gets a status fragment and the header counter; a plain POST redirects back."""
    product_id = parse_id(request.POST.get("product"))
    quantity = parse_decimal(request.POST.get("quantity"), maximum=MAX_CART_QUANTITY, places=3)
    error = None
    try:
        if product_id is None:
            raise ValidationError(_("Choose a product."))
        if quantity is None:
            raise ValidationError(_("Enter the quantity as a number up to %(max)s with at most 3 decimals.")
                                  % {"max": number_format(MAX_CART_QUANTITY, force_grouping=True)})
        cart_add_line(user=request.user, product_id=product_id, quantity=quantity,
                      unit_id=parse_id(request.POST.get("unit")))
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.htmx:
        return render(request, "orders/partials/_cart_added.html",
                      {"error": error, "cart_count": cart_line_count(user=request.user)},
                      status=422 if error else 200)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Added to the cart."))
    target = request.POST.get("next", "")
    # A path only: `redirect` would take "catalog:index"-like text for a URL name and fail on others.
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "catalog:index"
    return redirect(target)
