"""Demo clients: companies with legal entities, bank accounts, contracts and balances.

All but the last two clients are active; those two wait for approval, with one unconfirmed
legal entity each. Requisites are checksum-valid and unique (see `requisites`).
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from accounts.models import BankAccount, Client, LegalEntity

from . import requisites
from .geography import CITIES, address
from .people import LEGAL_FORMS, company_name, person
from .reference import EXTRA_PRICE_TYPES, PriceTypeInfo, Reference, RegionInfo
from .requisites import BANKS, Bank, bank_branch, kpp, settlement_account
from .users import Staff
from .writer import SeedContext

PENDING_CLIENTS = 2
#: Relative weight of a region when spreading clients: the capitals have more clients.
REGION_WEIGHTS = {"moskva": 6, "sankt-peterburg": 4, "ekaterinburg": 2, "novosibirsk": 2, "kazan": 2}
NAME_SUFFIXES = ("Логистик", "Опт", "Регион", "Сервис", "Снаб", "Строй")


@dataclass
class EntityInfo:
    """A legal entity as the later steps see it."""

    id: int
    kind: str
    inn: str
    kpp: str
    actual_address: str
    contracts: list[tuple[int, str, Decimal]] = field(default_factory=list)  # id, number, credit limit


@dataclass
class ClientInfo:
    """A client as the later steps see it: pricing terms, region, legal entities."""

    number: int
    name: str
    active: bool
    region: RegionInfo
    manager_id: int
    created_at: datetime
    price_type: PriceTypeInfo | None = None
    discount_percent: Decimal = Decimal("0")
    price_coefficient: Decimal = Decimal("1")
    id: int = 0
    entities: list[EntityInfo] = field(default_factory=list)


def _pricing_terms(rng: random.Random, number: int, ref: Reference) -> dict:
    """The client's deal: its own price type, a discount, a dealer coefficient, or list prices."""
    if number == 1:
        return {"discount_percent": Decimal("3.00")}
    roll = rng.randrange(10)
    if roll < 2:
        return {"price_type": ref.price_type(rng.choice(EXTRA_PRICE_TYPES)[0])}
    if roll < 5:
        return {"discount_percent": Decimal(rng.randint(2, 10) * 100).scaleb(-2)}
    if roll < 6:
        return {"price_coefficient": Decimal(rng.randint(900, 980) * 10).scaleb(-4)}
    return {}


def plan_clients(ctx: SeedContext, ref: Reference, staff: Staff, count: int) -> list[ClientInfo]:
    """Who the clients are: `count` active ones (the first in Moscow) and two pending ones."""
    rng = ctx.rng("clients")
    weights = [REGION_WEIGHTS.get(region.city.code, 1) for region in ref.regions]
    taken: set[str] = set()
    clients = []
    for number in range(1, count + PENDING_CLIENTS + 1):
        region = ref.regions[0] if number == 1 else rng.choices(ref.regions, weights)[0]
        managers = staff.managers[region.id]
        clients.append(ClientInfo(
            number=number, name=company_name(rng, taken), active=number <= count, region=region,
            manager_id=managers[0] if number == 1 else rng.choice(managers),
            created_at=ctx.now - timedelta(days=rng.randint(120, 900), minutes=rng.randrange(1440)),
            **_pricing_terms(rng, number, ref),
        ))
    return clients


def create_clients(ctx: SeedContext, ref: Reference, staff: Staff, count: int) -> list[ClientInfo]:
    """Create the clients with their legal entities and bank accounts."""
    clients = plan_clients(ctx, ref, staff, count)
    fields = ("name", "region_id", "manager_id", "status", "price_type_id", "discount_percent", "price_coefficient",
              "rejection_reason", "created_at", "approved_at")
    rows = (
        (c.name, c.region.id, c.manager_id, Client.Status.ACTIVE if c.active else Client.Status.PENDING,
         c.price_type.id if c.price_type else None, c.discount_percent, c.price_coefficient, "", c.created_at,
         c.created_at + timedelta(days=1, hours=c.number % 7) if c.active else None)
        for c in clients
    )
    ctx.count("clients", ctx.writer.insert(Client, fields, rows))
    ids = dict(Client.objects.values_list("name", "pk"))  # the seed runs only on a database without clients
    for client in clients:
        client.id = ids[client.name]
    _create_legal_entities(ctx, clients)
    _create_bank_accounts(ctx, clients)
    return clients


