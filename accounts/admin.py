from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from base import admin as base_admin
from base.admin import ObjectPermissionsAdminMixin
from base.models import Region

from . import services, user_services
from .access import clients_for_staff, is_regional_manager, personal_manager_choices
from .admin_registration import ClientRegistrationAdminMixin, ContractRequestAdminMixin, RegionScopedAdminMixin
from .models import (
    Balance,
    BankAccount,
    Client,
    Contract,
    ContractRequest,
    LegalEntity,
    Notification,
    NotificationPreference,
    RegionHead,
    RegionManagerLink,
    User,
)


class RegionManagerInline(admin.TabularInline):
    model = RegionManagerLink
    extra = 0
    autocomplete_fields = ["user"]


class RegionHeadInline(admin.TabularInline):
    model = RegionHead
    extra = 0
    max_num = 1
    autocomplete_fields = ["user"]


admin.site.unregister(Region)


@admin.register(Region)
class RegionAdmin(base_admin.RegionAdmin):
    """The base region admin with the staff links declared on accounts: managers and the head."""

    list_display = ["name", "code", "base_price_type", "head_manager", "assortment_restricted", "is_active"]
    list_select_related = ["base_price_type", "head__user"]
    inlines = [RegionHeadInline, RegionManagerInline]

    @admin.display(description=_("head of the region"), ordering="head__user__last_name")
    def head_manager(self, obj):
        head = getattr(obj, "head", None)
        return head.user if head else "—"


class LegalEntityInline(admin.TabularInline):
    """A client's legal entities; confirmation changes on the entity's page or by the legal entity list's
    actions (the services)."""

    model = LegalEntity
    fields = ["name", "kind", "inn", "kpp", "ogrn", "is_confirmed"]
    readonly_fields = ["is_confirmed"]
    extra = 0
    show_change_link = True

    def has_view_permission(self, request, obj=None):
        # The client page is scoped already; its regional manager sees the entities and follows the link.
        return super().has_view_permission(request, obj) or is_regional_manager(request.user)


