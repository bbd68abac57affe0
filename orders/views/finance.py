"""Finance in the client's cabinet: each legal entity's balance, credit limit and what is left of it,
overdue debt and shipment block, as the ERP last sent them (administrators and accountants)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.roles import Action, client_action_required, user_can
from orders.selectors import finance_for_user


@require_GET
@client_action_required(Action.VIEW_BALANCE)
def finance(request: HttpRequest) -> HttpResponse:
    return render(request, "cabinet/finance.html", {
        "section": "finance", "rows": finance_for_user(user=request.user),
        "can_manage_users": user_can(request.user, Action.MANAGE_USERS),
    })
