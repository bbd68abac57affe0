"""The approvers' queue (approve or reject an order with a comment) and the client's approval rules."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import Action, client_action_required, user_can
from accounts.selectors import client_administrators
from orders import services
from orders.access import access_approval_rule_for_user, access_order_awaiting_user
from orders.forms import ApprovalRuleForm, DecisionForm
from orders.selectors import approval_rules_for_user, orders_awaiting_approval

QUEUE = "orders/approvals.html"


@client_action_required(Action.APPROVE_ORDERS)
def approvals(request: HttpRequest) -> HttpResponse:
    return render(request, QUEUE, {"orders": orders_awaiting_approval(user=request.user), "form": DecisionForm()})


@client_action_required(Action.APPROVE_ORDERS)
@require_POST
def order_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, services.order_approve, approved=True)


@client_action_required(Action.APPROVE_ORDERS)
@require_POST
def order_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, services.order_reject, approved=False)


def _decide(request: HttpRequest, pk: int, service, *, approved: bool) -> HttpResponse:
    order = access_order_awaiting_user(request.user, pk)
    form = DecisionForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            service(user=request.user, order=order, comment=form.cleaned_data["comment"])
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(form.errors.get("comment", []))
    if error:
        if request.htmx:
            # 200: htmx swaps only successful responses; the card shows the error in place.
            return render(request, f"{QUEUE}#queue-row", {"order": order, "form": form, "error": error})
        messages.error(request, error)
        return redirect("orders:approvals")
    done = (_("Order %(number)s is approved and sent to the supplier.") if approved
            else _("Order %(number)s is rejected and returned to its author.")) % {"number": order.number}
    if request.htmx:
        return render(request, f"{QUEUE}#decided-row", {"order": order, "done": done, "approved": approved})
    messages.success(request, done)
    return redirect("orders:approvals")


@client_action_required(Action.MANAGE_USERS)
def approval_rules(request: HttpRequest) -> HttpResponse:
    administrators = list(client_administrators(request.user.client))
    form = ApprovalRuleForm(request.POST or None, administrators=administrators)
    if request.method == "POST" and form.is_valid():
        try:
            services.approval_rule_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The approval rule is added."))
            return redirect("orders:approval_rules")
    return render(request, "orders/approval_rules.html", {
        "section": "approval_rules", "form": form, "rules": approval_rules_for_user(user=request.user),
        "can_manage_users": True, "can_manage_entities": user_can(request.user, Action.MANAGE_LEGAL_ENTITIES),
        "has_administrators": len(administrators) > 1,
    })


@client_action_required(Action.MANAGE_USERS)
@require_POST
def approval_rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = access_approval_rule_for_user(request.user, pk)
    services.approval_rule_delete(user=request.user, rule=rule)
    messages.success(request, _("The approval rule is removed."))
    return redirect("orders:approval_rules")
