"""Offers of the demo catalog: prices per price type, stock per warehouse, regional assortments."""

import random
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from catalog.models import AssortmentItem, Price, Stock

from .money import CENT, round_kopecks, rubles
from .products import FRACTIONAL_UNITS, Catalog
from .reference import PriceTypeInfo, Reference
from .writer import SeedContext

ZERO_STOCK = Decimal("0.000")
#: Base price (kopecks) → stock range in base units: cheap goods lie in thousands, tools in units.
STOCK_RANGES = ((1_000, 200, 20_000), (10_000, 20, 3_000), (100_000, 5, 500), (None, 1, 60))


def price_amount(base_kopecks: int, price_type: PriceTypeInfo, rate: Decimal) -> Decimal:
    """The price of a product in a price type, from its central base price in kopecks.

    The price type's per-mille coefficient applies first; a price in another currency is
    converted at the supplier's rate and rounded to cents.
    """
    amount = rubles(round_kopecks(base_kopecks * price_type.permille // 1000))
    if price_type.currency == "RUB":
        return amount
    return (amount / rate).quantize(CENT, ROUND_HALF_UP)


def create_prices(ctx: SeedContext, ref: Reference, catalog: Catalog) -> None:
    """A price in every price type for every product except the "price on request" ones."""
    types = [(info, ref.rates.get(info.currency, Decimal(1))) for info in ref.price_types]

    def rows():
        for position, (product_id, draft) in enumerate(zip(catalog.ids, catalog.drafts, strict=True)):
            if position in catalog.unpriced:
                continue
            for info, rate in types:
                yield info.id, product_id, price_amount(draft.base_kopecks, info, rate), info.currency, ctx.now

    with ctx.step("prices"):
        fields = ("price_type_id", "product_id", "amount", "currency_id", "updated_at")
        ctx.count("prices", ctx.writer.insert(Price, fields, rows()))


def _quantity(rng: random.Random, base_kopecks: int, unit: str, multiplicity: Decimal) -> Decimal:
    """A stock quantity with three decimals: whole multiples of the order step, or metres in tenths."""
    low, high = next((low, high) for limit, low, high in STOCK_RANGES if limit is None or base_kopecks < limit)
    if unit in FRACTIONAL_UNITS:
        grain = 1 if unit == "166" else 100  # kilograms to the gram, metres and litres in tenths
        return Decimal(rng.randint(low * 1000, high * 1000) // grain * grain).scaleb(-3)
    step = max(int(multiplicity), 1)
    return Decimal(max(rng.randint(low, high) // step, 1) * step * 1000).scaleb(-3)


def _warehouses_of(rng: random.Random, popular: bool, central: int, others: list[int]) -> list[int]:
    """Where a product is stocked: mostly the central warehouse; popular goods in about ten more."""
    chosen = [central] if rng.randrange(100) < 85 else []
    roll = rng.randrange(10)
    extra = min(10, len(others)) if popular else (0 if roll < 5 else 1 if roll < 8 else 2)
    return chosen + rng.sample(others, min(extra, len(others)))


def create_stock(ctx: SeedContext, ref: Reference, catalog: Catalog) -> dict[int, set[int]]:
    """Stock rows, about 2.5 per product; ~15 % are zero, some of those with an expected arrival.

    Returns warehouse id → positions of the products stocked there.
    """
    rng = ctx.rng("stock")
    central, *others = [pk for region in ref.regions for pk in region.warehouse_ids]
    confirmed = [ctx.now - timedelta(minutes=minutes, seconds=minutes * 13 % 60) for minutes in range(1, 13)]
    today = ctx.now.date()
    popular = set(catalog.popular)
    stocked: dict[int, set[int]] = {}

    def rows():
        for position, (product_id, draft) in enumerate(zip(catalog.ids, catalog.drafts, strict=True)):
            for warehouse in _warehouses_of(rng, position in popular, central, others):
                stocked.setdefault(warehouse, set()).add(position)
                expected_on = expected_quantity = None
                if rng.randrange(100) < 15:
                    quantity = ZERO_STOCK
                    if rng.randrange(10) < 6:
                        expected_on = today + timedelta(days=rng.randint(2, 30))
                        expected_quantity = _quantity(rng, draft.base_kopecks, draft.unit, draft.multiplicity)
                else:
                    quantity = _quantity(rng, draft.base_kopecks, draft.unit, draft.multiplicity)
                yield product_id, warehouse, quantity, rng.choice(confirmed), expected_on, expected_quantity

    with ctx.step("stock"):
        fields = ("product_id", "warehouse_id", "quantity", "confirmed_at", "expected_on", "expected_quantity")
        ctx.count("stock", ctx.writer.insert(Stock, fields, rows()))
    return stocked


def create_assortments(ctx: SeedContext, ref: Reference, catalog: Catalog, stocked: dict[int, set[int]]):
    """Assortments of the restricted regions: what their warehouses stock plus about 30 % of the rest.

    Returns region id → positions of the products in its assortment (restricted regions only).
    """
    rng = ctx.rng("assortment")
    assortments: dict[int, set[int]] = {}
    for region in ref.regions:
        if not region.city.restricted:
            continue
        chosen = set().union(*(stocked.get(pk, set()) for pk in region.warehouse_ids))
        chosen.update(position for position in range(len(catalog.ids)) if rng.randrange(10) < 3)
        assortments[region.id] = chosen
    rows = (
        (region_id, catalog.ids[position]) for region_id, chosen in assortments.items() for position in sorted(chosen)
    )
    with ctx.step("assortments"):
        ctx.count("assortment_items", ctx.writer.insert(AssortmentItem, ("region_id", "product_id"), rows))
    return assortments
