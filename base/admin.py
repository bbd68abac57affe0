from django.contrib import admin
from guardian.admin import GuardedModelAdminMixin

from .models import Currency, PriceType, Region, Warehouse


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
class RegionAdmin(GuardedModelAdminMixin, admin.ModelAdmin):
    """Regions; object permissions per region (django-guardian). accounts adds the staff links as inlines."""

    list_display = ["name", "code", "base_price_type", "assortment_restricted", "is_active"]
    list_filter = ["is_active", "assortment_restricted"]
    search_fields = ["name", "code", "erp_id"]
    autocomplete_fields = ["base_price_type"]


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "is_pickup_point", "is_active", "position"]
    list_filter = ["region", "is_pickup_point", "is_active"]
    search_fields = ["name", "erp_id", "address"]
    list_select_related = ["region"]
