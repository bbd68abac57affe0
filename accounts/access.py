"""Access helpers: one per object kind, answering 404 both for "does not exist" and "not yours".

Client users reach only objects of their own client; supplier staff who are regional managers
(User.managed_regions, or User.headed_regions for the head) reach only clients of their regions; superusers all.
"""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from base.models import Region

from .models import Client, Contract, ContractRequest, LegalEntity, Notification, User


def access_legal_entity_for_user(user, pk: int) -> LegalEntity:
    if not user.is_authenticated or not user.client_id:
        raise Http404
    return get_object_or_404(LegalEntity.objects.prefetch_related("bank_accounts"), pk=pk, client_id=user.client_id)


def access_contract_for_user(user, pk: int) -> Contract:
    """A contract of one of the user's client's legal entities (with its currency and legal entity)."""
    if not user.is_authenticated or not user.client_id:
        raise Http404
    return get_object_or_404(Contract.objects.select_related("currency", "legal_entity"), pk=pk,
                             legal_entity__client_id=user.client_id)


def access_client_user_for_user(user, pk: int) -> User:
    if not user.is_authenticated or not user.client_id:
        raise Http404
    return get_object_or_404(User, pk=pk, client_id=user.client_id)


def access_notification_for_user(user, pk: int) -> Notification:
    return get_object_or_404(Notification, pk=pk, recipient_id=user.pk)


def managed_regions(user) -> QuerySet[Region]:
    """Regions a supplier staff member manages (as a regional manager or the head)."""
    if not user.is_authenticated or user.client_id:
        return Region.objects.none()
    if user.is_superuser:
        return Region.objects.all()
    return Region.objects.filter(Q(managers=user) | Q(head_managers=user)).distinct()


def is_regional_manager(user) -> bool:
    return bool(user.is_authenticated and user.is_staff and user.is_active and managed_regions(user).exists())


def clients_for_staff(user) -> QuerySet[Client]:
    """Clients a staff member may see and act on: all for a superuser, else those of their regions."""
    if not user.is_authenticated or not user.is_staff or user.client_id:
        return Client.objects.none()
    if user.is_superuser:
        return Client.objects.all()
    return Client.objects.filter(region__in=managed_regions(user).values("pk"))


def personal_manager_choices(user, *, current_id: int | None = None) -> QuerySet[User]:
    """Staff a staff member may make a client's personal manager.

    A superuser picks from all supplier staff; a regional manager from the managers and heads of
    his regions only, plus the client's current manager so that an untouched form stays valid.
    """
    staff = User.objects.filter(client__isnull=True, is_staff=True)
    if not user.is_authenticated or not user.is_staff or user.client_id:
        return staff.none()
    if user.is_superuser:
        return staff
    regions = managed_regions(user).values("pk")
    scope = Q(managed_regions__in=regions) | Q(headed_regions__in=regions)
    if current_id:
        scope |= Q(pk=current_id)
    return staff.filter(pk__in=staff.filter(scope).values("pk"))


def staff_may_manage_client(user, client: Client) -> bool:
    return clients_for_staff(user).filter(pk=client.pk).exists()


def contract_requests_for_staff(user) -> QuerySet[ContractRequest]:
    return ContractRequest.objects.filter(client__in=clients_for_staff(user).values("pk"))
