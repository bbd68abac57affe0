"""The pricing strategy: what a client pays for many products, in a constant number of queries.

Rules, first match wins (every rule is one row of tests/catalog/test_pricing.py):

1. an individual price of the client under the chosen contract;
2. an individual price of the client for any contract (contract empty);
3. the contract's price type (when the contract has one: prices differ by contract);
4. the client's own price type;
5. the region's base price type, multiplied by the client's dealer coefficient and reduced by
   the client's discount (a negative discount is a markup);
6. otherwise the price is "on request" (цена по запросу): shown as such, not sold online.

Expired individual prices (`valid_until` in the past) are ignored. Amounts stored in a foreign
or internal currency are converted at the supplier's rate (Currency.rate, units of the base
currency for one unit) into the currency shown — the contract's currency when the contract has
a real one, else PORTAL_DEFAULT_CURRENCY — and rounded to kopecks half-up. A price per
alternative unit is the rounded unit price times the unit's coefficient, rounded again, so it
always equals what a cart line of that many base units costs.

Whether a price includes VAT is its price type's `vat_included`; an individual price follows the
client's effective price type (the one `effective_price_type_id` names).
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from django.conf import settings
from django.db.models import F, FilteredRelation, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from base.models import Currency
from base.rawsql import any_of, select_rows, table

from .models import ClientPrice, Price

KOPECK = Decimal("0.01")
HUNDRED = Decimal(100)
_INDIVIDUAL_CONTRACT = -2  # markers of individual prices in the one union query
_INDIVIDUAL_CLIENT = -1


class PriceSource(StrEnum):
    INDIVIDUAL = "individual"
    CONTRACT_PRICE_TYPE = "contract_price_type"
    CLIENT_PRICE_TYPE = "client_price_type"
    REGION_BASE = "region_base"
    ON_REQUEST = "on_request"


SOURCE_LABELS = {
    PriceSource.INDIVIDUAL: _("Individual price"),
    PriceSource.CONTRACT_PRICE_TYPE: _("Contract price"),
    PriceSource.CLIENT_PRICE_TYPE: _("Your price type"),
    PriceSource.REGION_BASE: _("Regional price"),
    PriceSource.ON_REQUEST: _("Price on request"),
}


def round_money(amount: Decimal) -> Decimal:
    """Round to kopecks, half-up (0.005 → 0.01)."""
    return amount.quantize(KOPECK, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class PricingContext:
    """Who is priced: the client's price types, discount and coefficient, and the shown currency.

    Built by the purchase strategy (`catalog.purchase.purchase_strategy`); `client_id=None` with a
    region base price type is the guest view (PORTAL_GUEST_CATALOG), with no adjustment.
    """

    client_id: int | None
    contract_id: int | None
    contract_price_type_id: int | None
    client_price_type_id: int | None
    base_price_type_id: int | None
    discount_percent: Decimal = Decimal(0)
    coefficient: Decimal = Decimal(1)
    currency: str = "RUB"
    currency_rate: Decimal = Decimal(1)
    vat_excluded: frozenset[int] = frozenset()  # ids of the price types above whose prices exclude VAT

    @property
    def effective_price_type_id(self) -> int | None:
        """The price type the client's prices come from, individual prices aside (used to sort by price)."""
        return self.contract_price_type_id or self.client_price_type_id or self.base_price_type_id

    def vat_included(self, source: PriceSource | None = None) -> bool:
        """Whether prices of `source` include VAT (None or an individual price: the effective price type's rule)."""
        type_id = {
            PriceSource.CONTRACT_PRICE_TYPE: self.contract_price_type_id,
            PriceSource.CLIENT_PRICE_TYPE: self.client_price_type_id,
            PriceSource.REGION_BASE: self.base_price_type_id,
        }.get(source) or self.effective_price_type_id
        return type_id not in self.vat_excluded

    @property
    def region_factor(self) -> Decimal:
        """What a region base price is multiplied by: the dealer coefficient less the discount."""
        return self.coefficient * (HUNDRED - self.discount_percent) / HUNDRED

    def shown(self, amount, rate, source: PriceSource):
        """A stored amount in the shown currency, adjusted when it is a region base price; not rounded.

        The one place of the formula: it works on Decimals (the price of a row) and on query
        expressions alike (the `list_price` annotation of the price range filter).
        """
        value = amount * rate / self.currency_rate
        return value * self.region_factor if source == PriceSource.REGION_BASE else value

    def with_list_price(self, products: QuerySet, converted: bool = False) -> QuerySet:
        """Annotate `list_amount` (the stored price of the effective price type, for sorting) and, when
        `converted`, `list_price` (in the shown currency and adjusted, for the price range).

        Individual prices are left out here: they are few, and sorting by them would cost a join
        over the whole catalog; sorting by price is therefore by the price type's price, an
        approximation for products with an individual price. Rows show the exact price.
        """
        if "list_amount" not in products.query.annotations:
            products = products.annotate(
                list_row=FilteredRelation("prices", condition=Q(prices__price_type_id=self.effective_price_type_id)),
                list_amount=F("list_row__amount"),
            )
        if not converted or "list_price" in products.query.annotations:
            return products
        source = PriceSource.REGION_BASE
        if self.contract_price_type_id or self.client_price_type_id:
            source = PriceSource.CLIENT_PRICE_TYPE
        return products.annotate(list_price=self.shown(F("list_row__amount"), F("list_row__currency__rate"), source))


