"""Order templates (/orders/templates/...) and repeating a past order (/orders/<pk>/repeat/).

Both put a saved list of lines back into the cart at today's prices; what the cart did not take
is reported on the template's or the order's page (orders/views/cart_report.py).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import Action, client_action_required
from base.params import clean_text, parse_decimal, parse_id
from orders.access import access_order_for_user, access_order_template_for_user
from orders.models import OrderTemplate
from orders.selectors import cart_refusal_rows, order_template_lines, order_template_summaries
from orders.services import (
    CartAddResult,
    TemplateLineRefused,
    TemplateNameTaken,
    order_repeat,
    order_template_add_to_cart,
    order_template_create_from_cart,
    order_template_delete,
    order_template_remove_line,
    order_template_rename,
    order_template_update_line,
)
from orders.views.cart import MAX_CART_QUANTITY
from orders.views.cart_report import pop_cart_report, remember_cart_report

#: Longer than any valid name, so a too long one is refused with a message rather than cut silently.
NAME_INPUT_MAX = 500


@client_action_required(Action.USE_CART)
def template_list(request: HttpRequest) -> HttpResponse:
    return _render_list(request)


@require_POST
@client_action_required(Action.USE_CART)
def template_save(request: HttpRequest) -> HttpResponse:
    """Save the cart as a template; a name in use is answered with the choice to replace that template."""
    name = clean_text(request.POST.get("name"), max_length=NAME_INPUT_MAX)
    try:
        template = order_template_create_from_cart(user=request.user, name=name,
                                                   replace_existing=request.POST.get("replace") == "1")
    except TemplateNameTaken as exc:
        return _render_list(request, name=name, error=" ".join(exc.messages), taken=exc.existing, status=422)
    except ValidationError as exc:
        return _render_list(request, name=name, error=" ".join(exc.messages), status=422)
    messages.success(request, _("The cart is saved as the template “%(name)s”.") % {"name": template.name})
    return redirect("orders:template_detail", pk=template.pk)


@client_action_required(Action.USE_CART)
def template_detail(request: HttpRequest, pk: int) -> HttpResponse:
    template = access_order_template_for_user(request.user, pk)
    return _render_detail(request, template, cart_report=pop_cart_report(request))


@require_POST
@client_action_required(Action.USE_CART)
def template_rename(request: HttpRequest, pk: int) -> HttpResponse:
    template = access_order_template_for_user(request.user, pk)
    name = clean_text(request.POST.get("name"), max_length=NAME_INPUT_MAX)
    try:
        order_template_rename(user=request.user, template=template, name=name)
    except ValidationError as exc:
        return _render_detail(request, template, rename_value=name, rename_error=" ".join(exc.messages),
                              status=422)
    messages.success(request, _("The template is renamed."))
    return redirect("orders:template_detail", pk=template.pk)


@require_POST
@client_action_required(Action.USE_CART)
def template_line_update(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    """Change a line's quantity and unit; a quantity breaking the multiplicity is answered with the
    nearest valid ones to pick from. htmx gets the lines region, a plain POST the page."""
    template = access_order_template_for_user(request.user, pk)
    quantity = parse_decimal(request.POST.get("quantity"), maximum=MAX_CART_QUANTITY, places=3)
    error, choices = None, []
    try:
        if quantity is None:
            raise ValidationError(_("Enter the quantity as a number up to %(max)s with at most 3 decimals.")
                                  % {"max": number_format(MAX_CART_QUANTITY, force_grouping=True)})
        order_template_update_line(user=request.user, template=template, line_id=line_pk, quantity=quantity,
                                   unit_id=parse_id(request.POST.get("unit")))
    except TemplateLineRefused as exc:
        error, choices = " ".join(exc.messages), cart_refusal_rows(refusals=[exc.refusal])[0]["choices"]
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if error is None and not request.htmx:
        messages.success(request, _("The line is saved."))
        return redirect("orders:template_detail", pk=template.pk)
    # htmx swaps only 2xx answers: the refusal comes back as the lines region with the message.
    return _render_detail(request, template, partial=bool(request.htmx), error_line=line_pk, line_error=error,
                          line_choices=choices, saved_line=None if error else line_pk,
                          status=200 if request.htmx else 422)


@require_POST
@client_action_required(Action.USE_CART)
def template_line_remove(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    template = access_order_template_for_user(request.user, pk)
    order_template_remove_line(user=request.user, template=template, line_id=line_pk)
    if request.htmx:
        return _render_detail(request, template, partial=True)
    messages.success(request, _("The line is removed from the template."))
    return redirect("orders:template_detail", pk=template.pk)


@require_POST
@client_action_required(Action.USE_CART)
def template_delete(request: HttpRequest, pk: int) -> HttpResponse:
    template = access_order_template_for_user(request.user, pk)
    order_template_delete(user=request.user, template=template)
    messages.success(request, _("The template “%(name)s” is deleted.") % {"name": template.name})
    return redirect("orders:templates")


@require_POST
@client_action_required(Action.USE_CART)
def template_add_to_cart(request: HttpRequest, pk: int) -> HttpResponse:
    """Put all lines of the template into the cart; the template's page then says what was not taken."""
    template = access_order_template_for_user(request.user, pk)
    result = order_template_add_to_cart(user=request.user, template=template)
    path = reverse("orders:template_detail", kwargs={"pk": template.pk})
    return _report_and_redirect(request, result, path)


@require_POST
@client_action_required(Action.USE_CART)
def order_repeat_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Put the lines of a past order into the cart at today's prices; the order's page then says
    what is no longer available."""
    order = access_order_for_user(request.user, pk)
    result = order_repeat(user=request.user, order=order)
    return _report_and_redirect(request, result, order.get_absolute_url())


def _report_and_redirect(request: HttpRequest, result: CartAddResult, path: str) -> HttpResponse:
    remember_cart_report(request, result=result, path=path)
    return redirect(path)


def _render_list(request: HttpRequest, *, name: str = "", error: str | None = None,
                 taken: OrderTemplate | None = None, status: int = 200) -> HttpResponse:
    return render(request, "orders/template_list.html", {
        "templates": order_template_summaries(user=request.user),
        "save_name": name, "save_error": error, "taken": taken,
    }, status=status)


def _render_detail(request: HttpRequest, template: OrderTemplate, *, partial: bool = False, status: int = 200,
                   **extra) -> HttpResponse:
    lines = order_template_lines(user=request.user, template=template)
    page = "orders/template_detail.html#lines" if partial else "orders/template_detail.html"
    return render(request, page, {"template": template, "lines": lines, **extra}, status=status)
