"""No 500 on hostile input: every URL of the portal, every parameter its view reads, a fixed list
of hostile values, as a guest, as a client's user and as supplier staff.

The URLs come from the resolver (a URL added later is walked too, with generic parameters until
it gets its own line in PARAMS); path ids are real objects of a small seeded shop. Requests run
as in production: DEBUG off and exceptions turned into responses, so a crash shows as a 500.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Notification, User
from tests.accounts.factories import registration_data
from tests.catalog.factories import PropertyValueFactory, ReviewFactory
from tests.factories import (
    BankAccountFactory,
    CategoryFactory,
    ClientUserFactory,
    ContractFactory,
    OrderFactory,
    OrderLineFactory,
    PriceFactory,
    PriceTypeFactory,
    ProductFactory,
    RegionFactory,
    StaffUserFactory,
    StockFactory,
    WarehouseFactory,
)

pytestmark = [pytest.mark.django_db]

HOSTILE = [
    "²", "٣", "７", "\x00", "a\x00b", "1e999999", "9" * 30, "9" * 500, "-1", "0", "NaN", "Infinity", "", " ",
    "' OR 1=1 --", "<script>alert(1)</script>", "x" * 5000,
]
#: Fewer values where a view only hands the text to Django (admin lists, path segments).
HOSTILE_SHORT = ["²", "\x00", "9" * 30, "1e999999", "' OR 1=1 --"]
#: Object ids in the admin's paths (a NUL is refused before any view, see RequestInputMiddleware).
HOSTILE_IDS = ["²", "9" * 30]
FLOOD = 3000  # repeated values of one parameter: more fields than Django parses at once

LISTING = ["q", "f", "stock", "price_min", "price_max", "sort", "page", "per_page"]
ENTITY = ["kind", "full_name", "name", "inn", "kpp", "ogrn", "legal_address", "actual_address", "bik",
          "bank_name", "account", "correspondent_account"]
REGISTRATION = [*ENTITY, "contact_name", "contact_position", "email", "phone", "region", "password1",
                "password2", "request_contract", "contract_comment"]
GENERIC = ["next"]

#: The parameters each view reads, by URL name and method; views not listed get GENERIC on GET and POST.
PARAMS: dict[str, dict[str, list[str]]] = {
    "home": {"GET": []},
    "healthz": {"GET": []},
    "set_language": {"POST": ["language", "next"]},
    "accounts:register": {"GET": [], "POST": REGISTRATION},
    "accounts:register_done": {"GET": []},
    "accounts:confirm_email": {"GET": []},
    "accounts:invitation": {"GET": [], "POST": ["password1", "password2"]},
    "account_login": {"GET": ["next"], "POST": ["login", "password", "remember", "next"]},
    "account_signup": {"GET": [], "POST": ["email", "password1", "password2"]},
    "account_reset_password": {"GET": [], "POST": ["email"]},
    "account_reset_password_from_key": {"GET": [], "POST": ["password1", "password2"]},
    "account_change_password": {"GET": [], "POST": ["oldpassword", "password1", "password2"]},
    "account_set_password": {"GET": [], "POST": ["password1", "password2"]},
    "account_email": {"GET": [], "POST": ["email", "action_add", "action_remove", "action_primary"]},
    "cabinet:profile": {"GET": []},
    "cabinet:legal_entities": {"GET": []},
    "cabinet:legal_entity_add": {"GET": [], "POST": ENTITY},
    "cabinet:legal_entity_edit": {"GET": [], "POST": ENTITY},
    "cabinet:contract_request": {"POST": ["comment"]},
    "cabinet:users": {"GET": [], "POST": ["email", "first_name", "last_name", "role"]},
    "cabinet:user_role": {"POST": ["role"]},
    "cabinet:user_active": {"POST": ["active"]},
    "notifications:list": {"GET": ["page"]},
    "notifications:bell": {"GET": []},
    "notifications:read_all": {"POST": []},
    "notifications:read": {"POST": ["follow"]},
    "notifications:preferences": {"POST": ["email"]},
    "catalog:index": {"GET": LISTING},
    "catalog:category": {"GET": LISTING},
    "catalog:suggest": {"GET": ["q"]},
    "catalog:pricelist": {"GET": ["category"]},
    "cart:add": {"POST": ["product", "unit", "quantity", "next"]},
    "cart:checkout": {"GET": [], "POST": ["legal_entity", "contract", "delivery_method", "address", "new_address",
                                          "delivery_date", "pickup_warehouse", "pickup_date", "comment",
                                          "po_number", "revision", "digest", "action"]},
    "catalog:product": {"GET": []},
    "catalog:related": {"GET": []},
    "catalog:reviews": {"GET": [], "POST": ["rating", "text"]},
    "orders:list": {"GET": ["page"]},
    "orders:analytics": {"GET": ["months", "date_from", "date_to", "currency"]},
    "orders:detail": {"GET": []},
    "orders:submit": {"POST": ["desired_date"]},
    "sync:exchange": {"GET": ["type", "mode", "filename", "version", "sessid"]},
    "sync:data_age": {"GET": []},
}
#: Views whose parameters are tried all at once, one request per value: forms (Django checks each
#: field on its own whatever the others hold) and views parsing like one already walked per parameter.
ALL_AT_ONCE = {"set_language", "accounts:register", "accounts:invitation", "account_login", "account_signup",
               "account_reset_password", "account_reset_password_from_key", "account_change_password",
               "account_set_password", "account_email", "cabinet:legal_entity_add", "cabinet:legal_entity_edit",
               "cabinet:users", "cabinet:user_role", "catalog:category", "cart:checkout"}
ADMIN_LIST_PARAMS = ["q", "p", "o", "e", "all", "_to_field", "_popup"]
#: Requests that would end the walking user's session.
SESSION_ENDING = {"account_logout", "admin:logout"}


@dataclass
class Shop:
    product: object
    category: object
    facet: object
    entity: object
    order: object
    admin: User
    colleague: User
    notification: Notification
    staff: User
    region: object


@pytest.fixture
def shop(settings) -> Shop:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.PORTAL_REGISTRATION_RATE_LIMIT = 10**6
    base = PriceTypeFactory()
    region = RegionFactory(base_price_type=base)
    warehouse = WarehouseFactory(region=region)
    admin = ClientUserFactory(client__region=region, role=User.Role.ADMINISTRATOR)
    colleague = ClientUserFactory(client=admin.client, role=User.Role.MANAGER)
    category = CategoryFactory()
    product = ProductFactory(category=category)
    PriceFactory(product=product, price_type=base, amount=Decimal("12.50"))
    StockFactory(product=product, warehouse=warehouse, quantity=Decimal("40"))
    facet = PropertyValueFactory()
    product.property_values.add(facet)
    ReviewFactory(product=product, author=colleague, status="published")
    entity = BankAccountFactory(legal_entity__client=admin.client).legal_entity
    ContractFactory(legal_entity=entity)
    order = OrderFactory(client=admin.client, legal_entity=entity, created_by=admin)
    OrderLineFactory(order=order, product=product)
    notification = Notification.objects.create(recipient=admin, event="order_submitted", title="t", url="/orders/")
    staff = StaffUserFactory(is_superuser=True)
    return Shop(product, category, facet, entity, order, admin, colleague, notification, staff, region)


def _walk(patterns, namespace=""):
    """(URL name, the names of its path arguments) of every named URL pattern."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            for name, arguments in _walk(entry.url_patterns, inner):
                yield name, [*re.compile(entry.pattern.regex.pattern).groupindex, *arguments]
        elif isinstance(entry, URLPattern) and entry.name:
            yield namespace + entry.name, list(entry.pattern.regex.groupindex)


