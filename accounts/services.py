"""Writes of the accounts app: registration, approval, legal entities (users: user_services.py).

Every service is keyword-only, atomic, takes the acting user and sends e-mail only after commit.
"""

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from . import validators
from .access import staff_may_manage_client
from .emails import absolute_url
from .models import BankAccount, Client, ContractRequest, LegalEntity, User
from .notifications import notify_localized
from .roles import Action, require_action
from .selectors import client_administrators, email_used_by_another_user, region_staff
from .tasks import send_templated_email

CONFIRM_SALT = "accounts.confirm-email"
CONFIRM_MAX_AGE = 60 * 60 * 24 * 3

ENTITY_FIELDS = ["kind", "name", "full_name", "inn", "kpp", "ogrn", "legal_address", "actual_address"]
BANK_FIELDS = ["bik", "bank_name", "account", "correspondent_account"]


class DuplicateCompany(ValidationError):
    """A legal entity with this INN+KPP is already registered."""


class AddressTaken(Exception):
    """The e-mail address of a registration already belongs to an account."""


def _duplicate_error() -> DuplicateCompany:
    return DuplicateCompany(
        _("A company with this INN and KPP is already registered in the portal. Ask that company's "
          "administrator to invite you, or contact your manager at the supplier."),
        code="duplicate",
    )


def send_email_later(*, template: str, user: User, context: dict) -> None:
    send_email_to_later(template=template, to=user.email, language=user.language, context=context)


def send_email_to_later(*, template: str, to: str, language: str, context: dict) -> None:
    transaction.on_commit(lambda: send_templated_email.delay(
        template=template, to=to, language=language, context=context))


_REQUISITE_VALIDATORS = {
    "inn": validators.validate_inn, "kpp": validators.validate_kpp, "ogrn": validators.validate_ogrn,
    "bik": validators.validate_bik, "account": validators.validate_account_number,
    "correspondent_account": validators.validate_account_number,
}


def _normalized(data: dict) -> dict:
    """`data` with its requisites as stored (`validators.normalize_requisite`) and checked.

    Duplicates are looked up on these values, so "7707 083893" and "7707083893" are one company.
    Raises ValidationError (by field) for a requisite the validators refuse, e.g. one with
    non-ASCII digits.
    """
    data = dict(data)
    for field, validate in _REQUISITE_VALIDATORS.items():
        value = validators.normalize_requisite(data.get(field, ""))
        if value:
            try:
                validate(value)
            except ValidationError as error:
                raise ValidationError({field: error.error_list}) from error
        data[field] = value
    return data


def _create_entity(*, client: Client, data: dict) -> LegalEntity:
    data = _normalized(data)
    if LegalEntity.objects.filter(inn=data["inn"], kpp=data.get("kpp", "")).exists():
        raise _duplicate_error()
    entity = LegalEntity(client=client, is_confirmed=False, **{f: data.get(f, "") for f in ENTITY_FIELDS})
    try:
        with transaction.atomic():
            entity.save()
    except IntegrityError as exc:  # a concurrent registration of the same INN+KPP won the race
        raise _duplicate_error() from exc
    BankAccount.objects.create(legal_entity=entity, is_primary=True, **{f: data.get(f, "") for f in BANK_FIELDS})
    return entity


def client_register(*, data: dict, language: str = "ru") -> User | None:
    """Register a company from a valid RegistrationForm's data: pending client, entity, administrator.

    Answers like password reset, the same whatever exists, so that nobody learns from it which
    addresses have accounts or which companies are clients. When the address already has an
    account, its owner gets an e-mail ("someone tried to register with your address"); when the
    INN+KPP is already registered, the registrant gets an e-mail (ask the company's administrator
    for an invitation) and the company's administrators a notification. Nothing is stored then,
    and None is returned instead of the new administrator.
    """
    try:
        return _client_register(data=data, language=language)
    except AddressTaken:
        _registration_address_taken(email=data["email"], language=language)
    except DuplicateCompany:
        _registration_company_taken(data=data, language=language)
    # The refused registration costs the password hash of an accepted one: no answer comes sooner.
    make_password(data["password1"])
    return None


