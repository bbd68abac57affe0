"""Seed an empty database with the demo dataset, or say why it was left alone.

`seed_demo` is the one entry point (the `seed_demo` management command calls it). The same
seed gives the same data — names, SKUs, prices, quantities, requisites, orders — because every
value comes from `random.Random` instances named after the seed and the step, and every
timestamp is an offset from one "now" captured at the start.
"""

import time
from dataclasses import asdict, dataclass
from datetime import datetime

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Client, LegalEntity, User
from base.models import Warehouse
from catalog.models import AssortmentItem, Category, Price, Product, ProductUnit, Property, PropertyValue, Stock
from orders.models import Order, OrderLine

from .clients import create_clients
from .finance import create_balances, create_client_prices, create_contracts
from .offers import create_assortments, create_prices, create_stock
from .orders import create_orders
from .products import create_products
from .reference import create_reference
from .registrations import create_registration_workflow
from .users import (
    ADMIN_EMAIL,
    DEMO_PASSWORD,
    DOMAIN,
    FIXED_LOGINS,
    MARKETING_EMAIL,
    MARKETING_GROUP,
    ROLE_WORDS,
    client_user_email,
    create_client_users,
    create_staff,
)
from .writer import BulkWriter, SeedContext, indexes_deferred, stderr_progress

#: The big tables: loaded without their secondary indexes and foreign keys, which are rebuilt after.
BULK_TABLES = tuple(model._meta.db_table for model in (
    Product, Price, Stock, ProductUnit, AssortmentItem, Product.property_values.through,
))
#: Tables worth fresh planner statistics right after a bulk load.
#: The small catalog tables count too: without statistics the facet queries pick bad plans.
ANALYZED_TABLES = (
    *BULK_TABLES,
    *(model._meta.db_table for model in (Order, OrderLine, Category, Property, PropertyValue, Warehouse)),
)
EXTRA_LOGINS = 10
_LOCK_KEY = 0x5EED_DE30  # serialises concurrent seeds on PostgreSQL


class DemoDataConflict(Exception):
    """The database holds products or clients that are not demo data: seeding would mix the two."""


@dataclass(frozen=True)
class Login:
    """A demo login as printed: e-mail, role, the client (or the staff member's region)."""

    email: str
    role: str
    client: str | None
    staff: bool
    region: str | None = None


@dataclass
class SeedResult:
    """What `seed_demo` did: whether it created data, a one-line message, counts, time, logins."""

    created: bool
    message: str
    counts: dict[str, int]
    seconds: float
    password: str
    logins: list[Login]

    def as_json(self) -> dict:
        return {
            "created": self.created, "message": self.message, "counts": self.counts, "seconds": self.seconds,
            "password": self.password, "logins": [asdict(login) for login in self.logins],
        }


def seed_demo(*, products: int = 2000, clients: int = 20, seed: int = 1, if_empty: bool = False,
              now: datetime | None = None, progress=stderr_progress) -> SeedResult:
    """Create the demo dataset in one transaction, unless the database already has data.

    With demo data present nothing changes and the result says so. With other products or
    clients present, `if_empty` makes it skip quietly; otherwise it refuses.
    Raises ValueError for counts below one and DemoDataConflict for a database with other data.
    """
    if products < 1 or clients < 1:
        raise ValueError("the demo needs at least one product and one client")
    started = time.monotonic()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        present = User.objects.filter(email=ADMIN_EMAIL).exists()
        if present or Product.objects.exists() or Client.objects.exists():
            return _left_alone(present, if_empty, started)
        ctx = SeedContext(seed, now or timezone.now(), BulkWriter(), progress)
        progress(f"Seeding demo data: {products} products, {clients} clients, seed {seed}")
        _seed(ctx, products, clients)
        if connection.vendor == "postgresql":
            with ctx.step("statistics (ANALYZE)"), connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {', '.join(ANALYZED_TABLES)}")
    seconds = round(time.monotonic() - started, 1)
    message = f"Created demo data in {seconds} s (seed {seed})."
    return SeedResult(True, message, dict(sorted(ctx.counts.items())), seconds, DEMO_PASSWORD, demo_logins())


def _seed(ctx: SeedContext, products: int, clients: int) -> None:
    with ctx.step("reference data and staff"):
        ref = create_reference(ctx)
        password_hash = make_password(DEMO_PASSWORD)  # once: the same hash serves every demo user
        staff = create_staff(ctx, ref, password_hash)
    with indexes_deferred(BULK_TABLES, ctx.progress):
        catalog = create_products(ctx, ref, products)
        create_prices(ctx, ref, catalog)
        stocked = create_stock(ctx, ref, catalog)
        assortments = create_assortments(ctx, ref, catalog, stocked)
    with ctx.step(f"{clients} clients with requisites, contracts, balances, users"):
        infos = create_clients(ctx, ref, staff, clients)
        create_contracts(ctx, infos)
        create_balances(ctx, infos)
        users = create_client_users(ctx, infos, password_hash)
        create_registration_workflow(ctx, infos, users)
        prices = create_client_prices(ctx, infos, catalog)
    with ctx.step("order history"):
        create_orders(ctx, catalog, infos, users, prices, assortments)


def existing_counts() -> dict[str, int]:
    """How much of the main data the database holds, for the "nothing changed" message."""
    models = {"products": Product, "prices": Price, "stock": Stock, "categories": Category, "clients": Client,
              "legal_entities": LegalEntity, "users": User, "orders": Order}
    return {name: model.objects.count() for name, model in models.items()}


def _left_alone(present: bool, if_empty: bool, started: float) -> SeedResult:
    counts = existing_counts()
    summary = ", ".join(f"{counts[key]} {key.replace('_', ' ')}" for key in ("products", "clients", "orders", "users"))
    if if_empty:
        what = "demo data already present" if present else "the database is not empty"
        message = f"Skipped (--if-empty): {what}: {summary} — nothing changed."
    elif present:
        message = f"Demo data already present: {summary} — nothing changed."
    else:
        raise DemoDataConflict(
            f"The database already holds data that is not the demo's ({summary}); seed_demo only fills an empty "
            "database. Use --if-empty to skip quietly, or seed a fresh database."
        )
    seconds = round(time.monotonic() - started, 1)
    return SeedResult(False, message, counts, seconds, DEMO_PASSWORD, demo_logins() if present else [])


def _staff_role(user: User) -> tuple[str, str | None]:
    if user.is_superuser:
        return "superuser", None
    if any(group.name == MARKETING_GROUP for group in user.groups.all()):
        return "marketing", None
    headed, managed = list(user.headed_regions.all()), list(user.managed_regions.all())
    if headed:
        return "head_manager", ", ".join(region.name for region in headed)
    if managed:
        return "regional_manager", ", ".join(region.name for region in managed)
    return "staff", None


def demo_logins() -> list[Login]:
    """The memorable demo logins first, then up to ten more: marketing, a head, more clients' users."""
    extras = [MARKETING_EMAIL, f"head.moskva@{DOMAIN}"]
    extras += [client_user_email(number, role) for number in (2, 3, 4) for role in ROLE_WORDS]
    wanted = [*FIXED_LOGINS, *extras[:EXTRA_LOGINS]]
    users = {
        user.email: user
        for user in User.objects.filter(email__in=wanted)
        .select_related("client")
        .prefetch_related("groups", "headed_regions", "managed_regions")
    }
    logins = []
    for email in wanted:
        user = users.get(email)
        if user is None:
            continue
        if user.client_id:
            logins.append(Login(email, user.role, user.client.name, False))
        else:
            role, region = _staff_role(user)
            logins.append(Login(email, role, None, True, region))
    return logins
