"""Demo data of the accounts workflow: pending registrations waiting in admin, contract requests,
notifications of the regional managers, colleagues' orders setting and the "ops" group.

The pending clients' administrators cannot sign in until approval (inactive), one has confirmed
the e-mail address, the other has not; the first pending client asked for a contract.
"""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db.models import Q

from accounts.models import Client, ContractRequest, Notification, User

from .clients import ClientInfo
from .users import ADMIN_EMAIL
from .writer import SeedContext

OPS_GROUP = "ops"


def create_registration_workflow(ctx: SeedContext, clients: list[ClientInfo], users: dict[int, dict[str, int]]) -> None:
    pending = [client for client in clients if not client.active]
    admin_ids = {client.id: users[client.id][User.Role.ADMINISTRATOR] for client in pending}
    User.objects.filter(pk__in=admin_ids.values()).update(is_active=False)
    addresses = dict(User.objects.filter(pk__in=admin_ids.values()).values_list("pk", "email"))
    EmailAddress.objects.bulk_create([
        EmailAddress(user_id=user_id, email=addresses[user_id], primary=True, verified=index == 0)
        for index, user_id in enumerate(admin_ids.values())
    ])
    requests = [
        ContractRequest(client_id=client.id, legal_entity_id=client.entities[0].id, requested_by_id=user_id,
                        comment=comment, created_at=created)
        for client, user_id, comment, created in _requests(clients, users, pending)
    ]
    ContractRequest.objects.bulk_create(requests)
    ctx.count("contract_requests", len(requests))
    ctx.count("notifications", _notify_region_staff(ctx, pending, requests))
    # Some clients let their buyers see colleagues' orders (the second one, for the demo logins).
    Client.objects.filter(pk__in=[c.id for c in clients if c.active and c.number % 3 == 2]).update(
        buyers_see_all_orders=True)
    ops, _ = Group.objects.get_or_create(name=OPS_GROUP)
    ops.user_set.add(*User.objects.filter(email=ADMIN_EMAIL))


def _requests(clients, users, pending):
    """The first pending client asks for a contract at registration; an active client asks for another."""
    rows = []
    if pending:
        first = pending[0]
        rows.append((first, users[first.id][User.Role.ADMINISTRATOR], "Просим договор с отсрочкой 14 дней.",
                     first.created_at))
    multi = next((c for c in clients if c.active and c.number > 1 and len(c.entities) > 1), None)
    if multi:
        rows.append((multi, users[multi.id][User.Role.ADMINISTRATOR], "Нужен отдельный договор на второе юрлицо.",
                     multi.created_at + timedelta(days=30)))
    return rows


def _notify_region_staff(ctx: SeedContext, pending: list[ClientInfo], requests: list[ContractRequest]) -> int:
    rows = []
    for client in pending:
        staff = User.objects.filter(Q(managed_regions=client.region.id) | Q(headed_regions=client.region.id),
                                    client__isnull=True).distinct().values_list("pk", flat=True)
        rows += [
            Notification(recipient_id=user_id, event="registration_submitted",
                         title=f"Новая регистрация: {client.name}", body=f"ИНН {client.entities[0].inn}.",
                         url=f"/admin/accounts/client/{client.id}/change/", created_at=client.created_at)
            for user_id in staff
        ]
    by_client = {client.id: client for client in pending}
    for request in requests:
        client = by_client.get(request.client_id)
        if client is None:
            continue
        staff = User.objects.filter(managed_regions=client.region.id).values_list("pk", flat=True)
        rows += [
            Notification(recipient_id=user_id, event="contract_requested", title=f"Заявка на договор: {client.name}",
                         body=request.comment, url=f"/admin/accounts/contractrequest/{request.pk}/change/",
                         created_at=request.created_at)
            for user_id in staff
        ]
    Notification.objects.bulk_create(rows)
    return len(rows)