@transaction.atomic
def _client_register(*, data: dict, language: str) -> User:
    if email_used_by_another_user(data["email"]):
        raise AddressTaken
    client = Client.objects.create(name=data["name"], region=data["region"], status=Client.Status.PENDING)
    entity = _create_entity(client=client, data=data)
    first, _sep, last = data["contact_name"].strip().partition(" ")
    try:
        with transaction.atomic():
            admin = User.objects.create_user(
                email=data["email"], password=data["password1"], client=client, role=User.Role.ADMINISTRATOR,
                first_name=first[:150], last_name=last[:150], phone=data["phone"],
                position=data["contact_position"], language=language, is_active=False,
            )
    except IntegrityError as exc:  # a concurrent registration of the same address won the race
        raise AddressTaken from exc
    _record_email_address(admin)
    token = signing.dumps({"u": admin.pk, "e": admin.email}, salt=CONFIRM_SALT)
    link = absolute_url(reverse("accounts:confirm_email", args=[token]))
    send_email_later(template="confirm_email", user=admin, context={"link": link, "client_name": client.name})
    managers = region_staff(client.region)
    notify_localized(recipients=managers, event="registration_submitted", message=lambda: (
        _("New registration: %(name)s") % {"name": client.name},
        _("INN %(inn)s, region %(region)s.") % {"inn": entity.inn, "region": client.region.name},
    ), url=reverse("admin:accounts_client_change", args=[client.pk]))
    if data.get("request_contract"):
        contract_request_create(client=client, legal_entity=entity, by=admin, comment=data.get("contract_comment", ""))
    return admin


def _registration_address_taken(*, email: str, language: str) -> None:
    owner = User.objects.filter(email__iexact=email).first()
    send_email_to_later(template="registration_address_taken", to=email,
                        language=owner.language if owner else language, context={
                            "login_link": absolute_url(reverse("account_login")),
                            "reset_link": absolute_url(reverse("account_reset_password"))})


def _registration_company_taken(*, data: dict, language: str) -> None:
    send_email_to_later(template="registration_company_taken", to=data["email"], language=language, context={
        "inn": data["inn"], "kpp": data.get("kpp", ""), "login_link": absolute_url(reverse("account_login"))})
    entity = LegalEntity.objects.filter(inn=data["inn"], kpp=data.get("kpp", "")).select_related("client").first()
    if entity is None:
        return
    notify_localized(recipients=client_administrators(entity.client), event="registration_duplicate_company",
                     message=lambda: (
                         _("Someone asked to register %(name)s again") % {"name": entity.name},
                         _("%(person)s (%(email)s) tried to register INN %(inn)s. If this is your colleague, "
                           "invite them under Users.") % {"person": data["contact_name"], "email": data["email"],
                                                           "inn": entity.inn},
                     ), url=reverse("cabinet:users"))


def _record_email_address(user: User) -> None:
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)


@transaction.atomic
def registration_confirm_email(*, token: str) -> User:
    """Mark the applicant's e-mail confirmed from the signed link; raises ValidationError when bad or old."""
    try:
        payload = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature as exc:
        raise ValidationError(_("The confirmation link is invalid or has expired."), code="bad_token") from exc
    user = User.objects.filter(pk=payload.get("u"), email=payload.get("e")).first()
    if user is None:
        raise ValidationError(_("The confirmation link is invalid or has expired."), code="bad_token")
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    return user


def contract_request_create(
    *, client: Client, legal_entity: LegalEntity, by: User, comment: str = ""
) -> ContractRequest:
    if legal_entity.client_id != client.pk:
        raise PermissionDenied("legal entity of another client")
    request = ContractRequest.objects.create(client=client, legal_entity=legal_entity, requested_by=by,
                                             comment=comment)
    notify_localized(recipients=region_staff(client.region), event="contract_requested", message=lambda: (
        _("Contract request: %(name)s") % {"name": legal_entity.name}, comment,
    ), url=reverse("admin:accounts_contractrequest_change", args=[request.pk]))
    return request


@transaction.atomic
def contract_request_submit(*, by: User, legal_entity: LegalEntity, comment: str = "") -> ContractRequest:
    """A client's administrator asks for a contract for one of the client's legal entities (cabinet)."""
    require_action(by, Action.MANAGE_LEGAL_ENTITIES)
    if legal_entity.contract_requests.filter(status=ContractRequest.Status.PENDING).exists():
        raise ValidationError(_("A contract request for this legal entity is already waiting for the supplier."),
                              code="pending")
    return contract_request_create(client=by.client, legal_entity=legal_entity, by=by, comment=comment)


def _pick_manager(client: Client, by: User) -> User | None:
    if client.manager_id:
        return client.manager
    region = client.region
    if region.managers.filter(pk=by.pk).exists():
        return by
    head = region.head_managers.first()
    if head is not None:
        return head
    return region.managers.filter(is_active=True).order_by("pk").first()


