"""Reads of the orders app, scoped to the user's client: carts, orders, order templates."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import Contract, LegalEntity, User
from accounts.roles import Action, user_can
from accounts.selectors import ordering_contracts, ordering_legal_entities
from base.calendar import DELIVERY, PICKUP, DateWindow, date_window
from base.models import Currency, Warehouse
from base.rawsql import select_rows, table
from catalog.models import Product, ProductUnit, Unit
from catalog.pricing import round_money
from catalog.purchase import PurchaseInfo, PurchaseStrategy, purchase_strategy
from catalog.selectors import alternative_units, visible_products

from .approval import awaiting_approval_q
from .cart_summary import CartRow, CartTotals, cart_row, cart_totals, unit_options
from .checkout import (
    CreditState,
    CreditStop,
    Quote,
    cart_items,
    credit_state,
    credit_stop,
    pickup_warehouses,
    quote_items,
)
from .models import (
    ApprovalRule,
    Cart,
    CartLine,
    Order,
    OrderEscalation,
    OrderLine,
    OrderStatusChange,
    OrderTemplate,
    OrderTemplateLine,
)
from .quantities import format_quantity
from .reorder import ReorderDue, reorder_due
from .status import OrderStatus


@dataclass(frozen=True)
class PricedCartLine:
    """A cart line with what the purchase strategy says of its product; `amount` is None without a price."""

    line: CartLine
    info: PurchaseInfo

    @property
    def amount(self) -> Decimal | None:
        price = self.info.price
        return None if price is None or price.amount is None else round_money(price.amount * self.line.quantity)


def cart_for_user(*, user) -> Cart | None:
    """The user's cart with its chosen legal entity and contract (and the contract's currency) loaded."""
    return Cart.objects.select_related("legal_entity", "contract__currency", "contract__price_type").filter(
        user=user).first()


def cart_strategy(*, user, cart: Cart | None = None) -> PurchaseStrategy:
    """The purchase strategy of the user under the cart's legal entity and contract (the cart is
    loaded when not given): cart lines are priced as they will be ordered."""
    cart = cart if cart is not None else cart_for_user(user=user)
    if cart is None:
        return purchase_strategy(user=user)
    return purchase_strategy(user=user, legal_entity=cart.legal_entity, contract=cart.contract)


def cart_lines(*, user) -> list[PricedCartLine]:
    """The lines of the user's cart, priced under the cart's contract, in five queries whatever their number."""
    cart = cart_for_user(user=user)
    if cart is None:
        return []
    lines = list(cart.lines.select_related("product__base_unit", "unit").order_by("added_at", "pk"))
    infos = cart_strategy(user=user, cart=cart).fetch([line.product for line in lines])
    return [PricedCartLine(line, info) for line, info in zip(lines, infos, strict=True)]


#: What the cart page reads of a line and its product (not the description or the search document).
CART_LINE_FIELDS = (
    "cart", "quantity", "unit", "seen_price", "seen_stock_status", "added_at", "product__sku", "product__name",
    "product__multiplicity", "product__weight", "product__volume", "product__vat_rate",
    "product__base_unit__short_name",
)


@dataclass(frozen=True)
class ReorderSuggestion:
    """A product due for reorder (orders.reorder) with what the purchase strategy says of it now."""

    due: ReorderDue
    info: PurchaseInfo

    @property
    def product(self) -> Product:
        return self.due.product


@dataclass
class CartPage:
    """Everything the cart page shows: the cart (None before the first add), its rows and totals under
    the cart's terms, the legal entities with contracts the buyer may choose, and the products due for
    reorder that the buyer can buy (`reorder`)."""

    cart: Cart | None
    strategy: PurchaseStrategy
    rows: list[CartRow]
    totals: CartTotals
    terms: list[tuple[LegalEntity, list[Contract]]] = field(default_factory=list)
    reorder: list[ReorderSuggestion] = field(default_factory=list)

    @property
    def currency(self) -> str:
        return self.strategy.pricing.currency if self.strategy.pricing else ""


def cart_page(*, user, terms: bool = True, reorder: bool = True) -> CartPage:
    """The cart page of the user in a constant number of queries whatever the number of lines: the
    cart, its lines with products and units, the client, prices, stock (and two for `terms`, one for
    `reorder`: the products due for reorder are priced with the lines, in the same two queries)."""
    cart = cart_for_user(user=user)
    strategy = cart_strategy(user=user, cart=cart)
    lines = []
    if cart is not None:
        lines = list(cart.lines.select_related("product__base_unit").only(*CART_LINE_FIELDS).order_by("added_at", "pk"))
    due = reorder_due(user=user) if reorder else []
    products = [line.product for line in lines]
    units = alternative_units(products) if lines else {}
    infos = strategy.fetch(products + [item.product for item in due]) if lines or due else []
    rows = [cart_row(line, info, unit_options(line.product, units.get(line.product_id, ())))
            for line, info in zip(lines, infos, strict=False)]
    suggestions = [ReorderSuggestion(item, info) for item, info in zip(due, infos[len(lines):], strict=True)
                   if info.can_buy]
    return CartPage(cart, strategy, rows, cart_totals(rows), cart_terms_choices(user=user) if terms else [],
                    suggestions)


def cart_terms_choices(*, user) -> list[tuple[LegalEntity, list[Contract]]]:
    """The legal entities the user may order for, each with its contracts in force (those the checkout
    accepts: `accounts.selectors.ordering_contracts`), by name, in two queries."""
    contracts: dict[int, list[Contract]] = {}
    for contract in ordering_contracts(user, on=timezone.localdate()):
        contracts.setdefault(contract.legal_entity_id, []).append(contract)
    return [(entity, contracts.get(entity.pk, [])) for entity in ordering_legal_entities(user)]


def cart_line_count(*, user) -> int:
    """Number of lines in the user's cart (the header counter).

    Every page asks for it, so it is written as SQL (see base.rawsql): the ORM's COUNT took four
    times what the database spends on it. Table names come from the models' _meta.
    """
    if not user.is_authenticated or not user.client_id:
        return 0
    sql = (f"SELECT COUNT(*) FROM {table(CartLine)} line JOIN {table(Cart)} cart ON cart.id = line.cart_id"  # noqa: S608
           " WHERE cart.user_id = %s")
    return select_rows(sql, [user.pk], [None])[0][0]


def orders_for_user(*, user):
    """Orders the user's role lets them see, newest first: all of the client's (administrator,
    accountant, a buyer where the client allows it) or only their own (buyer); none otherwise.
    """
    if not user_can(user, Action.VIEW_OWN_ORDERS):
        return Order.objects.none()
    orders = Order.objects.filter(client_id=user.client_id)
    if not user_can(user, Action.VIEW_ALL_ORDERS):
        orders = orders.filter(created_by=user)
    return (
        orders
        .select_related("legal_entity", "contract", "created_by", "currency", "pickup_warehouse")
        .order_by("-created_at", "-pk")
    )


@dataclass(frozen=True)
class TimelineEntry:
    """One event of an order's history: a status change or an escalation (exactly one of them)."""

    at: datetime.datetime
    change: OrderStatusChange | None = None
    escalation: OrderEscalation | None = None