def _unique(make, taken: set[str]) -> str:
    """A value from `make()` not in `taken` (retrying on the rare clash); adds it there."""
    value = make()
    while value in taken:
        value = make()
    taken.add(value)
    return value


def _entity_row(rng: random.Random, client: ClientInfo, sole_trader: bool, taken: set[str], index: int) -> tuple:
    city = client.region.city if rng.randrange(10) < 8 else CITIES[0]
    office = requisites.tax_office(rng, city.subject)
    year = client.created_at.year - rng.randint(1, 15)
    legal_address = address(rng, city)
    actual = legal_address if rng.randrange(2) else address(rng, client.region.city)
    if sole_trader:
        owner = person(rng)
        inn = _unique(lambda: requisites.person_inn(rng, office), taken)
        return (client.id, LegalEntity.Kind.SOLE_TRADER, f"ИП {owner.short_name}",
                f"Индивидуальный предприниматель {owner.full_name}", inn, "",
                requisites.sole_trader_ogrnip(rng, city.subject, year), legal_address, actual, client.active,
                client.created_at)
    form, full_form = LEGAL_FORMS[0] if rng.randrange(4) else LEGAL_FORMS[1]
    trade = client.name if index == 0 else f"{client.name}-{rng.choice(NAME_SUFFIXES)}"
    inn = _unique(lambda: requisites.company_inn(rng, office), taken)
    return (client.id, LegalEntity.Kind.COMPANY, f"{form} «{trade}»", f"{full_form} «{trade}»", inn, kpp(office),
            requisites.company_ogrn(rng, city.subject, year), legal_address, actual, client.active, client.created_at)


def _create_legal_entities(ctx: SeedContext, clients: list[ClientInfo]) -> None:
    """1–3 legal entities per active client (the first client: a company and a sole trader)."""
    rng = ctx.rng("legal-entities")
    taken: set[str] = set()
    rows = []
    for client in clients:
        kinds = [False]
        if client.number == 1:
            kinds.append(True)
        elif client.active:
            kinds += [rng.randrange(3) == 0 for _ in range(rng.choice((0, 0, 1, 1, 2)))]
        rows += [(client, _entity_row(rng, client, sole, taken, index)) for index, sole in enumerate(kinds)]
    fields = ("client_id", "kind", "name", "full_name", "inn", "kpp", "ogrn", "legal_address", "actual_address",
              "is_confirmed", "created_at")
    ctx.count("legal_entities", ctx.writer.insert(LegalEntity, fields, (row for _, row in rows)))
    ids = {(inn, kpp_): pk for inn, kpp_, pk in LegalEntity.objects.values_list("inn", "kpp", "pk")}
    for client, row in rows:
        client.entities.append(EntityInfo(ids[(row[4], row[5])], row[1], row[4], row[5], row[8]))


def _branches(rng: random.Random, clients: list[ClientInfo]) -> dict[str, list[Bank]]:
    """Every bank's branch in each client's region (Moscow: the published БИК 0445252xx)."""
    branches: dict[str, list[Bank]] = {}
    for region in dict.fromkeys(client.region for client in clients):
        city = region.city
        division = "25" if city.code == "moskva" else f"{rng.randint(10, 99):02d}"
        branches[city.code] = [
            bank_branch(name if city.code == "moskva" else f"{name}, филиал в г. {city.name}", ending, city.okato,
                        division)
            for name, ending in BANKS
        ]
    return branches


def _create_bank_accounts(ctx: SeedContext, clients: list[ClientInfo]) -> None:
    """One settlement account per legal entity, a second one for about a third of them."""
    rng = ctx.rng("bank-accounts")
    branches = _branches(rng, clients)
    rows = []
    for client in clients:
        for entity in client.entities:
            banks = rng.sample(branches[client.region.city.code], 2 if rng.randrange(3) == 0 else 1)
            for primary, bank in zip((True, False), banks, strict=False):
                account = settlement_account(rng, bank.bik, entity.kind == LegalEntity.Kind.SOLE_TRADER)
                rows.append((entity.id, bank.bik, bank.name, account, bank.correspondent_account, primary))
    fields = ("legal_entity_id", "bik", "bank_name", "account", "correspondent_account", "is_primary")
    ctx.count("bank_accounts", ctx.writer.insert(BankAccount, fields, rows))