@transaction.atomic
def client_approve(*, client: Client, by: User) -> Client:
    """Activate a pending client and its administrators; assign the region's price type and a manager."""
    client = Client.objects.select_for_update().select_related("region").get(pk=client.pk)
    if not staff_may_manage_client(by, client):
        raise PermissionDenied("client outside the staff member's regions")
    if client.status != Client.Status.PENDING:
        raise ValidationError(_("Only a pending registration can be approved."), code="not_pending")
    client.status = Client.Status.ACTIVE
    client.approved_at = timezone.now()
    client.price_type = client.price_type or client.region.base_price_type
    client.manager = _pick_manager(client, by)
    client.rejection_reason = ""
    client.save(update_fields=["status", "approved_at", "price_type", "manager", "rejection_reason"])
    LegalEntity.objects.filter(client=client, is_confirmed=False).update(is_confirmed=True)
    admins = list(User.objects.filter(client=client, role=User.Role.ADMINISTRATOR))
    User.objects.filter(pk__in=[a.pk for a in admins]).update(is_active=True)
    for admin in admins:
        admin.is_active = True
    notify_localized(recipients=admins, event="registration_approved", message=lambda: (
        _("Your company %(name)s is approved: welcome to the portal") % {"name": client.name},
        _("Sign in with your e-mail and password. Your personal manager: %(manager)s.")
        % {"manager": client.manager or "—"},
    ), url=reverse("cabinet:profile"))
    return client


@transaction.atomic
def client_reject(*, client: Client, by: User, reason: str) -> Client:
    client = Client.objects.select_for_update().get(pk=client.pk)
    if not staff_may_manage_client(by, client):
        raise PermissionDenied("client outside the staff member's regions")
    if client.status != Client.Status.PENDING:
        raise ValidationError(_("Only a pending registration can be rejected."), code="not_pending")
    if not reason.strip():
        raise ValidationError(_("Give the reason of the rejection: it is e-mailed to the applicant."))
    client.status = Client.Status.REJECTED
    client.rejection_reason = reason.strip()
    client.save(update_fields=["status", "rejection_reason"])
    ContractRequest.objects.filter(client=client, status=ContractRequest.Status.PENDING).update(
        status=ContractRequest.Status.REJECTED, rejection_reason=reason.strip(), decided_at=timezone.now(),
        decided_by=by)
    notify_localized(recipients=User.objects.filter(client=client, role=User.Role.ADMINISTRATOR),
                     event="registration_rejected", include_inactive=True, message=lambda: (
                         _("Registration of %(name)s is rejected") % {"name": client.name},
                         _("Reason: %(reason)s") % {"reason": client.rejection_reason}))
    return client


@transaction.atomic
def client_set_blocked(*, client: Client, by: User, blocked: bool) -> Client:
    """Block an active client (its users may do nothing in the portal) or unblock a blocked one.

    Raises PermissionDenied outside the staff member's regions, ValidationError for a client in
    another status (a pending registration is approved or rejected instead).
    """
    client = Client.objects.select_for_update().get(pk=client.pk)
    if not staff_may_manage_client(by, client):
        raise PermissionDenied("client outside the staff member's regions")
    current, target = ((Client.Status.ACTIVE, Client.Status.BLOCKED) if blocked
                       else (Client.Status.BLOCKED, Client.Status.ACTIVE))
    if client.status != current:
        raise ValidationError(_("Only an active client can be blocked.") if blocked
                              else _("Only a blocked client can be unblocked."), code="status")
    client.status = target
    client.save(update_fields=["status"])
    return client


@transaction.atomic
def contract_request_decide(*, contract_request: ContractRequest, by: User, approve: bool,
                            reason: str = "") -> ContractRequest:
    """Approve or reject a contract request (the contract itself comes from the ERP)."""
    request = ContractRequest.objects.select_for_update().select_related("client", "legal_entity").get(
        pk=contract_request.pk)
    if not staff_may_manage_client(by, request.client):
        raise PermissionDenied("client outside the staff member's regions")
    if request.status != ContractRequest.Status.PENDING:
        raise ValidationError(_("The request is already decided."), code="decided")
    if not approve and not reason.strip():
        raise ValidationError(_("Give the reason of the rejection: it is e-mailed to the applicant."))
    request.status = ContractRequest.Status.APPROVED if approve else ContractRequest.Status.REJECTED
    request.rejection_reason = "" if approve else reason.strip()
    request.decided_at, request.decided_by = timezone.now(), by
    request.save(update_fields=["status", "rejection_reason", "decided_at", "decided_by"])
    notify_localized(
        recipients=[request.requested_by] if request.requested_by else [],
        event="contract_decided", include_inactive=True,
        message=lambda: ((_("Contract request for %(name)s is accepted") if approve
                          else _("Contract request for %(name)s is declined")) % {"name": request.legal_entity.name},
                         request.rejection_reason))
    return request


