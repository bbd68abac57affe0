"""Writes about a client's users: invite, accept the invitation, change the role, deactivate;
and the user's own notifications. Keyword-only, atomic, acting user explicit.

The cabinet (a client's administrator) and Django admin (supplier staff) change roles and
activity through the same services, so the last-administrator guard holds on both doors.
"""

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .access import staff_may_manage_client
from .events import EVENTS
from .models import Notification, NotificationPreference, User
from .notifications import notify_localized
from .roles import Action, require_action
from .selectors import client_administrators
from .services import invitation_link, send_email_later


def _lock_admins(client_id: int) -> list[int]:
    """Lock the client's active administrators in a stable order; returns their ids."""
    return list(
        User.objects.select_for_update()
        .filter(client_id=client_id, role=User.Role.ADMINISTRATOR, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _guard_last_admin(target: User) -> None:
    admins = _lock_admins(target.client_id)
    if admins == [target.pk]:
        raise ValidationError(
            _("%(user)s is the last active administrator of the company: appoint another one first.")
            % {"user": target.email},
            code="last_admin",
        )


def _require_user_manager(by: User, user: User) -> None:
    """Check that `by` may change `user`'s role or activity.

    A client's administrator manages the users of his own client (the role table). Supplier
    staff manage them in admin with the permission to change users (global, or on that user as
    the guarded admin grants it), or as regional managers of the user's client.
    Raises PermissionDenied, or ValidationError for a user of another client (the cabinet's 404).
    """
    if by.client_id:
        require_action(by, Action.MANAGE_USERS)
        if user.client_id != by.client_id:
            raise ValidationError(_("Unknown user."), code="foreign")
        return
    if not (by.is_active and by.is_staff):
        raise PermissionDenied("only supplier staff manage users outside the cabinet")
    if by.has_perm("accounts.change_user") or by.has_perm("accounts.change_user", user):  # global or per user
        return
    if user.client_id and staff_may_manage_client(by, user.client):
        return
    raise PermissionDenied("user outside the staff member's regions")


@transaction.atomic
def user_invite(*, by: User, email: str, role: str, first_name: str = "", last_name: str = "") -> User:
    """Create a user of the inviter's client without a password and e-mail a set-password link."""
    require_action(by, Action.MANAGE_USERS)
    if role not in User.Role.values:
        raise ValidationError(_("Unknown role."), code="role")
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(_("E-mail: this address already has an account."), code="taken")
    user = User.objects.create_user(email=email, password=None, client_id=by.client_id, role=role,
                                    first_name=first_name, last_name=last_name, language=by.language)
    send_email_later(template="invitation", user=user, context={
        "link": invitation_link(user), "client_name": by.client.name, "inviter": str(by),
        "role": user.get_role_display()})
    notify_localized(recipients=client_administrators(by.client), event="user_invited", message=lambda: (
        _("%(email)s is invited as %(role)s") % {"email": user.email, "role": user.get_role_display()}, "",
    ), url=reverse("cabinet:users"))
    return user


@transaction.atomic
def user_accept_invitation(*, user: User, password: str) -> User:
    """The invited user sets a password (the link's token is checked by the view)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise ValidationError(_("This account is deactivated."), code="inactive")
    user.set_password(password)
    user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    notify_localized(recipients=client_administrators(user.client).exclude(pk=user.pk), event="user_activated",
                     message=lambda: (_("%(email)s has activated the account") % {"email": user.email}, ""),
                     url=reverse("cabinet:users"))
    return user


@transaction.atomic
def user_change_role(*, by: User, user: User, role: str) -> User:
    """Give a client's user another role; the last active administrator keeps his.

    Raises PermissionDenied (see `_require_user_manager`), ValidationError for an unknown role,
    a supplier staff member (who has no client role) or the last active administrator.
    """
    _require_user_manager(by, user)
    if role not in User.Role.values:
        raise ValidationError(_("Unknown role."), code="role")
    if not user.client_id:
        raise ValidationError(_("%(user)s is supplier staff and has no client role.") % {"user": user.email},
                              code="staff")
    if user.role == User.Role.ADMINISTRATOR and role != User.Role.ADMINISTRATOR and user.is_active:
        _guard_last_admin(user)
    User.objects.filter(pk=user.pk).update(role=role)
    user.role = role
    return user


@transaction.atomic
def user_set_active(*, by: User, user: User, active: bool) -> User:
    """Deactivate (or reactivate) a user; the last active administrator of a client stays.

    Raises PermissionDenied (see `_require_user_manager`), ValidationError for the last active
    administrator.
    """
    _require_user_manager(by, user)
    if not active and user.role == User.Role.ADMINISTRATOR and user.is_active:
        _guard_last_admin(user)
    User.objects.filter(pk=user.pk).update(is_active=active)
    user.is_active = active
    return user


def notification_mark_read(*, user: User, pk: int | None = None) -> int:
    """Mark one notification of the user (or all of them) read; returns how many changed."""
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if pk is not None:
        rows = rows.filter(pk=pk)
    return rows.update(read_at=timezone.now())


@transaction.atomic
def notification_preferences_set(*, user: User, by_email: dict[str, bool]) -> None:
    """Store the user's e-mail choice for each known event given."""
    for event, value in by_email.items():
        if event in EVENTS:
            NotificationPreference.objects.update_or_create(user=user, event=event, defaults={"by_email": value})