def order_timeline(*, order: Order) -> list[TimelineEntry]:
    """The order's status changes (prefetched by `access_order_for_user`, with who made them) and its
    escalations (one query), oldest first; an escalation recorded at the same moment as a change comes
    after it."""
    entries = [TimelineEntry(change.created_at, change=change) for change in order.status_changes.all()]
    entries += [TimelineEntry(item.created_at, escalation=item)
                for item in OrderEscalation.objects.filter(order=order).order_by("created_at", "pk")]
    return sorted(entries, key=lambda entry: (entry.at, entry.escalation is not None))


# Order templates


def orders_awaiting_approval(*, user) -> QuerySet[Order]:
    """Orders waiting for the user's approval, oldest first, with what the queue shows (lines included)."""
    if not user_can(user, Action.APPROVE_ORDERS):
        return Order.objects.none()
    return (
        Order.objects.filter(awaiting_approval_q(user))
        .select_related("created_by", "legal_entity", "currency", "approver")
        .prefetch_related("lines")
        .order_by("status_changed_at", "pk")
    )


def approval_rules_for_user(*, user) -> QuerySet[ApprovalRule]:
    return ApprovalRule.objects.filter(client_id=user.client_id).select_related("approver").order_by("pk")


def order_templates_for_user(*, user) -> QuerySet[OrderTemplate]:
    """The templates of the user's client for a user who may use the cart (none otherwise), by name."""
    if not user_can(user, Action.USE_CART):
        return OrderTemplate.objects.none()
    return OrderTemplate.objects.filter(client_id=user.client_id).order_by(Lower("name"), "pk")


