from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdminMixin

from base.params import parse_id

from .admin_registration import ClientRegistrationAdminMixin, ContractRequestAdminMixin
from .models import (
    Balance,
    BankAccount,
    Client,
    Contract,
    ContractRequest,
    LegalEntity,
    Notification,
    NotificationPreference,
    Region,
    User,
)


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


@admin.register(Region)
class RegionAdmin(ObjectPermissionsAdminMixin, admin.ModelAdmin):
    list_display = ["name", "code", "base_price_type", "head_manager", "assortment_restricted", "is_active"]
    list_filter = ["is_active", "assortment_restricted"]
    search_fields = ["name", "code", "erp_id"]
    filter_horizontal = ["managers"]
    autocomplete_fields = ["base_price_type", "head_manager"]


class LegalEntityInline(admin.TabularInline):
    model = LegalEntity
    fields = ["name", "kind", "inn", "kpp", "ogrn", "is_confirmed"]
    extra = 0
    show_change_link = True


class ClientUserInline(admin.TabularInline):
    model = User
    fields = ["email", "first_name", "last_name", "role", "is_active"]
    extra = 0
    show_change_link = True


@admin.register(Client)
class ClientAdmin(ClientRegistrationAdminMixin, ObjectPermissionsAdminMixin, admin.ModelAdmin):
    """Clients and pending registrations (filter by status); approve/reject are list actions."""

    list_display = ["name", "region", "status", "applicant", "applicant_confirmed", "manager_name", "created_at"]
    list_filter = ["status", ("region", admin.RelatedOnlyFieldListFilter), ("created_at", admin.DateFieldListFilter)]
    search_fields = ["name", "erp_id", "legal_entities__inn", "users__email"]
    list_select_related = ["region", "manager", "price_type"]
    autocomplete_fields = ["region", "manager", "price_type"]
    readonly_fields = ["created_at", "approved_at"]
    date_hierarchy = "created_at"
    inlines = [LegalEntityInline, ClientUserInline]

    def get_autocomplete_fields(self, request):
        """Autocomplete only where the user may view the target's admin; a plain select elsewhere.

        A regional manager edits clients of his regions without permissions on users or price
        types, and an autocomplete widget would answer him 403 for every search.
        """
        fields = []
        for name in super().get_autocomplete_fields(request):
            target = self.model._meta.get_field(name).related_model
            target_admin = self.admin_site._registry.get(target)
            if target_admin is not None and target_admin.has_view_permission(request):
                fields.append(name)
        return fields

    @admin.display(description=_("manager"), ordering="manager__last_name")
    def manager_name(self, obj):
        return obj.manager or "—"


class BankAccountInline(admin.TabularInline):
    model = BankAccount
    extra = 0


class ContractInline(admin.TabularInline):
    model = Contract
    fields = ["number", "signed_on", "valid_until", "currency", "payment_deferral_days", "credit_limit", "is_active"]
    extra = 0


@admin.register(LegalEntity)
class LegalEntityAdmin(admin.ModelAdmin):
    list_display = ["name", "client", "kind", "inn", "kpp", "ogrn", "is_confirmed"]
    list_filter = ["kind", "is_confirmed", "client__region"]
    search_fields = ["name", "full_name", "inn", "ogrn", "client__name"]
    list_select_related = ["client"]
    autocomplete_fields = ["client"]
    inlines = [BankAccountInline, ContractInline]


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ["number", "legal_entity", "signed_on", "valid_until", "currency", "credit_limit", "is_active"]
    list_filter = ["is_active", "currency", "legal_entity__client__region"]
    search_fields = ["number", "erp_id", "legal_entity__name", "legal_entity__inn"]
    list_select_related = ["legal_entity", "currency"]
    autocomplete_fields = ["legal_entity", "price_type"]


@admin.register(Balance)
class BalanceAdmin(admin.ModelAdmin):
    list_display = ["legal_entity", "client", "amount", "overdue_debt", "credit_limit", "shipment_blocked",
                    "confirmed_at"]
    list_filter = ["shipment_blocked", "client__region"]
    search_fields = ["legal_entity__name", "legal_entity__inn", "client__name"]
    list_select_related = ["legal_entity", "client"]
    autocomplete_fields = ["client", "legal_entity"]


@admin.register(User)
class UserAdmin(ObjectPermissionsAdminMixin, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "client", "role", "is_staff", "is_active", "last_login"]
    list_filter = ["role", "is_staff", "is_superuser", "is_active", "client__region", "groups"]
    search_fields = ["email", "first_name", "last_name", "client__name", "phone"]
    list_select_related = ["client"]
    autocomplete_fields = ["client"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "phone", "position", "language"]}),
        (_("Client"), {"fields": ["client", "role"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2", "client", "role"]}),
    ]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "event", "created_at", "read_at", "emailed_at"]
    list_filter = ["event", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["title", "recipient__email"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient"]


@admin.register(ContractRequest)
class ContractRequestAdmin(ContractRequestAdminMixin, admin.ModelAdmin):
    list_display = ["legal_entity", "client", "status", "requested_by", "created_at", "decided_at", "decided_by"]
    list_filter = ["status", ("client__region", admin.RelatedOnlyFieldListFilter),
                   ("created_at", admin.DateFieldListFilter)]
    search_fields = ["legal_entity__name", "legal_entity__inn", "client__name"]
    list_select_related = ["legal_entity", "client", "requested_by", "decided_by"]
    readonly_fields = ["client", "legal_entity", "requested_by", "comment", "status", "rejection_reason",
                       "created_at", "decided_at", "decided_by"]
    date_hierarchy = "created_at"


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "event", "by_email"]
    list_filter = ["event", "by_email"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]
