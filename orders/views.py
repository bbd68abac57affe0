"""Order pages and the cart's endpoints."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import Action, client_action_required

from .access import access_order_for_user
from .selectors import cart_line_count, orders_for_user
from .services import cart_add_line


@client_action_required(Action.VIEW_OWN_ORDERS)
def order_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(orders_for_user(user=request.user), 25).get_page(request.GET.get("page"))
    return render(request, "orders/order_list.html", {"page": page})


@client_action_required(Action.VIEW_OWN_ORDERS)
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = access_order_for_user(request.user, pk)
    return render(request, "orders/order_detail.html", {"order": order})


def _quantity(raw: str) -> Decimal | None:
    try:
        return Decimal(raw.replace(",", ".").strip())
    except (InvalidOperation, AttributeError):
        return None


@require_POST
@client_action_required(Action.USE_CART)
def cart_add(request: HttpRequest) -> HttpResponse:
    """Add a product to the cart: htmx gets a status fragment and the header counter; a plain POST redirects back."""
    product_id = request.POST.get("product", "")
    unit = request.POST.get("unit", "")
    error = None
    try:
        if not product_id.isdigit():
            raise ValidationError(_("Choose a product."))
        cart_add_line(user=request.user, product_id=int(product_id), quantity=_quantity(request.POST.get("quantity")),
                      unit_id=int(unit) if unit.isdigit() else None)
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
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "catalog:index"
    return redirect(target)
