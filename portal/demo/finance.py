"""The money side of the demo clients: contracts, balances, individual prices, the price a client pays."""

import random
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from accounts.models import Balance, Contract
from catalog.models import ClientPrice

from .clients import ClientInfo
from .money import CENT, format_rubles, round_kopecks, rubles
from .products import Catalog
from .writer import SeedContext

DEFERRALS = (0, 0, 7, 14, 30, 45)
BLOCK_REASON = "Просроченная задолженность {amount} ₽ более 30 дней. Отгрузки приостановлены до погашения."


def list_price(client: ClientInfo, base_kopecks: int) -> Decimal:
    """What the client pays without an individual price, in roubles.

    The client's own price type wins; otherwise the region's base price with the client's
    discount and dealer coefficient. A price type in another currency counts at the central
    base price, which is what it converts back to.
    """
    if client.price_type:
        permille = client.price_type.permille if client.price_type.currency == "RUB" else 1000
        return rubles(round_kopecks(base_kopecks * permille // 1000))
    price = rubles(round_kopecks(base_kopecks * client.region.base_price_type.permille // 1000))
    if client.discount_percent:
        price = (price * (100 - client.discount_percent) / 100).quantize(CENT, ROUND_HALF_UP)
    if client.price_coefficient != 1:
        price = (price * client.price_coefficient).quantize(CENT, ROUND_HALF_UP)
    return price


def create_contracts(ctx: SeedContext, clients: list[ClientInfo]) -> None:
    """One or two contracts in roubles per legal entity of an active client."""
    rng = ctx.rng("contracts")
    rows, owners = [], []
    serial = 100
    for client in clients:
        if not client.active:
            continue
        for entity in client.entities:
            for _ in range(1 if rng.randrange(3) else 2):
                serial += rng.randint(1, 40)
                signed_on = client.created_at.date() + timedelta(days=rng.randint(1, 60))
                number = f"{serial}/{signed_on:%y}-ОПТ"
                deferral = rng.choice(DEFERRALS)
                limit = rubles(rng.randint(2, 100) * 50_000_00) if deferral else Decimal("0.00")
                valid_until = signed_on + timedelta(days=365 * rng.randint(1, 3)) if rng.randrange(3) else None
                rows.append((entity.id, number, signed_on, valid_until, "RUB", deferral, limit, None, True))
                owners.append(entity)
    fields = ("legal_entity_id", "number", "signed_on", "valid_until", "currency_id", "payment_deferral_days",
              "credit_limit", "price_type_id", "is_active")
    ctx.count("contracts", ctx.writer.insert(Contract, fields, rows))
    ids = {(entity_id, number): pk for entity_id, number, pk in Contract.objects.values_list(
        "legal_entity_id", "number", "pk")}
    for entity, row in zip(owners, rows, strict=True):
        entity.contracts.append((ids[(entity.id, row[1])], row[1], row[6]))


def _blocked_entity(clients: list[ClientInfo]):
    """The one legal entity with shipments blocked: the second client's, else the first client's sole trader."""
    active = [client for client in clients if client.active]
    if len(active) > 1:
        return active[1].entities[0]
    if active and len(active[0].entities) > 1:
        return active[0].entities[-1]
    return None


def _balance_row(rng: random.Random, ctx: SeedContext, client: ClientInfo, entity, blocked: bool) -> tuple:
    limit = max((contract[2] for contract in entity.contracts), default=Decimal("0.00"))
    prepaid = rng.randrange(10) < 3
    amount = -rng.randint(1_000_00, 200_000_00) if prepaid else rng.randint(0, max(int(limit * 100), 50_000_00))
    overdue = amount * rng.randint(10, 60) // 100 if amount > 0 and rng.randrange(100) < 15 else 0
    reason = ""
    if blocked:
        amount = max(amount, 150_000_00)
        overdue = amount * rng.randint(30, 70) // 100
        reason = BLOCK_REASON.format(amount=format_rubles(rubles(overdue)))
    confirmed_at = ctx.now - timedelta(minutes=rng.randint(5, 55))
    return (client.id, entity.id, "RUB", rubles(amount), rubles(overdue), limit, blocked, reason, confirmed_at)


def create_balances(ctx: SeedContext, clients: list[ClientInfo]) -> None:
    """A balance per legal entity of an active client: debts, prepayments, some overdue, one blocked."""
    rng = ctx.rng("balances")
    blocked = _blocked_entity(clients)
    rows = [
        _balance_row(rng, ctx, client, entity, entity is blocked)
        for client in clients
        if client.active
        for entity in client.entities
    ]
    fields = ("client_id", "legal_entity_id", "currency_id", "amount", "overdue_debt", "credit_limit",
              "shipment_blocked", "block_reason", "confirmed_at")
    ctx.count("balances", ctx.writer.insert(Balance, fields, rows))


def create_client_prices(ctx: SeedContext, clients: list[ClientInfo], catalog: Catalog) -> dict[int, dict]:
    """Individual prices, 5–30 popular products for the first client and about a third of the others.

    A quarter of them hold only under the client's first contract; some expire. Returns client
    id → product id → price, for the order history to use.
    """
    rng = ctx.rng("client-prices")
    pool = [position for position in catalog.popular if position not in catalog.unpriced]
    prices: dict[int, dict] = {}
    rows = []
    for client in clients:
        if not client.active or not pool or (client.number > 1 and rng.randrange(10) >= 3):
            continue
        contract_id = client.entities[0].contracts[0][0]
        for position in rng.sample(pool, min(len(pool), rng.randint(5, 30))):
            draft = catalog.drafts[position]
            amount = (list_price(client, draft.base_kopecks) * rng.randint(85, 95) / 100).quantize(CENT, ROUND_HALF_UP)
            scoped = rng.randrange(4) == 0
            valid_until = ctx.now.date() + timedelta(days=rng.randint(30, 180)) if rng.randrange(10) < 3 else None
            rows.append((client.id, contract_id if scoped else None, catalog.ids[position], amount, "RUB",
                         valid_until, ctx.now))
            if not scoped:
                prices.setdefault(client.id, {})[catalog.ids[position]] = amount
    fields = ("client_id", "contract_id", "product_id", "amount", "currency_id", "valid_until", "updated_at")
    ctx.count("client_prices", ctx.writer.insert(ClientPrice, fields, rows))
    return prices
