"""The client's order pages."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.roles import Action, client_action_required, user_can
from base.calendar import date_window
from base.params import parse_page
from orders.access import access_order_for_user
from orders.selectors import orders_for_user
from orders.status import OrderStatus
from orders.views.cart_report import pop_cart_report


@client_action_required(Action.VIEW_OWN_ORDERS)
def order_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(orders_for_user(user=request.user), 25).get_page(parse_page(request.GET.get("page")))
    return render(request, "orders/order_list.html", {"page": page})


@client_action_required(Action.VIEW_OWN_ORDERS)
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = access_order_for_user(request.user, pk)
    context = {"order": order, "cart_report": pop_cart_report(request)}
    if order.status == OrderStatus.DRAFT and user_can(request.user, Action.PLACE_ORDER):
        # A draft is submitted from its page: the date input offers what the calendar allows now.
        context["draft_window"] = date_window(request.user.client.region, order.delivery_method)
    return render(request, "orders/order_detail.html", context)
