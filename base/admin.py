from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdminMixin

from .models import CalendarDay, Currency, PriceType, Region, Warehouse
from .params import parse_id


def _require_ids(*values: str) -> None:
    if any(parse_id(unquote(value)) is None for value in values):
        raise Http404


class ObjectPermissionsAdminMixin(GuardedModelAdminMixin):
    """Guardian's object-permission pages; an id in their path that is not a number is a 404
    (guardian looks it up as it comes and fails with a 500)."""

    def obj_perms_manage_view(self, request, object_pk):
        _require_ids(object_pk)
        return super().obj_perms_manage_view(request, object_pk)

    def obj_perms_manage_user_view(self, request, object_pk, user_id):
        _require_ids(object_pk, user_id)
        return super().obj_perms_manage_user_view(request, object_pk, user_id)

    def obj_perms_manage_group_view(self, request, object_pk, group_id):
        _require_ids(object_pk, group_id)
        return super().obj_perms_manage_group_view(request, object_pk, group_id)


@admin.register(Currency)
class CurrencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "symbol", "rate", "rate_date", "is_internal"]
    list_editable = ["rate", "rate_date"]
    search_fields = ["code", "name"]


@admin.register(PriceType)
class PriceTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "currency", "vat_included", "erp_id"]
    list_filter = ["currency", "vat_included"]
    search_fields = ["name", "erp_id"]


@admin.register(Region)
class RegionAdmin(ObjectPermissionsAdminMixin, admin.ModelAdmin):
    """Regions; object permissions per region (django-guardian). accounts adds the staff links as inlines."""

    list_display = ["name", "code", "base_price_type", "assortment_restricted", "order_cutoff", "delivery_lead_days",
                    "pickup_lead_days", "is_active"]
    list_filter = ["is_active", "assortment_restricted"]
    search_fields = ["name", "code", "erp_id"]
    autocomplete_fields = ["base_price_type"]
    fieldsets = [
        (None, {"fields": ["name", "code", "erp_id", "base_price_type", "assortment_restricted", "is_active"]}),
        (_("Orders: cut-off and lead times"), {
            "fields": ["order_cutoff", "delivery_lead_days", "pickup_lead_days"],
            "description": _("Working days come from the delivery calendar (Monday to Friday unless a calendar "
                             "day says otherwise)."),
        }),
    ]


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "is_pickup_point", "is_active", "position"]
    list_filter = ["region", "is_pickup_point", "is_active"]
    search_fields = ["name", "erp_id", "address"]
    list_select_related = ["region"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Holidays and working weekend days; a day without a region applies to every region."""

    list_display = ["date", "region_label", "is_working", "note"]
    list_filter = ["is_working", ("region", admin.RelatedOnlyFieldListFilter)]
    date_hierarchy = "date"
    search_fields = ["note"]
    list_select_related = ["region"]
    autocomplete_fields = ["region"]

    @admin.display(description=_("region"), ordering="region__name")
    def region_label(self, obj: CalendarDay) -> str:
        return obj.region.name if obj.region_id else _("All regions")
