"""Checkout (/cart/checkout/) and the submission of a draft (/orders/<id>/submit/)."""

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import Action, client_action_required
from orders.access import access_order_for_user
from orders.forms import CheckoutForm, DraftSubmitForm
from orders.models import Order
from orders.selectors import cart_for_user, checkout_page
from orders.services import CartChanged, CheckoutStopped, QuoteChanged, order_place_from_cart, order_submit
from orders.status import OrderStatus

TEMPLATE = "orders/checkout.html"


@client_action_required(Action.PLACE_ORDER)
def checkout(request: HttpRequest) -> HttpResponse:
    """The checkout page; a POST places the order (`action=place`), saves a draft (`action=draft`) or
    shows the page again under other choices (`action=refresh`, what htmx sends when they change)."""
    user = request.user
    cart = cart_for_user(user=user)
    if request.method != "POST":
        return _render(request, cart=cart)
    form = CheckoutForm(request.POST, user=user)
    action = request.POST.get("action")
    valid = form.is_valid()  # a foreign id is a 404 here
    chosen = {"form": form, "legal_entity": form.cleaned_data.get("legal_entity"),
              "contract": form.cleaned_data.get("contract")}
    if action == "refresh":
        return _render(request, cart=cart, **chosen)
    if not valid:
        return _render(request, cart=cart, errors=form.errors, status=422, **chosen)
    try:
        result = order_place_from_cart(user=user, terms=form.terms(), revision=form.cleaned_data["revision"],
                                       digest=form.cleaned_data["digest"], draft=action == "draft")
    except (CartChanged, QuoteChanged) as error:
        return _render(request, cart=cart_for_user(user=user), notice=error.messages[0], status=409, **chosen)
    except CheckoutStopped:
        return _render(request, cart=cart, status=422, **chosen)
    except ValidationError as error:
        errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        return _render(request, cart=cart, errors=errors, status=422, **chosen)
    messages.success(request, placed_message(result.order))
    return redirect(result.order)


@require_POST
@client_action_required(Action.PLACE_ORDER)
def draft_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit a draft from its page through the checks of checkout; the answer is a message on the order page."""
    order = access_order_for_user(request.user, pk)
    form = DraftSubmitForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the desired date as a date."))
        return redirect(order)
    try:
        result = order_submit(user=request.user, order=order, desired_date=form.cleaned_data["desired_date"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(order)
    if result.changed:
        messages.warning(request, _("Prices or availability have changed since the draft was saved: it now has "
                                    "today's prices. Check the totals and submit it again."))
    else:
        messages.success(request, placed_message(result.order))
    return redirect(result.order)


def placed_message(order: Order) -> str:
    values = {"number": order.number}
    if order.status == OrderStatus.DRAFT:
        return _("Order No. %(number)s is saved as a draft: submit it from this page when ready.") % values
    if order.status == OrderStatus.AWAITING_APPROVAL:
        return _("Order No. %(number)s is placed and awaits approval by your company's administrator.") % values
    return _("Order No. %(number)s is placed and sent to the supplier.") % values


def _render(request: HttpRequest, *, cart, form: CheckoutForm | None = None, legal_entity=None, contract=None,
            errors=None, notice: str = "", status: int = 200) -> HttpResponse:
    page = checkout_page(user=request.user, cart=cart, legal_entity=legal_entity, contract=contract)
    errors = dict(errors or {})
    general = list(errors.pop(NON_FIELD_ERRORS, []))
    context = {
        "page": page, "values": _values(page, form), "errors": errors, "general_errors": general,
        "field_errors_shown": bool(set(errors) - {"lines"}), "notice": notice,
    }
    template = f"{TEMPLATE}#checkout" if request.htmx else TEMPLATE
    return render(request, template, context, status=status)


def _values(page, form: CheckoutForm | None) -> dict[str, str]:
    """What the page's fields hold: the buyer's input when posted, else the defaults."""
    data = form.data if form is not None else {}
    addresses = [choice for choice, _text in page.addresses]
    address = data.get("address", "")
    if address not in [*addresses, "new"]:
        address = addresses[0] if addresses else "new"
    warehouse = data.get("pickup_warehouse") or (str(page.warehouses[0].pk) if page.warehouses else "")
    return {
        "delivery_method": data.get("delivery_method") or Order.Delivery.DELIVERY,
        "address": address,
        "new_address": data.get("new_address", ""),
        "delivery_date": data.get("delivery_date") or page.delivery.earliest.isoformat(),
        "pickup_warehouse": warehouse,
        "pickup_date": data.get("pickup_date") or page.pickup.earliest.isoformat(),
        "comment": data.get("comment", ""),
        "po_number": data.get("po_number", ""),
    }