@transaction.atomic
def legal_entity_create(*, by: User, data: dict) -> LegalEntity:
    """Add a legal entity to the user's client; unusable for orders until confirmed."""
    require_action(by, Action.MANAGE_LEGAL_ENTITIES)
    return _create_entity(client=by.client, data=data)


@transaction.atomic
def legal_entity_update(*, by: User, legal_entity: LegalEntity, data: dict) -> LegalEntity:
    """Edit requisites; a change of INN/KPP/OGRN/kind takes the confirmation back."""
    require_action(by, Action.MANAGE_LEGAL_ENTITIES)
    entity = LegalEntity.objects.select_for_update().get(pk=legal_entity.pk, client_id=by.client_id)
    data = _normalized(data)
    if LegalEntity.objects.filter(inn=data["inn"], kpp=data.get("kpp", "")).exclude(pk=entity.pk).exists():
        raise _duplicate_error()
    requisites_changed = any(getattr(entity, f) != data.get(f, "") for f in ["kind", "inn", "kpp", "ogrn"])
    for field in ENTITY_FIELDS:
        setattr(entity, field, data.get(field, ""))
    if requisites_changed:
        entity.is_confirmed = False
    entity.save()
    bank = entity.bank_accounts.filter(is_primary=True).first() or BankAccount(legal_entity=entity, is_primary=True)
    for field in BANK_FIELDS:
        setattr(bank, field, data.get(field, ""))
    bank.save()
    return entity


@transaction.atomic
def legal_entity_confirm(*, legal_entity: LegalEntity, by: User) -> LegalEntity:
    """Confirm a client's legal entity (supplier staff): orders may be placed on its behalf from now on.

    The client's administrators are notified. Raises PermissionDenied outside the staff member's
    regions, ValidationError when it is confirmed already or its client is a pending or rejected
    registration (approving a registration confirms its legal entities).
    """
    entity = _legal_entity_for_staff(legal_entity, by)
    if entity.is_confirmed:
        raise ValidationError(_("The legal entity is already confirmed."), code="confirmed")
    if entity.client.status not in (Client.Status.ACTIVE, Client.Status.BLOCKED):
        raise ValidationError(_("Legal entities of a registration are confirmed by approving the registration."),
                              code="registration")
    entity.is_confirmed = True
    entity.save(update_fields=["is_confirmed"])
    notify_localized(recipients=client_administrators(entity.client), event="legal_entity_confirmed",
                     message=lambda: (_("Legal entity %(name)s is confirmed") % {"name": entity.name},
                                      _("Orders can now be placed on its behalf.")),
                     url=reverse("cabinet:legal_entities"))
    return entity


@transaction.atomic
def legal_entity_unconfirm(*, legal_entity: LegalEntity, by: User) -> LegalEntity:
    """Withdraw the confirmation of a client's legal entity (supplier staff): no new orders on its behalf.

    The client's administrators are notified. Raises PermissionDenied outside the staff member's
    regions, ValidationError when it is not confirmed.
    """
    entity = _legal_entity_for_staff(legal_entity, by)
    if not entity.is_confirmed:
        raise ValidationError(_("The legal entity is not confirmed."), code="not_confirmed")
    entity.is_confirmed = False
    entity.save(update_fields=["is_confirmed"])
    manager = entity.client.manager
    notify_localized(recipients=client_administrators(entity.client), event="legal_entity_unconfirmed",
                     message=lambda: (
                         _("Confirmation of legal entity %(name)s is withdrawn") % {"name": entity.name},
                         _("Orders cannot be placed on its behalf until the supplier confirms it again. "
                           "Your personal manager: %(manager)s.") % {"manager": manager or "—"}),
                     url=reverse("cabinet:legal_entities"))
    return entity


def _legal_entity_for_staff(legal_entity: LegalEntity, by: User) -> LegalEntity:
    """The entity locked for the change, with its client; PermissionDenied outside the staff's regions."""
    entity = LegalEntity.objects.select_for_update(of=("self",)).select_related("client__manager").get(
        pk=legal_entity.pk)
    if not staff_may_manage_client(by, entity.client):
        raise PermissionDenied("client outside the staff member's regions")
    return entity


def invitation_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return absolute_url(reverse("accounts:invitation", args=[uid, default_token_generator.make_token(user)]))