@dataclass(frozen=True)
class ProductPrice:
    """The price of one product for a client, per base unit, in the shown currency."""

    amount: Decimal | None
    currency: str
    source: PriceSource
    per_unit: dict[int, Decimal] = field(default_factory=dict)  # alternative unit id → price of one
    vat_included: bool = True

    @property
    def on_request(self) -> bool:
        return self.amount is None

    @property
    def source_label(self) -> str:
        return str(SOURCE_LABELS[self.source])  # translated now: a listing shows it on every row

    def for_coefficient(self, coefficient: Decimal) -> Decimal | None:
        """Price of `coefficient` base units (an alternative unit), rounded to kopecks."""
        return None if self.amount is None else round_money(self.amount * coefficient)


def price_products(context: PricingContext | None, products, units: bool = False) -> dict[int, ProductPrice]:
    """Prices of `products` (Product objects or ids) for the context, in one query.

    The purchase strategy's price half (`catalog.purchase`); pages and services ask the strategy.

    With `units=True` the products' prefetched `units` (ProductUnit) are priced too, into
    `per_unit`. Without a context every product is "on request" (nobody to price for).
    """
    products = list(products)
    ids = [getattr(product, "pk", product) for product in products]
    if context is None:
        return {pk: ProductPrice(None, settings.PORTAL_DEFAULT_CURRENCY, PriceSource.ON_REQUEST) for pk in ids}
    candidates = _candidates(context, ids)
    result = {}
    for product in products:
        pk = getattr(product, "pk", product)
        price = _resolve(context, candidates.get(pk, {}))
        if units and price.amount is not None and not isinstance(product, int):
            price.per_unit.update({item.unit_id: price.for_coefficient(item.coefficient)
                                   for item in product.units.all()})
        result[pk] = price
    return result


def _candidates(context: PricingContext, ids: list[int]) -> dict[int, dict[int, tuple[Decimal, Decimal]]]:
    """product id → {price type id or individual marker: (amount, currency rate)}, one UNION query.

    Written as SQL (see base.rawsql): every catalog page runs it, and building it with the ORM
    took three times what the database spends on it. Table names come from the models' _meta,
    values are parameters.
    """
    if not ids:
        return {}
    types = sorted({context.contract_price_type_id, context.client_price_type_id, context.base_price_type_id} - {None})
    products, product_params = any_of("price.product_id", ids)
    selects, params = [], []
    if types:
        price_types, type_params = any_of("price.price_type_id", types)
        selects.append(
            f"SELECT price.product_id, price.price_type_id, price.amount, currency.rate"  # noqa: S608
            f" FROM {table(Price)} price JOIN {table(Currency)} currency ON currency.code = price.currency_id"
            f" WHERE {products} AND {price_types}"
        )
        params += [*product_params, *type_params]
    if context.client_id:
        contracts = "price.contract_id IS NULL"
        if context.contract_id:
            contracts = "(price.contract_id IS NULL OR price.contract_id = %s)"
        selects.append(
            f"SELECT price.product_id, CASE WHEN price.contract_id IS NULL THEN {_INDIVIDUAL_CLIENT}"  # noqa: S608
            f" ELSE {_INDIVIDUAL_CONTRACT} END, price.amount, currency.rate"
            f" FROM {table(ClientPrice)} price JOIN {table(Currency)} currency ON currency.code = price.currency_id"
            f" WHERE price.client_id = %s AND {products} AND {contracts}"
            " AND (price.valid_until IS NULL OR price.valid_until >= %s)"
        )
        params += [context.client_id, *product_params, *([context.contract_id] if context.contract_id else []),
                   timezone.localdate()]
    if not selects:
        return {}
    fields = (None, None, Price._meta.get_field("amount"), Currency._meta.get_field("rate"))
    found: dict[int, dict[int, tuple[Decimal, Decimal]]] = {}
    for product_id, source, amount, rate in select_rows(" UNION ALL ".join(selects), params, fields):
        found.setdefault(product_id, {})[source] = (amount, rate)
    return found


def _resolve(context: PricingContext, found: dict[int, tuple[Decimal, Decimal]]) -> ProductPrice:
    """Apply the rules in order to one product's candidate prices."""
    ordered = (
        (_INDIVIDUAL_CONTRACT, PriceSource.INDIVIDUAL),
        (_INDIVIDUAL_CLIENT, PriceSource.INDIVIDUAL),
        (context.contract_price_type_id, PriceSource.CONTRACT_PRICE_TYPE),
        (context.client_price_type_id, PriceSource.CLIENT_PRICE_TYPE),
        (context.base_price_type_id, PriceSource.REGION_BASE),
    )
    for key, source in ordered:
        if key is None or key not in found:
            continue
        amount, rate = found[key]
        return ProductPrice(round_money(context.shown(amount, rate, source)), context.currency, source, {},
                            context.vat_included(source))
    return ProductPrice(None, context.currency, PriceSource.ON_REQUEST, {}, context.vat_included())
