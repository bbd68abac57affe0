"""The client's analytics page: spending by month, category and legal entity, and top products."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.roles import Action, client_action_required, user_can
from orders.analytics import client_analytics
from orders.forms import ANALYTICS_PRESETS, AnalyticsPeriodForm


@require_GET
@client_action_required(Action.VIEW_OWN_ORDERS)
def analytics(request: HttpRequest) -> HttpResponse:
    """Over the orders the user may see in the order history (a buyer: his own, or all of the
    client's where the client lets buyers see them; administrators and accountants: all)."""
    form = AnalyticsPeriodForm(request.GET)
    date_from, date_to = form.period()
    figures = client_analytics(user=request.user, date_from=date_from, date_to=date_to,
                               currency_code=form.currency_code())
    return render(request, "orders/analytics.html", {
        "form": form, "figures": figures, "presets": ANALYTICS_PRESETS,
        "sees_all": user_can(request.user, Action.VIEW_ALL_ORDERS),
    })
