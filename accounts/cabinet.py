"""The client's cabinet (/cabinet/): company profile, legal entities, users, personal manager.

Every view checks the role table; objects of another client are 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from base.params import clean_text

from . import selectors, services, user_services
from .access import access_client_user_for_user, access_legal_entity_for_user
from .forms import ENTITY_INITIAL_FIELDS, InviteForm, LegalEntityForm, RoleForm
from .roles import Action, client_action_required, user_can


def _render(request: HttpRequest, template: str, section: str, **context) -> HttpResponse:
    context.update(
        section=section,
        can_manage_users=user_can(request.user, Action.MANAGE_USERS),
        can_manage_entities=user_can(request.user, Action.MANAGE_LEGAL_ENTITIES),
    )
    return render(request, template, context)


@client_action_required(Action.VIEW_COMPANY)
def profile(request: HttpRequest) -> HttpResponse:
    client = selectors.client_for_cabinet(request.user)
    return _render(request, "cabinet/profile.html", "profile", client=client,
                   entities=selectors.legal_entities_for_user(request.user))


@client_action_required(Action.VIEW_COMPANY)
def legal_entities(request: HttpRequest) -> HttpResponse:
    return _render(request, "cabinet/legal_entities.html", "entities",
                   entities=selectors.legal_entities_for_user(request.user))


@client_action_required(Action.MANAGE_LEGAL_ENTITIES)
def legal_entity_add(request: HttpRequest) -> HttpResponse:
    form = LegalEntityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            entity = services.legal_entity_create(by=request.user, data=form.cleaned_data)
        except services.DuplicateCompany as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(name)s is added. It can be used for orders once the supplier confirms it.")
                             % {"name": entity.name})
            return redirect("cabinet:legal_entities")
    return _render(request, "cabinet/legal_entity_form.html", "entities", form=form)


@client_action_required(Action.MANAGE_LEGAL_ENTITIES)
def legal_entity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    entity = access_legal_entity_for_user(request.user, pk)
    bank = next((b for b in entity.bank_accounts.all() if b.is_primary), None)
    initial = {f: getattr(entity, f) for f in ENTITY_INITIAL_FIELDS}
    if bank:
        initial.update({f: getattr(bank, f) for f in services.BANK_FIELDS})
    form = LegalEntityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.legal_entity_update(by=request.user, legal_entity=entity, data=form.cleaned_data)
        except services.DuplicateCompany as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The requisites are saved."))
            return redirect("cabinet:legal_entities")
    return _render(request, "cabinet/legal_entity_form.html", "entities", form=form, entity=entity)


@client_action_required(Action.MANAGE_LEGAL_ENTITIES)
@require_POST
def contract_request(request: HttpRequest, pk: int) -> HttpResponse:
    entity = access_legal_entity_for_user(request.user, pk)
    comment = clean_text(request.POST.get("comment"), max_length=2000)
    _apply(request, services.contract_request_submit, by=request.user, legal_entity=entity, comment=comment,
           done=_("The contract request for %(name)s is sent to your manager.") % {"name": entity.name})
    return redirect("cabinet:legal_entities")


@client_action_required(Action.MANAGE_USERS)
def users(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invited = user_services.user_invite(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("An invitation is sent to %(email)s.") % {"email": invited.email})
            return redirect("cabinet:users")
    return _render(request, "cabinet/users.html", "users", form=form, users=selectors.client_users(request.user),
                   roles=RoleForm.base_fields["role"].choices)


@client_action_required(Action.MANAGE_USERS)
@require_POST
def user_role(request: HttpRequest, pk: int) -> HttpResponse:
    target = access_client_user_for_user(request.user, pk)
    form = RoleForm(request.POST)
    if form.is_valid():
        _apply(request, user_services.user_change_role, by=request.user, user=target, role=form.cleaned_data["role"],
               done=_("The role of %(email)s is changed.") % {"email": target.email})
    else:
        messages.error(request, _("Unknown role."))
    return redirect("cabinet:users")


@client_action_required(Action.MANAGE_USERS)
@require_POST
def user_active(request: HttpRequest, pk: int) -> HttpResponse:
    target = access_client_user_for_user(request.user, pk)
    active = request.POST.get("active") == "1"
    done = (_("%(email)s is active again.") if active else _("%(email)s is deactivated.")) % {"email": target.email}
    _apply(request, user_services.user_set_active, by=request.user, user=target, active=active, done=done)
    return redirect("cabinet:users")


def _apply(request, service, *, done: str, **kwargs) -> None:
    try:
        service(**kwargs)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
