"""Supplier side of orders in Django admin, scoped to the staff member's regions.

Regional managers see and move only orders of their regions' clients, without model permissions,
as for client registrations (accounts.admin_registration.RegionScopedAdminMixin). Statuses move only
through `order_transition`: list actions and a button row on the order page, each with a comment.
Lines, prices and totals are never edited here; nothing of an order that left the draft is.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format, number_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.access import clients_for_staff, is_regional_manager
from accounts.admin_registration import RegionScopedAdminMixin
from base.params import parse_id

from .analytics import staff_dashboard
from .models import Cart, CartLine, EscalationRule, Order, OrderEscalation, OrderLine, OrderStatusChange
from .quantities import format_quantity
from .services import order_transition
from .status import MOVERS, Mover, OrderStatus
from .transitions import allowed_transitions

#: Internal fields the order page does not show.
HIDDEN = ("idempotency_key",)

#: The moves supplier staff make, each as a list action.
STAFF_TARGETS = [status for status in OrderStatus.values
                 if any(dst == status and Mover.STAFF in movers for (_src, dst), movers in MOVERS.items())]


class TransitionForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


class ReadOnlyInline(admin.TabularInline):
    """Rows shown on the order page as they are; a regional manager sees them on the orders of his region
    (the order page is scoped already) without model permissions."""

    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or is_regional_manager(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ["position", "sku", "name", "unit_name", "quantity", "price", "amount", "is_backorder"]
    readonly_fields = fields


class OrderStatusChangeInline(ReadOnlyInline):
    model = OrderStatusChange
    fields = ["created_at", "from_status", "to_status", "changed_by", "source", "comment"]
    readonly_fields = fields

    def get_queryset(self, request):
        # The rows are named by the order (their __str__), loaded with them.
        return super().get_queryset(request).select_related("order", "changed_by")


class OrderEscalationInline(ReadOnlyInline):
    model = OrderEscalation
    fields = ["created_at", "status", "level", "recipients"]
    readonly_fields = fields

    def get_queryset(self, request):
        # The rows are named by the order (their __str__), loaded with them.
        return super().get_queryset(request).select_related("order")


class RangeFilter(admin.SimpleListFilter):
    """Orders by ranges of one numeric field (`field`, `bounds`)."""

    field = ""
    bounds: list[Decimal] = []

    def lookups(self, request, model_admin):
        edges = [None, *self.bounds, None]
        pairs = zip(edges, edges[1:], strict=False)
        return [(f"{low or ''}-{high or ''}", self.label(low, high)) for low, high in pairs]

    def label(self, low, high) -> str:
        low, high = (None if value is None else number_format(value, force_grouping=True) for value in (low, high))
        if low is None:
            return _("under %(value)s") % {"value": high}
        if high is None:
            return _("%(value)s and more") % {"value": low}
        return f"{low} – {high}"

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        low, _sep, high = self.value().partition("-")
        try:
            if low:
                queryset = queryset.filter(**{f"{self.field}__gte": Decimal(low)})
            if high:
                queryset = queryset.filter(**{f"{self.field}__lt": Decimal(high)})
        except ArithmeticError:
            return queryset.none()
        return queryset


class AmountFilter(RangeFilter):
    title = _("amount")
    parameter_name = "amount"
    field = "total_amount"
    bounds = [Decimal(10_000), Decimal(100_000), Decimal(1_000_000)]


class WeightFilter(RangeFilter):
    title = _("weight, kg")
    parameter_name = "weight"
    field = "total_weight"
    bounds = [Decimal(100), Decimal(1_000), Decimal(10_000)]


class EscalatedFilter(admin.SimpleListFilter):
    title = _("escalated")
    parameter_name = "escalated"

    def lookups(self, request, model_admin):
        return [("1", _("Level 1")), ("2", _("Level 2")), ("any", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value in ("1", "2"):
            return queryset.filter(escalation_level=int(value))
        if value == "any":
            return queryset.filter(escalation_level__gt=0)
        if value == "no":
            return queryset.filter(escalation_level=0)
        return queryset


@admin.register(Order)
class OrderAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    # Few enough columns to fit beside the filters on a laptop; the legal entity and the times are on the page.
    list_display = ["number", "client", "region", "status", "amount", "weight", "escalated", "created"]
    list_filter = ["status", ("client__region", admin.RelatedOnlyFieldListFilter),
                   ("client", admin.RelatedOnlyFieldListFilter), ("created_at", admin.DateFieldListFilter),
                   AmountFilter, WeightFilter, EscalatedFilter, "delivery_method"]
    search_fields = ["number", "erp_number", "=lines__sku", "client__name", "legal_entity__inn"]
    list_select_related = ["client__region", "currency"]
    date_hierarchy = "created_at"
    readonly_fields = ["status", "status_changed_at", "escalation_level", "total_amount", "total_weight",
                       "total_volume", "created_at", "submitted_at", "erp_id", "erp_number", "erp_exported_at",
                       "erp_confirmed_at"]
    raw_id_fields = ["client", "legal_entity", "contract", "created_by", "pickup_warehouse"]
    inlines = [OrderLineInline, OrderStatusChangeInline, OrderEscalationInline]
    change_form_template = "admin/orders/order/change_form.html"

    class Media:
        css = {"all": ["css/admin_orders.css"]}

    def scoped(self, request, queryset):
        return queryset.filter(client__in=clients_for_staff(request.user).values("pk"))

    def has_add_permission(self, request):
        return False  # orders come from checkout and the ERP

    def changelist_view(self, request, extra_context=None):
        # The filters are this page's navigation: without the app menu beside them the columns fit a laptop.
        return super().changelist_view(request, {"is_nav_sidebar_enabled": False, **(extra_context or {})})

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != OrderStatus.DRAFT:
            return [field.name for field in self.model._meta.concrete_fields if field.name not in ("id", *HIDDEN)]
        return self.readonly_fields

    @admin.display(description=_("amount"), ordering="total_amount")
    def amount(self, obj: Order) -> str:
        currency = obj.currency.symbol or obj.currency.code
        return f"{number_format(obj.total_amount, 2, force_grouping=True)}\u00a0{currency}"

    @admin.display(description=_("weight, kg"), ordering="total_weight")
    def weight(self, obj: Order) -> str:
        return format_quantity(obj.total_weight)

    @admin.display(description=_("escalated"), ordering="escalation_level")
    def escalated(self, obj: Order) -> str:
        return str(obj.escalation_level) if obj.escalation_level else "—"

    @admin.display(description=_("region"), ordering="client__region__name")
    def region(self, obj: Order):
        return obj.client.region

    @admin.display(description=_("created"), ordering="created_at")
    def created(self, obj: Order) -> str:
        return date_format(localtime(obj.created_at), "SHORT_DATE_FORMAT")

    def get_actions(self, request):
        actions = super().get_actions(request)
        for status in STAFF_TARGETS:
            name = f"move_to_{status}"
            label = _("Move to “%(status)s” (with a comment)") % {"status": OrderStatus(status).label}
            actions[name] = (self._move_action(status), name, label)
        return actions

    def _move_action(self, to_status: str):
        def action(modeladmin, request, queryset):
            return modeladmin.move_selected(request, queryset, to_status)
        return action

    def move_selected(self, request, queryset, to_status: str):
        """The list action: ask for a comment, then move each selected order it may move."""
        form = TransitionForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            context = {**self.admin_site.each_context(request), "opts": self.model._meta, "objects": queryset,
                       "form": form, "action": request.POST.get("action"), "to_status": OrderStatus(to_status),
                       "title": _("Move to “%(status)s”") % {"status": OrderStatus(to_status).label},
                       "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME}
            return TemplateResponse(request, "admin/orders/order/transition.html", context)
        done = 0
        for order in queryset:
            if self._move(request, order, to_status, form.cleaned_data["comment"]):
                done += 1
        if done:
            self.message_user(request, _("%(count)d orders moved to “%(status)s”.") % {
                "count": done, "status": OrderStatus(to_status).label}, messages.SUCCESS)
        return None

    def _move(self, request, order: Order, to_status: str, comment: str) -> bool:
        try:
            order_transition(order=order, to_status=to_status, actor=request.user,
                             source=OrderStatusChange.Source.USER, comment=comment)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return False
        return True

    def get_urls(self):
        urls = super().get_urls()
        view = self.admin_site.admin_view(require_POST(self.transition_view))
        dashboard = self.admin_site.admin_view(self.dashboard_view)
        return [path("dashboard/", dashboard, name="orders_dashboard"),
                path("<path:object_id>/transition/", view, name="orders_order_transition"), *urls]

    def dashboard_view(self, request):
        """Orders per day and per region, open escalations and searches without results, within the
        staff member's regions (linked from the admin index)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "title": _("Orders dashboard"),
                   "dashboard": staff_dashboard(user=request.user)}
        return TemplateResponse(request, "admin/orders/dashboard.html", context)

    def transition_view(self, request, object_id):
        """The button row of the order page: one move with the comment typed there."""
        pk = parse_id(object_id)
        if pk is None:
            raise Http404
        order = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request, order):
            raise PermissionDenied
        form = TransitionForm(request.POST)
        to_status = request.POST.get("to_status", "")
        if to_status not in OrderStatus.values:
            self.message_user(request, _("Choose the status to move the order to."), messages.ERROR)
        elif form.is_valid() and self._move(request, order, to_status, form.cleaned_data["comment"]):
            self.message_user(request, _("Order %(number)s moved to “%(status)s”.") % {
                "number": order.number, "status": OrderStatus(to_status).label}, messages.SUCCESS)
        elif not form.is_valid():
            self.message_user(request, " ".join(form.errors["comment"]), messages.ERROR)
        return HttpResponseRedirect(reverse("admin:orders_order_change", args=[order.pk]))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.status != OrderStatus.DRAFT:
            # Nothing of an order that left the draft is saved here: no save buttons to suggest otherwise.
            context.update(show_save=False, show_save_and_continue=False, show_save_and_add_another=False)
        if obj is not None:
            labels = dict(OrderStatus.choices)
            context["transitions"] = [(status, labels[status]) for status in allowed_transitions(obj, request.user)]
            context["transition_form"] = TransitionForm()
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)


@admin.register(EscalationRule)
class EscalationRuleAdmin(admin.ModelAdmin):
    """Per-status time limits of the escalation check (every 5 minutes)."""

    list_display = ["status", "first_limit", "by_desired_date", "second_limit", "is_active"]
    list_editable = ["is_active"]


class CartLineInline(admin.TabularInline):
    model = CartLine
    extra = 0
    raw_id_fields = ["product"]

    def get_queryset(self, request):
        # The rows are named by the product (their __str__), loaded with them.
        return super().get_queryset(request).select_related("product")


@admin.register(Cart)
class CartAdmin(admin.ModelAdmin):
    list_display = ["user", "client", "updated_at"]
    search_fields = ["user__email", "client__name"]
    list_select_related = ["user", "client"]
    raw_id_fields = ["user", "client", "legal_entity", "contract"]
    inlines = [CartLineInline]