class ClientUserInline(admin.TabularInline):
    """The client's users; role and activity change by the user list's actions (the services' guards)."""

    model = User
    fields = ["email", "first_name", "last_name", "role", "is_active"]
    readonly_fields = ["role", "is_active"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        # Users join by invitation (cabinet) or the user admin's add form, which asks for the role.
        return False


@admin.register(Client)
class ClientAdmin(ClientRegistrationAdminMixin, ObjectPermissionsAdminMixin, admin.ModelAdmin):
    """Clients and pending registrations (filter by status); approve/reject are list actions."""

    list_display = ["name", "region", "status", "applicant", "applicant_confirmed", "requisites", "manager_name",
                    "created_at"]
    list_filter = ["status", ("region", admin.RelatedOnlyFieldListFilter), ("created_at", admin.DateFieldListFilter)]
    search_fields = ["name", "erp_id", "legal_entities__inn", "users__email"]
    list_select_related = ["region", "manager", "price_type"]
    autocomplete_fields = ["region", "manager", "price_type"]
    readonly_fields = ["created_at", "approved_at"]
    date_hierarchy = "created_at"
    inlines = [LegalEntityInline, ClientUserInline]

    class Media:
        css = {"all": ["css/admin.css"]}

    def get_autocomplete_fields(self, request):
        """Autocomplete only where the user may view the target's admin; a plain select elsewhere.

        A regional manager edits clients of his regions without permissions on users or price
        types, and an autocomplete widget would answer him 403 for every search.
        """
        fields = []
        for name in super().get_autocomplete_fields(request):
            if name == "manager" and not request.user.is_superuser:
                continue  # the autocomplete would search all staff: a plain select of his regions' staff instead
            target = self.model._meta.get_field(name).related_model
            target_admin = self.admin_site._registry.get(target)
            if target_admin is not None and target_admin.has_view_permission(request):
                fields.append(name)
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "manager" in form.base_fields:
            form.base_fields["manager"].queryset = personal_manager_choices(
                request.user, current_id=obj.manager_id if obj else None)
        return form

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
class LegalEntityAdmin(RegionScopedAdminMixin, admin.ModelAdmin):
    """Legal entities of the clients of the staff member's regions. Confirmation is read-only in the form:
    the list's actions and the page's button confirm or withdraw it through the services."""

    list_display = ["name", "client", "kind", "inn", "kpp", "ogrn", "is_confirmed"]
    list_filter = ["kind", "is_confirmed", "client__region"]
    search_fields = ["name", "full_name", "inn", "ogrn", "client__name"]
    list_select_related = ["client"]
    autocomplete_fields = ["client"]
    readonly_fields = ["is_confirmed"]
    inlines = [BankAccountInline, ContractInline]
    actions = ["confirm_legal_entities", "unconfirm_legal_entities"]
    change_form_template = "admin/accounts/legalentity/change_form.html"

    class Media:
        css = {"all": ["css/admin.css"]}

    def scoped(self, request, queryset):
        return queryset.filter(client__in=clients_for_staff(request.user).values("pk"))

    def get_urls(self):
        view = self.admin_site.admin_view(self.confirmation_view)
        name = f"{self.opts.app_label}_{self.opts.model_name}_confirmation"
        return [path("<path:object_id>/confirmation/", view, name=name), *super().get_urls()]

    def _set_confirmed(self, request, entity, confirmed: bool) -> bool:
        service = services.legal_entity_confirm if confirmed else services.legal_entity_unconfirm
        try:
            service(legal_entity=entity, by=request.user)
        except ValidationError as error:
            self.message_user(request, f"{entity}: {' '.join(error.messages)}", messages.ERROR)
        except PermissionDenied:
            self.message_user(request, f"{entity}: {_('Not your region.')}", messages.ERROR)
        else:
            return True
        return False

    def confirmation_view(self, request, object_id):
        """The change page's button: POST `confirmed` 1 or 0 for one legal entity of the staff's regions."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        entity = self.get_object(request, unquote(object_id))
        if entity is None or not self.has_change_permission(request, entity):
            raise Http404
        confirmed = request.POST.get("confirmed") == "1"
        if self._set_confirmed(request, entity, confirmed):
            done = _("%(entity)s is confirmed.") if confirmed else _("The confirmation of %(entity)s is withdrawn.")
            self.message_user(request, done % {"entity": entity}, messages.SUCCESS)
        return redirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[entity.pk]))

    def _set_confirmed_all(self, request, queryset, confirmed: bool, done: str) -> None:
        count = sum(self._set_confirmed(request, entity, confirmed) for entity in queryset.select_related("client"))
        if count:
            self.message_user(request, done % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Confirm the selected legal entities"))
    def confirm_legal_entities(self, request, queryset):
        self._set_confirmed_all(request, queryset, True, _("Confirmed: %(count)d"))

    @admin.action(description=_("Withdraw the confirmation of the selected legal entities"))
    def unconfirm_legal_entities(self, request, queryset):
        self._set_confirmed_all(request, queryset, False, _("Confirmation withdrawn: %(count)d"))


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
    actions = ["make_administrator", "make_manager", "make_accountant", "activate", "deactivate"]

    def get_readonly_fields(self, request, obj=None):
        """Client, role and activity of an existing user change only by the actions (the services)."""
        fields = list(super().get_readonly_fields(request, obj))
        return fields if obj is None else [*fields, "client", "role", "is_active"]

    def has_delete_permission(self, request, obj=None):
        # A client's user is deactivated (an action through the services, which keep the last
        # administrator), never deleted: deleting would skip that guard and orphan his orders.
        if obj is not None and obj.client_id:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        # The bulk delete cannot tell client users from staff: it is left to single staff users' pages.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def _apply(self, request, queryset, change, done: str) -> None:
        """Call `change(user)` (a service) for each selected user; report refusals one by one."""
        count = 0
        for user in queryset.select_related("client"):
            try:
                change(user)
                count += 1
            except ValidationError as error:
                self.message_user(request, f"{user.email}: {' '.join(error.messages)}", messages.ERROR)
            except PermissionDenied:
                self.message_user(request, f"{user.email}: {_('you may not manage this user.')}", messages.ERROR)
        if count:
            self.message_user(request, done % {"count": count}, messages.SUCCESS)

    def _set_role(self, request, queryset, role: str) -> None:
        self._apply(request, queryset, lambda user: user_services.user_change_role(by=request.user, user=user,
                                                                                  role=role),
                    _("Role changed: %(count)d"))

    @admin.action(description=_("Make the selected users administrators of their company"), permissions=["change"])
    def make_administrator(self, request, queryset):
        self._set_role(request, queryset, User.Role.ADMINISTRATOR)

    @admin.action(description=_("Make the selected users buyers (managers) of their company"),
                  permissions=["change"])
    def make_manager(self, request, queryset):
        self._set_role(request, queryset, User.Role.MANAGER)

    @admin.action(description=_("Make the selected users accountants of their company"), permissions=["change"])
    def make_accountant(self, request, queryset):
        self._set_role(request, queryset, User.Role.ACCOUNTANT)

    @admin.action(description=_("Activate the selected users"), permissions=["change"])
    def activate(self, request, queryset):
        self._apply(request, queryset, lambda user: user_services.user_set_active(by=request.user, user=user,
                                                                                 active=True),
                    _("Activated: %(count)d"))

    @admin.action(description=_("Deactivate the selected users"), permissions=["change"])
    def deactivate(self, request, queryset):
        self._apply(request, queryset, lambda user: user_services.user_set_active(by=request.user, user=user,
                                                                                 active=False),
                    _("Deactivated: %(count)d"))


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
