"""Reads of the accounts app, already scoped and carrying their joins."""

import datetime
from functools import lru_cache

from allauth.account.models import EmailAddress
from django.contrib.auth.tokens import default_token_generator
from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from base.models import PriceType, Region
from base.rawsql import columns, instance, select_rows, table

from .events import EVENTS, email_wanted
from .models import (
    Balance,
    Client,
    Contract,
    ContractRequest,
    LegalEntity,
    Notification,
    NotificationPreference,
    User,
)


def signed_in_user(pk: int) -> User | None:
    """The user of a session with its client's pricing terms — the client, its region with the region's base
    price type, and the client's own price type — in one query, or None.

    Every page loads the signed-in user, and a client's pages price goods under those terms (see
    `client_with_terms`). Written as SQL (base.rawsql): built by the ORM, the two queries it replaces cost
    a buyer's page more than a millisecond and a half before the database is even asked.
    """
    sql, fields = _signed_in_user_sql(connection.vendor)
    rows = select_rows(sql, [pk], fields)
    if not rows:
        return None
    values, models = rows[0], (User, Client, Region, PriceType, PriceType)
    loaded, start = [], 0
    for model in models:
        width = len(model._meta.concrete_fields)
        loaded.append(instance(model, values[start:start + width]))
        start += width
    user, client, region, base_price_type, price_type = loaded
    if client is not None:
        region.base_price_type = base_price_type
        client.region = region
        client.price_type = price_type
    user.client = client
    user._client_with_terms = client
    return user


def client_with_terms(user) -> Client:
    """The client of a client's user with its pricing terms loaded, as they are now: the session's user came
    with them (`signed_in_user`, read at the start of the request); any other user costs one query."""
    client = getattr(user, "_client_with_terms", None)
    if client is None:
        client = Client.objects.select_related("region__base_price_type", "price_type").get(pk=user.client_id)
        user.client = client
    return client


@lru_cache(maxsize=2)
def _signed_in_user_sql(vendor: str) -> tuple[str, list]:
    selected, fields = [], []
    for model, alias in ((User, "u"), (Client, "c"), (Region, "r"), (PriceType, "bp"), (PriceType, "cp")):
        sql, model_fields = columns(model, alias)
        selected.append(sql)
        fields += model_fields
    sql = (
        f"SELECT {', '.join(selected)} FROM {table(User)} u"  # noqa: S608 - names from the models' _meta
        f" LEFT JOIN {table(Client)} c ON c.id = u.client_id"
        f" LEFT JOIN {table(Region)} r ON r.id = c.region_id"
        f" LEFT JOIN {table(PriceType)} bp ON bp.id = r.base_price_type_id"
        f" LEFT JOIN {table(PriceType)} cp ON cp.id = c.price_type_id"
        " WHERE u.id = %s"
    )
    return sql, fields


def region_staff(region: Region) -> QuerySet[User]:
    """Active supplier staff of a region: its managers and its head (registration alerts go to them)."""
    return (
        User.objects.filter(is_active=True, client__isnull=True)
        .filter(Q(managed_regions=region) | Q(headed_regions=region))
        .distinct()
        .order_by("email")
    )


def client_approvers(client: Client) -> list[User]:
    """Who approves a pending client: its personal manager when one is set, else the region's staff."""
    if client.manager_id and client.manager.is_active:
        return [client.manager]
    return list(region_staff(client.region))


def email_used_by_another_user(email: str, *, user: User | None = None) -> bool:
    """Whether another account signs in with this address or has verified it.

    Another account's pending (unverified) address does not count: nobody may squat an address
    by merely typing it; whoever verifies it first gets it.
    """
    others_users = User.objects.filter(email__iexact=email)
    others_addresses = EmailAddress.objects.filter(email__iexact=email, verified=True)
    if user is not None:
        others_users = others_users.exclude(pk=user.pk)
        others_addresses = others_addresses.exclude(user_id=user.pk)
    return others_users.exists() or others_addresses.exists()


def client_administrators(client: Client) -> QuerySet[User]:
    return User.objects.filter(client=client, role=User.Role.ADMINISTRATOR, is_active=True).order_by("pk")


def client_for_cabinet(user) -> Client:
    return Client.objects.select_related("region", "manager", "price_type").get(pk=user.client_id)


def legal_entities_for_user(user) -> QuerySet[LegalEntity]:
    pending = ContractRequest.objects.filter(status=ContractRequest.Status.PENDING)
    return (
        LegalEntity.objects.filter(client_id=user.client_id)
        .prefetch_related("bank_accounts", Prefetch("contract_requests", pending, to_attr="pending_requests"))
        .order_by("name")
    )


def ordering_legal_entities(user) -> QuerySet[LegalEntity]:
    """The client's confirmed legal entities: the ones its users may order on behalf of."""
    return LegalEntity.objects.filter(client_id=user.client_id, is_confirmed=True).order_by("name", "pk")


def ordering_contracts(user, *, on: datetime.date) -> QuerySet[Contract]:
    """Contracts in force on `on` (active, signed, not expired) of the client's confirmed legal
    entities, with their currency and legal entity loaded."""
    return (
        Contract.objects.filter(legal_entity__client_id=user.client_id, legal_entity__is_confirmed=True,
                                is_active=True, signed_on__lte=on)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .select_related("currency", "legal_entity")
        .order_by("legal_entity__name", "legal_entity_id", "-signed_on", "pk")
    )


def legal_entity_balance(legal_entity: LegalEntity) -> Balance | None:
    """The ERP's settlements with a legal entity (balance, overdue debt, credit limit, block), or None."""
    return Balance.objects.select_related("currency", "legal_entity").filter(legal_entity=legal_entity).first()


def client_users(user) -> QuerySet[User]:
    return User.objects.filter(client_id=user.client_id).order_by("-is_active", "role", "email")


def notifications_for_user(user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def email_choices(user) -> list[tuple[object, bool, str]]:
    """(event, e-mailed?, code) for every event the user may choose, stored choice or default."""
    audience = "client" if user.client_id else "staff"
    stored = dict(NotificationPreference.objects.filter(user=user).values_list("event", "by_email"))
    return [
        (event, email_wanted(user, code, stored), code)
        for code, event in EVENTS.items()
        if event.audience in {"all", audience}
    ]


def invited_user(*, uidb64: str, token: str):
    """The active client user an invitation link names, or None when the link is malformed or spent."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    user = User.objects.filter(pk=pk, client__isnull=False, is_active=True).select_related("client").first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user