def order_template_summaries(*, user) -> QuerySet[OrderTemplate]:
    """The list of templates: each with its author and `line_count`, in one query."""
    return order_templates_for_user(user=user).select_related("created_by").annotate(line_count=Count("lines"))


@dataclass(frozen=True)
class TemplateUnit:
    """A unit a template line can be kept in: the base unit (`unit_id` None, coefficient 1) or an alternative one."""

    unit_id: int | None
    short_name: str
    coefficient: Decimal


@dataclass(frozen=True)
class PricedTemplateLine:
    """A template line as the cart would take it today: its unit now, today's price and availability,
    and whether the client can still order the product (`available`: active and in its assortment)."""

    line: OrderTemplateLine
    info: PurchaseInfo
    available: bool
    unit: TemplateUnit
    units: tuple[TemplateUnit, ...]

    @property
    def quantity(self) -> Decimal:
        """The quantity in the line's unit."""
        return self.line.quantity / self.unit.coefficient

    @property
    def amount(self) -> Decimal | None:
        price = self.info.price
        if not self.available or price is None or price.amount is None:
            return None
        return round_money(price.amount * self.line.quantity)


def order_template_lines(*, user, template: OrderTemplate) -> list[PricedTemplateLine]:
    """The lines of a template priced under the user's cart (its legal entity and contract), in a
    constant number of queries whatever their number.

    A line whose unit the product is no longer sold in, or whose unit no longer divides the
    quantity, is shown in base units (as `order_template_add_to_cart` would put it into the cart).
    """
    lines = list(template.lines.select_related("product__base_unit").prefetch_related(
        Prefetch("product__units", queryset=ProductUnit.objects.select_related("unit").order_by("coefficient", "pk")))
        .order_by("position", "pk"))
    if not lines:
        return []
    infos = cart_strategy(user=user).fetch([line.product for line in lines])
    visible = set(visible_products(user=user).filter(pk__in=[line.product_id for line in lines])
                  .order_by().values_list("pk", flat=True))
    result = []
    for line, info in zip(lines, infos, strict=True):
        product = line.product
        base = TemplateUnit(None, product.base_unit.short_name, Decimal(1))
        units = (base, *(TemplateUnit(item.unit_id, item.unit.short_name, item.coefficient)
                         for item in product.units.all() if item.unit_id != product.base_unit_id))
        unit = next((item for item in units if item.unit_id is not None and item.unit_id == line.unit_id
                     and not line.quantity % item.coefficient), base)
        result.append(PricedTemplateLine(line, info, line.product_id in visible, unit, units))
    return result


# What the cart did not take


def cart_refusal_rows(*, refusals) -> list[dict]:
    """The refused lines of a cart add (CartRefusal) for the buyer to read and fix, in two queries.

    Plain data, so a page can keep it in the session between the POST and the page that shows it:
    `product` (id), `sku`, `code`, `message`, and `choices` — the nearest valid quantities as
    {"quantity": "48", "unit": unit id or None, "label": "48 шт"}, ready to post to the cart.
    """
    refusals = list(refusals)
    if not refusals:
        return []
    products = {product.pk: product for product in
                Product.objects.filter(pk__in={refusal.line.product_id for refusal in refusals})
                .select_related("base_unit").only("sku", "name", "base_unit__short_name")}
    unit_names = dict(Unit.objects.filter(pk__in={refusal.line.unit_id for refusal in refusals
                                                  if refusal.line.unit_id is not None})
                      .values_list("pk", "short_name"))
    rows = []
    for refusal in refusals:
        product = products.get(refusal.line.product_id)
        choices = []
        for choice in refusal.choices:
            if choice is None or product is None:
                continue
            # A choice is in the buyer's unit when it is a whole number of it, else in base units.
            unit_id = refusal.line.unit_id if choice.coefficient != 1 else None
            short_name = unit_names.get(unit_id, "") if unit_id is not None else product.base_unit.short_name
            choices.append({"quantity": f"{choice.quantity.normalize():f}", "unit": unit_id,
                            "label": f"{format_quantity(choice.quantity)} {short_name}"})
        rows.append({"product": refusal.line.product_id, "sku": product.sku if product else "",
                     "code": refusal.code, "message": refusal.message, "choices": choices})
    return rows


