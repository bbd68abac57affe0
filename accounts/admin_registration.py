"""Admin for registrations and contract requests, scoped to the staff member's regions.

Regional managers (User.managed_regions or User.headed_regions) see and act only on clients of their
regions, without needing model permissions; superusers see all. Approve and reject are actions
calling the services; a rejection asks for the reason on an intermediate page.
"""

from allauth.account.models import EmailAddress
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Subquery
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from . import admin_requisites, services
from .access import clients_for_staff, contract_requests_for_staff, is_regional_manager
from .forms import RejectForm
from .models import User


class RegionScopedAdminMixin:
    """Querysets limited to the staff member's regions; permissions granted to regional managers."""

    def scoped(self, request, queryset):
        raise NotImplementedError

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else self.scoped(request, queryset)

    def _in_scope(self, request, obj) -> bool:
        return obj is None or request.user.is_superuser or self.scoped(request, type(obj).objects.filter(
            pk=obj.pk)).exists()

    def has_module_permission(self, request):
        return super().has_module_permission(request) or is_regional_manager(request.user)

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj) or is_regional_manager(request.user)
        return allowed and self._in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj) or is_regional_manager(request.user)
        return allowed and self._in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def _decide(self, request, queryset, label: str, action: str, decide) -> TemplateResponse | None:
        """Run `decide(obj, reason)` for each selected object; ask for the reason first when rejecting."""
        form = None
        if action == "reject":
            form = RejectForm(request.POST if "apply" in request.POST else None)
            if not form.is_valid():
                context = {**self.admin_site.each_context(request), "title": label, "objects": queryset,
                           "form": form, "action": request.POST.get("action"), "opts": self.model._meta,
                           "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME}
                return TemplateResponse(request, "admin/accounts/reject.html", context)
        reason = form.cleaned_data["reason"] if form else ""
        done = 0
        for obj in queryset:
            try:
                decide(obj, reason)
                done += 1
            except (ValidationError, PermissionDenied) as error:
                text = " ".join(error.messages) if isinstance(error, ValidationError) else _("Not your region.")
                self.message_user(request, f"{obj}: {text}", messages.ERROR)
        if done:
            self.message_user(request, _("%(label)s: %(count)d done.") % {"label": label, "count": done},
                              messages.SUCCESS)
        return None


class ClientRegistrationAdminMixin(RegionScopedAdminMixin):
    actions = ["approve_registrations", "reject_registrations", "block_clients", "unblock_clients"]

    def scoped(self, request, queryset):
        return queryset.filter(pk__in=clients_for_staff(request.user).values("pk"))

    def get_queryset(self, request):
        administrators = User.objects.filter(client=OuterRef("pk"), role=User.Role.ADMINISTRATOR).order_by("pk")
        return admin_requisites.with_requisites(super().get_queryset(request)).annotate(
            applicant_email=Subquery(administrators.values("email")[:1]),
            email_confirmed=Exists(EmailAddress.objects.filter(
                user__client=OuterRef("pk"), user__role=User.Role.ADMINISTRATOR, verified=True)),
        )

    @admin.display(description=_("applicant"), ordering="applicant_email")
    def applicant(self, obj):
        return admin_requisites.applicant_summary(obj)

    @admin.display(description=_("requisites and checks"))
    def requisites(self, obj):
        return admin_requisites.requisites_summary(obj)

    @admin.display(description=_("applicant"))
    def applicant_details(self, obj):
        return admin_requisites.applicant_block(obj)

    @admin.display(description=_("legal entities and their requisites"))
    def requisites_details(self, obj):
        return admin_requisites.requisites_block(obj)

    def get_fieldsets(self, request, obj=None):
        """On a client's page, what is approved comes first: the applicant and the requisites, read-only."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        shown = ("applicant_details", "requisites_details")
        rest = [(name, {**options, "fields": [field for field in options["fields"] if field not in shown]})
                for name, options in fieldsets]
        return [(_("Applicant and requisites"), {"fields": shown}), *rest]

    @admin.display(description=_("e-mail confirmed"), boolean=True, ordering="email_confirmed")
    def applicant_confirmed(self, obj):
        return obj.email_confirmed

    def get_readonly_fields(self, request, obj=None):
        """Status and rejection reason change only by the actions (the approval services), for everyone."""
        fields = [*super().get_readonly_fields(request, obj), "status", "rejection_reason"]
        if obj is not None:
            fields += ["applicant_details", "requisites_details"]
        if not request.user.is_superuser:
            fields.append("region")
        return fields

    @admin.action(description=_("Approve the selected registrations"))
    def approve_registrations(self, request, queryset):
        return self._decide(request, queryset, _("Approval"), "approve",
                            lambda client, _reason: services.client_approve(client=client, by=request.user))

    @admin.action(description=_("Reject the selected registrations (with a reason)"))
    def reject_registrations(self, request, queryset):
        return self._decide(request, queryset, _("Rejection"), "reject",
                            lambda client, reason: services.client_reject(client=client, by=request.user,
                                                                          reason=reason))


    @admin.action(description=_("Block the selected clients"))
    def block_clients(self, request, queryset):
        return self._decide(request, queryset, _("Blocking"), "block",
                            lambda client, _reason: services.client_set_blocked(client=client, by=request.user,
                                                                                blocked=True))

    @admin.action(description=_("Unblock the selected clients"))
    def unblock_clients(self, request, queryset):
        return self._decide(request, queryset, _("Unblocking"), "unblock",
                            lambda client, _reason: services.client_set_blocked(client=client, by=request.user,
                                                                                blocked=False))


class ContractRequestAdminMixin(RegionScopedAdminMixin):
    actions = ["approve_requests", "reject_requests"]

    def scoped(self, request, queryset):
        return queryset.filter(pk__in=contract_requests_for_staff(request.user).values("pk"))

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Accept the selected contract requests"))
    def approve_requests(self, request, queryset):
        return self._decide(request, queryset, _("Acceptance"), "approve", lambda obj, _reason:
                            services.contract_request_decide(contract_request=obj, by=request.user, approve=True))

    @admin.action(description=_("Decline the selected contract requests (with a reason)"))
    def reject_requests(self, request, queryset):
        return self._decide(request, queryset, _("Rejection"), "reject", lambda obj, reason:
                            services.contract_request_decide(contract_request=obj, by=request.user, approve=False,
                                                             reason=reason))
