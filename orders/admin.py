from django.contrib import admin

from .models import Cart, CartLine, Order, OrderLine, OrderStatusChange


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    fields = ["position", "sku", "name", "unit_name", "quantity", "price", "amount"]
    readonly_fields = fields
    can_delete = False


class OrderStatusChangeInline(admin.TabularInline):
    model = OrderStatusChange
    extra = 0
    fields = ["created_at", "from_status", "to_status", "changed_by", "source", "comment"]
    readonly_fields = fields
    can_delete = False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["number", "client", "legal_entity", "status", "total_amount", "currency", "created_at",
                    "status_changed_at"]
    list_filter = ["status", "delivery_method", "client__region", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["number", "erp_number", "client__name", "legal_entity__inn"]
    list_select_related = ["client", "legal_entity"]
    date_hierarchy = "created_at"
    # Status moves go through the orders' transition service, never a raw edit; the ERP fields are
    # written by the exchange through the orders' ERP services.
    readonly_fields = ["status", "status_changed_at", "escalation_level", "total_amount", "total_weight",
                       "total_volume", "created_at", "submitted_at", "erp_id", "erp_number", "erp_exported_at",
                       "erp_confirmed_at"]
    raw_id_fields = ["client", "legal_entity", "contract", "created_by", "pickup_warehouse"]
    inlines = [OrderLineInline, OrderStatusChangeInline]


class CartLineInline(admin.TabularInline):
    model = CartLine
    extra = 0
    raw_id_fields = ["product"]


@admin.register(Cart)
class CartAdmin(admin.ModelAdmin):
    list_display = ["user", "client", "updated_at"]
    search_fields = ["user__email", "client__name"]
    list_select_related = ["user", "client"]
    raw_id_fields = ["user", "client", "legal_entity", "contract"]
    inlines = [CartLineInline]