def _real_arguments(name: str, arguments: list[str], shop: Shop) -> dict:
    """Path arguments naming real objects the walking user may reach."""
    ids = {"cabinet:legal_entity_edit": shop.entity.pk, "cabinet:contract_request": shop.entity.pk,
           "cabinet:user_role": shop.colleague.pk, "cabinet:user_active": shop.colleague.pk,
           "notifications:read": shop.notification.pk, "orders:detail": shop.order.pk}
    values = {"pk": ids.get(name, shop.product.pk), "slug": shop.category.slug, "app_label": "catalog",
              "object_id": shop.product.pk, "content_type_id": 1, "token": "x", "uidb64": "MQ", "uidb36": "1",
              "key": "set-password", "url": "catalog/", "path": "x"}
    return {argument: values.get(argument, "1") for argument in arguments}


def _urls(name: str, arguments: list[str], shop: Shop) -> list[str]:
    """The URL with real arguments, then with each argument replaced by hostile values."""
    real = _real_arguments(name, arguments, shop)
    urls = []
    if name.startswith("admin:"):  # Django's own pages but the object-permission ones
        values = HOSTILE_IDS if name.endswith(("_change", "_permissions", "_manage_user", "_manage_group")) else []
    else:
        values = HOSTILE_SHORT
    hostile = [{**real, argument: value} for argument in arguments for value in values]
    for kwargs in [real, *hostile]:
        try:
            urls.append(reverse(name, kwargs=kwargs))
        except NoReverseMatch:
            continue
    return list(dict.fromkeys(urls))


