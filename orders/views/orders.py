"""The client's order pages: the history with filters, an order, its invoice, cancel, .xlsx exports."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import Action, client_action_required, user_can
from base.calendar import date_window
from base.params import clean_text, parse_page
from orders.access import access_order_for_user
from orders.exports import XLSX_TYPE, order_xlsx, orders_xlsx
from orders.forms import OrderHistoryFilterForm
from orders.invoice import has_invoice, order_invoice
from orders.invoice_pdf import invoice_pdf
from orders.models import OrderStatusChange
from orders.selectors import history_authors, history_legal_entities, order_history, order_timeline
from orders.services import order_transition
from orders.status import OrderStatus
from orders.transitions import allowed_transitions
from orders.views.cart_report import pop_cart_report

PAGE_SIZE = 25
MAX_CANCEL_COMMENT = 1000


def _filter_form(request: HttpRequest) -> OrderHistoryFilterForm:
    return OrderHistoryFilterForm(request.GET, legal_entities=history_legal_entities(user=request.user),
                                  authors=history_authors(user=request.user))


@require_GET
@client_action_required(Action.VIEW_OWN_ORDERS)
def order_list(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request)
    orders = order_history(user=request.user, filters=form.filters())
    page = Paginator(orders, PAGE_SIZE).get_page(parse_page(request.GET.get("page")))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"page": page, "form": form, "filtered": form.is_filtered, "query": query.urlencode()}
    if request.htmx:
        return render(request, "orders/order_list.html#results", context)
    return render(request, "orders/order_list.html", context)


@require_GET
@client_action_required(Action.VIEW_OWN_ORDERS)
def order_list_export(request: HttpRequest) -> HttpResponse:
    """The filtered history as an .xlsx, in the order the page sorts it."""
    orders = order_history(user=request.user, filters=_filter_form(request).filters())
    return _xlsx(orders_xlsx(orders), f"orders-{timezone.localdate():%Y-%m-%d}.xlsx")


@require_GET
@client_action_required(Action.VIEW_OWN_ORDERS)
def order_export(request: HttpRequest, pk: int) -> HttpResponse:
    order = access_order_for_user(request.user, pk)
    return _xlsx(order_xlsx(order), f"order-{order.number}.xlsx")


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def can_cancel(user, order) -> bool:
    """Whether the page offers to cancel: the transition rules let this user cancel the order in its
    status (its author or the client's administrator, in the early statuses; order_transition has the
    last word)."""
    return user_can(user, Action.PLACE_ORDER) and OrderStatus.CANCELLED in allowed_transitions(order, user)


@require_GET
@client_action_required(Action.VIEW_OWN_ORDERS)
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = access_order_for_user(request.user, pk)
    context = {"order": order, "cart_report": pop_cart_report(request), "timeline": order_timeline(order=order),
               "can_cancel": can_cancel(request.user, order), "has_invoice": has_invoice(order)}
    if order.status == OrderStatus.DRAFT and user_can(request.user, Action.PLACE_ORDER):
        # A draft is submitted from its page: the date input offers what the calendar allows now.
        context["draft_window"] = date_window(request.user.client.region, order.delivery_method)
    return render(request, "orders/order_detail.html", context)


def _invoiced_order(request: HttpRequest, pk: int):
    """The user's order that has an invoice; Http404 for another client's order and for a draft, rejected or
    cancelled one."""
    order = access_order_for_user(request.user, pk)
    if not has_invoice(order):
        raise Http404
    return order


@require_GET
@client_action_required(Action.VIEW_OWN_ORDERS)
def order_invoice_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The invoice for payment, a page to print from the browser (none for a draft, rejected or cancelled order)."""
    order = _invoiced_order(request, pk)
    return render(request, "orders/invoice.html", {"invoice": order_invoice(order), "order": order})


@require_GET
@client_action_required(Action.VIEW_OWN_ORDERS)
def order_invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The same invoice as a PDF file to download."""
    order = _invoiced_order(request, pk)
    response = HttpResponse(invoice_pdf(order_invoice(order)), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="invoice-{order.number}.pdf"'
    return response


@require_POST
@client_action_required(Action.PLACE_ORDER)
def order_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    order = access_order_for_user(request.user, pk)
    if not can_cancel(request.user, order):
        messages.error(request, _("Order No. %(number)s cannot be cancelled by you in its current status.")
                       % {"number": order.number})
        return redirect(order)
    comment = clean_text(request.POST.get("comment"), max_length=MAX_CANCEL_COMMENT)
    try:
        order_transition(order=order, to_status=OrderStatus.CANCELLED, actor=request.user,
                         source=OrderStatusChange.Source.USER, comment=comment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Order No. %(number)s is cancelled.") % {"number": order.number})
    return redirect(order)
