from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import models
from .services import category_save, product_save, review_moderate


@admin.register(models.Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "depth", "position", "is_active"]
    list_filter = ["is_active", "depth"]
    search_fields = ["name", "slug", "erp_id"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]

    def save_model(self, request, obj, form, change):
        category_save(by=request.user, category=obj)


@admin.register(models.Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["short_name", "name", "code", "fractional"]
    search_fields = ["name", "short_name", "code"]


class PropertyValueInline(admin.TabularInline):
    model = models.PropertyValue
    extra = 0


@admin.register(models.Property)
class PropertyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_facet", "position"]
    list_filter = ["is_facet"]
    list_editable = ["is_facet", "position"]
    search_fields = ["name", "erp_id"]
    inlines = [PropertyValueInline]


@admin.register(models.PropertyValue)
class PropertyValueAdmin(admin.ModelAdmin):
    list_display = ["value", "property"]
    list_filter = ["property"]
    search_fields = ["value", "property__name"]
    list_select_related = ["property"]


class ProductUnitInline(admin.TabularInline):
    model = models.ProductUnit
    extra = 0
    autocomplete_fields = ["unit"]


class ProductMediaInline(admin.TabularInline):
    model = models.ProductMedia
    extra = 0


class ProductRelationInline(admin.TabularInline):
    model = models.ProductRelation
    fk_name = "product"
    extra = 0
    autocomplete_fields = ["related"]

    def get_queryset(self, request):
        # The rows are named by both products (their __str__), loaded with them.
        return super().get_queryset(request).select_related("product", "related")


class PriceInline(admin.TabularInline):
    model = models.Price
    extra = 0
    autocomplete_fields = ["price_type"]

    def get_queryset(self, request):
        # The rows are named by the price type (their __str__), loaded with them.
        return super().get_queryset(request).select_related("price_type")


class StockInline(admin.TabularInline):
    model = models.Stock
    extra = 0

    def get_queryset(self, request):
        # The rows are named by the warehouse (their __str__), loaded with them.
        return super().get_queryset(request).select_related("warehouse")


#: Product fields the marketing group may edit (see catalog.services.marketing_group_grant).
CONTENT_FIELDS = frozenset({"description"})


@admin.register(models.Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["sku", "name", "category", "brand", "base_unit", "multiplicity", "is_active", "updated_at"]
    list_filter = ["is_active", "category", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["=sku", "name", "erp_id", "brand"]
    list_select_related = ["category", "base_unit"]
    autocomplete_fields = ["category", "base_unit", "property_values"]
    readonly_fields = ["created_at", "updated_at"]
    show_full_result_count = False
    inlines = [ProductUnitInline, PriceInline, StockInline, ProductMediaInline, ProductRelationInline]

    def get_readonly_fields(self, request, obj=None):
        """Content editors (the marketing group: may change products but not add them) edit the
        description only; media and related products are their inlines. Prices and stock inlines
        are hidden from them by their missing model permissions."""
        if request.user.has_perm("catalog.add_product"):
            return self.readonly_fields
        return [f.name for f in self.model._meta.fields if f.name not in CONTENT_FIELDS] + ["property_values"]

    def save_model(self, request, obj, form, change):
        """Save through the catalog service, which also refreshes the product's search document."""
        product_save(by=request.user, product=obj, property_values=form.cleaned_data.get("property_values"))

    def save_related(self, request, form, formsets, change):
        # The product's own many-to-many (property values) is saved by product_save above.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(models.AssortmentItem)
class AssortmentItemAdmin(admin.ModelAdmin):
    list_display = ["region", "product"]
    list_filter = ["region"]
    search_fields = ["product__sku", "product__name"]
    autocomplete_fields = ["product"]
    list_select_related = ["region", "product"]


@admin.register(models.Price)
class PriceAdmin(admin.ModelAdmin):
    list_display = ["product", "price_type", "amount", "currency", "updated_at"]
    list_filter = ["price_type", "currency"]
    search_fields = ["=product__sku", "product__name"]
    list_select_related = ["product", "price_type"]
    autocomplete_fields = ["product", "price_type"]
    show_full_result_count = False


@admin.register(models.ClientPrice)
class ClientPriceAdmin(admin.ModelAdmin):
    list_display = ["client", "product", "contract", "amount", "currency", "valid_until"]
    list_filter = ["currency", "client__region"]
    search_fields = ["client__name", "=product__sku", "product__name"]
    list_select_related = ["client", "product", "contract"]
    autocomplete_fields = ["client", "product", "contract"]


@admin.register(models.Stock)
class StockAdmin(admin.ModelAdmin):
    list_display = ["product", "warehouse", "quantity", "confirmed_at", "expected_on"]
    list_filter = ["warehouse__region", "warehouse"]
    search_fields = ["=product__sku", "product__name"]
    list_select_related = ["product", "warehouse"]
    autocomplete_fields = ["product"]
    show_full_result_count = False


@admin.register(models.Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["product", "author", "rating", "status", "created_at"]
    list_filter = ["status", "rating"]
    search_fields = ["product__sku", "product__name", "author__email", "text"]
    list_select_related = ["product", "author"]
    raw_id_fields = ["product", "author"]
    actions = ["publish", "reject"]

    @admin.action(description=_("Publish selected reviews"), permissions=["change"])
    def publish(self, request, queryset):
        count = review_moderate(reviews=queryset, status=models.Review.Status.PUBLISHED)
        self.message_user(request, _("Published: %(count)d") % {"count": count})

    @admin.action(description=_("Reject selected reviews"), permissions=["change"])
    def reject(self, request, queryset):
        count = review_moderate(reviews=queryset, status=models.Review.Status.REJECTED)
        self.message_user(request, _("Rejected: %(count)d") % {"count": count})


@admin.register(models.SearchMiss)
class SearchMissAdmin(admin.ModelAdmin):
    """What buyers searched for and did not find, per query, region and day; written only by the search."""

    list_display = ["query", "region", "day", "count", "last_seen_at"]
    list_filter = ["day", ("region", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["query"]
    list_select_related = ["region"]
    date_hierarchy = "day"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