def _base_data(name: str, shop: Shop) -> dict:
    """Valid form data the hostile value is put into, so each parameter is read past the others."""
    entity = {key: value for key, value in registration_data(shop.region, inn="7736050003", kpp="773601001",
                                                             ogrn="1027700132195").items() if key in ENTITY}
    return {
        "accounts:register": registration_data(shop.region, email="hostile@example.com"),
        "cabinet:legal_entity_add": entity, "cabinet:legal_entity_edit": entity,
        "cabinet:users": {"email": "invited@example.com", "role": "manager"},
        "cabinet:user_role": {"role": "manager"}, "cabinet:user_active": {"active": "1"},
        "cart:add": {"product": str(shop.product.pk), "quantity": "1", "next": "/catalog/"},
        "catalog:reviews": {"rating": "5", "text": "Хорошо"},
        "catalog:index": {"f": f"{shop.facet.property.slug}:{shop.facet.pk}"},
        "account_login": {"login": "nobody@example.com", "password": "wrong-password"},
        "set_language": {"language": "en", "next": "/catalog/"},
    }.get(name, {})


def _requests(name: str, url: str, shop: Shop, *, each_param: bool):
    """(method, url, data) of the hostile requests to one URL.

    `each_param`: every parameter gets every value while the others keep valid ones; otherwise
    one request per value sets every parameter to it (always so for ALL_AT_ONCE).
    """
    if name.startswith("admin:"):
        if name.endswith("_changelist"):
            for value in HOSTILE_SHORT:
                yield "GET", url, dict.fromkeys(ADMIN_LIST_PARAMS, value)
        return
    for method, params in PARAMS.get(name, {"GET": GENERIC, "POST": GENERIC}).items():
        if not params:
            continue
        base = _base_data(name, shop)
        values = HOSTILE if name in PARAMS else HOSTILE_SHORT
        if each_param and name not in ALL_AT_ONCE:
            for param in params:
                for value in values:
                    yield method, url, {**base, param: value}
        else:
            for value in values:
                yield method, url, {**base, **dict.fromkeys(params, value)}
        yield method, url, {**base, params[0]: [f"{number}:1" for number in range(FLOOD)]}


def _served(response) -> bool:
    """The view ran for this user: not sent to sign in, refused or unknown."""
    if response.status_code in (401, 403, 404, 405):
        return False
    return not (response.status_code == 302 and "login" in response.get("Location", ""))


def _walk_as(client: Client, shop: Shop, *, each_param: bool, only=None) -> list[str]:
    """Every URL: its plain request, its path arguments replaced by hostile values, then its
    parameters; `only(name)` says which URLs get more than the plain request. The admin is
    walked by staff only (for others it is the sign-in redirect)."""
    failures = []
    client_is_staff = only is not None and only("admin:")

    def send(method: str, url: str, data: dict):
        request = client.get if method == "GET" else client.post
        try:
            with transaction.atomic():  # a failed query must not spoil the requests after it
                response = request(url, data)
        except DatabaseError:  # the 500 is recorded; the savepoint could not be released
            pass
        if response.status_code >= 500:
            shown = {key: value if len(str(value)) < 40 else f"{str(value)[:20]}…" for key, value in data.items()}
            failures.append(f"{response.status_code} {method} {url} {shown}")
        return response

    for name, arguments in _walk(get_resolver().url_patterns):
        if name in SESSION_ENDING or name.startswith("admin:") and not client_is_staff:
            continue
        url, *hostile_urls = _urls(name, arguments, shop)
        methods = ["GET"] if name.startswith("admin:") else PARAMS.get(name, {"GET": [], "POST": []})
        served = [send(method, url, _base_data(name, shop)) for method in methods]
        if only is not None and not only(name):
            continue
        for hostile_url in hostile_urls:
            send("GET", hostile_url, {})
        if any(_served(response) for response in served):
            for method, target, data in _requests(name, url, shop, each_param=each_param):
                send(method, target, data)
    return failures


def _client(user=None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def test_no_server_error_for_a_guest(shop):
    failures = _walk_as(_client(), shop, each_param=False, only=lambda name: not name.startswith("admin:"))
    assert not failures, "\n".join(failures)


def test_no_server_error_for_a_client_user(shop):
    """A client's administrator reaches every client page: each parameter is tried on its own."""
    failures = _walk_as(_client(shop.admin), shop, each_param=True, only=lambda name: not name.startswith("admin:"))
    assert not failures, "\n".join(failures)


def test_no_server_error_for_staff(shop):
    """Staff: the admin and the staff pages; elsewhere the plain requests (the other walks cover the rest)."""
    failures = _walk_as(_client(shop.staff), shop, each_param=False,
                        only=lambda name: name.startswith(("admin:", "sync:")))
    assert not failures, "\n".join(failures)