@dataclass(frozen=True)
class CheckoutPage:
    """What the checkout page shows: the choices, the cart's quote under the chosen terms, the dates, the credit."""

    cart: Cart | None
    legal_entities: list[LegalEntity]
    legal_entity: LegalEntity | None
    contracts: list[Contract]  # those of the chosen legal entity, in force today
    contract: Contract | None
    warehouses: list[Warehouse]
    delivery: DateWindow
    pickup: DateWindow
    quote: Quote
    currency: Currency | None
    credit: CreditState
    stop: CreditStop | None

    @property
    def addresses(self) -> list[tuple[str, str]]:
        """The chosen legal entity's addresses as (choice, text): actual, then legal when different."""
        entity = self.legal_entity
        if entity is None:
            return []
        found = []
        if entity.actual_address.strip():
            found.append(("actual", entity.actual_address))
        if entity.legal_address.strip() and entity.legal_address.strip() != entity.actual_address.strip():
            found.append(("legal", entity.legal_address))
        return found

    @property
    def can_place(self) -> bool:
        return bool(self.quote.lines) and self.legal_entity is not None and not self.quote.problems


def checkout_page(*, user, cart: Cart | None, legal_entity: LegalEntity | None = None,
                  contract: Contract | None = None, now: datetime.datetime | None = None) -> CheckoutPage:
    """The checkout page of the user's cart under the chosen (else the cart's, else the first) confirmed
    legal entity and its contract in force, in a constant number of queries whatever the lines."""
    today = timezone.localdate(now or timezone.now())
    entities = list(ordering_legal_entities(user))
    entity = _pick(entities, legal_entity, cart.legal_entity_id if cart else None)
    contracts = [item for item in ordering_contracts(user, on=today) if entity and item.legal_entity_id == entity.pk]
    contract = _pick(contracts, contract, cart.contract_id if cart else None)
    items = cart_items(cart) if cart is not None else []
    quote = quote_items(user=user, items=items, legal_entity=entity, contract=contract, now=now)
    region = user.client.region  # loaded by the purchase strategy
    credit = credit_state(entity) if entity is not None else CreditState(None)
    return CheckoutPage(
        cart=cart, legal_entities=entities, legal_entity=entity, contracts=contracts, contract=contract,
        warehouses=list(pickup_warehouses(region.pk)), delivery=date_window(region, DELIVERY, now),
        pickup=date_window(region, PICKUP, now), quote=quote,
        currency=contract.currency if contract and contract.currency.code == quote.currency
        else Currency.objects.filter(code=quote.currency).first(),
        credit=credit, stop=credit_stop(credit, total=quote.amount, currency_code=quote.currency),
    )


def _pick(choices: list, wanted, fallback_id: int | None):
    """`wanted` when it is one of `choices`, else the choice with `fallback_id`, else the first (or None)."""
    by_id = {choice.pk: choice for choice in choices}
    if wanted is not None and wanted.pk in by_id:
        return by_id[wanted.pk]
    return by_id.get(fallback_id) or (choices[0] if choices else None)


# Order history

#: Statuses in the order an order goes through them, for sorting by status.
STATUS_FLOW = [
    OrderStatus.DRAFT, OrderStatus.AWAITING_APPROVAL, OrderStatus.REJECTED, OrderStatus.APPROVED,
    OrderStatus.SUBMITTED, OrderStatus.ACCEPTED, OrderStatus.ASSEMBLING, OrderStatus.SHIPPED,
    OrderStatus.DELIVERED, OrderStatus.CANCELLED,
]

#: Sort keys of the order history -> order_by fields (ties broken by the newest).
HISTORY_SORTS: dict[str, tuple[str, ...]] = {
    "-date": ("-created_at", "-pk"),
    "date": ("created_at", "pk"),
    "-amount": ("-total_amount", "-created_at", "-pk"),
    "amount": ("total_amount", "-created_at", "-pk"),
    "-weight": ("-total_weight", "-created_at", "-pk"),
    "weight": ("total_weight", "-created_at", "-pk"),
    "status": ("status_rank", "-created_at", "-pk"),
    "-status": ("-status_rank", "-created_at", "-pk"),
}


@dataclass(frozen=True)
class HistoryFilter:
    """What the order history is narrowed to; every field optional (None or "" = any)."""

    status: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    legal_entity_id: int | None = None
    author_id: int | None = None
    search: str = ""
    sort: str = "-date"


