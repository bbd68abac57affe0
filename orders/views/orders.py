"""The client's order pages."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.roles import Action, client_action_required
from base.params import parse_page
from orders.access import access_order_for_user
from orders.selectors import orders_for_user
from orders.views.cart_report import pop_cart_report


@client_action_required(Action.VIEW_OWN_ORDERS)
def order_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(orders_for_user(user=request.user), 25).get_page(parse_page(request.GET.get("page")))
    return render(request, "orders/order_list.html", {"page": page})


@client_action_required(Action.VIEW_OWN_ORDERS)
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = access_order_for_user(request.user, pk)
    return render(request, "orders/order_detail.html", {"order": order, "cart_report": pop_cart_report(request)})