def order_history(*, user, filters: HistoryFilter | None = None) -> QuerySet[Order]:
    """The orders the user may see (`orders_for_user`) narrowed by `filters` and sorted: one query
    for a page whatever the filters (the SKU search is an EXISTS over the order's lines)."""
    filters = filters or HistoryFilter()
    orders = orders_for_user(user=user)
    if filters.status:
        orders = orders.filter(status=filters.status)
    if filters.date_from:
        orders = orders.filter(created_at__date__gte=filters.date_from)
    if filters.date_to:
        orders = orders.filter(created_at__date__lte=filters.date_to)
    if filters.legal_entity_id:
        orders = orders.filter(legal_entity_id=filters.legal_entity_id)
    if filters.author_id:
        orders = orders.filter(created_by_id=filters.author_id)
    if filters.search:
        term = filters.search
        orders = orders.filter(
            Q(number__icontains=term) | Q(erp_number__iexact=term)
            | Exists(OrderLine.objects.filter(order=OuterRef("pk"), sku__icontains=term)))
    sort = HISTORY_SORTS.get(filters.sort, HISTORY_SORTS["-date"])
    if "status_rank" in sort or "-status_rank" in sort:
        orders = orders.annotate(status_rank=Case(
            *(When(status=status, then=Value(rank)) for rank, status in enumerate(STATUS_FLOW)),
            default=Value(len(STATUS_FLOW)), output_field=IntegerField()))
    return orders.order_by(*sort)


def history_authors(*, user) -> list[tuple[int, str]]:
    """(id, name) of the users whose orders the user may filter by: the client's users who placed an
    order, for a user who sees all the client's orders; none otherwise (they see only their own)."""
    if not user_can(user, Action.VIEW_ALL_ORDERS):
        return []
    authors = (User.objects.filter(client_id=user.client_id, orders__isnull=False).distinct()
               .order_by("last_name", "first_name", "email"))
    return [(author.pk, author.get_full_name() or author.email) for author in authors]


def history_legal_entities(*, user) -> list[tuple[int, str]]:
    """(id, name) of the client's legal entities, to filter the order history by."""
    if not user_can(user, Action.VIEW_OWN_ORDERS):
        return []
    return list(LegalEntity.objects.filter(client_id=user.client_id).order_by(Lower("name"), "pk")
                .values_list("pk", "name"))


# Finance


@dataclass(frozen=True)
class EntityFinance:
    """A legal entity's settlements as the ERP last sent them, with the credit left (`credit.available`)."""

    legal_entity: LegalEntity
    credit: CreditState

    @property
    def balance(self):
        return self.credit.balance

    @property
    def prepayment(self) -> Decimal | None:
        """What the client paid ahead (a negative balance), as a positive amount; None when it owes."""
        return -self.balance.amount if self.balance is not None and self.balance.amount < 0 else None


def finance_for_user(*, user) -> list[EntityFinance]:
    """The settlements of each of the client's legal entities, for a role that may see the balance
    (none otherwise): one query for the entities and balances, one per entity with a balance."""
    if not user_can(user, Action.VIEW_BALANCE):
        return []
    entities = (LegalEntity.objects.filter(client_id=user.client_id).select_related("balance__currency")
                .order_by(Lower("name"), "pk"))
    rows = []
    for entity in entities:
        balance = entity.balance if hasattr(entity, "balance") else None
        rows.append(EntityFinance(entity, credit_state(entity, balance=balance) if balance else CreditState(None)))
    return rows


# The ERP exchange


def orders_pending_erp_export() -> QuerySet[Order]:
    """Submitted orders the ERP has not acknowledged yet, oldest first, with what their document shows."""
    return (Order.objects.filter(status=OrderStatus.SUBMITTED, erp_exported_at__isnull=True)
            .select_related("legal_entity", "currency", "contract").prefetch_related("lines__product__base_unit")
            .order_by("submitted_at", "pk"))


def order_for_erp_document(*, doc_id: str, number: str) -> Order | None:
    """The order an ERP document is about: by the portal's number (sent as both Ид and Номер), else by
    the ERP's own id of it; None for a document of an order the portal does not have."""
    if not (doc_id or number):
        return None
    return (Order.objects.filter(number__in=[v for v in (doc_id, number) if v]).first()
            or Order.objects.filter(erp_id=doc_id).first())
